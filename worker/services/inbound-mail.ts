/**
 * A visitor's reply by email (the Worker's `email()` handler, and the development endpoint that
 * feeds it a raw message): the signed reply address names the conversation (unknown or forged →
 * rejected), the mail is parsed (oversize or malformed → rejected), auto-replies and bounces are
 * dropped, and only the new text is appended as the visitor's message `via: "email"` through the
 * conversation service, idempotent on the Message-ID, live to operators. Attachments are noted
 * in the text, never stored.
 */
import { MAX_MESSAGE_CHARS } from "../../protocol/limits";
import { conversationOwner, visitorContact } from "../db/mail";
import { readReplyAddress } from "../email/addresses";
import { inboundClientId, MAX_INBOUND_BYTES, parseInbound } from "../email/inbound";
import { emailLanguage } from "../email/templates/i18n";
import type { Env } from "../env";
import { appendExternalMessage } from "./conversations";
import { mailConfig } from "./mail";

export type InboundOutcome =
  | { outcome: "appended"; conversationId: string; seq: number }
  | { outcome: "duplicate"; conversationId: string; seq: number }
  | { outcome: "ignored"; reason: "auto_reply" | "bounce" | "empty" }
  | { outcome: "rejected"; reason: string };

/** What an email handler gets (ForwardableEmailMessage's part Gadka uses). */
export interface InboundEnvelope {
  from: string;
  to: string;
  raw: ReadableStream<Uint8Array> | Uint8Array | string;
  rawSize: number;
}

export async function receiveEmail(env: Env, m: InboundEnvelope, now = Date.now()): Promise<InboundOutcome> {
  const config = mailConfig(env);
  const address = await readReplyAddress(env.TOKEN_SECRET, m.to, { domain: config.replyDomain, now });
  if (!address.ok) return { outcome: "rejected", reason: "Unknown address." };
  const row = await conversationOwner(env.DB, address.conversationId);
  if (!row) return { outcome: "rejected", reason: "Unknown address." };
  if (m.rawSize > MAX_INBOUND_BYTES) return { outcome: "rejected", reason: `Messages are at most ${MAX_INBOUND_BYTES} bytes.` };
  const parsed = await parseInbound(m.raw, { envelopeFrom: m.from });
  if (!parsed.ok) return { outcome: "rejected", reason: parsed.message };
  const mail = parsed.mail;
  if (mail.bounce) return { outcome: "ignored", reason: "bounce" };
  if (mail.autoReply) return { outcome: "ignored", reason: "auto_reply" };
  const contact = mail.attachments > 0 ? await visitorContact(env.DB, row.siteId, row.visitorId) : null;
  const text = withAttachmentNote(mail.text, mail.attachments, contact?.language ?? null);
  if (text.trim() === "") return { outcome: "ignored", reason: "empty" };
  const result = await appendExternalMessage(env, row.siteId, address.conversationId, {
    clientId: await inboundClientId(mail),
    text,
    via: "email",
  });
  if (!result) return { outcome: "rejected", reason: "Unknown address." };
  return { outcome: result.duplicate ? "duplicate" : "appended", conversationId: address.conversationId, seq: result.message.seq };
}

const ATTACHMENT_NOTES: Record<string, (n: number) => string> = {
  en: (n) => (n === 1 ? "(1 attachment not shown)" : `(${n} attachments not shown)`),
  pl: (n) => `(${n} ${pick("pl", n, ["załącznik niepokazany", "załączniki niepokazane", "załączników niepokazanych"])})`,
  fi: (n) => (n === 1 ? "(1 liite jätetty näyttämättä)" : `(${n} liitettä jätetty näyttämättä)`),
  ru: (n) => `(${n} ${pick("ru", n, ["вложение не показано", "вложения не показаны", "вложений не показано"])})`,
};

/** Slavic plurals: one, few, many (Intl's categories). */
function pick(locale: string, n: number, [one, few, many]: [string, string, string]): string {
  const c = new Intl.PluralRules(locale).select(n);
  return c === "one" ? one : c === "few" ? few : many;
}

/** "(2 attachments not shown)" under the text, in the visitor's language, within the message limit. */
export function withAttachmentNote(text: string, attachments: number, language: string | null): string {
  if (attachments === 0) return text;
  const note = ATTACHMENT_NOTES[emailLanguage(language)]!(attachments);
  const room = MAX_MESSAGE_CHARS - note.length - 2;
  const body = text.length > room ? `${text.slice(0, room - 1)}…` : text;
  return body.trim() === "" ? note : `${body}\n\n${note}`;
}
