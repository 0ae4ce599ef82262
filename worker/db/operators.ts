/**
 * D1 access to operators, their site memberships and their sessions.
 * Sessions are looked up by the SHA-256 of the cookie token; the token itself is never stored.
 */
import type { MemberRole, OperatorProfile, SiteMembership } from "../../protocol";

export interface OperatorWithSites {
  operator: OperatorProfile;
  sites: SiteMembership[];
}

interface RawOperator {
  id: string;
  email: string;
  name: string;
  avatar_url: string | null;
  /** Read where the operator's own profile is answered (migration 0015). */
  alert_emails?: number;
}

const toProfile = (r: RawOperator): OperatorProfile => ({
  id: r.id,
  email: r.email,
  name: r.name,
  avatarUrl: r.avatar_url,
  ...(r.alert_emails === undefined ? {} : { alertEmails: r.alert_emails === 1 }),
});

export async function findOperatorForLogin(
  db: D1Database,
  email: string,
): Promise<(OperatorProfile & { passwordHash: string; twoFactor: boolean }) | null> {
  const r = await db
    .prepare("SELECT id, email, name, avatar_url, password_hash, totp_sealed IS NOT NULL AS two_factor FROM operators WHERE email = ?")
    .bind(email)
    .first<RawOperator & { password_hash: string; two_factor: number }>();
  return r ? { ...toProfile(r), passwordHash: r.password_hash, twoFactor: r.two_factor === 1 } : null;
}

// Shops that require two-factor sign-in are left out for an operator without it (see loadSession).
const SITES_OF_OPERATOR = `SELECT s.id, s.name, s.public_key, m.role FROM memberships m
  JOIN sites s ON s.id = m.site_id JOIN operators o ON o.id = m.operator_id
  WHERE m.operator_id = ? AND (s.require_two_factor = 0 OR o.totp_sealed IS NOT NULL) ORDER BY s.name`;

type RawMembership = { id: string; name: string; public_key: string; role: MemberRole };
const toMembership = (r: RawMembership): SiteMembership => ({
  id: r.id,
  name: r.name,
  publicKey: r.public_key,
  role: r.role,
});

export async function sitesOfOperator(db: D1Database, operatorId: string): Promise<SiteMembership[]> {
  const { results } = await db.prepare(SITES_OF_OPERATOR).bind(operatorId).all<RawMembership>();
  return results.map(toMembership);
}

/** The operator behind a live session, with their sites, in one round trip. */
export async function loadSession(db: D1Database, tokenHash: string, now: number): Promise<OperatorWithSites | null> {
  const [who, sites] = await db.batch([
    db
      .prepare(
        `SELECT o.id, o.email, o.name, o.avatar_url, o.alert_emails FROM sessions s JOIN operators o ON o.id = s.operator_id
         WHERE s.token_hash = ? AND s.expires_at > ?`,
      )
      .bind(tokenHash, now),
    db
      .prepare(
        // A shop that requires two-factor sign-in is withheld from an operator without it, so
        // every route and socket behind siteMember() refuses it until they enrol.
        `SELECT s.id, s.name, s.public_key, m.role FROM sessions x
         JOIN memberships m ON m.operator_id = x.operator_id JOIN sites s ON s.id = m.site_id
         JOIN operators o ON o.id = x.operator_id
         WHERE x.token_hash = ? AND x.expires_at > ? AND (s.require_two_factor = 0 OR o.totp_sealed IS NOT NULL) ORDER BY s.name`,
      )
      .bind(tokenHash, now),
  ]);
  const operator = (who?.results as RawOperator[] | undefined)?.[0];
  if (!operator) return null;
  return { operator: toProfile(operator), sites: ((sites?.results ?? []) as RawMembership[]).map(toMembership) };
}

export async function createSession(
  db: D1Database,
  session: { tokenHash: string; operatorId: string; now: number; expiresAt: number; userAgent?: string | null },
): Promise<void> {
  // Expired sessions of this operator are swept on login, so the table does not grow forever.
  await db.batch([
    db.prepare("DELETE FROM sessions WHERE operator_id = ? AND expires_at <= ?").bind(session.operatorId, session.now),
    db
      .prepare("INSERT INTO sessions (token_hash, operator_id, created_at, expires_at, user_agent) VALUES (?, ?, ?, ?, ?)")
      .bind(session.tokenHash, session.operatorId, session.now, session.expiresAt, session.userAgent?.slice(0, 300) ?? null),
  ]);
}

export async function deleteSession(db: D1Database, tokenHash: string): Promise<void> {
  await db.prepare("DELETE FROM sessions WHERE token_hash = ?").bind(tokenHash).run();
}

/** An operator as routing sees them: capacity and skills on this site. */
export interface RosterEntry {
  id: string;
  name: string;
  email: string;
  avatarUrl: string | null;
  role: MemberRole;
  maxChats: number;
  skills: string[];
}

export async function siteRoster(db: D1Database, siteId: string): Promise<RosterEntry[]> {
  const { results } = await db
    .prepare(
      `SELECT o.id, o.name, o.email, o.avatar_url, m.role, m.max_chats, m.skills FROM memberships m
       JOIN operators o ON o.id = m.operator_id WHERE m.site_id = ? ORDER BY o.id`,
    )
    .bind(siteId)
    .all<{ id: string; name: string; email: string; avatar_url: string | null; role: MemberRole; max_chats: number; skills: string }>();
  return results.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    avatarUrl: r.avatar_url,
    maxChats: r.max_chats,
    skills: parseSkills(r.skills),
  }));
}

function parseSkills(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
  } catch {
    return [];
  }
}

/**
 * A new account and its membership of the site, in one transaction. "exists" when the email
 * already has an account: nothing is written, and the caller invites that person instead.
 */
export async function createOperatorOnSite(
  db: D1Database,
  a: {
    siteId: string;
    newId: string;
    email: string;
    name: string;
    passwordHash: string;
    avatarUrl: string | null;
    role: MemberRole;
    maxChats: number;
    skills: string[];
    now: number;
  },
): Promise<"added" | "exists"> {
  const [, , created] = await db.batch([
    db
      .prepare(
        "INSERT INTO operators (id, email, name, avatar_url, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING",
      )
      .bind(a.newId, a.email, a.name, a.avatarUrl, a.passwordHash, a.now),
    // Only for the account made just now (its new id): an existing account is never joined here.
    db
      .prepare(
        `INSERT INTO memberships (site_id, operator_id, role, created_at, max_chats, skills)
         SELECT ?1, id, ?3, ?4, ?5, ?6 FROM operators WHERE id = ?2 ON CONFLICT DO NOTHING`,
      )
      .bind(a.siteId, a.newId, a.role, a.now, a.maxChats, JSON.stringify(a.skills)),
    db.prepare("SELECT 1 FROM operators WHERE id = ?").bind(a.newId),
  ]);
  return ((created?.results ?? []) as unknown[]).length > 0 ? "added" : "exists";
}

/** Whether the account with this email is a member of the site. */
export async function isMemberByEmail(db: D1Database, siteId: string, email: string): Promise<boolean> {
  const row = await db
    .prepare("SELECT 1 FROM memberships m JOIN operators o ON o.id = m.operator_id WHERE m.site_id = ? AND o.email = ?")
    .bind(siteId, email)
    .first();
  return row !== null;
}

export type MemberUpdateResult = "updated" | "not_found" | "owners_only" | "last_owner";

/**
 * Changes a member's role, capacity or skills on this site. The rules are part of the statement
 * that writes, against the roles as stored at that moment: the actor must be an owner or admin;
 * only an owner changes an owner or makes one; the site's last owner stays an owner (two owners
 * demoting each other at once cannot both succeed).
 */
export async function updateMember(
  db: D1Database,
  m: {
    siteId: string;
    actorId: string;
    operatorId: string;
    role?: MemberRole | undefined;
    maxChats?: number | undefined;
    skills?: string[] | undefined;
  },
): Promise<MemberUpdateResult> {
  const actorRole = "(SELECT a.role FROM memberships a WHERE a.site_id = ?1 AND a.operator_id = ?3)";
  const newRole = "COALESCE(?4, role)";
  const owners = "(SELECT COUNT(*) FROM memberships o WHERE o.site_id = ?1 AND o.role = 'owner')";
  const updated = await db
    .prepare(
      `UPDATE memberships SET role = ${newRole}, max_chats = COALESCE(?5, max_chats), skills = COALESCE(?6, skills)
       WHERE site_id = ?1 AND operator_id = ?2
         AND ${actorRole} IN ('owner', 'admin')
         AND (${actorRole} = 'owner' OR (role <> 'owner' AND ${newRole} <> 'owner'))
         AND NOT (role = 'owner' AND ${newRole} <> 'owner' AND ${owners} <= 1)
       RETURNING operator_id`,
    )
    .bind(m.siteId, m.operatorId, m.actorId, m.role ?? null, m.maxChats ?? null, m.skills ? JSON.stringify(m.skills) : null)
    .first();
  if (updated) return "updated";
  // Refused: say why (a read for the message only; the decision was the statement's).
  const target = await db
    .prepare("SELECT role FROM memberships WHERE site_id = ? AND operator_id = ?")
    .bind(m.siteId, m.operatorId)
    .first<MemberRole>("role");
  if (!target) return "not_found";
  const actor = await db
    .prepare("SELECT role FROM memberships WHERE site_id = ? AND operator_id = ?")
    .bind(m.siteId, m.actorId)
    .first<MemberRole>("role");
  return actor === "owner" && target === "owner" ? "last_owner" : "owners_only";
}

/**
 * The operator's own name and photo (every site shows them; no site may change them). Returns
 * the profile after the change and the photo it replaced, read in the same transaction.
 */
export async function updateOwnProfile(
  db: D1Database,
  operatorId: string,
  u: { name?: string | undefined; avatarUrl?: string | null | undefined; alertEmails?: boolean | undefined },
): Promise<{ profile: OperatorProfile; previousAvatarUrl: string | null } | null> {
  const [before, after] = await db.batch([
    db.prepare("SELECT avatar_url FROM operators WHERE id = ?").bind(operatorId),
    db
      .prepare(
        `UPDATE operators SET name = COALESCE(?2, name), avatar_url = CASE WHEN ?3 THEN ?4 ELSE avatar_url END,
           alert_emails = COALESCE(?5, alert_emails)
         WHERE id = ?1 RETURNING id, email, name, avatar_url, alert_emails`,
      )
      .bind(
        operatorId,
        u.name ?? null,
        u.avatarUrl !== undefined ? 1 : 0,
        u.avatarUrl ?? null,
        u.alertEmails === undefined ? null : u.alertEmails ? 1 : 0,
      ),
  ]);
  const row = ((after?.results ?? []) as RawOperator[])[0];
  if (!row) return null;
  const previous = ((before?.results ?? []) as { avatar_url: string | null }[])[0]?.avatar_url ?? null;
  return { profile: toProfile(row), previousAvatarUrl: previous };
}
