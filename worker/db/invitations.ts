/**
 * D1 access to invitations: a site asks an existing account to join its team, and only that
 * person's answer makes them a member. "Open" means not accepted, declined nor revoked; an open
 * invitation past `expires_at` is simply no longer offered. Every query names the site or the
 * invited email.
 */
import type { MemberRole, PendingInvitation, SiteInvitation } from "../../protocol";

const OPEN = "accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL";

/** Invites `email` (or refreshes the open invitation it already has); returns the invitation's id. */
export async function inviteToSite(
  db: D1Database,
  i: { id: string; siteId: string; email: string; role: MemberRole; invitedBy: string; now: number; expiresAt: number },
): Promise<string> {
  const row = await db
    .prepare(
      `INSERT INTO invitations (id, site_id, email, role, invited_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
       ON CONFLICT (site_id, email) WHERE ${OPEN}
       DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, created_at = excluded.created_at, expires_at = excluded.expires_at
       RETURNING id`,
    )
    .bind(i.id, i.siteId, i.email, i.role, i.invitedBy, i.now, i.expiresAt)
    .first<string>("id");
  if (!row) throw new Error("invitation row missing right after upsert");
  return row;
}

/** The site's open invitations, for its managers. */
export async function siteInvitations(db: D1Database, siteId: string, now: number): Promise<SiteInvitation[]> {
  const { results } = await db
    .prepare(
      `SELECT id, email, role, created_at, expires_at FROM invitations WHERE site_id = ? AND ${OPEN} AND expires_at > ?
       ORDER BY created_at DESC`,
    )
    .bind(siteId, now)
    .all<{ id: string; email: string; role: MemberRole; created_at: number; expires_at: number }>();
  return results.map((r) => ({ id: r.id, email: r.email, role: r.role, createdAt: r.created_at, expiresAt: r.expires_at }));
}

/** Invitations waiting for this person's answer, with the site's name and who invited them. */
export async function invitationsFor(db: D1Database, email: string, now: number): Promise<PendingInvitation[]> {
  const { results } = await db
    .prepare(
      `SELECT i.id, s.name AS site_name, i.role, o.name AS invited_by_name, i.created_at, i.expires_at FROM invitations i
       JOIN sites s ON s.id = i.site_id LEFT JOIN operators o ON o.id = i.invited_by
       WHERE i.email = ? AND ${OPEN} AND i.expires_at > ?
       ORDER BY i.created_at DESC`,
    )
    .bind(email, now)
    .all<{ id: string; site_name: string; role: MemberRole; invited_by_name: string | null; created_at: number; expires_at: number }>();
  return results.map((r) => ({
    id: r.id,
    siteName: r.site_name,
    role: r.role,
    invitedByName: r.invited_by_name,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  }));
}

/**
 * The invited person says yes: in one transaction the membership is created from the open,
 * unexpired invitation addressed to `email`, and the invitation is closed. The site, or null.
 */
export async function acceptInvitation(
  db: D1Database,
  a: { id: string; operatorId: string; email: string; now: number },
): Promise<string | null> {
  const [, accepted] = await db.batch([
    db
      .prepare(
        `INSERT INTO memberships (site_id, operator_id, role, created_at)
         SELECT site_id, ?2, role, ?4 FROM invitations WHERE id = ?1 AND email = ?3 AND ${OPEN} AND expires_at > ?4
         ON CONFLICT DO NOTHING`,
      )
      .bind(a.id, a.operatorId, a.email, a.now),
    db
      .prepare(`UPDATE invitations SET accepted_at = ?3 WHERE id = ?1 AND email = ?2 AND ${OPEN} AND expires_at > ?3 RETURNING site_id`)
      .bind(a.id, a.email, a.now),
  ]);
  return ((accepted?.results ?? []) as { site_id: string }[])[0]?.site_id ?? null;
}

export async function declineInvitation(db: D1Database, d: { id: string; email: string; now: number }): Promise<boolean> {
  const row = await db
    .prepare(`UPDATE invitations SET declined_at = ?3 WHERE id = ?1 AND email = ?2 AND ${OPEN} RETURNING id`)
    .bind(d.id, d.email, d.now)
    .first();
  return row !== null;
}

/**
 * A manager withdraws an open invitation; an invitation to become an owner only by an owner
 * (`byOwner`), in the same statement. "forbidden" when it exists but is an owner's to revoke.
 */
export async function revokeInvitation(
  db: D1Database,
  r: { siteId: string; id: string; byOwner: boolean; now: number },
): Promise<"revoked" | "forbidden" | "not_found"> {
  const row = await db
    .prepare(`UPDATE invitations SET revoked_at = ?4 WHERE site_id = ?1 AND id = ?2 AND ${OPEN} AND (role <> 'owner' OR ?3) RETURNING id`)
    .bind(r.siteId, r.id, r.byOwner ? 1 : 0, r.now)
    .first();
  if (row) return "revoked";
  const open = await db.prepare(`SELECT 1 FROM invitations WHERE site_id = ? AND id = ? AND ${OPEN}`).bind(r.siteId, r.id).first();
  return open ? "forbidden" : "not_found";
}

// ── Invitations by email (issue 14, migration 0027) ──────────────────────────────────────────
// The emailed link's token is known only by its SHA-256 (token_hash); a resend replaces it, so
// an older email's link stops working. Every statement names the site or the token's hash.

/** Invites `email` by mail (or refreshes its open invitation, with the new link); its id. */
export async function inviteByEmail(
  db: D1Database,
  i: {
    id: string;
    siteId: string;
    email: string;
    role: MemberRole;
    invitedBy: string;
    name: string | null;
    tokenHash: string;
    now: number;
    expiresAt: number;
  },
): Promise<string> {
  const row = await db
    .prepare(
      `INSERT INTO invitations (id, site_id, email, role, invited_by, created_at, expires_at, token_hash, mailed_at, invited_name)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6, ?9)
       ON CONFLICT (site_id, email) WHERE ${OPEN}
       DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, created_at = excluded.created_at,
         expires_at = excluded.expires_at, token_hash = excluded.token_hash, mailed_at = excluded.mailed_at,
         invited_name = excluded.invited_name
       RETURNING id`,
    )
    .bind(i.id, i.siteId, i.email, i.role, i.invitedBy, i.now, i.expiresAt, i.tokenHash, i.name)
    .first<string>("id");
  if (!row) throw new Error("invitation row missing right after upsert");
  return row;
}

/** A manager mails the open invitation again: a new link (the old one stops), a new expiry. */
export async function renewInvitationLink(
  db: D1Database,
  r: { siteId: string; id: string; byOwner: boolean; tokenHash: string; now: number; expiresAt: number },
): Promise<{ email: string; role: MemberRole; expiresAt: number } | "forbidden" | "not_found"> {
  const row = await db
    .prepare(
      `UPDATE invitations SET token_hash = ?4, mailed_at = ?5, expires_at = ?6
       WHERE site_id = ?1 AND id = ?2 AND ${OPEN} AND (role <> 'owner' OR ?3) RETURNING email, role, expires_at`,
    )
    .bind(r.siteId, r.id, r.byOwner ? 1 : 0, r.tokenHash, r.now, r.expiresAt)
    .first<{ email: string; role: MemberRole; expires_at: number }>();
  if (row) return { email: row.email, role: row.role, expiresAt: row.expires_at };
  const open = await db.prepare(`SELECT 1 FROM invitations WHERE site_id = ? AND id = ? AND ${OPEN}`).bind(r.siteId, r.id).first();
  return open ? "forbidden" : "not_found";
}

export interface InvitationByLink {
  id: string;
  siteId: string;
  siteName: string;
  email: string;
  role: MemberRole;
  invitedByName: string | null;
  suggestedName: string | null;
  expiresAt: number;
  state: "open" | "accepted" | "declined" | "revoked";
  hasAccount: boolean;
}

export async function invitationByTokenHash(db: D1Database, tokenHash: string): Promise<InvitationByLink | null> {
  const r = await db
    .prepare(
      `SELECT i.id, i.site_id, s.name AS site_name, i.email, i.role, o.name AS invited_by_name, i.invited_name, i.expires_at,
         i.accepted_at, i.declined_at, i.revoked_at, EXISTS (SELECT 1 FROM operators a WHERE a.email = i.email) AS has_account
       FROM invitations i JOIN sites s ON s.id = i.site_id LEFT JOIN operators o ON o.id = i.invited_by
       WHERE i.token_hash = ?`,
    )
    .bind(tokenHash)
    .first<{
      id: string;
      site_id: string;
      site_name: string;
      email: string;
      role: MemberRole;
      invited_by_name: string | null;
      invited_name: string | null;
      expires_at: number;
      accepted_at: number | null;
      declined_at: number | null;
      revoked_at: number | null;
      has_account: number;
    }>();
  if (!r) return null;
  return {
    id: r.id,
    siteId: r.site_id,
    siteName: r.site_name,
    email: r.email,
    role: r.role,
    invitedByName: r.invited_by_name,
    suggestedName: r.invited_name,
    expiresAt: r.expires_at,
    state: r.revoked_at !== null ? "revoked" : r.accepted_at !== null ? "accepted" : r.declined_at !== null ? "declined" : "open",
    hasAccount: r.has_account === 1,
  };
}

const BY_LINK = `token_hash = ?1 AND ${OPEN} AND expires_at > ?2`;

/**
 * A new account from the link: in one transaction the account (only while the invitation is
 * open and no account has the email), its membership, and the invitation closed. The site, or null.
 */
export async function acceptInvitationAsNewAccount(
  db: D1Database,
  a: { tokenHash: string; operatorId: string; name: string; passwordHash: string; avatarUrl: string | null; now: number },
): Promise<string | null> {
  const [, , accepted] = await db.batch([
    db
      .prepare(
        `INSERT INTO operators (id, email, name, avatar_url, password_hash, created_at)
         SELECT ?3, email, ?4, ?5, ?6, ?2 FROM invitations WHERE ${BY_LINK}
           AND NOT EXISTS (SELECT 1 FROM operators o WHERE o.email = invitations.email)
         ON CONFLICT (email) DO NOTHING`,
      )
      .bind(a.tokenHash, a.now, a.operatorId, a.name, a.avatarUrl, a.passwordHash),
    db
      .prepare(
        `INSERT INTO memberships (site_id, operator_id, role, created_at)
         SELECT site_id, ?3, role, ?2 FROM invitations WHERE ${BY_LINK} AND EXISTS (SELECT 1 FROM operators WHERE id = ?3)
         ON CONFLICT DO NOTHING`,
      )
      .bind(a.tokenHash, a.now, a.operatorId),
    db
      .prepare(
        `UPDATE invitations SET accepted_at = ?2 WHERE ${BY_LINK}
           AND EXISTS (SELECT 1 FROM memberships m WHERE m.operator_id = ?3 AND m.site_id = invitations.site_id)
         RETURNING site_id`,
      )
      .bind(a.tokenHash, a.now, a.operatorId),
  ]);
  return ((accepted?.results ?? []) as { site_id: string }[])[0]?.site_id ?? null;
}

/** The signed-in account the link is for joins: membership and the invitation closed, in one transaction. */
export async function acceptInvitationByLink(
  db: D1Database,
  a: { tokenHash: string; operatorId: string; email: string; now: number },
): Promise<string | null> {
  const [, accepted] = await db.batch([
    db
      .prepare(
        `INSERT INTO memberships (site_id, operator_id, role, created_at)
         SELECT site_id, ?3, role, ?2 FROM invitations WHERE ${BY_LINK} AND email = ?4 ON CONFLICT DO NOTHING`,
      )
      .bind(a.tokenHash, a.now, a.operatorId, a.email),
    db
      .prepare(`UPDATE invitations SET accepted_at = ?2 WHERE ${BY_LINK} AND email = ?3 RETURNING site_id`)
      .bind(a.tokenHash, a.now, a.email),
  ]);
  return ((accepted?.results ?? []) as { site_id: string }[])[0]?.site_id ?? null;
}
