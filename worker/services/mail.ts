/**
 * The one send path of every email Gadka sends (follow-ups, transcripts, operator alerts):
 * unsubscribed addresses get nothing, the day's per-conversation and per-site limits are counted
 * atomically, then the mail goes through the `send_email` binding in production, or, in
 * development (wrangler dev, the tests), only into the D1 sent-mail log, so nothing leaves the
 * machine. Every send is logged with the Message-ID that threads the conversation's next email.
 * Builders are worker/email/outbound.ts; callers are the conversation room's timers and the
 * transcript routes.
 */
import { MAX_EMAILS_PER_CONVERSATION_PER_DAY, MAX_EMAILS_PER_SITE_PER_DAY } from "../../protocol/offline";
import { countAccountMail, recordAccountMail } from "../db/account-mail";
import {
  alertRecipients,
  conversationThread,
  countSend,
  isUnsubscribed,
  recordSentMail,
  type SentMailRow,
  siteNameAndKey,
  visitorContact,
} from "../db/mail";
import { getSiteSettings } from "../db/sites";
import { replyAddress } from "../email/addresses";
import { type Brand, buildFollowUp, buildOperatorAlert, buildTranscript, type EmailMessage } from "../email/outbound";
import type { Env } from "../env";
import { base64url, newId } from "../lib/crypto";
import { signToken } from "../lib/tokens";

const DAY_MS = 86_400_000;

export interface MailConfig {
  from: string;
  replyDomain: string;
  publicUrl: string;
  /** Nothing is sent; the D1 log is the outbox (wrangler dev, tests). */
  development: boolean;
}

export function mailConfig(env: Env): MailConfig {
  return {
    from: env.MAIL_FROM,
    replyDomain: env.REPLY_DOMAIN,
    publicUrl: env.PUBLIC_URL.replace(/\/+$/, ""),
    development: env.ENVIRONMENT === "development",
  };
}

/** What unsubscribes are keyed by: a hash of the lower-cased address (links never carry the address). */
export async function addressKey(email: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`unsub1.${email.trim().toLowerCase()}`));
  return base64url(new Uint8Array(digest).subarray(0, 24));
}

export async function unsubscribeUrl(env: Env, siteId: string, email: string, now: number): Promise<string> {
  const { token } = await signToken(env.TOKEN_SECRET, "unsubscribe", { siteId, addressKey: await addressKey(email) }, now);
  return `${mailConfig(env).publicUrl}/api/email/unsubscribe?t=${encodeURIComponent(token)}`;
}

export type SendOutcome = { status: "sent"; id: string; to: string; messageId: string | null } | { status: "unsubscribed" | "limited" };

/**
 * Sends one built email (or, in development, logs it). Unsubscribed: nothing. Past a limit:
 * nothing, and nothing counted. A binding failure throws (a timer retries, a route answers 500).
 */
export async function deliver(
  env: Env,
  siteId: string,
  mail: { kind: SentMailRow["kind"]; conversationId: string | null; builder: EmailMessageBuilder; now: number },
): Promise<SendOutcome> {
  const to = typeof mail.builder.to === "string" ? mail.builder.to : String(mail.builder.to);
  if (await isUnsubscribed(env.DB, siteId, await addressKey(to))) return { status: "unsubscribed" };
  const allowed = await countSend(
    env.DB,
    // Alerts to the team count against the site only: they must not use up the visitor's share.
    { site: siteId, conversation: mail.kind === "operator_alert" ? null : mail.conversationId },
    Math.floor(mail.now / DAY_MS),
    { site: MAX_EMAILS_PER_SITE_PER_DAY, conversation: MAX_EMAILS_PER_CONVERSATION_PER_DAY },
  );
  if (!allowed) return { status: "limited" };
  const config = mailConfig(env);
  const id = newId("ml");
  let messageId: string;
  if (config.development) {
    messageId = `<${id}@${config.from.slice(config.from.lastIndexOf("@") + 1)}>`;
  } else {
    // The binding's own Message-ID is the one to thread on (it may replace any we set).
    messageId = (await env.EMAIL.send(mail.builder)).messageId;
  }
  const b = mail.builder;
  await recordSentMail(env.DB, siteId, {
    id,
    kind: mail.kind,
    to,
    subject: b.subject,
    text: config.development ? (b.text ?? "") : "",
    html: config.development ? (b.html ?? "") : "",
    replyTo: typeof b.replyTo === "string" ? b.replyTo : null,
    conversationId: mail.conversationId,
    messageId,
    sentAt: mail.now,
  });
  return { status: "sent", id, to, messageId };
}

interface SiteFacts {
  name: string;
  publicKey: string;
  brand: Brand;
  timeZone: string;
}

async function siteFacts(env: Env, siteId: string): Promise<SiteFacts | null> {
  const row = await siteNameAndKey(env.DB, siteId);
  if (!row) return null;
  const settings = await getSiteSettings(env.DB, siteId);
  return {
    name: row.name,
    publicKey: row.publicKey,
    brand: { name: row.name, logoUrl: settings.branding.logoUrl, accentColor: settings.accentColor },
    timeZone: settings.businessHours.timeZone,
  };
}

/** The conversation's facts a visitor email needs: where it goes, in which language, its thread. */
async function visitorEnvelope(env: Env, siteId: string, conversationId: string, visitorId: string, now: number) {
  const [site, contact] = await Promise.all([siteFacts(env, siteId), visitorContact(env.DB, siteId, visitorId)]);
  if (!site || !contact?.email) return null;
  const config = mailConfig(env);
  return {
    site,
    envelope: {
      from: config.from,
      to: contact.email,
      language: contact.language,
      brand: site.brand,
      timeZone: site.timeZone,
      unsubscribeUrl: await unsubscribeUrl(env, siteId, contact.email, now),
      thread: await conversationThread(env.DB, siteId, conversationId),
    },
    replyTo: await replyAddress(env.TOKEN_SECRET, conversationId, { domain: config.replyDomain, now }),
    chatUrl: `${config.publicUrl}/chat/?site=${encodeURIComponent(site.publicKey)}`,
  };
}

export interface ConversationRef {
  siteId: string;
  conversationId: string;
  visitorId: string;
}

/** The whole visible conversation (notes never: the template keeps visitor and operator text only). */
export async function sendTranscriptMail(
  env: Env,
  c: ConversationRef,
  messages: readonly EmailMessage[],
  startedAt: number,
  now = Date.now(),
): Promise<SendOutcome | { status: "no_email" }> {
  const e = await visitorEnvelope(env, c.siteId, c.conversationId, c.visitorId, now);
  if (!e) return { status: "no_email" };
  const builder = buildTranscript({ ...e.envelope, replyTo: e.replyTo, chatUrl: e.chatUrl, messages, startedAt });
  return deliver(env, c.siteId, { kind: "transcript", conversationId: c.conversationId, builder, now });
}

/** The operators' replies a visitor who left has not seen, in one threaded email. */
export async function sendFollowUpMail(
  env: Env,
  c: ConversationRef,
  replies: readonly EmailMessage[],
  now = Date.now(),
): Promise<SendOutcome | { status: "no_email" }> {
  const e = await visitorEnvelope(env, c.siteId, c.conversationId, c.visitorId, now);
  if (!e) return { status: "no_email" };
  const builder = buildFollowUp({ ...e.envelope, replyTo: e.replyTo, chatUrl: e.chatUrl, replies });
  return deliver(env, c.siteId, { kind: "follow_up", conversationId: c.conversationId, builder, now });
}

/**
 * "A visitor is waiting" to the assigned operator, or every member when unassigned, among those
 * who chose alert emails and are not online now. Returns what was sent to whom.
 */
export async function sendOperatorAlerts(
  env: Env,
  c: ConversationRef & { assigneeId: string | null; waitingSince: number },
  messages: readonly EmailMessage[],
  onlineOperatorIds: ReadonlySet<string>,
  now = Date.now(),
): Promise<SendOutcome[]> {
  const [site, recipients, contact] = await Promise.all([
    siteFacts(env, c.siteId),
    alertRecipients(env.DB, c.siteId),
    visitorContact(env.DB, c.siteId, c.visitorId),
  ]);
  if (!site) return [];
  const config = mailConfig(env);
  const to = recipients.filter((r) => (c.assigneeId === null || r.id === c.assigneeId) && !onlineOperatorIds.has(r.id));
  const outcomes: SendOutcome[] = [];
  for (const r of to) {
    const builder = buildOperatorAlert({
      from: config.from,
      to: r.email,
      language: null,
      brand: site.brand,
      timeZone: site.timeZone,
      unsubscribeUrl: await unsubscribeUrl(env, c.siteId, r.email, now),
      conversationUrl: `${config.publicUrl}/admin/#/inbox/${c.conversationId}`,
      visitorName: contact?.name ?? null,
      waitingSince: c.waitingSince,
      now,
      messages,
    });
    outcomes.push(await deliver(env, c.siteId, { kind: "operator_alert", conversationId: c.conversationId, builder, now }));
  }
  return outcomes;
}

/** Account emails (sign-up, invitation, reset, notices) per recipient address per UTC day. */
export const MAX_ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY = 10;

export type AccountSendOutcome = { status: "sent"; id: string; messageId: string | null } | { status: "limited" };

/**
 * Sends one built account email exactly as `deliver` does a visitor's — the `send_email` binding
 * in production, only the log in development — but to no site: the per-address daily limit is
 * counted atomically first, and the deployment-wide `account_mail` log keeps it (text and html
 * in development only). A binding failure throws.
 */
export async function deliverAccountMail(
  env: Env,
  mail: { kind: string; language: string; builder: EmailMessageBuilder; now: number },
): Promise<AccountSendOutcome> {
  const to = typeof mail.builder.to === "string" ? mail.builder.to : String(mail.builder.to);
  const allowed = await countAccountMail(
    env.DB,
    await addressKey(to),
    Math.floor(mail.now / DAY_MS),
    MAX_ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY,
  );
  if (!allowed) return { status: "limited" };
  const config = mailConfig(env);
  const id = newId("am");
  const messageId = config.development
    ? `<${id}@${config.from.slice(config.from.lastIndexOf("@") + 1)}>`
    : (await env.EMAIL.send(mail.builder)).messageId;
  const b = mail.builder;
  await recordAccountMail(env.DB, {
    id,
    kind: mail.kind,
    to,
    subject: b.subject,
    text: config.development ? (b.text ?? "") : "",
    html: config.development ? (b.html ?? "") : "",
    language: mail.language,
    messageId,
    sentAt: mail.now,
  });
  return { status: "sent", id, messageId };
}
