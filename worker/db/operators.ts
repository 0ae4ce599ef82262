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
}

const toProfile = (r: RawOperator): OperatorProfile => ({
  id: r.id,
  email: r.email,
  name: r.name,
  avatarUrl: r.avatar_url,
});

export async function findOperatorForLogin(db: D1Database, email: string): Promise<(OperatorProfile & { passwordHash: string }) | null> {
  const r = await db
    .prepare("SELECT id, email, name, avatar_url, password_hash FROM operators WHERE email = ?")
    .bind(email)
    .first<RawOperator & { password_hash: string }>();
  return r ? { ...toProfile(r), passwordHash: r.password_hash } : null;
}

const SITES_OF_OPERATOR = `SELECT s.id, s.name, s.public_key, m.role FROM memberships m
  JOIN sites s ON s.id = m.site_id WHERE m.operator_id = ? ORDER BY s.name`;

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
        `SELECT o.id, o.email, o.name, o.avatar_url FROM sessions s JOIN operators o ON o.id = s.operator_id
         WHERE s.token_hash = ? AND s.expires_at > ?`,
      )
      .bind(tokenHash, now),
    db
      .prepare(
        `SELECT s.id, s.name, s.public_key, m.role FROM sessions x
         JOIN memberships m ON m.operator_id = x.operator_id JOIN sites s ON s.id = m.site_id
         WHERE x.token_hash = ? AND x.expires_at > ? ORDER BY s.name`,
      )
      .bind(tokenHash, now),
  ]);
  const operator = (who?.results as RawOperator[] | undefined)?.[0];
  if (!operator) return null;
  return { operator: toProfile(operator), sites: ((sites?.results ?? []) as RawMembership[]).map(toMembership) };
}

export async function createSession(
  db: D1Database,
  session: { tokenHash: string; operatorId: string; now: number; expiresAt: number },
): Promise<void> {
  // Expired sessions of this operator are swept on login, so the table does not grow forever.
  await db.batch([
    db.prepare("DELETE FROM sessions WHERE operator_id = ? AND expires_at <= ?").bind(session.operatorId, session.now),
    db
      .prepare("INSERT INTO sessions (token_hash, operator_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
      .bind(session.tokenHash, session.operatorId, session.now, session.expiresAt),
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
 * Adds an operator to a site: creates the account unless the email has one, then the
 * membership. Returns the operator id, or null when they are already a member.
 */
export async function addOperatorToSite(
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
): Promise<string | null> {
  const [, found] = await db.batch([
    db
      .prepare(
        "INSERT INTO operators (id, email, name, avatar_url, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING",
      )
      .bind(a.newId, a.email, a.name, a.avatarUrl, a.passwordHash, a.now),
    db.prepare("SELECT id FROM operators WHERE email = ?").bind(a.email),
  ]);
  const id = ((found?.results ?? []) as { id: string }[])[0]?.id;
  if (!id) throw new Error("operator row missing right after insert");
  const res = await db
    .prepare(
      "INSERT INTO memberships (site_id, operator_id, role, created_at, max_chats, skills) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(a.siteId, id, a.role, a.now, a.maxChats, JSON.stringify(a.skills))
    .run();
  return res.meta.changes === 1 ? id : null;
}

/** Changes a member's role, capacity, skills or avatar. Returns false if not a member. */
export async function updateMember(
  db: D1Database,
  siteId: string,
  operatorId: string,
  u: { role?: MemberRole | undefined; maxChats?: number | undefined; skills?: string[] | undefined; avatarUrl?: string | null | undefined },
): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    params.push(value);
  };
  if (u.role !== undefined) set("role", u.role);
  if (u.maxChats !== undefined) set("max_chats", u.maxChats);
  if (u.skills !== undefined) set("skills", JSON.stringify(u.skills));
  const statements: D1PreparedStatement[] = [];
  if (sets.length) {
    statements.push(
      db.prepare(`UPDATE memberships SET ${sets.join(", ")} WHERE site_id = ? AND operator_id = ?`).bind(...params, siteId, operatorId),
    );
  }
  if (u.avatarUrl !== undefined) {
    // Only for operators of this site: the subquery keeps the update scoped.
    statements.push(
      db
        .prepare(
          "UPDATE operators SET avatar_url = ? WHERE id = ? AND EXISTS (SELECT 1 FROM memberships WHERE site_id = ? AND operator_id = ?)",
        )
        .bind(u.avatarUrl, operatorId, siteId, operatorId),
    );
  }
  const member = db.prepare("SELECT 1 AS ok FROM memberships WHERE site_id = ? AND operator_id = ?").bind(siteId, operatorId);
  const results = await db.batch([...statements, member]);
  return ((results[results.length - 1]?.results ?? []) as unknown[]).length > 0;
}
