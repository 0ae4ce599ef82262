-- Domain events: each conversation's facts in its own order (created, the visitor's first
-- message, assigned, the first answer, status changes, reopened …), copied here by the
-- conversation's outbox. Reports and webhooks read them; `data` is JSON, its shape per `type`
-- in protocol/events.ts. A retried flush inserts the same (conversation_id, seq) again and is
-- ignored.
CREATE TABLE conversation_events (
  site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  type            TEXT NOT NULL,
  at              INTEGER NOT NULL,
  actor_role      TEXT NOT NULL CHECK (actor_role IN ('visitor', 'operator', 'system')),
  actor_id        TEXT,
  data            TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX conversation_events_by_site_at ON conversation_events (site_id, at);
CREATE INDEX conversation_events_by_site_type_at ON conversation_events (site_id, type, at);

-- When the visitor first wrote: a conversation takes an operator's seat only from then on.
-- Rows from before are filled from what D1 knows (the rooms send the exact time with their
-- next summary): any conversation with a visitor's last word or more than one message is
-- taken as written to; a single operator message is an invitation nobody answered.
ALTER TABLE conversations ADD COLUMN first_visitor_message_at INTEGER;
UPDATE conversations SET first_visitor_message_at = created_at
  WHERE message_count > 1 OR (message_count = 1 AND last_message_role = 'visitor');
