/**
 * D1 access to saved replies: site-wide ones (operator_id NULL) and each operator's personal
 * ones. Every query names the site; personal replies are only ever read by their owner.
 */
import type { SavedReply } from "../../protocol";

interface RawReply {
  id: string;
  operator_id: string | null;
  shortcut: string;
  body: string;
  updated_at: number;
}

const toReply = (r: RawReply): SavedReply => ({
  id: r.id,
  shortcut: r.shortcut,
  body: r.body,
  personal: r.operator_id !== null,
  updatedAt: r.updated_at,
});

/** The site's shared replies and this operator's own, shortcut order. */
export async function listSavedReplies(db: D1Database, siteId: string, operatorId: string): Promise<SavedReply[]> {
  const { results } = await db
    .prepare(
      `SELECT id, operator_id, shortcut, body, updated_at FROM saved_replies
       WHERE site_id = ? AND (operator_id IS NULL OR operator_id = ?) ORDER BY shortcut, operator_id IS NULL`,
    )
    .bind(siteId, operatorId)
    .all<RawReply>();
  return results.map(toReply);
}

export async function getSavedReply(db: D1Database, siteId: string, id: string): Promise<(SavedReply & { ownerId: string | null }) | null> {
  const r = await db
    .prepare("SELECT id, operator_id, shortcut, body, updated_at FROM saved_replies WHERE site_id = ? AND id = ?")
    .bind(siteId, id)
    .first<RawReply>();
  return r ? { ...toReply(r), ownerId: r.operator_id } : null;
}

/** Returns false when the shortcut is taken in that scope (site-wide, or this operator's). */
export async function insertSavedReply(
  db: D1Database,
  r: { id: string; siteId: string; ownerId: string | null; shortcut: string; body: string; now: number },
): Promise<boolean> {
  const res = await db
    .prepare(
      `INSERT INTO saved_replies (id, site_id, operator_id, shortcut, body, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .bind(r.id, r.siteId, r.ownerId, r.shortcut, r.body, r.now, r.now)
    .run();
  return res.meta.changes === 1;
}

export async function updateSavedReply(
  db: D1Database,
  r: { id: string; siteId: string; shortcut: string; body: string; now: number },
): Promise<boolean> {
  try {
    const res = await db
      .prepare("UPDATE saved_replies SET shortcut = ?, body = ?, updated_at = ? WHERE site_id = ? AND id = ?")
      .bind(r.shortcut, r.body, r.now, r.siteId, r.id)
      .run();
    return res.meta.changes === 1;
  } catch (err) {
    if (String(err).includes("UNIQUE")) return false;
    throw err;
  }
}

export async function deleteSavedReply(db: D1Database, siteId: string, id: string): Promise<void> {
  await db.prepare("DELETE FROM saved_replies WHERE site_id = ? AND id = ?").bind(siteId, id).run();
}
