-- Full-text search over messages (fed from each conversation's outbox, never on the message
-- path) and saved replies (site-wide, or personal to one operator).

CREATE VIRTUAL TABLE message_search USING fts5(
  text,
  site_id UNINDEXED,
  conversation_id UNINDEXED,
  seq UNINDEXED,
  kind UNINDEXED,
  created_at UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE saved_replies (
  id          TEXT PRIMARY KEY,
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  -- NULL: shared by the whole site; else personal to this operator.
  operator_id TEXT REFERENCES operators(id) ON DELETE CASCADE,
  shortcut    TEXT NOT NULL,
  body        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX saved_replies_by_shortcut ON saved_replies (site_id, COALESCE(operator_id, ''), shortcut);
