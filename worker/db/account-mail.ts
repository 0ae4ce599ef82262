/**
 * D1 access to account email: the deployment-wide log (account_mail, migration 0027) and the
 * per-address daily counter (mail_counters, scope `a:<address key>`), one statement that
 * increments only while under the limit. Account mails belong to no site, so no site scope.
 */

export interface AccountMailRow {
  id: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string;
  messageId: string | null;
  sentAt: number;
}

/** Counts one mail to the address for the day, only while under `max`; false past it. */
export async function countAccountMail(db: D1Database, addressKey: string, day: number, max: number): Promise<boolean> {
  const row = await db
    .prepare(
      `INSERT INTO mail_counters (scope, day, count) SELECT ?1, ?2, 1
       WHERE COALESCE((SELECT count FROM mail_counters WHERE scope = ?1 AND day = ?2), 0) < ?3
       ON CONFLICT (scope, day) DO UPDATE SET count = count + 1
       RETURNING count`,
    )
    .bind(`a:${addressKey}`, day, max)
    .first();
  return row !== null;
}

export async function recordAccountMail(db: D1Database, m: AccountMailRow): Promise<void> {
  await db
    .prepare(
      "INSERT INTO account_mail (id, kind, to_address, subject, text, html, language, message_id, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(m.id, m.kind, m.to, m.subject, m.text, m.html, m.language, m.messageId, m.sentAt)
    .run();
}

/** The newest account mails (optionally to one address), newest first. */
export async function accountMailLog(db: D1Database, opts: { to?: string | undefined; limit: number }): Promise<AccountMailRow[]> {
  const { results } = await db
    .prepare(
      `SELECT id, kind, to_address, subject, text, html, language, message_id, sent_at FROM account_mail
       WHERE ?1 IS NULL OR to_address = ?1 ORDER BY sent_at DESC, id DESC LIMIT ?2`,
    )
    .bind(opts.to ?? null, opts.limit)
    .all<{
      id: string;
      kind: string;
      to_address: string;
      subject: string;
      text: string;
      html: string;
      language: string;
      message_id: string | null;
      sent_at: number;
    }>();
  return results.map((r) => ({
    id: r.id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    text: r.text,
    html: r.html,
    language: r.language,
    messageId: r.message_id,
    sentAt: r.sent_at,
  }));
}
