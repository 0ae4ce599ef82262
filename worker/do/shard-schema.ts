/**
 * A visitor shard's SQLite schema, versioned like the conversation room's (the version lives in
 * its own table). The tracking tables keep D1's names and columns (site_id included), so the
 * tracking SQL runs unchanged on them (shard-sql.ts). Extra columns: `visitors.directory` (1: the
 * profile also lives in D1's directory — a chat, an identity or an email — and `dirty` marks it
 * for the next write-behind), `visitors.conversation_id` / `conversation_visitor_id` (the
 * visitor's conversation, so a beacon needs no D1 read). `moved_slots` records slots a reshard
 * or migration has finished. `rollup_hours` / `rollup_quarters` (v3) are the visits' counts per
 * UTC hour and quarter hour, kept by triggers on `visits` (shard-rollups.ts reads them). Only
 * VisitorShard uses it.
 */
import { TIMERS_SCHEMA } from "./durable-timers";

const SCHEMA_VERSION = 3;

/** The rollup rows of one visit (`v` = NEW or OLD), added with sign `sign`; also the v3 backfill. */
function rollupRows(v: string, sign: string, pageViews: string): string {
  const h = `${v}.started_at / 3600000`;
  return `(${h}, 't', '', ${sign}, ${pageViews}), (${h}, 's', COALESCE(${v}.source_label, 'direct'), ${sign}, 0),
    (${h}, 'd', COALESCE(${v}.device_type, 'unknown'), ${sign}, 0), (${h}, 'b', COALESCE(${v}.browser, 'unknown'), ${sign}, 0),
    (${h}, 'c', COALESCE(${v}.country, 'unknown'), ${sign}, 0)`;
}

const UPSERT = "ON CONFLICT (dim, hour, k) DO UPDATE SET visits = visits + excluded.visits, page_views = page_views + excluded.page_views";

/** The v3 backfill: the visits a shard held before its rollups existed. */
function rollupBackfill(): string {
  const dims: [string, string][] = [
    ["s", "COALESCE(source_label, 'direct')"],
    ["d", "COALESCE(device_type, 'unknown')"],
    ["b", "COALESCE(browser, 'unknown')"],
    ["c", "COALESCE(country, 'unknown')"],
  ];
  return [
    "INSERT INTO rollup_hours (hour, dim, k, visits, page_views) SELECT started_at / 3600000, 't', '', COUNT(*), SUM(page_views) FROM visits GROUP BY 1;",
    ...dims.map(
      ([d, k]) =>
        `INSERT INTO rollup_hours (hour, dim, k, visits, page_views) SELECT started_at / 3600000, '${d}', ${k}, COUNT(*), 0 FROM visits GROUP BY 1, 3;`,
    ),
  ].join("\n");
}

const ROLLUP_TRIGGERS = `
  CREATE TRIGGER visits_rollup_add AFTER INSERT ON visits BEGIN
    INSERT INTO rollup_hours (hour, dim, k, visits, page_views) VALUES ${rollupRows("NEW", "1", "NEW.page_views")} ${UPSERT};
    INSERT INTO rollup_quarters (q, visits) VALUES (NEW.started_at / 900000, 1) ON CONFLICT (q) DO UPDATE SET visits = visits + 1;
  END;
  CREATE TRIGGER visits_rollup_remove AFTER DELETE ON visits BEGIN
    INSERT INTO rollup_hours (hour, dim, k, visits, page_views) VALUES ${rollupRows("OLD", "-1", "-OLD.page_views")} ${UPSERT};
    INSERT INTO rollup_quarters (q, visits) VALUES (OLD.started_at / 900000, -1) ON CONFLICT (q) DO UPDATE SET visits = visits - 1;
    DELETE FROM rollup_hours WHERE dim IN ('t', 's', 'd', 'b', 'c') AND hour = OLD.started_at / 3600000 AND visits <= 0 AND page_views <= 0;
    DELETE FROM rollup_quarters WHERE q = OLD.started_at / 900000 AND visits <= 0;
  END;
  -- A page view adds to its visit's counter: one row written, the hour's total.
  CREATE TRIGGER visits_rollup_views AFTER UPDATE OF page_views ON visits
  WHEN NEW.started_at = OLD.started_at AND NEW.source_label IS OLD.source_label AND NEW.device_type IS OLD.device_type
    AND NEW.browser IS OLD.browser AND NEW.country IS OLD.country BEGIN
    UPDATE rollup_hours SET page_views = page_views + NEW.page_views - OLD.page_views
      WHERE dim = 't' AND hour = NEW.started_at / 3600000 AND k = '';
  END;
  CREATE TRIGGER visits_rollup_move AFTER UPDATE OF started_at, source_label, device_type, browser, country ON visits
  WHEN NOT (NEW.started_at = OLD.started_at AND NEW.source_label IS OLD.source_label AND NEW.device_type IS OLD.device_type
    AND NEW.browser IS OLD.browser AND NEW.country IS OLD.country) BEGIN
    INSERT INTO rollup_hours (hour, dim, k, visits, page_views) VALUES ${rollupRows("OLD", "-1", "-OLD.page_views")} ${UPSERT};
    INSERT INTO rollup_hours (hour, dim, k, visits, page_views) VALUES ${rollupRows("NEW", "1", "NEW.page_views")} ${UPSERT};
    INSERT INTO rollup_quarters (q, visits) VALUES (OLD.started_at / 900000, -1) ON CONFLICT (q) DO UPDATE SET visits = visits - 1;
    INSERT INTO rollup_quarters (q, visits) VALUES (NEW.started_at / 900000, 1) ON CONFLICT (q) DO UPDATE SET visits = visits + 1;
    DELETE FROM rollup_hours WHERE dim IN ('t', 's', 'd', 'b', 'c') AND hour = OLD.started_at / 3600000 AND visits <= 0 AND page_views <= 0;
    DELETE FROM rollup_quarters WHERE q = OLD.started_at / 900000 AND visits <= 0;
  END;
`;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE visitors (
      site_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT, email TEXT,
      first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
      external_id TEXT, verified INTEGER NOT NULL DEFAULT 0, merged_into TEXT,
      visits INTEGER NOT NULL DEFAULT 0, page_views INTEGER NOT NULL DEFAULT 0, time_on_site_ms INTEGER NOT NULL DEFAULT 0,
      first_source TEXT, last_source TEXT, first_source_label TEXT, last_source_label TEXT,
      device_type TEXT, browser TEXT, os TEXT, country TEXT, city TEXT, language TEXT,
      attributes TEXT NOT NULL DEFAULT '{}', cart TEXT, current_visit_id TEXT, current_view_id INTEGER,
      chat_claimed_at INTEGER,
      slot INTEGER NOT NULL DEFAULT 0,
      directory INTEGER NOT NULL DEFAULT 0, dirty INTEGER NOT NULL DEFAULT 0,
      conversation_id TEXT, conversation_visitor_id TEXT,
      PRIMARY KEY (site_id, id)
    );
    CREATE INDEX visitors_by_site_activity ON visitors (site_id, last_seen_at DESC, id DESC);
    CREATE INDEX visitors_by_merged ON visitors (site_id, merged_into) WHERE merged_into IS NOT NULL;
    CREATE INDEX visitors_by_slot ON visitors (slot);
    CREATE INDEX visitors_dirty ON visitors (dirty) WHERE dirty = 1;
    CREATE TABLE visits (
      id TEXT PRIMARY KEY, site_id TEXT NOT NULL, visitor_id TEXT NOT NULL,
      started_at INTEGER NOT NULL, last_at INTEGER NOT NULL, page_views INTEGER NOT NULL DEFAULT 0,
      referrer TEXT, utm_source TEXT, utm_medium TEXT, utm_campaign TEXT, utm_term TEXT, utm_content TEXT,
      landing_url TEXT, source_label TEXT NOT NULL, device_type TEXT, browser TEXT, os TEXT, country TEXT, city TEXT,
      is_returning INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX visits_by_visitor ON visits (site_id, visitor_id, started_at DESC);
    CREATE INDEX visits_by_site_start ON visits (site_id, started_at);
    CREATE INDEX visits_by_site_last ON visits (site_id, last_at);
    CREATE TABLE page_views (
      id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, visitor_id TEXT NOT NULL, visit_id TEXT,
      url TEXT NOT NULL, title TEXT, at INTEGER NOT NULL, duration_ms INTEGER, view_key TEXT
    );
    CREATE INDEX page_views_by_visitor ON page_views (site_id, visitor_id, url);
    CREATE INDEX page_views_by_visit ON page_views (site_id, visit_id, at);
    CREATE INDEX page_views_by_site_time ON page_views (site_id, at);
    CREATE INDEX page_views_by_key ON page_views (site_id, visitor_id, view_key) WHERE view_key IS NOT NULL;
    CREATE TABLE visitor_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT, site_id TEXT NOT NULL, visitor_id TEXT NOT NULL, visit_id TEXT,
      type TEXT NOT NULL, data TEXT, at INTEGER NOT NULL
    );
    CREATE INDEX visitor_events_by_visitor ON visitor_events (site_id, visitor_id, at);
    CREATE INDEX visitor_events_by_site_time ON visitor_events (site_id, at);
    CREATE TABLE orders (
      site_id TEXT NOT NULL, order_id TEXT NOT NULL, visitor_id TEXT, customer_id TEXT,
      total REAL NOT NULL, currency TEXT NOT NULL, items TEXT NOT NULL DEFAULT '[]',
      created_at INTEGER NOT NULL, recorded_at INTEGER NOT NULL, source TEXT NOT NULL,
      PRIMARY KEY (site_id, order_id)
    );
    CREATE INDEX orders_by_visitor ON orders (site_id, visitor_id, created_at DESC);
    CREATE TABLE moved_slots (slot INTEGER PRIMARY KEY, at INTEGER NOT NULL);
    ${TIMERS_SCHEMA};
  `,
  // Proactive triggers (issue 12): one row per visitor and trigger experiment (its salt: a
  // restarted holdout is a new experiment). `arm` is what the visitor's holdout assignment put
  // them in the first time the trigger's conditions held: shown, or control ("would have been
  // shown"). Reports (issue 13) compare orders after `first_at` between the two arms.
  2: `
    CREATE TABLE trigger_exposures (
      site_id TEXT NOT NULL, visitor_id TEXT NOT NULL, trigger_id TEXT NOT NULL, salt TEXT NOT NULL,
      arm TEXT NOT NULL CHECK (arm IN ('shown', 'control')),
      first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, shows INTEGER NOT NULL DEFAULT 1,
      dismissed_at INTEGER, clicked_at INTEGER, conversation_id TEXT,
      slot INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (site_id, visitor_id, trigger_id, salt)
    );
    CREATE INDEX trigger_exposures_by_trigger ON trigger_exposures (site_id, trigger_id, salt, first_at);
    CREATE INDEX trigger_exposures_by_slot ON trigger_exposures (slot);
  `,
  // Audience and the reports' heatmap (issue 10): the visits' additive counts per UTC hour of
  // their start (total with page views; per source, device, browser, country) and per quarter
  // hour (the heatmap's resolution: a shop's zone may be 30 or 45 minutes off the hour). Triggers
  // keep them equal to what the visits table holds, whoever writes it (a view, an adoption from
  // another shard, a slot dropped after a reshard, retention, erasure), inside the writer's own
  // transaction; a ping writes no visit, so it writes no rollup. Existing visits are counted once.
  // `handed_over`: visitors a reshard under way handed to their new shard on a beacon; with
  // `moved_slots`, what the old shard's lists leave out (their copy elsewhere is the live one).
  3: `
    CREATE TABLE rollup_hours (
      hour INTEGER NOT NULL, dim TEXT NOT NULL, k TEXT NOT NULL,
      visits INTEGER NOT NULL DEFAULT 0, page_views INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (dim, hour, k)
    ) WITHOUT ROWID;
    CREATE TABLE rollup_quarters (q INTEGER PRIMARY KEY, visits INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE handed_over (id TEXT PRIMARY KEY, slot INTEGER NOT NULL) WITHOUT ROWID;
    ${rollupBackfill()}
    INSERT INTO rollup_quarters (q, visits) SELECT started_at / 900000, COUNT(*) FROM visits GROUP BY 1;
    ${ROLLUP_TRIGGERS}
  `,
};

/** Brings the schema to the current version; returns the version it found (0: none). */
export function migrateShard(sql: SqlStorage): number {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec("SELECT version FROM schema_version").toArray()[0];
  const from = row ? Number(row.version) : 0;
  if (from >= SCHEMA_VERSION) return from;
  for (let v = from + 1; v <= SCHEMA_VERSION; v++) sql.exec(MIGRATIONS[v]!);
  sql.exec("DELETE FROM schema_version");
  sql.exec("INSERT INTO schema_version (version) VALUES (?)", SCHEMA_VERSION);
  return from;
}

/** The profile columns D1's directory mirrors (never merged_into, chat claims or the current ids). */
export const DIRECTORY_COLUMNS = [
  "name",
  "email",
  "first_seen_at",
  "last_seen_at",
  "external_id",
  "verified",
  "visits",
  "page_views",
  "time_on_site_ms",
  "first_source",
  "last_source",
  "first_source_label",
  "last_source_label",
  "device_type",
  "browser",
  "os",
  "country",
  "city",
  "language",
  "attributes",
  "cart",
] as const;
