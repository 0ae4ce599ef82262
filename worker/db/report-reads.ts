/**
 * D1 reads of the reports (issue 13): the events of the conversations first written in a time
 * range, the operators' activity,
 * first messages for common concerns, and the stored daily rollups. Every statement names the
 * site. `ReadCounter` tallies statements and rows, which the benchmark prints.
 */
import type { ConversationRow, EventRow } from "../reports/day-rollup";

export interface ReadCounter {
  statements: number;
  rowsRead: number;
  rowsReturned: number;
}

export const newCounter = (): ReadCounter => ({ statements: 0, rowsRead: 0, rowsReturned: 0 });

async function all<T>(stmt: D1PreparedStatement, counter?: ReadCounter): Promise<T[]> {
  const r = await stmt.all<T>();
  if (counter) {
    counter.statements += 1;
    counter.rowsRead += r.meta.rows_read ?? 0;
    counter.rowsReturned += r.results.length;
  }
  return r.results;
}

const FIRST_WRITTEN = `SELECT conversation_id FROM conversation_events
  WHERE site_id = ?1 AND type = 'visitor_first_message' AND at >= ?2 AND at < ?3`;

/**
 * Every event of the conversations whose visitor first wrote in [start, end), each in seq order.
 * `+site_id` keeps SQLite off the site indexes here: with them it scanned every event of the site
 * (621,000 rows read for one day of the benchmark's shop) instead of looking up each
 * conversation's events by primary key. The site is still checked on every row.
 */
export function eventsOfConversationsIn(db: D1Database, siteId: string, start: number, end: number, counter?: ReadCounter) {
  return all<EventRow>(
    db
      .prepare(
        `SELECT e.conversation_id, e.type, e.at, e.actor_role, e.actor_id, e.data
         FROM conversation_events e
         WHERE +e.site_id = ?1 AND e.conversation_id IN (${FIRST_WRITTEN})
           AND e.type IN ('created', 'visitor_first_message', 'assigned', 'unassigned', 'operator_first_answer', 'status_changed', 'rated')
         ORDER BY e.conversation_id, e.seq`,
      )
      .bind(siteId, start, end),
    counter,
  );
}

/** Message counts and tags of those conversations. */
export function conversationsIn(db: D1Database, siteId: string, start: number, end: number, counter?: ReadCounter) {
  return all<ConversationRow>(
    db
      .prepare(`SELECT id, message_count, tags FROM conversations WHERE +site_id = ?1 AND id IN (${FIRST_WRITTEN})`)
      .bind(siteId, start, end),
    counter,
  );
}

/**
 * Which operators were active in which quarter hours of [start, end): anything they did in a
 * conversation, or a conversation routed to them (the router seats only operators online). The
 * staffing report's "online then" is derived from this — no presence history is recorded.
 */
export function operatorActivity(db: D1Database, siteId: string, start: number, end: number, counter?: ReadCounter) {
  return all<{ operator_id: string; q: number }>(
    db
      .prepare(
        `SELECT DISTINCT operator_id, q FROM (
           SELECT actor_id AS operator_id, at / 900000 AS q FROM conversation_events
             WHERE site_id = ?1 AND at >= ?2 AND at < ?3 AND actor_role = 'operator' AND actor_id IS NOT NULL
           UNION ALL
           SELECT json_extract(data, '$.operatorId'), at / 900000 FROM conversation_events
             WHERE site_id = ?1 AND type = 'assigned' AND at >= ?2 AND at < ?3)`,
      )
      .bind(siteId, start, end),
    counter,
  );
}

/** The newest `limit` first messages written in [start, end) (their event's text). */
export async function firstMessagesIn(db: D1Database, siteId: string, start: number, end: number, limit: number, counter?: ReadCounter) {
  const rows = await all<{ text: string | null }>(
    db
      .prepare(
        `SELECT json_extract(data, '$.text') AS text FROM conversation_events
         WHERE site_id = ?1 AND type = 'visitor_first_message' AND at >= ?2 AND at < ?3
         ORDER BY at DESC LIMIT ?4`,
      )
      .bind(siteId, start, end, limit),
    counter,
  );
  return rows.map((r) => r.text).filter((t): t is string => typeof t === "string" && t !== "");
}

/** Stored rollups of the days `from`…`to` (day keys) computed in `timeZone`. */
export function storedRollups(db: D1Database, siteId: string, timeZone: string, from: string, to: string, counter?: ReadCounter) {
  return all<{ day: string; computed_at: number; data: string }>(
    db
      .prepare("SELECT day, computed_at, data FROM report_days WHERE site_id = ?1 AND time_zone = ?2 AND day >= ?3 AND day <= ?4")
      .bind(siteId, timeZone, from, to),
    counter,
  );
}

/** Writes (or replaces) rollups: re-running a day is idempotent. */
export async function storeRollups(
  db: D1Database,
  siteId: string,
  timeZone: string,
  computedAt: number,
  rows: readonly { day: string; data: string }[],
): Promise<void> {
  if (!rows.length) return;
  const stmt = db.prepare(
    `INSERT INTO report_days (site_id, day, time_zone, computed_at, data) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (site_id, day) DO UPDATE SET time_zone = excluded.time_zone, computed_at = excluded.computed_at, data = excluded.data`,
  );
  await db.batch(rows.map((r) => stmt.bind(siteId, r.day, timeZone, computedAt, r.data)));
}

/** The members' concurrency caps and names (the report's rows, the staffing's concurrency). */
export function membersOf(db: D1Database, siteId: string, counter?: ReadCounter) {
  return all<{ id: string; name: string; role: string; max_chats: number }>(
    db
      .prepare("SELECT o.id, o.name, m.role, m.max_chats FROM memberships m JOIN operators o ON o.id = m.operator_id WHERE m.site_id = ?1")
      .bind(siteId),
    counter,
  );
}
