-- Visitor shards hold the tracking store (issue 10); D1's `visitors` is the directory of the
-- profiles that matter beyond one visit (a chat, an identity, an email), written behind from the
-- shards. in_shard = 1: a shard holds this profile's trail and the fresher copy, so the visitor
-- list reads it there and skips this row; 0: only D1 has it (a chat-only visitor, a shop API
-- customer, or a row from before the shards that the migration job has not moved yet).
ALTER TABLE visitors ADD COLUMN in_shard INTEGER NOT NULL DEFAULT 0;

-- The D1 → shard migration job (POST /api/deploy/sites/:siteId/migrate-tracking): how far it got per site, so
-- it resumes where it stopped. The old tracking tables are dropped by a later migration only
-- after the job reports done for every site (README: "Upgrading an existing deployment").
CREATE TABLE tracking_migration (
  site_id    TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  after_id   TEXT NOT NULL DEFAULT '',
  moved      INTEGER NOT NULL DEFAULT 0,
  done_at    INTEGER
);

-- A reshard under way (POST /api/deploy/sites/:siteId/reshard): sites.visitor_shards is the new
-- count and visitor_shards_from the old one from started_at on; copying starts once every
-- isolate's cached site facts have expired, and done_at is set when the old copies are dropped.
CREATE TABLE reshards (
  site_id     TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  from_shards INTEGER NOT NULL,
  to_shards   INTEGER NOT NULL,
  started_at  INTEGER NOT NULL,
  done_at     INTEGER
);
