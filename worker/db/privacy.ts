/**
 * D1 side of privacy: everything D1 stores about one person (a profile and the anonymous ones
 * merged into it: the directory row, conversations, shop orders, and tracking rows from before
 * the visitor shards) for export, its erasure, and the retention sweep. Site-scoped; id lists go
 * in as one JSON parameter (json_each), so no statement approaches the bound-parameter limit.
 */
import { eraseEventStatements } from "./conversation-events";
import type { RawOrder, RawVisit, RawVisitor } from "./profiles";
import { siteKey } from "./search";

const IN_IDS = "(SELECT value FROM json_each(?2))";

export interface ExportRows {
  visitors: RawVisitor[];
  visits: RawVisit[];
  pageViews: { visitor_id: string; visit_id: string | null; url: string; title: string | null; at: number; duration_ms: number | null }[];
  events: { visitor_id: string; type: string; data: string | null; at: number }[];
  orders: RawOrder[];
  conversations: { id: string; visitor_id: string; status: string; created_at: number }[];
}

export async function exportRows(db: D1Database, siteId: string, ids: string[]): Promise<ExportRows> {
  const json = JSON.stringify(ids);
  const q = (sql: string) => db.prepare(sql).bind(siteId, json);
  const [visitors, visits, pageViews, events, orders, conversations] = await db.batch([
    q(`SELECT * FROM visitors WHERE site_id = ?1 AND id IN ${IN_IDS}`),
    q(`SELECT * FROM visits WHERE site_id = ?1 AND visitor_id IN ${IN_IDS} ORDER BY started_at`),
    q(
      `SELECT visitor_id, visit_id, url, title, at, duration_ms FROM page_views WHERE site_id = ?1 AND visitor_id IN ${IN_IDS} ORDER BY at, id`,
    ),
    q(`SELECT visitor_id, type, data, at FROM visitor_events WHERE site_id = ?1 AND visitor_id IN ${IN_IDS} ORDER BY at, id`),
    q(`SELECT * FROM orders WHERE site_id = ?1 AND visitor_id IN ${IN_IDS} ORDER BY created_at`),
    q(`SELECT id, visitor_id, status, created_at FROM conversations WHERE site_id = ?1 AND visitor_id IN ${IN_IDS} ORDER BY created_at`),
  ]);
  return {
    visitors: visitors!.results as RawVisitor[],
    visits: visits!.results as RawVisit[],
    pageViews: pageViews!.results as ExportRows["pageViews"],
    events: events!.results as ExportRows["events"],
    orders: orders!.results as RawOrder[],
    conversations: conversations!.results as ExportRows["conversations"],
  };
}

export async function conversationsOfVisitors(db: D1Database, siteId: string, ids: string[]): Promise<string[]> {
  const { results } = await db
    .prepare(`SELECT id FROM conversations WHERE site_id = ?1 AND visitor_id IN ${IN_IDS}`)
    .bind(siteId, JSON.stringify(ids))
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Deletes every D1 row of these visitors and conversations (search index included), in one transaction. */
export async function eraseRows(db: D1Database, siteId: string, visitorIds: string[], conversationIds: string[]): Promise<void> {
  const v = JSON.stringify(visitorIds);
  const c = JSON.stringify(conversationIds);
  await db.batch([
    // The site's index rows through the index (site_key), not a scan of every shop's rows.
    db
      .prepare(`DELETE FROM message_search WHERE message_search MATCH ?3 AND site_id = ?1 AND conversation_id IN ${IN_IDS}`)
      .bind(siteId, c, `site_key : "${siteKey(siteId)}"`),
    db.prepare(`DELETE FROM conversations WHERE site_id = ?1 AND id IN ${IN_IDS}`).bind(siteId, c),
    // What was emailed about them (addresses, texts in development).
    db.prepare(`DELETE FROM sent_mail WHERE site_id = ?1 AND conversation_id IN ${IN_IDS}`).bind(siteId, c),
    ...eraseEventStatements(db, siteId, conversationIds),
    ...["page_views", "visits", "visitor_events", "orders"].map((t) =>
      db.prepare(`DELETE FROM ${t} WHERE site_id = ?1 AND visitor_id IN ${IN_IDS}`).bind(siteId, v),
    ),
    db.prepare(`DELETE FROM visitors WHERE site_id = ?1 AND id IN ${IN_IDS}`).bind(siteId, v),
  ]);
}

/** Sites with a retention period, and it in days. */
export async function sitesWithRetention(db: D1Database): Promise<{ siteId: string; days: number }[]> {
  const { results } = await db
    .prepare(
      `SELECT id, CAST(json_extract(settings, '$.retentionDays') AS INTEGER) AS days FROM sites
       WHERE json_valid(settings) AND json_extract(settings, '$.retentionDays') > 0`,
    )
    .all<{ id: string; days: number }>();
  return results.map((r) => ({ siteId: r.id, days: r.days }));
}

/** Up to `limit` profiles only D1 holds (a shard's are its own to sweep) last seen before `cutoff`, with the ids merged into each. */
export async function staleVisitorGroups(
  db: D1Database,
  siteId: string,
  cutoff: number,
  limit: number,
): Promise<{ profiles: number; ids: string[] }> {
  const { results } = await db
    .prepare("SELECT id FROM visitors WHERE site_id = ? AND merged_into IS NULL AND in_shard = 0 AND last_seen_at < ? LIMIT ?")
    .bind(siteId, cutoff, limit)
    .all<{ id: string }>();
  const ids = results.map((r) => r.id);
  if (!ids.length) return { profiles: 0, ids };
  const merged = await db
    .prepare(`SELECT id FROM visitors WHERE site_id = ?1 AND merged_into IN ${IN_IDS}`)
    .bind(siteId, JSON.stringify(ids))
    .all<{ id: string }>();
  return { profiles: ids.length, ids: [...ids, ...merged.results.map((r) => r.id)] };
}

/** Activity rows older than `cutoff` of visitors who are still around. */
export async function deleteActivityBefore(db: D1Database, siteId: string, cutoff: number): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM page_views WHERE site_id = ? AND at < ?").bind(siteId, cutoff),
    db.prepare("DELETE FROM visits WHERE site_id = ? AND last_at < ?").bind(siteId, cutoff),
    db.prepare("DELETE FROM visitor_events WHERE site_id = ? AND at < ?").bind(siteId, cutoff),
  ]);
}
