-- Daily report rollups (issue 13): one row per site and local day of the shop's zone, written by
-- the scheduled handler (worker/services/report-rollups.ts) so a 90-day report merges 90 rows
-- instead of reading every conversation's events. `data` is JSON (worker/reports/day-rollup.ts,
-- its shape versioned inside). A re-run replaces the row: rollups are idempotent. Rows of another
-- time zone than the site's current one are ignored by reads (computed again).
CREATE TABLE report_days (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  day         TEXT NOT NULL,
  time_zone   TEXT NOT NULL,
  computed_at INTEGER NOT NULL,
  data        TEXT NOT NULL,
  PRIMARY KEY (site_id, day)
);
