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
