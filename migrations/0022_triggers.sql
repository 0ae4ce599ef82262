-- Proactive triggers (issue 12). A trigger's definition is the JSON of protocol/triggers.ts
-- TriggerDefinition (checked by worker/triggers/validate.ts before it is written); the columns
-- beside it are what queries sort or filter by. `salt` is drawn at creation and again when the
-- owner restarts the holdout (a new experiment: the shards' trigger_exposures rows are per salt).
CREATE TABLE triggers (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  definition  TEXT NOT NULL,
  salt        TEXT NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1,
  priority    INTEGER NOT NULL DEFAULT 50,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  created_by  TEXT,
  PRIMARY KEY (site_id, id)
);

-- The site's rule set: its version (bumped by every change of a trigger or of the caps, so a
-- versioned rule-set URL can be cached for ever) and the caps across triggers (TriggerCaps).
CREATE TABLE trigger_sets (
  site_id    TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL DEFAULT 0,
  per_visit  INTEGER NOT NULL DEFAULT 1,
  per_day    INTEGER NOT NULL DEFAULT 2
);

-- A conversation started by replying to a trigger records it (the trigger may be deleted later:
-- the id stays, the name is looked up while the trigger exists).
ALTER TABLE conversations ADD COLUMN trigger_id TEXT;
