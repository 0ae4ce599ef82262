/**
 * D1 access to segments (saved visitor-list filters). Every query is scoped by site.
 */
import { MAX_SEGMENTS_PER_SITE, type Segment, type SegmentFilters } from "../../protocol";

interface SegmentRow {
  id: string;
  name: string;
  filters: string;
  created_by: string | null;
  created_at: number;
}

const toSegment = (r: SegmentRow): Segment => ({
  id: r.id,
  name: r.name,
  filters: JSON.parse(r.filters) as SegmentFilters,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

export async function listSegments(db: D1Database, siteId: string): Promise<Segment[]> {
  const { results } = await db
    .prepare("SELECT id, name, filters, created_by, created_at FROM segments WHERE site_id = ? ORDER BY created_at, id")
    .bind(siteId)
    .all<SegmentRow>();
  return results.map(toSegment);
}

export async function getSegment(db: D1Database, siteId: string, id: string): Promise<Segment | null> {
  const r = await db
    .prepare("SELECT id, name, filters, created_by, created_at FROM segments WHERE site_id = ? AND id = ?")
    .bind(siteId, id)
    .first<SegmentRow>();
  return r ? toSegment(r) : null;
}

/**
 * Saves a segment unless the name is taken ("taken") or the site already has the most it may
 * ("full"). One statement, so two operators saving at once cannot pass the limit together.
 */
export async function insertSegment(db: D1Database, s: Segment & { siteId: string }): Promise<"ok" | "taken" | "full"> {
  const res = await db
    .prepare(
      `INSERT INTO segments (id, site_id, name, filters, created_by, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE (SELECT COUNT(*) FROM segments WHERE site_id = ?2) < ?7
       ON CONFLICT DO NOTHING`,
    )
    .bind(s.id, s.siteId, s.name, JSON.stringify(s.filters), s.createdBy, s.createdAt, MAX_SEGMENTS_PER_SITE)
    .run();
  if (res.meta.changes === 1) return "ok";
  const taken = await db.prepare("SELECT 1 FROM segments WHERE site_id = ? AND name = ? COLLATE NOCASE").bind(s.siteId, s.name).first();
  return taken ? "taken" : "full";
}

export async function deleteSegment(db: D1Database, siteId: string, id: string): Promise<void> {
  await db.prepare("DELETE FROM segments WHERE site_id = ? AND id = ?").bind(siteId, id).run();
}
