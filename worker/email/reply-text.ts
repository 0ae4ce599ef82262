/**
 * The new part of an emailed reply: the plain text minus quoted history, reply headers and
 * signatures, as Gmail, Outlook (desktop, web, mobile), Apple Mail and Thunderbird write them in
 * English, Polish, Finnish and Russian. Pure; used by inbound.ts on text/plain bodies and on
 * HTML bodies turned into text (html-text.ts), which keep quotes as `>` lines for it.
 */

const QUOTED = /^\s*>/;

// A reply header's verb, anywhere in the line: "On … X wrote:", "W dniu … X pisze:",
// "X kirjoitti 30.11.2026 klo 9.00:", "… X написал(а):", Apple's Polish "Wiadomość napisana przez".
const VERB =
  /(?<!\p{L})(wrote|writes|napisał\(a\)|napisał|napisała|napisana przez|pisze|kirjoitti|написал\(а\)|написала|написал|пишет)(?!\p{L})/iu;
// Gmail in Russian writes no verb: "пн, 30 нояб. 2026 г. в 09:00, Demo Shop <shop@example>:".
const ADDRESS_AND_TIME = /@.*\d{1,2}[:.]\d{2}|\d{1,2}[:.]\d{2}.*@/;

/**
 * Outlook's header block ("From: … / Sent: … / To: … / Subject: …") in the four languages; a
 * block is a From line with two of the others among the next five lines.
 */
const HEADER_FROM = /^\s*\*?(from|od|lähettäjä|от)\s*:\*?\s*\S/iu;
const HEADER_OTHER =
  /^\s*\*?(sent|date|to|cc|subject|wysłano|wysłane|data|do|temat|lähetetty|päivämäärä|vastaanottaja|aihe|отправлено|дата|кому|тема)\s*:/iu;

// "-----Original Message-----" and forwarding separators, dashes optional on the Apple form.
const SEPARATOR =
  /^\s*-{2,}\s*(original message|oryginalna wiadomość|wiadomość oryginalna|alkuperäinen viesti|исходное сообщение|forwarded message|przekazana wiadomość|wiadomość przekazana dalej|välitetty viesti|пересылаемое сообщение)\s*-{2,}\s*$|^\s*(begin forwarded message|początek przekazywanej wiadomości|välitetty viesti alkaa|начало переадресованного сообщения)\s*:\s*$/iu;

/** Outlook's line of underscores above its header block. */
const RULE = /^\s*_{10,}\s*$/;

/**
 * "Sent from my iPhone" and its kind, in the four languages: only as the last line of the new
 * text, and only naming a device or a mail app, so "Lähetetty eilen." (sent yesterday) stays.
 */
const DEVICE_LINE =
  /^\s*(sent from|sent with|sent via|get outlook for|wysłane z|wysłano z|wysłane przy użyciu|pobierz aplikację outlook|uzyskaj outlook|lähetetty|hanki outlook|отправлено с|отправлено из|получить outlook)(?!\p{L}).{0,80}(iphone|ipad|ios|android|outlook|mail|samsung|galaxy|yahoo|mobile|phone|windows|почт|яндекс|телефон|puhelin|laitteesta|sähköposti)/iu;

/**
 * Characters of a body looked at. A reply is at its top, or (bottom-posted) after a quote; one
 * after 256 KiB of quoted history is rarer than a hostile body, which costs about 0.7 µs a line.
 */
export const MAX_SCANNED_CHARS = 256 * 1024;

/** The text a person wrote in this reply, without what it quotes; may be empty. */
export function newTextOfReply(text: string): string {
  const lines = text
    .slice(0, MAX_SCANNED_CHARS)
    .replace(/\r\n?/g, "\n")
    .replace(/\u00a0/g, " ")
    .split("\n");
  const kept: string[] = [];
  let wrote = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (QUOTED.test(line)) continue;
    const header = line.trim() === "" ? 0 : replyHeaderLength(lines, i);
    if (header === 0) {
      kept.push(line);
      wrote ||= line.trim() !== "";
      continue;
    }
    // Top-posting: what came before the header is the reply. Bottom-posting (Thunderbird's
    // default): nothing yet, so drop the header and keep reading; its quote is `>` lines.
    if (wrote) break;
    i += header - 1;
  }
  return tidy(withoutSignature(kept));
}

/** How many lines a reply header starting at `i` spans, 0 if none starts there. */
function replyHeaderLength(lines: readonly string[], i: number): number {
  const line = lines[i]!;
  if (SEPARATOR.test(line)) return 1;
  if (RULE.test(line) && isHeaderBlock(lines, nextFilled(lines, i + 1))) return nextFilled(lines, i + 1) - i + 1;
  if (isHeaderBlock(lines, i)) return 1;
  // An attribution is followed by the quote it introduces.
  if (isAttribution(line) && quoteFollows(lines, i + 1)) return 1;
  // Gmail wraps a long one before the address or the verb: its first line has the date and does
  // not end a sentence ("On Mon, Nov 30, 2026 at 9:00 AM Demo Shop <" / "shop@… > wrote:").
  const second = lines[i + 1];
  if (second === undefined || second.trim() === "" || QUOTED.test(second) || !/\d/.test(line) || /[.!?]\s*$/.test(line)) return 0;
  return isAttribution(`${line} ${second}`) && quoteFollows(lines, i + 2) ? 2 : 0;
}

function isAttribution(line: string): boolean {
  const t = line.trim();
  return t.length <= 400 && t.endsWith(":") && /\d/.test(t) && (VERB.test(t) || ADDRESS_AND_TIME.test(t));
}

function isHeaderBlock(lines: readonly string[], i: number): boolean {
  if (i >= lines.length || !HEADER_FROM.test(lines[i]!)) return false;
  return lines.slice(i + 1, i + 6).filter((l) => HEADER_OTHER.test(l)).length >= 2;
}

function quoteFollows(lines: readonly string[], i: number): boolean {
  const next = nextFilled(lines, i);
  return next >= lines.length || QUOTED.test(lines[next]!);
}

/** The first non-blank line from `i`, looking at most 10 lines ahead (a header and its quote are close). */
function nextFilled(lines: readonly string[], i: number): number {
  for (let n = 0; n < 10 && i < lines.length && lines[i]!.trim() === ""; n++) i++;
  return i;
}

/**
 * Drops a signature: from the "-- " delimiter (RFC 3676; "--" too, when it starts one of the
 * last 12 lines, as clients that trim lines leave it), and trailing device lines.
 */
function withoutSignature(lines: string[]): string[] {
  let end = lines.findIndex((l, i) => l === "-- " || (l.trim() === "--" && lines.length - i <= 12));
  if (end < 0) end = lines.length;
  // Then, from the end up, device lines ("Sent from my iPhone") and a left-over Outlook rule.
  for (let i = end - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    if (!RULE.test(line) && !(line.length <= 120 && DEVICE_LINE.test(line))) break;
    end = i;
  }
  return lines.slice(0, end);
}

/** Trailing spaces off, at most one blank line in a row, none at either end. */
function tidy(lines: readonly string[]): string {
  return lines
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
