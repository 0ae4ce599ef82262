-- Conversation statuses pending and snoozed, priority and tags. SQLite cannot change a CHECK
-- constraint in place, so the table is rebuilt with the same rows.
PRAGMA defer_foreign_keys = true;

CREATE TABLE conversations_v4 (
  id                     TEXT PRIMARY KEY,
  site_id                TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id             TEXT NOT NULL,
  assignee_id            TEXT REFERENCES operators(id) ON DELETE SET NULL,
  status                 TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
  priority               TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  -- JSON array of lower-case single-word tags.
  tags                   TEXT NOT NULL DEFAULT '[]',
  snoozed_until          INTEGER,
  created_at             INTEGER NOT NULL,
  first_response_at      INTEGER,
  last_operator_reply_at INTEGER,
  resolved_at            INTEGER,
  last_message_at        INTEGER,
  last_message_preview   TEXT,
  last_message_role      TEXT,
  rev                    INTEGER NOT NULL DEFAULT 0,
  last_seq               INTEGER NOT NULL DEFAULT 0,
  message_count          INTEGER NOT NULL DEFAULT 0,
  unread_for_operators   INTEGER NOT NULL DEFAULT 0,
  updated_at             INTEGER NOT NULL
);

INSERT INTO conversations_v4 (id, site_id, visitor_id, assignee_id, status, created_at, first_response_at,
  last_operator_reply_at, resolved_at, last_message_at, last_message_preview, last_message_role, rev, last_seq,
  message_count, unread_for_operators, updated_at)
SELECT id, site_id, visitor_id, assignee_id, status, created_at, first_response_at, last_operator_reply_at,
  resolved_at, last_message_at, last_message_preview, last_message_role, rev, last_seq, message_count,
  unread_for_operators, updated_at
FROM conversations;

DROP TABLE conversations;
ALTER TABLE conversations_v4 RENAME TO conversations;
CREATE INDEX conversations_by_site_activity ON conversations (site_id, updated_at DESC);
CREATE UNIQUE INDEX conversations_by_site_visitor ON conversations (site_id, visitor_id);
CREATE INDEX conversations_by_site_assignee ON conversations (site_id, assignee_id, status);
