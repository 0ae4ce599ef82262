/**
 * Reads for operators over one store — a visitor shard's SQLite (through shard-sql.ts) or D1:
 * one profile's trail for the sidebar, a page of the visitor list with filters and cursor
 * paging, and the audience summary of a period. Every query names the site. The scatter-gather
 * over a site's shards is services/visitor-reads.ts.
 */
import {
  type AudienceResponse,
  type InterestSignal,
  LIVE_TIMEOUT_MS,
  type PageView,
  VISIT_IDLE_MS,
  type VisitorDetailsResponse,
  type VisitorListResponse,
} from "../../protocol";
import { cartOf, GROUP, type RawOrder, type RawVisit, type RawVisitor, toOrder, toProfile, toVisit } from "./profiles";

const PREVIOUS_VISITS = 20;
const TRAIL_LIMIT = 300;

export type VisitorTrail = Omit<VisitorDetailsResponse, "conversations">;

/**
 * One profile's sidebar from the store holding its trail (a visitor shard, or D1 for a profile
 * only the directory has): everything but the conversations, which D1 answers.
 */
export async function visitorTrail(db: D1Database, siteId: string, row: RawVisitor, now: number): Promise<VisitorTrail> {
  const currentVisitId = row.current_visit_id && now - row.last_seen_at <= VISIT_IDLE_MS ? row.current_visit_id : null;
  const [visits, pages, orders, totals, interest] = await db.batch([
    db
      .prepare("SELECT * FROM visits WHERE site_id = ? AND visitor_id = ? ORDER BY started_at DESC LIMIT ?")
      .bind(siteId, row.id, PREVIOUS_VISITS + 1),
    db
      .prepare("SELECT id, url, title, at, duration_ms FROM page_views WHERE site_id = ? AND visit_id = ? ORDER BY at, id LIMIT ?")
      .bind(siteId, currentVisitId ?? "", TRAIL_LIMIT),
    db.prepare("SELECT * FROM orders WHERE site_id = ? AND visitor_id = ? ORDER BY created_at DESC LIMIT 50").bind(siteId, row.id),
    db
      .prepare(
        "SELECT currency, SUM(total) AS amount FROM orders WHERE site_id = ? AND visitor_id = ? GROUP BY currency ORDER BY amount DESC",
      )
      .bind(siteId, row.id),
    db
      .prepare(
        `SELECT url, MAX(title) AS title, COUNT(*) AS views, COUNT(DISTINCT visit_id) AS visits FROM page_views
         WHERE site_id = ? AND visitor_id = ? GROUP BY url HAVING COUNT(*) >= 2 ORDER BY views DESC, visits DESC LIMIT 10`,
      )
      .bind(siteId, row.id),
  ]);
  const visitRows = (visits!.results as RawVisit[]).map(toVisit);
  const current = currentVisitId ? (visitRows.find((v) => v.id === currentVisitId) ?? null) : null;
  const live = now - row.last_seen_at <= LIVE_TIMEOUT_MS;
  const trail: PageView[] = (
    pages!.results as { id: number; url: string; title: string | null; at: number; duration_ms: number | null }[]
  ).map((p) => ({
    url: p.url,
    title: p.title,
    at: p.at,
    // The page the visitor is on now has no duration yet.
    durationMs: live && p.id === row.current_view_id ? null : p.duration_ms,
  }));
  return {
    profile: toProfile(row),
    currentVisit: current ? { visit: current, pages: trail } : null,
    previousVisits: visitRows.filter((v) => v.id !== current?.id).slice(0, PREVIOUS_VISITS),
    orders: (orders!.results as RawOrder[]).map(toOrder),
    totalSpent: (totals!.results as { currency: string; amount: number }[]).map((t) => ({
      currency: t.currency,
      amount: Math.round(t.amount * 100) / 100,
    })),
    cart: cartOf(row),
    interest: interest!.results as InterestSignal[],
  };
}

/** The conversations of a profile and the ones merged into it (D1). */
export async function conversationsOfProfile(
  db: D1Database,
  siteId: string,
  visitorId: string,
): Promise<VisitorDetailsResponse["conversations"]> {
  const { results } = await db
    .prepare(
      `SELECT id, status, created_at, last_message_at, last_message_preview FROM conversations
       WHERE site_id = ?1 AND ${GROUP()} ORDER BY created_at DESC LIMIT 50`,
    )
    .bind(siteId, visitorId)
    .all<{ id: string; status: string; created_at: number; last_message_at: number | null; last_message_preview: string | null }>();
  return results.map((c) => ({
    id: c.id,
    status: c.status,
    createdAt: c.created_at,
    lastMessageAt: c.last_message_at,
    lastMessagePreview: c.last_message_preview,
  }));
}

/** Orders of a profile in D1 (the shop API's), for a profile whose trail is in a shard. */
export async function apiOrdersOf(db: D1Database, siteId: string, visitorId: string): Promise<RawOrder[]> {
  const { results } = await db
    .prepare("SELECT * FROM orders WHERE site_id = ? AND visitor_id = ? ORDER BY created_at DESC LIMIT 50")
    .bind(siteId, visitorId)
    .all<RawOrder>();
  return results;
}

export interface VisitorFilter {
  returning?: boolean | undefined;
  hasOrders?: boolean | undefined;
  verified?: boolean | undefined;
  country?: string | undefined;
  source?: string | undefined;
  q?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * One store's page of the list (a shard's, or D1's profiles that live only there: `onlyD1`).
 * Keyset cursor `lastSeenAt~id`, so pages of several stores merge by the same order.
 */
export async function listVisitors(
  db: D1Database,
  siteId: string,
  f: VisitorFilter,
  opts: { onlyD1?: boolean; excludeMoved?: boolean } = {},
): Promise<VisitorListResponse> {
  const where = ["v.site_id = ?", "v.merged_into IS NULL"];
  if (opts.onlyD1) where.push("v.in_shard = 0");
  // A visitor shard's copies that a reshard under way gave to another shard (shard SQLite only).
  if (opts.excludeMoved) {
    where.push("v.slot NOT IN (SELECT slot FROM moved_slots)", "v.id NOT IN (SELECT id FROM handed_over)");
  }
  const params: unknown[] = [siteId];
  if (f.returning !== undefined) where.push(f.returning ? "v.visits > 1" : "v.visits <= 1");
  if (f.verified !== undefined) where.push(f.verified ? "v.verified = 1" : "v.verified = 0");
  if (f.hasOrders !== undefined) {
    where.push(`${f.hasOrders ? "" : "NOT "}EXISTS (SELECT 1 FROM orders o WHERE o.site_id = v.site_id AND o.visitor_id = v.id)`);
  }
  if (f.country) {
    where.push("v.country = ?");
    params.push(f.country);
  }
  if (f.source) {
    where.push("(v.first_source_label = ? OR v.last_source_label = ?)");
    params.push(f.source, f.source);
  }
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    where.push("(v.name LIKE ? ESCAPE '\\' OR v.email LIKE ? ESCAPE '\\' OR v.external_id = ?)");
    params.push(like, like, f.q);
  }
  if (f.cursor) {
    const [at, id] = f.cursor.split("~");
    where.push("(v.last_seen_at < ? OR (v.last_seen_at = ? AND v.id < ?))");
    params.push(Number(at), Number(at), id);
  }
  const { results } = await db
    .prepare(
      `SELECT v.*, (SELECT COUNT(*) FROM orders o WHERE o.site_id = v.site_id AND o.visitor_id = v.id) AS order_count
       FROM visitors v WHERE ${where.join(" AND ")} ORDER BY v.last_seen_at DESC, v.id DESC LIMIT ?`,
    )
    .bind(...params, f.limit + 1)
    .all<RawVisitor & { order_count: number }>();
  const page = results.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    visitors: page.map((r) => ({ ...toProfile(r), orders: r.order_count })),
    nextCursor: results.length > f.limit && last ? `${last.last_seen_at}~${last.id}` : null,
  };
}

/** One store's audience of a period; `top`: how many keys per breakdown (more for a shard's share of a merge). */
export async function audience(db: D1Database, siteId: string, from: number, to: number, top_ = 20): Promise<AudienceResponse> {
  const period = "vi.site_id = ?1 AND vi.started_at >= ?2 AND vi.started_at < ?3";
  const top = (column: string, fallback: string) =>
    db
      .prepare(
        `SELECT COALESCE(${column}, '${fallback}') AS k, COUNT(*) AS n FROM visits vi WHERE ${period} GROUP BY k ORDER BY n DESC, k LIMIT ?4`,
      )
      .bind(siteId, from, to, top_);
  const [totals, sources, devices, browsers, countries] = await db.batch([
    db
      .prepare(
        `SELECT COUNT(*) AS visits, COUNT(DISTINCT vi.visitor_id) AS visitors, COALESCE(SUM(vi.page_views), 0) AS page_views,
           COUNT(DISTINCT CASE WHEN NOT EXISTS (SELECT 1 FROM visits e WHERE e.site_id = vi.site_id AND e.visitor_id = vi.visitor_id
             AND e.started_at < ?2) THEN vi.visitor_id END) AS new_visitors
         FROM visits vi WHERE ${period}`,
      )
      .bind(siteId, from, to),
    top("vi.source_label", "direct"),
    top("vi.device_type", "unknown"),
    top("vi.browser", "unknown"),
    top("vi.country", "unknown"),
  ]);
  const t = (totals!.results as { visits: number; visitors: number; page_views: number; new_visitors: number }[])[0]!;
  const pairs = (r: D1Result | undefined) => r!.results as { k: string; n: number }[];
  return {
    from,
    to,
    visits: t.visits,
    visitors: t.visitors,
    newVisitors: t.new_visitors,
    returningVisitors: t.visitors - t.new_visitors,
    pageViews: t.page_views,
    sources: pairs(sources).map((p) => ({ source: p.k, visits: p.n })),
    devices: pairs(devices).map((p) => ({ type: p.k as AudienceResponse["devices"][number]["type"], visits: p.n })),
    browsers: pairs(browsers).map((p) => ({ browser: p.k, visits: p.n })),
    countries: pairs(countries).map((p) => ({ country: p.k, visits: p.n })),
  };
}
