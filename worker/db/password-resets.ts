/**
 * D1 access to password resets (migration 0027): a request voids the account's older open
 * links; using a link, the new password and the end of every session are one transaction whose
 * first statement is the check-and-use (a random marker replaces the nonce's hash, so the later
 * statements act only for the request that used it, and a second use finds nothing).
 */

export async function accountByEmail(db: D1Database, email: string): Promise<{ id: string; email: string } | null> {
  return db.prepare("SELECT id, email FROM operators WHERE email = ?").bind(email).first<{ id: string; email: string }>();
}

export async function createPasswordReset(
  db: D1Database,
  r: { id: string; operatorId: string; nonceHash: string; now: number; expiresAt: number },
): Promise<void> {
  await db.batch([
    db
      .prepare("UPDATE password_resets SET superseded_at = ?2 WHERE operator_id = ?1 AND used_at IS NULL AND superseded_at IS NULL")
      .bind(r.operatorId, r.now),
    db
      .prepare("INSERT INTO password_resets (id, operator_id, nonce_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .bind(r.id, r.operatorId, r.nonceHash, r.now, r.expiresAt),
  ]);
}

/** Uses the link and sets the password; the account and the ended sessions, or null (expired, used, replaced). */
export async function usePasswordReset(
  db: D1Database,
  u: { id: string; nonceHash: string; marker: string; passwordHash: string; now: number },
): Promise<{ operatorId: string; email: string; endedSessions: string[] } | null> {
  const owner = "SELECT operator_id FROM password_resets WHERE id = ?1 AND nonce_hash = ?2";
  const [used, changed, ended] = await db.batch([
    db
      .prepare(
        `UPDATE password_resets SET used_at = ?3, nonce_hash = ?4
         WHERE id = ?1 AND nonce_hash = ?2 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > ?3 RETURNING operator_id`,
      )
      .bind(u.id, u.nonceHash, u.now, u.marker),
    db.prepare(`UPDATE operators SET password_hash = ?3 WHERE id IN (${owner}) RETURNING id, email`).bind(u.id, u.marker, u.passwordHash),
    db.prepare(`DELETE FROM sessions WHERE operator_id IN (${owner}) RETURNING token_hash`).bind(u.id, u.marker),
  ]);
  if (((used?.results ?? []) as unknown[]).length === 0) return null;
  const account = ((changed?.results ?? []) as { id: string; email: string }[])[0];
  if (!account) return null;
  return {
    operatorId: account.id,
    email: account.email,
    endedSessions: ((ended?.results ?? []) as { token_hash: string }[]).map((r) => r.token_hash),
  };
}
