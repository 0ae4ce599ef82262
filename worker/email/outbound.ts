/**
 * Every email Gadka sends, built as the `send_email` binding's structured form (no MIME of our
 * own): the follow-up, the transcript, the operator alert. Branded, in the recipient's language,
 * threaded, with a one-click unsubscribe. Names, subjects and addresses from outside are made
 * safe here. Used by the email services; the caller sends with `env.EMAIL.send(builder)`.
 */
import { type EmailKind, isPracticalEmail } from "../../protocol/email";
import { MAX_NAME_CHARS } from "../../protocol/limits";
import { headerText } from "./header-text";
import { followUp } from "./templates/follow-up";
import { emailLanguage, stringsFor } from "./templates/i18n";
import { type Brand, type EmailContent, renderHtml, renderText } from "./templates/layout";
import type { EmailMessage } from "./templates/messages";
import { operatorAlert } from "./templates/operator-alert";
import { transcript } from "./templates/transcript";

export type { Brand } from "./templates/layout";
export type { EmailMessage } from "./templates/messages";

/** Longest subject: what mail clients show in a list, well under the 2,048-byte header cap. */
export const MAX_SUBJECT_CHARS = 150;
// Cloudflare's Email Service refuses header values over 2,048 bytes.
const MAX_HEADER_BYTES = 2048;
const DEFAULT_ACCENT = "#4f46e5";
const MESSAGE_ID = /^<[^<>\s"\\]{1,250}@[^<>\s"\\]{1,250}>$/;

/** What every email needs besides its content. */
export interface Envelope {
  /** The sending address on the onboarded domain, e.g. `chat@shop.example`. */
  from: string;
  to: string;
  /** The recipient's language as a BCP 47 tag ("pl-PL"); English when Gadka does not write it. */
  language: string | null;
  brand: Brand;
  /** Times in the email are on this clock (the shop's zone, say). */
  timeZone: string;
  /** An https page that unsubscribes in one click (RFC 8058 POST) and on a plain visit. */
  unsubscribeUrl: string;
  /** Message-IDs the send binding returned for this conversation's earlier emails, oldest first. */
  thread?: readonly string[];
}

/** Operators' replies a visitor who left has not seen. Reply-To is the conversation's address. */
export function buildFollowUp(
  input: Envelope & { replyTo: string; chatUrl: string; replies: readonly EmailMessage[] },
): EmailMessageBuilder {
  const s = stringsFor(emailLanguage(input.language));
  const { subject, content } = followUp(s, {
    shopName: shopName(input.brand),
    timeZone: input.timeZone,
    replies: input.replies,
    chatUrl: webUrl(input.chatUrl),
    unsubscribeUrl: webUrl(input.unsubscribeUrl),
  });
  return build("follow_up", input, subject, content, input.replyTo);
}

/** The whole conversation for the visitor (notes never included). */
export function buildTranscript(
  input: Envelope & { replyTo: string; chatUrl: string; messages: readonly EmailMessage[]; startedAt: number },
): EmailMessageBuilder {
  const s = stringsFor(emailLanguage(input.language));
  const { subject, content } = transcript(s, {
    shopName: shopName(input.brand),
    timeZone: input.timeZone,
    messages: input.messages,
    startedAt: input.startedAt,
    chatUrl: webUrl(input.chatUrl),
    unsubscribeUrl: webUrl(input.unsubscribeUrl),
  });
  return build("transcript", input, subject, content, input.replyTo);
}

/**
 * "A visitor is waiting" for an operator. No Reply-To: an operator's reply by email would land
 * nowhere useful, and the conversation's reply address must never reach anyone but the visitor
 * (whatever arrives there is appended as the visitor's message).
 */
export function buildOperatorAlert(
  input: Envelope & {
    conversationUrl: string;
    visitorName: string | null;
    waitingSince: number;
    now: number;
    messages: readonly EmailMessage[];
  },
): EmailMessageBuilder {
  const s = stringsFor(emailLanguage(input.language));
  const visitorName = input.visitorName === null ? "" : headerText(input.visitorName, 60);
  const { subject, content } = operatorAlert(s, {
    shopName: shopName(input.brand),
    timeZone: input.timeZone,
    visitorName: visitorName === "" ? null : visitorName,
    waitingSince: input.waitingSince,
    now: input.now,
    messages: input.messages.filter((m) => m.role === "visitor"),
    conversationUrl: webUrl(input.conversationUrl),
    unsubscribeUrl: webUrl(input.unsubscribeUrl),
  });
  return build("operator_alert", input, subject, content, null);
}

function build(kind: EmailKind, input: Envelope, subject: string, content: EmailContent, replyTo: string | null): EmailMessageBuilder {
  const brand: Brand = {
    name: shopName(input.brand),
    logoUrl: input.brand.logoUrl && /^https:\/\//i.test(input.brand.logoUrl) ? webUrl(input.brand.logoUrl) : null,
    accentColor: /^#[0-9a-f]{6}$/i.test(input.brand.accentColor) ? input.brand.accentColor : DEFAULT_ACCENT,
  };
  const headers: Record<string, string> = {
    // RFC 3834: responders must not answer, so no out-of-office reply lands in the conversation.
    "Auto-Submitted": "auto-generated",
    "Content-Language": content.lang,
    "X-Gadka-Kind": kind,
    ...threadHeaders(input.thread ?? []),
  };
  // The Email Service takes only https unsubscribe links; local http ones stay in the body only.
  if (/^https:\/\//i.test(input.unsubscribeUrl)) {
    headers["List-Unsubscribe"] = `<${webUrl(input.unsubscribeUrl)}>`;
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  }
  const message: EmailMessageBuilder = {
    from: { name: brand.name, email: address(input.from) },
    to: address(input.to),
    subject: headerText(subject, MAX_SUBJECT_CHARS),
    text: renderText(content, brand),
    html: renderHtml(content, brand),
    headers,
  };
  if (replyTo !== null) message.replyTo = address(replyTo);
  return message;
}

/**
 * In-Reply-To the newest stored Message-ID, References the chain. A chain too long for one
 * header keeps its first id and as many of the newest as fit (RFC 5322 §3.6.4 allows dropping
 * the middle); ids that are not `<…@…>` are left out.
 */
function threadHeaders(thread: readonly string[]): Record<string, string> {
  const ids = thread.map((id) => id.trim()).filter((id) => MESSAGE_ID.test(id));
  if (ids.length === 0) return {};
  const kept = [ids[0]!];
  let bytes = ids[0]!.length;
  const newest: string[] = [];
  for (let i = ids.length - 1; i > 0 && bytes + ids[i]!.length + 1 <= MAX_HEADER_BYTES; i--) {
    newest.unshift(ids[i]!);
    bytes += ids[i]!.length + 1;
  }
  return { "In-Reply-To": ids[ids.length - 1]!, References: [...kept, ...newest].join(" ") };
}

function shopName(brand: Brand): string {
  return headerText(brand.name, MAX_NAME_CHARS) || "Gadka";
}

/** A recipient or sender address, refused unless it is one plain address (no name, no CR/LF). */
function address(value: string): string {
  const a = value.trim().toLowerCase();
  if (!isPracticalEmail(a) || !/^[\x21-\x7e]+$/.test(a))
    throw new TypeError(`not a deliverable address: ${JSON.stringify(value.slice(0, 80))}`);
  return a;
}

/** A link for the email: http(s) only (never javascript: or data:), normalised by URL. */
function webUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`not a web link: ${url.protocol}`);
  return url.href;
}
