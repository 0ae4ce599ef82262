/**
 * D1 access for accounts (issue 14): the setup link's one owner and shop, sign-ups waiting for
 * their emailed confirmation, new shops, the install check, two-factor secrets and recovery
 * codes, passwords, and the sessions an operator sees. Each check-and-use is one statement or
 * one batch (a transaction), so two parallel requests with one token or code get one success.
 */
import type { InstallStatusResponse, MemberRole, SessionInfo, SiteMembership } from "../../protocol";

/** A new account, its new shop and the owner's membership, for the setup link or a confirmed sign-up. */
interface NewOwner {
  operatorId: string;
  email: string;
  name: string;
  passwordHash: string;
}
interface NewSite {
  siteId: string;
  siteName: string;
  url?: string | null;
  publicKey: string;
  allowedOrigins: string[];
}

function insertSite(db: D1Database, s: NewSite, now: number, guard: { sql: string; binds: unknown[] } | null = null) {
  const where = guard ? ` WHERE ${guard.sql}` : "";
  return db
    .prepare(`INSERT INTO sites (id, name, url, public_key, allowed_origins, settings, created_at) SELECT ?, ?, ?, ?, ?, '{}', ?${where}`)
    .bind(s.siteId, s.siteName, s.url ?? null, s.publicKey, JSON.stringify(s.allowedOrigins), now, ...(guard?.binds ?? []));
}

/**
 * The setup link: records the token as used and creates the owner and the shop, in one
 * transaction. "used": this token made an owner before (or a parallel request just did).
 * "exists": the email has an account already; nothing is written and the token stays usable.
 */
export async function createFirstOwner(
  db: D1Database,
  a: NewOwner & NewSite & { tokenHash: string; now: number },
): Promise<"created" | "used" | "exists"> {
  const mine = "EXISTS (SELECT 1 FROM setup_uses WHERE token_hash = ? AND operator_id = ?)";
  const [use] = await db.batch([
    db
      .prepare(
        `INSERT INTO setup_uses (token_hash, operator_id, site_id, used_at) SELECT ?1, ?2, ?3, ?4
         WHERE NOT EXISTS (SELECT 1 FROM operators WHERE email = ?5) ON CONFLICT (token_hash) DO NOTHING`,
      )
      .bind(a.tokenHash, a.operatorId, a.siteId, a.now, a.email),
    db
      .prepare(`INSERT INTO operators (id, email, name, password_hash, created_at) SELECT ?, ?, ?, ?, ? WHERE ${mine}`)
      .bind(a.operatorId, a.email, a.name, a.passwordHash, a.now, a.tokenHash, a.operatorId),
    insertSite(db, a, a.now, { sql: mine, binds: [a.tokenHash, a.operatorId] }),
    db
      .prepare(`INSERT INTO memberships (site_id, operator_id, role, created_at, skills) SELECT ?, ?, 'owner', ?, '[]' WHERE ${mine}`)
      .bind(a.siteId, a.operatorId, a.now, a.tokenHash, a.operatorId),
  ]);
  if ((use?.meta.changes ?? 0) > 0) return "created";
  const used = await db.prepare("SELECT 1 FROM setup_uses WHERE token_hash = ?").bind(a.tokenHash).first();
  return used ? "used" : "exists";
}

export async function setupTokenUsed(db: D1Database, tokenHash: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 FROM setup_uses WHERE token_hash = ?").bind(tokenHash).first()) !== null;
}

export async function accountExists(db: D1Database, email: string): Promise<boolean> {
  return (await db.prepare("SELECT 1 FROM operators WHERE email = ?").bind(email).first()) !== null;
}

/** A sign-up or email change waiting for its emailed link. */
export async function createAccountToken(
  db: D1Database,
  t: {
    id: string;
    kind: "signup" | "email_change";
    email: string;
    name: string | null;
    passwordHash: string | null;
    operatorId: string | null;
    nonceHash: string;
    now: number;
    expiresAt: number;
  },
): Promise<void> {
  const statements = [
    db
      .prepare(
        `INSERT INTO account_tokens (id, kind, email, name, password_hash, operator_id, nonce_hash, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(t.id, t.kind, t.email, t.name, t.passwordHash, t.operatorId, t.nonceHash, t.now, t.expiresAt),
    // Old rows are swept as new ones come: the table holds only links that may still be opened.
    db.prepare("DELETE FROM account_tokens WHERE expires_at <= ?").bind(t.now),
  ];
  // A new email-change link replaces the account's earlier one.
  if (t.operatorId) {
    statements.unshift(
      db.prepare("DELETE FROM account_tokens WHERE operator_id = ? AND kind = 'email_change' AND used_at IS NULL").bind(t.operatorId),
    );
  }
  await db.batch(statements);
}

export type ConfirmResult =
  | { status: "signed_up"; operatorId: string }
  | { status: "email_changed"; operatorId: string }
  | { status: "bad_token" }
  | { status: "email_taken" };

/**
 * Opens an emailed link: marks the row used (once, unexpired, with this nonce) and, in the same
 * transaction, creates the account from a sign-up row or moves the account to the new email.
 * An email that got an account meanwhile (another sign-up confirmed first) is "email_taken".
 */
export async function useAccountToken(
  db: D1Database,
  u: { id: string; nonceHash: string; newOperatorId: string; now: number },
): Promise<ConfirmResult> {
  const used = "id = ?1 AND used_at = ?2 AND nonce_hash = ?3";
  const [claim, , , changed] = await db.batch([
    db
      .prepare(
        `UPDATE account_tokens SET used_at = ?2 WHERE id = ?1 AND nonce_hash = ?3 AND used_at IS NULL AND expires_at > ?2
         AND NOT EXISTS (SELECT 1 FROM operators o WHERE o.email = account_tokens.email)
         RETURNING kind, operator_id`,
      )
      .bind(u.id, u.now, u.nonceHash),
    db
      .prepare(
        `INSERT INTO operators (id, email, name, password_hash, created_at)
         SELECT ?4, email, name, password_hash, ?2 FROM account_tokens WHERE ${used} AND kind = 'signup'`,
      )
      .bind(u.id, u.now, u.nonceHash, u.newOperatorId),
    // Every other pending sign-up for this address is spent with it.
    db
      .prepare(
        `UPDATE account_tokens SET used_at = ?2 WHERE used_at IS NULL AND kind = 'signup'
         AND email = (SELECT email FROM account_tokens WHERE ${used})`,
      )
      .bind(u.id, u.now, u.nonceHash),
    db
      .prepare(
        `UPDATE operators SET email = (SELECT email FROM account_tokens WHERE ${used} AND kind = 'email_change')
         WHERE id = (SELECT operator_id FROM account_tokens WHERE ${used} AND kind = 'email_change') RETURNING id`,
      )
      .bind(u.id, u.now, u.nonceHash),
  ]);
  const row = ((claim?.results ?? []) as { kind: string; operator_id: string | null }[])[0];
  if (!row) {
    const pending = await db
      .prepare(
        `SELECT 1 FROM account_tokens t WHERE t.id = ? AND t.nonce_hash = ? AND t.used_at IS NULL AND t.expires_at > ?
         AND EXISTS (SELECT 1 FROM operators o WHERE o.email = t.email)`,
      )
      .bind(u.id, u.nonceHash, u.now)
      .first();
    return pending ? { status: "email_taken" } : { status: "bad_token" };
  }
  if (row.kind === "signup") return { status: "signed_up", operatorId: u.newOperatorId };
  const moved = ((changed?.results ?? []) as { id: string }[])[0];
  return moved ? { status: "email_changed", operatorId: moved.id } : { status: "bad_token" };
}

/** How many shops this account owns. */
export async function ownedSiteCount(db: D1Database, operatorId: string): Promise<number> {
  return (
    (await db
      .prepare("SELECT COUNT(*) AS n FROM memberships WHERE operator_id = ? AND role = 'owner'")
      .bind(operatorId)
      .first<number>("n")) ?? 0
  );
}

/** A new shop owned by an existing account, in one transaction. */
export async function createSiteForOwner(db: D1Database, s: NewSite & { operatorId: string; now: number }): Promise<SiteMembership> {
  await db.batch([
    insertSite(db, s, s.now),
    db
      .prepare("INSERT INTO memberships (site_id, operator_id, role, created_at, skills) VALUES (?, ?, 'owner', ?, '[]')")
      .bind(s.siteId, s.operatorId, s.now),
  ]);
  const role: MemberRole = "owner";
  return { id: s.siteId, name: s.siteName, publicKey: s.publicKey, role };
}

/** The shop's name and address, and the install check's answer. */
export async function installStatus(db: D1Database, siteId: string): Promise<Omit<InstallStatusResponse, "widgetUrl"> | null> {
  const r = await db
    .prepare("SELECT name, url, public_key, installed_at, installed_origin, installed_url FROM sites WHERE id = ?")
    .bind(siteId)
    .first<{
      name: string;
      url: string | null;
      public_key: string;
      installed_at: number | null;
      installed_origin: string | null;
      installed_url: string | null;
    }>();
  if (!r) return null;
  const installed = r.installed_at !== null ? { at: r.installed_at, origin: r.installed_origin ?? "", url: r.installed_url ?? "" } : null;
  return { name: r.name, url: r.url, publicKey: r.public_key, installed };
}

/** Renames the shop or changes its address (fields left out stay). */
export async function updateSiteProfile(db: D1Database, siteId: string, p: { name?: string | undefined; url?: string | null | undefined }) {
  await db
    .prepare("UPDATE sites SET name = COALESCE(?2, name), url = CASE WHEN ?3 THEN ?4 ELSE url END WHERE id = ?1")
    .bind(siteId, p.name ?? null, p.url !== undefined ? 1 : 0, p.url ?? null)
    .run();
}

/**
 * Records the shop's first page view from its own domain, once: a site already marked is not
 * changed (the statement matches no row). True when this call wrote it.
 */
export async function markInstalled(
  db: D1Database,
  site: { id: string } | { publicKey: string },
  origin: string,
  url: string,
  now: number,
): Promise<boolean> {
  const [column, value] = "id" in site ? ["id", site.id] : ["public_key", site.publicKey];
  const r = await db
    .prepare(`UPDATE sites SET installed_at = ?1, installed_origin = ?2, installed_url = ?3 WHERE ${column} = ?4 AND installed_at IS NULL`)
    .bind(now, origin, url, value)
    .run();
  return r.meta.changes > 0;
}

// ── Two-factor sign-in ──────────────────────────────────────────────────────────────────────

export interface TwoFactorRow {
  sealed: string | null;
  pendingSealed: string | null;
  lastStep: number | null;
}

export async function twoFactorOf(db: D1Database, operatorId: string): Promise<TwoFactorRow | null> {
  const r = await db
    .prepare("SELECT totp_sealed, totp_pending_sealed, totp_last_step FROM operators WHERE id = ?")
    .bind(operatorId)
    .first<{ totp_sealed: string | null; totp_pending_sealed: string | null; totp_last_step: number | null }>();
  return r ? { sealed: r.totp_sealed, pendingSealed: r.totp_pending_sealed, lastStep: r.totp_last_step } : null;
}

/** The names of the operator's shops that require two-factor sign-in. */
export async function sitesRequiringTwoFactor(db: D1Database, operatorId: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT s.name FROM memberships m JOIN sites s ON s.id = m.site_id WHERE m.operator_id = ? AND s.require_two_factor = 1 ORDER BY s.name`,
    )
    .bind(operatorId)
    .all<{ name: string }>();
  return results.map((r) => r.name);
}

export async function setPendingTwoFactor(db: D1Database, operatorId: string, sealed: string): Promise<void> {
  await db.prepare("UPDATE operators SET totp_pending_sealed = ? WHERE id = ?").bind(sealed, operatorId).run();
}

/**
 * Uses a TOTP step: stored only when above the last one used (a compare-and-set), so a code
 * works once even across parallel requests. With `activate`, the pending secret (the one the
 * step was checked against) becomes the account's, with its recovery codes, in the same batch.
 */
export async function useTotpStep(
  db: D1Database,
  u: { operatorId: string; step: number; activate?: { pendingSealed: string; recoveryHashes: string[] } },
): Promise<boolean> {
  if (!u.activate) {
    const r = await db
      .prepare(
        "UPDATE operators SET totp_last_step = ?2 WHERE id = ?1 AND totp_sealed IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < ?2)",
      )
      .bind(u.operatorId, u.step)
      .run();
    return r.meta.changes > 0;
  }
  const done = "EXISTS (SELECT 1 FROM operators WHERE id = ?1 AND totp_sealed = ?2 AND totp_last_step = ?3)";
  const [activated] = await db.batch([
    db
      .prepare(
        `UPDATE operators SET totp_sealed = totp_pending_sealed, totp_pending_sealed = NULL, totp_last_step = ?3
         WHERE id = ?1 AND totp_pending_sealed = ?2 AND (totp_last_step IS NULL OR totp_last_step < ?3)`,
      )
      .bind(u.operatorId, u.activate.pendingSealed, u.step),
    db.prepare(`DELETE FROM recovery_codes WHERE operator_id = ?1 AND ${done}`).bind(u.operatorId, u.activate.pendingSealed, u.step),
    ...u.activate.recoveryHashes.map((h) =>
      db
        .prepare(`INSERT INTO recovery_codes (operator_id, code_hash) SELECT ?1, ?4 WHERE ${done}`)
        .bind(u.operatorId, u.activate!.pendingSealed, u.step, h),
    ),
  ]);
  return (activated?.meta.changes ?? 0) > 0;
}

/** Redeems a recovery code: deleting its row is the check and the use. */
export async function useRecoveryCode(db: D1Database, operatorId: string, codeHash: string): Promise<boolean> {
  const r = await db.prepare("DELETE FROM recovery_codes WHERE operator_id = ? AND code_hash = ?").bind(operatorId, codeHash).run();
  return r.meta.changes > 0;
}

export async function recoveryCodesLeft(db: D1Database, operatorId: string): Promise<number> {
  return (await db.prepare("SELECT COUNT(*) AS n FROM recovery_codes WHERE operator_id = ?").bind(operatorId).first<number>("n")) ?? 0;
}

export async function disableTwoFactor(db: D1Database, operatorId: string): Promise<void> {
  await db.batch([
    db.prepare("UPDATE operators SET totp_sealed = NULL, totp_pending_sealed = NULL WHERE id = ?").bind(operatorId),
    db.prepare("DELETE FROM recovery_codes WHERE operator_id = ?").bind(operatorId),
  ]);
}

export async function setRequireTwoFactor(db: D1Database, siteId: string, on: boolean): Promise<void> {
  await db
    .prepare("UPDATE sites SET require_two_factor = ? WHERE id = ?")
    .bind(on ? 1 : 0, siteId)
    .run();
}

export async function requiresTwoFactor(db: D1Database, siteId: string): Promise<boolean> {
  return (await db.prepare("SELECT require_two_factor FROM sites WHERE id = ?").bind(siteId).first<number>("require_two_factor")) === 1;
}

// ── Passwords and sessions ──────────────────────────────────────────────────────────────────

export async function passwordHashOf(db: D1Database, operatorId: string): Promise<string | null> {
  return db.prepare("SELECT password_hash FROM operators WHERE id = ?").bind(operatorId).first<string>("password_hash");
}

/** A new password; every session but `keepTokenHash` ends. Answers the ended sessions' hashes. */
export async function setPassword(
  db: D1Database,
  operatorId: string,
  passwordHash: string,
  keepTokenHash: string | null,
): Promise<string[]> {
  const [, ended] = await db.batch([
    db.prepare("UPDATE operators SET password_hash = ? WHERE id = ?").bind(passwordHash, operatorId),
    db.prepare("DELETE FROM sessions WHERE operator_id = ? AND token_hash IS NOT ? RETURNING token_hash").bind(operatorId, keepTokenHash),
  ]);
  return ((ended?.results ?? []) as { token_hash: string }[]).map((r) => r.token_hash);
}

export async function sessionsOf(db: D1Database, operatorId: string, currentTokenHash: string, now: number): Promise<SessionInfo[]> {
  const { results } = await db
    .prepare(
      "SELECT token_hash, created_at, expires_at, user_agent FROM sessions WHERE operator_id = ? AND expires_at > ? ORDER BY created_at DESC",
    )
    .bind(operatorId, now)
    .all<{ token_hash: string; created_at: number; expires_at: number; user_agent: string | null }>();
  return results.map((r) => ({
    id: r.token_hash.slice(0, 16),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    userAgent: r.user_agent,
    current: r.token_hash === currentTokenHash,
  }));
}

/** Ends every session of the operator except `keepTokenHash`; answers the ended ones' hashes. */
export async function endOtherSessions(db: D1Database, operatorId: string, keepTokenHash: string | null): Promise<string[]> {
  const { results } = await db
    .prepare("DELETE FROM sessions WHERE operator_id = ? AND token_hash IS NOT ? RETURNING token_hash")
    .bind(operatorId, keepTokenHash)
    .all<{ token_hash: string }>();
  return results.map((r) => r.token_hash);
}
