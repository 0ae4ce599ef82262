/**
 * The visitor's side of "nobody is there": leaving (or changing) an email in the chat, and asking
 * for a transcript; an operator's transcript request; the sent-mail list of a local deployment;
 * unsubscribing. Routes call these after parsing and authorising.
 */
import type { EmailCaptureResponse, SentMailResponse, TranscriptResponse } from "../../protocol/offline";
import { findVisitorConversation, getConversation } from "../db/conversations";
import { alertRecipients, captureVisitorEmail, listSentMail, unsubscribe, visitorContact } from "../db/mail";
import { normalizeVisitorEmail } from "../email/addresses";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { verifyToken } from "../lib/tokens";
import { addressKey, mailConfig } from "./mail";
import type { VisitorIdentity } from "./visitor-tokens";

const SENT_MAIL_PAGE = 50;

/** Chat-email captures per visitor and minute (wrangler.toml EMAIL_CAPTURES). */
async function limitCapture(env: Env, who: VisitorIdentity): Promise<void> {
  if (!env.EMAIL_CAPTURES) return;
  const { success } = await env.EMAIL_CAPTURES.limit({ key: `${who.siteId}:${who.visitorId}` });
  if (!success) throw new ApiError("rate_limited", "Too many email changes; try again in a minute.");
}

/**
 * The visitor's email on their profile (unverified), told to operators in the conversation. A
 * verified email the shop gave is never replaced: the answer then names that one.
 */
export async function captureEmail(
  env: Env,
  who: VisitorIdentity,
  email: string,
  language: string | null = null,
): Promise<EmailCaptureResponse> {
  await limitCapture(env, who);
  const address = normalizeVisitorEmail(email);
  if (!address) throw new ApiError("validation_failed", "This does not look like an email address (name@example.com).");
  const contact = await visitorContact(env.DB, who.siteId, who.visitorId);
  if (!contact) throw new ApiError("unauthorized", "This visitor no longer exists; start a new session (POST /api/widget/session).");
  const before = contact.email;
  const stored = await captureVisitorEmail(env.DB, who.siteId, contact.profileId, address, language);
  if (!stored) throw new ApiError("unauthorized", "This visitor no longer exists; start a new session (POST /api/widget/session).");
  if (!stored.verified && stored.email !== before) {
    const conversationId = await findVisitorConversation(env.DB, who.siteId, who.visitorId);
    if (conversationId) {
      await env.CONVERSATION.getByName(conversationId).addNotice(who.siteId, { type: "email_captured", email: stored.email });
    }
  }
  return stored;
}

/** The visitor's own conversation's transcript, to the email on their profile. */
export async function visitorTranscript(env: Env, who: VisitorIdentity): Promise<TranscriptResponse> {
  const conversationId = await findVisitorConversation(env.DB, who.siteId, who.visitorId);
  if (!conversationId) throw new ApiError("not_found", "There is no conversation to send yet.");
  return sendTranscript(env, who.siteId, conversationId);
}

/** A transcript of one of the site's conversations (202 on success; 409 without an email; 429 past the limits). */
export async function sendTranscript(env: Env, siteId: string, conversationId: string): Promise<TranscriptResponse> {
  if (!(await getConversation(env.DB, siteId, conversationId))) throw new ApiError("not_found", "No such conversation on this site.");
  const outcome = await env.CONVERSATION.getByName(conversationId).sendTranscript(siteId);
  if (outcome === null) throw new ApiError("not_found", "No such conversation on this site.");
  switch (outcome.status) {
    case "sent":
      return { status: "sent", to: outcome.to };
    case "no_email":
      throw new ApiError("conflict", "The visitor has not left an email address.");
    case "unsubscribed":
      throw new ApiError("conflict", "This address unsubscribed from the shop's emails.");
    case "limited":
      throw new ApiError("rate_limited", "Email limit reached for today; try again tomorrow.");
  }
}

/** The local deployment's outbox (404 anywhere else: production keeps no texts). */
export async function sentMail(env: Env, siteId: string, cursor: string | undefined): Promise<SentMailResponse> {
  if (!mailConfig(env).development) throw new ApiError("not_found", "The sent-mail list exists in development only.");
  const at = cursor ? cursor.indexOf("~") : -1;
  const after = cursor && at > 0 ? { sentAt: Number(cursor.slice(0, at)), id: cursor.slice(at + 1) } : null;
  const mails = await listSentMail(env.DB, siteId, after, SENT_MAIL_PAGE + 1);
  const page = mails.slice(0, SENT_MAIL_PAGE);
  const last = page[page.length - 1];
  return { mails: page, nextCursor: mails.length > SENT_MAIL_PAGE && last ? `${last.sentAt}~${last.id}` : null };
}

/** The unsubscribe link's token, checked; null when forged or expired. */
export async function readUnsubscribe(env: Env, token: string): Promise<{ siteId: string; addressKey: string } | null> {
  const t = await verifyToken(env.TOKEN_SECRET, "unsubscribe", token);
  return t ? { siteId: t.siteId, addressKey: t.addressKey } : null;
}

export async function unsubscribeAddress(env: Env, grant: { siteId: string; addressKey: string }, now = Date.now()): Promise<void> {
  await unsubscribe(env.DB, grant.siteId, grant.addressKey, now);
  // An operator who unsubscribes from an alert email: their profile's "email me unanswered chats"
  // choice is unticked too, so it never says yes while nothing is sent.
  const members = await alertRecipients(env.DB, grant.siteId);
  const keys = await Promise.all(members.map((m) => addressKey(m.email)));
  const mine = members.filter((_, i) => keys[i] === grant.addressKey).map((m) => m.id);
  if (mine.length) {
    await env.DB.prepare(`UPDATE operators SET alert_emails = 0 WHERE id IN (${mine.map(() => "?").join(",")})`)
      .bind(...mine)
      .run();
  }
}

/**
 * An operator ticks alert emails again: an earlier unsubscribe of their address in their sites
 * would keep them silent, so it goes (their own choice, from their signed-in profile).
 */
export async function resubscribeOperator(env: Env, email: string, siteIds: string[]): Promise<void> {
  if (!siteIds.length) return;
  await env.DB.prepare(`DELETE FROM email_unsubscribes WHERE address_key = ? AND site_id IN (${siteIds.map(() => "?").join(",")})`)
    .bind(await addressKey(email), ...siteIds)
    .run();
}
