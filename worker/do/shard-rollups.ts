/**
 * A visitor shard's reads of its visits rollups (shard-schema.ts v3, kept by triggers): the
 * Audience part of a period and the heatmap's visits per quarter hour. Whole UTC hours come from
 * `rollup_hours`, the partial hours at either end (the current one included) from the raw visits,
 * so an answer equals the raw sums for any `from`/`to`. Distinct visitors do not add up across
 * hours, so `visitors` and `newVisitors` stay one index read of the period's visits. Only
 * VisitorShard imports it.
 */
import type { AudienceResponse } from "../../protocol";

const HOUR_MS = 3_600_000;
const QUARTER_MS = 900_000;
const DIMENSIONS = [
  ["s", "source_label", "direct"],
  ["d", "device_type", "unknown"],
  ["b", "browser", "unknown"],
  ["c", "country", "unknown"],
] as const;

export interface RollupRead {
  part: AudienceResponse;
  /** SQLite rows read for the counts and breakdowns: rollup rows and the cut hours' visits. */
  rowsRead: number;
  /** SQLite rows read for the distinct visitors (an index range of the period's visits). */
  visitorRowsRead: number;
}

/** The Audience of [from, to) in this shard (one site per shard), top `top` keys per breakdown. */
export function audienceFromRollups(sql: SqlStorage, siteId: string, from: number, to: number, top: number): RollupRead {
  let rowsRead = 0;
  const rows = <T>(query: string, ...params: SqlStorageValue[]): T[] => {
    const c = sql.exec(query, ...params);
    const out = c.toArray() as T[];
    rowsRead += c.rowsRead;
    return out;
  };
  const firstHour = Math.ceil(from / HOUR_MS);
  const endHour = Math.floor(to / HOUR_MS);
  const whole = firstHour < endHour;
  // The raw edges: [from, first whole hour) and [end of the last whole hour, to); all of it when
  // the period holds no whole hour.
  const edges: [number, number][] = whole
    ? [
        [from, firstHour * HOUR_MS],
        [endHour * HOUR_MS, to],
      ]
    : [[from, to]];
  // One range per statement: an OR of two ranges would scan every visit instead of the index.
  const rawPeriod = "site_id = ?1 AND started_at >= ?2 AND started_at < ?3";
  const eachEdge = <T>(query: string): T[] => edges.filter(([a, b]) => a < b).flatMap(([a, b]) => rows<T>(query, siteId, a, b));

  const totals = { visits: 0, pageViews: 0 };
  if (whole) {
    const t = rows<{ visits: number; pv: number }>(
      "SELECT COALESCE(SUM(visits), 0) AS visits, COALESCE(SUM(page_views), 0) AS pv FROM rollup_hours WHERE dim = 't' AND hour >= ? AND hour < ?",
      firstHour,
      endHour,
    )[0]!;
    totals.visits += t.visits;
    totals.pageViews += t.pv;
  }
  for (const e of eachEdge<{ visits: number; pv: number }>(
    `SELECT COUNT(*) AS visits, COALESCE(SUM(page_views), 0) AS pv FROM visits WHERE ${rawPeriod}`,
  )) {
    totals.visits += e.visits;
    totals.pageViews += e.pv;
  }

  const breakdown = (dim: string, column: string, fallback: string) => {
    const counts = new Map<string, number>();
    const add = (list: { k: string; n: number }[]) => {
      for (const r of list) counts.set(r.k, (counts.get(r.k) ?? 0) + r.n);
    };
    if (whole) {
      // Summed here, not with GROUP BY: SQLite's sorter would read every row twice.
      add(rows("SELECT k, visits AS n FROM rollup_hours WHERE dim = ? AND hour >= ? AND hour < ?", dim, firstHour, endHour));
    }
    add(eachEdge(`SELECT COALESCE(${column}, '${fallback}') AS k, COUNT(*) AS n FROM visits WHERE ${rawPeriod} GROUP BY k`));
    return [...counts]
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, top);
  };
  const [sources, devices, browsers, countries] = DIMENSIONS.map(([dim, column, fallback]) => breakdown(dim, column, fallback));

  const summed = rowsRead;
  const who = rows<{ visitors: number; new_visitors: number }>(
    `SELECT COUNT(DISTINCT vi.visitor_id) AS visitors,
       COUNT(DISTINCT CASE WHEN NOT EXISTS (SELECT 1 FROM visits e WHERE e.site_id = vi.site_id AND e.visitor_id = vi.visitor_id
         AND e.started_at < ?2) THEN vi.visitor_id END) AS new_visitors
     FROM visits vi WHERE vi.site_id = ?1 AND vi.started_at >= ?2 AND vi.started_at < ?3`,
    siteId,
    from,
    to,
  )[0]!;

  return {
    rowsRead: summed,
    visitorRowsRead: rowsRead - summed,
    part: {
      from,
      to,
      visits: totals.visits,
      visitors: who.visitors,
      newVisitors: who.new_visitors,
      returningVisitors: who.visitors - who.new_visitors,
      pageViews: totals.pageViews,
      sources: sources!.map(([source, visits]) => ({ source, visits })),
      devices: devices!.map(([type, visits]) => ({ type: type as AudienceResponse["devices"][number]["type"], visits })),
      browsers: browsers!.map(([browser, visits]) => ({ browser, visits })),
      countries: countries!.map(([country, visits]) => ({ country, visits })),
    },
  };
}

/** Visits started per UTC quarter hour (`q` = started_at / 900,000) of [start, end), from the rollup. */
export function visitsPerQuarter(sql: SqlStorage, start: number, end: number): { q: number; n: number }[] {
  // The reports ask for whole local days, which start on a quarter hour in every zone today; a
  // period cut inside a quarter is counted from the raw visits instead.
  if (start % QUARTER_MS !== 0 || end % QUARTER_MS !== 0) {
    return sql
      .exec(
        "SELECT started_at / 900000 AS q, COUNT(*) AS n FROM visits WHERE started_at >= ? AND started_at < ? GROUP BY q ORDER BY q",
        start,
        end,
      )
      .toArray() as { q: number; n: number }[];
  }
  return sql
    .exec(
      "SELECT q, visits AS n FROM rollup_quarters WHERE q >= ? AND q < ? AND visits > 0 ORDER BY q",
      start / QUARTER_MS,
      end / QUARTER_MS,
    )
    .toArray() as { q: number; n: number }[];
}
