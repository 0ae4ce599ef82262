/**
 * D1 access for email: the sent-mail log (threading ids everywhere, full texts in development),
 * the daily send counters, unsubscribed addresses, the visitor's email on their profile and
 * operators' alert choice. Every statement names the site.
 */
import type { EmailKind } from "../../protocol";
import type { SentMail } from "../../protocol/offline";

type SentKind = SentMail["kind"];

export interface SentMailRow {
  id: string;
  kind: SentKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  replyTo: string | null;
  conversationId: string | null;
  messageId: string | null;
  sentAt: number;
}

export async function recordSentMail(db: D1Database, siteId: string, m: SentMailRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO sent_mail (site_id, id, kind, to_address, subject, text, html, reply_to, conversation_id, message_id, sent_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)`,
    )
    .bind(siteId, m.id, m.kind, m.to, m.subject, m.text, m.html, m.replyTo, m.conversationId, m.messageId, m.sentAt)
    .run();
}

interface RawSent {
  id: string;
  kind: SentKind;
  to_address: string;
  subject: string;
  text: string;
  html: string;
  reply_to: string | null;
  conversation_id: string | null;
  message_id: string | null;
  sent_at: number;
}

/** Newest first, `limit` at a time, after the cursor `sentAt~id` of the previous page's last row. */
export async function listSentMail(
  db: D1Database,
  siteId: string,
  cursor: { sentAt: number; id: string } | null,
  limit: number,
): Promise<SentMail[]> {
  const { results } = await db
    .prepare(
      `SELECT id, kind, to_address, subject, text, html, reply_to, conversation_id, message_id, sent_at FROM sent_mail
       WHERE site_id = ?1 AND (?2 IS NULL OR sent_at < ?2 OR (sent_at = ?2 AND id < ?3))
       ORDER BY sent_at DESC, id DESC LIMIT ?4`,
    )
    .bind(siteId, cursor?.sentAt ?? null, cursor?.id ?? "", limit)
    .all<RawSent>();
  return results.map((r) => ({
    id: r.id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    text: r.text,
    html: r.html,
    replyTo: r.reply_to,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    sentAt: r.sent_at,
  }));
}

/** Message-IDs of the conversation's emails to the visitor, oldest first (for In-Reply-To / References). */
export async function conversationThread(db: D1Database, siteId: string, conversationId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT message_id FROM sent_mail WHERE site_id = ?1 AND conversation_id = ?2 AND message_id IS NOT NULL
       AND kind IN ('follow_up', 'transcript') ORDER BY sent_at, id LIMIT 100`,
    )
    .bind(siteId, conversationId)
    .all<{ message_id: string }>();
  return results.map((r) => r.message_id);
}

/**
 * Counts one email against the day's limits of the site and (when given) the conversation: both
 * counters move in one statement, and only while both are under their limit (SQLite evaluates
 * the SELECT, which reads the table it inserts into, before it writes). False: a limit is reached,
 * nothing counted.
 */
export async function countSend(
  db: D1Database,
  scopes: { site: string; conversation: string | null },
  day: number,
  limits: { site: number; conversation: number },
): Promise<boolean> {
  const site = `s:${scopes.site}`;
  const conv = scopes.conversation === null ? null : `c:${scopes.conversation}`;
  const { results } = await db
    .prepare(
      `INSERT INTO mail_counters (scope, day, count)
       SELECT scope, ?3, 1 FROM (SELECT ?1 AS scope UNION ALL SELECT ?2 WHERE ?2 IS NOT NULL)
       WHERE COALESCE((SELECT count FROM mail_counters WHERE scope = ?1 AND day = ?3), 0) < ?4
         AND COALESCE((SELECT count FROM mail_counters WHERE scope = ?2 AND day = ?3), 0) < ?5
       ON CONFLICT (scope, day) DO UPDATE SET count = count + 1
       RETURNING scope`,
    )
    .bind(site, conv, day, limits.site, limits.conversation)
    .all();
  return results.length > 0;
}

export async function isUnsubscribed(db: D1Database, siteId: string, addressKey: string): Promise<boolean> {
  return (
    (await db
      .prepare("SELECT 1 AS x FROM email_unsubscribes WHERE site_id = ? AND address_key = ?")
      .bind(siteId, addressKey)
      .first("x")) !== null
  );
}

export async function unsubscribe(db: D1Database, siteId: string, addressKey: string, now: number): Promise<void> {
  await db
    .prepare("INSERT INTO email_unsubscribes (site_id, address_key, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
    .bind(siteId, addressKey, now)
    .run();
}

/** The visitor's profile email (through a verified merge to the profile that holds it), language and name. */
export interface VisitorContact {
  /** The profile row that holds the email (the canonical one after a merge). */
  profileId: string;
  email: string | null;
  /** True when a verified identify or the shop's API gave it (the chat never overwrites it). */
  verified: boolean;
  language: string | null;
  name: string | null;
}

export async function visitorContact(db: D1Database, siteId: string, visitorId: string): Promise<VisitorContact | null> {
  const r = await db
    .prepare(
      `SELECT p.id, p.email, p.chat_email, p.verified, COALESCE(p.language, v.language) AS language, COALESCE(p.name, v.name) AS name
       FROM visitors v JOIN visitors p ON p.site_id = v.site_id AND p.id = COALESCE(v.merged_into, v.id)
       WHERE v.site_id = ?1 AND v.id = ?2`,
    )
    .bind(siteId, visitorId)
    .first<{
      id: string;
      email: string | null;
      chat_email: string | null;
      verified: number;
      language: string | null;
      name: string | null;
    }>();
  if (!r) return null;
  return {
    profileId: r.id,
    email: r.email,
    verified: r.email !== null && r.verified === 1 && r.email !== r.chat_email,
    language: r.language,
    name: r.name,
  };
}

/**
 * The chat's capture form sets the profile's email, unless the profile is verified and its
 * email came from the shop (then it stays). One conditional UPDATE; null when the row is gone.
 */
export async function captureVisitorEmail(
  db: D1Database,
  siteId: string,
  profileId: string,
  email: string,
  language: string | null = null,
): Promise<{ email: string; verified: boolean } | null> {
  const r = await db
    .prepare(
      `UPDATE visitors SET email = CASE WHEN verified = 1 AND email IS NOT NULL AND email IS NOT chat_email THEN email ELSE ?3 END,
         chat_email = CASE WHEN verified = 1 AND email IS NOT NULL AND email IS NOT chat_email THEN chat_email ELSE ?3 END,
         language = COALESCE(language, ?4)
       WHERE site_id = ?1 AND id = ?2 RETURNING email, chat_email, verified`,
    )
    .bind(siteId, profileId, email, language)
    .first<{ email: string; chat_email: string | null; verified: number }>();
  if (!r) return null;
  return { email: r.email, verified: r.verified === 1 && r.email !== r.chat_email };
}

/** Members of the site who chose alert emails, with their address. */
export async function alertRecipients(db: D1Database, siteId: string): Promise<{ id: string; email: string; name: string }[]> {
  const { results } = await db
    .prepare(
      `SELECT o.id, o.email, o.name FROM memberships m JOIN operators o ON o.id = m.operator_id
       WHERE m.site_id = ? AND o.alert_emails = 1`,
    )
    .bind(siteId)
    .all<{ id: string; email: string; name: string }>();
  return results;
}

export type { EmailKind };

/** The site's first answers since `since` (their wait in ms), newest first: the typical reply time's samples. */
export async function firstAnswerWaits(
  db: D1Database,
  siteId: string,
  since: number,
  limit: number,
): Promise<{ at: number; waitedMs: number }[]> {
  const { results } = await db
    .prepare(
      `SELECT at, CAST(json_extract(data, '$.msSinceVisitorFirstMessage') AS INTEGER) AS waited FROM conversation_events
       WHERE site_id = ?1 AND type = 'operator_first_answer' AND at > ?2 ORDER BY at DESC LIMIT ?3`,
    )
    .bind(siteId, since, limit)
    .all<{ at: number; waited: number | null }>();
  return results.filter((r) => r.waited !== null).map((r) => ({ at: r.at, waitedMs: r.waited! }));
}

/** The site's name and public key (the chat link in emails). */
export async function siteNameAndKey(db: D1Database, siteId: string): Promise<{ name: string; publicKey: string } | null> {
  const r = await db.prepare("SELECT name, public_key FROM sites WHERE id = ?").bind(siteId).first<{ name: string; public_key: string }>();
  return r ? { name: r.name, publicKey: r.public_key } : null;
}

/**
 * Whose conversation this is, by its id alone: only for an id a signed reply address names
 * (the signature stands for the site; every later statement names it).
 */
export async function conversationOwner(db: D1Database, conversationId: string): Promise<{ siteId: string; visitorId: string } | null> {
  const r = await db
    .prepare("SELECT site_id, visitor_id FROM conversations WHERE id = ?")
    .bind(conversationId)
    .first<{ site_id: string; visitor_id: string }>();
  return r ? { siteId: r.site_id, visitorId: r.visitor_id } : null;
}
