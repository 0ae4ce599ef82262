/**
 * An inbound email (a visitor's reply) from raw MIME to what the conversation needs: threading
 * ids, sender, subject, only the new text, how many attachments were left out, and whether a
 * machine sent it. Never throws: oversize or malformed input is a coded result. Used by the
 * Worker's `email()` handler through the conversation service.
 */
import PostalMime, { type Email } from "postal-mime";
import { wellFormed } from "../../protocol/fields";
import { MAX_MESSAGE_CHARS } from "../../protocol/limits";
import { classifyAutomatic } from "./automatic";
import { headerText } from "./header-text";
import { htmlToText } from "./html-text";
import { MAX_SCANNED_CHARS, newTextOfReply } from "./reply-text";

/**
 * Largest raw message parsed: 10 MiB takes a reply with two phone photos (about 3 MB each after
 * base64). Parsing cost grows with size (measured in workerd here: 1 MB 0.3 s, 10 MB 1.0 s,
 * 25 MB 1.9 s); Cloudflare's own cap is 25 MiB. Larger mail is refused with `too_large` before
 * it is read past the limit.
 */
export const MAX_INBOUND_BYTES = 10 * 1024 * 1024;
const MAX_SUBJECT_CHARS = 300;
const MAX_MESSAGE_ID_CHARS = 250;
const MAX_REFERENCES = 50;

export interface InboundMail {
  /** `<id@host>` of this message (for de-duplication), null if it has none. */
  messageId: string | null;
  /** The Date header (epoch ms), null when missing or unreadable. */
  date: number | null;
  /** The message it answers, `<id@host>`, null if none. */
  inReplyTo: string | null;
  /** The thread's ids, oldest first, at most 50 (the newest kept). */
  references: string[];
  /** The From address (lower-cased) and display name; null only when the mail names no sender. */
  from: { address: string; name: string } | null;
  subject: string;
  /** Only what the sender wrote now: no quoted history, reply header or signature. May be empty. */
  text: string;
  /** `text` was cut to MAX_MESSAGE_CHARS. */
  truncated: boolean;
  /** Attached files left out; images embedded in the HTML (signature logos) are not counted. */
  attachments: number;
  /** Sent by a machine: an auto-reply, a read receipt, bulk mail, or a bounce. Not to append. */
  autoReply: boolean;
  /** A delivery failure report (the visitor's address bounced); `autoReply` is true too. */
  bounce: boolean;
}

export type InboundResult = { ok: true; mail: InboundMail } | { ok: false; code: "too_large" | "malformed"; message: string };

type Raw = ReadableStream<Uint8Array> | ArrayBuffer | Uint8Array | string;

export async function parseInbound(raw: Raw, opts: { maxBytes?: number; envelopeFrom?: string } = {}): Promise<InboundResult> {
  const maxBytes = opts.maxBytes ?? MAX_INBOUND_BYTES;
  const bytes = await readLimited(raw, maxBytes);
  if (bytes === "too_large") return { ok: false, code: "too_large", message: `Messages are at most ${maxBytes} bytes.` };
  if (bytes === "unreadable") return malformed("The message could not be read.");
  // Header names are printable ASCII up to a colon (RFC 5322 §2.2): anything else is not mail.
  if (!/^[\x21-\x39\x3b-\x7e]+:/.test(new TextDecoder("latin1").decode(bytes.subarray(0, 200)))) {
    return malformed("The message does not start with a header.");
  }
  let email: Email;
  try {
    email = await PostalMime.parse(bytes, {
      // A forwarded message is an attachment here, not text to append to the conversation.
      forceRfc822Attachments: true,
      // Real mail nests 5 or 6 parts deep; these bounds keep hostile MIME cheap to refuse.
      maxNestingDepth: 32,
      maxHeadersSize: 256 * 1024,
    });
  } catch {
    return malformed("The message is not valid MIME.");
  }
  const from = email.from?.address ? { address: email.from.address.trim().toLowerCase(), name: headerText(email.from.name, 200) } : null;
  if (!from) return malformed("The message names no sender.");
  const subject = headerText(email.subject ?? "", MAX_SUBJECT_CHARS);
  const full = wellFormed(newText(email, bytes));
  const text = full.length > MAX_MESSAGE_CHARS ? `${full.slice(0, MAX_MESSAGE_CHARS - 1).replace(/[\ud800-\udbff]$/, "")}…` : full;
  const ids = (value: string | undefined) => (value?.match(/<[^<>\s]{1,250}>/g) ?? []).filter((id) => id.length <= MAX_MESSAGE_ID_CHARS);
  return {
    ok: true,
    mail: {
      messageId: ids(email.messageId)[0] ?? null,
      date: dateOf(email.date),
      inReplyTo: ids(email.inReplyTo)[0] ?? null,
      references: ids(email.references).slice(-MAX_REFERENCES),
      from,
      subject,
      text,
      truncated: text !== full,
      attachments: email.attachments.filter((a) => !a.related).length,
      ...classifyAutomatic({ headers: email.headers, from: from.address, subject, envelopeFrom: opts.envelopeFrom }),
    },
  };
}

/**
 * The new text, from the text/plain part when the sender's client wrote one (it keeps `>`
 * quotes and reply headers as the client meant them), else from the HTML. postal-mime fills
 * `text` from the HTML itself when there is no plain part, losing the quote structure, so the
 * raw message is checked for a text/plain part.
 */
function newText(email: Email, bytes: Uint8Array): string {
  const hasPlainPart = /^content-type:\s*text\/plain/im.test(new TextDecoder("latin1").decode(bytes));
  // HTML is mostly markup: four times the text's budget keeps as much text in view.
  if (email.html && !hasPlainPart) return newTextOfReply(htmlToText(email.html.slice(0, 4 * MAX_SCANNED_CHARS)));
  return newTextOfReply(email.text ?? "");
}

/** The raw message as bytes, reading no further than `max` bytes. */
async function readLimited(raw: Raw, max: number): Promise<Uint8Array | "too_large" | "unreadable"> {
  if (typeof raw === "string") raw = new TextEncoder().encode(raw);
  if (raw instanceof ArrayBuffer) raw = new Uint8Array(raw);
  if (raw instanceof Uint8Array) return raw.byteLength > max ? "too_large" : raw;
  const reader = raw.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel();
        return "too_large";
      }
      chunks.push(value);
    }
  } catch {
    return "unreadable";
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * The idempotency key to append the reply with (the room's clientId, at most 64 characters): a
 * hash of the Message-ID, so a mail delivered twice is appended once; without one, of sender,
 * date and text. `e1:` keeps it apart from any key a chat client picks.
 */
export async function inboundClientId(mail: InboundMail): Promise<string> {
  const basis = mail.messageId ?? `${mail.from?.address ?? ""}\n${mail.date ?? ""}\n${mail.text}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(basis)));
  return `e1:${[...digest.subarray(0, 24)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function dateOf(value: string | undefined): number | null {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

function malformed(message: string): InboundResult {
  return { ok: false, code: "malformed", message };
}
