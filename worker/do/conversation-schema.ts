/**
 * The conversation room's SQLite schema, versioned (DO SQLite has no PRAGMA user_version, so the
 * version lives in its own table). An object that was never created has no tables at all: the
 * schema is made by `create`, so touching a made-up conversation persists nothing.
 * Only the conversation store uses it.
 */
import { TIMERS_SCHEMA } from "./durable-timers";

const SCHEMA_VERSION = 6;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE conversation (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      id TEXT NOT NULL, site_id TEXT NOT NULL, visitor_id TEXT NOT NULL,
      status TEXT NOT NULL, assignee_id TEXT,
      rev INTEGER NOT NULL, last_seq INTEGER NOT NULL, message_count INTEGER NOT NULL,
      visitor_read_seq INTEGER NOT NULL, operator_read_seq INTEGER NOT NULL,
      unread_for_operators INTEGER NOT NULL,
      last_message_at INTEGER, last_message_preview TEXT, last_message_role TEXT,
      created_at INTEGER NOT NULL, first_response_at INTEGER, resolved_at INTEGER,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE messages (
      seq INTEGER PRIMARY KEY,
      -- role:authorId:clientId; a retried send finds its message here instead of storing twice.
      client_key TEXT NOT NULL UNIQUE,
      client_id TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL,
      author_id TEXT, author_name TEXT, author_avatar TEXT,
      text TEXT NOT NULL, created_at INTEGER NOT NULL
    );
    CREATE TABLE outbox (key TEXT PRIMARY KEY, payload TEXT NOT NULL, rev INTEGER NOT NULL);
  `,
  2: `
    ALTER TABLE conversation ADD COLUMN last_operator_reply_at INTEGER;
    ALTER TABLE conversation ADD COLUMN queue_position INTEGER;
    ALTER TABLE conversation ADD COLUMN queue_eta INTEGER;
    ALTER TABLE messages ADD COLUMN event TEXT;
  `,
  3: `
    ALTER TABLE conversation ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
    ALTER TABLE conversation ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE conversation ADD COLUMN snoozed_until INTEGER;
  `,
  4: `ALTER TABLE conversation ADD COLUMN skill TEXT;`,
  // The outbox table (a summary row per change, a row per message) becomes two watermarks: two
  // extra writes and a JSON encoding per message were a third of the message path's CPU.
  5: `
    ALTER TABLE conversation ADD COLUMN flushed_rev INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversation ADD COLUMN indexed_seq INTEGER NOT NULL DEFAULT 0;
    UPDATE conversation SET
      flushed_rev = CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE key = 'summary') THEN 0 ELSE rev END,
      indexed_seq = COALESCE((SELECT MIN(CAST(substr(key, 5) AS INTEGER)) - 1 FROM outbox WHERE key LIKE 'msg:%'), last_seq);
    DROP TABLE outbox;
  `,
  // Domain events with their own seq and a third watermark; durable timers; where a message came
  // from. The first visitor message and the first answer after it are taken from the history,
  // so an upgraded conversation records neither again (its events start from now).
  6: `
    CREATE TABLE events (
      seq INTEGER PRIMARY KEY, type TEXT NOT NULL, at INTEGER NOT NULL,
      actor_role TEXT NOT NULL, actor_id TEXT, data TEXT NOT NULL
    );
    ${TIMERS_SCHEMA};
    ALTER TABLE messages ADD COLUMN via TEXT;
    ALTER TABLE conversation ADD COLUMN flushed_event_seq INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversation ADD COLUMN first_visitor_message_at INTEGER;
    ALTER TABLE conversation ADD COLUMN first_answer_at INTEGER;
    UPDATE conversation SET
      first_visitor_message_at = (SELECT MIN(created_at) FROM messages WHERE role = 'visitor' AND kind = 'text'),
      first_answer_at = (SELECT MIN(created_at) FROM messages WHERE role = 'operator' AND kind = 'text'
                         AND seq > (SELECT MIN(seq) FROM messages WHERE role = 'visitor' AND kind = 'text'));
  `,
};

/** Whether this object was ever created (or was erased since): reading writes nothing. */
export function hasSchema(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").toArray().length > 0;
}

/** Brings the schema to the current version; returns the version it found (0: none). */
export function migrate(sql: SqlStorage): number {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec("SELECT version FROM schema_version").toArray()[0];
  const from = row ? Number(row.version) : 0;
  if (from >= SCHEMA_VERSION) return from;
  for (let v = from + 1; v <= SCHEMA_VERSION; v++) sql.exec(MIGRATIONS[v]!);
  sql.exec("DELETE FROM schema_version");
  sql.exec("INSERT INTO schema_version (version) VALUES (?)", SCHEMA_VERSION);
  return from;
}
