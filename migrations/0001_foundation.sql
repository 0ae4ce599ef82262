-- Gadka foundation: sites, operators and their sessions, visitors, conversations.
-- Every table that holds shop data carries site_id, and every query filters on it.
-- Times are integers: milliseconds since the Unix epoch.

CREATE TABLE sites (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  -- Public key used in the snippet (data-site); safe to show, identifies the site only.
  public_key      TEXT NOT NULL UNIQUE,
  -- JSON array of origins allowed to embed the widget, e.g. ["https://shop.example"].
  allowed_origins TEXT NOT NULL DEFAULT '[]',
  -- JSON object of widget settings (accent colour, welcome text, ...).
  settings        TEXT NOT NULL DEFAULT '{}',
  created_at      INTEGER NOT NULL
);

CREATE TABLE operators (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name          TEXT NOT NULL,
  avatar_url    TEXT,
  -- pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, operator_id)
);
CREATE INDEX memberships_by_operator ON memberships (operator_id);

-- Operator sessions. Only a SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_operator ON sessions (operator_id);

-- Failed logins per key ('email:<address>' or 'ip:<address>') in a fixed window.
CREATE TABLE login_failures (
  key          TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  failures     INTEGER NOT NULL
);

-- Anonymous by default; name and email only when the visitor gives them.
CREATE TABLE visitors (
  site_id       TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id            TEXT NOT NULL,
  name          TEXT,
  email         TEXT,
  first_seen_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
);

-- One row per conversation. Created by the Worker when a visitor starts one; afterwards written
-- only by the conversation's Durable Object through its outbox (never on a message's path).
CREATE TABLE conversations (
  id                   TEXT PRIMARY KEY,
  site_id              TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id           TEXT NOT NULL,
  assignee_id          TEXT REFERENCES operators(id) ON DELETE SET NULL,
  status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  created_at           INTEGER NOT NULL,
  first_response_at    INTEGER,
  resolved_at          INTEGER,
  last_message_at      INTEGER,
  last_message_preview TEXT,
  last_message_role    TEXT,
  -- The Durable Object's revision of this row; the outbox never writes an older one over a newer.
  rev                  INTEGER NOT NULL DEFAULT 0,
  last_seq             INTEGER NOT NULL DEFAULT 0,
  message_count        INTEGER NOT NULL DEFAULT 0,
  unread_for_operators INTEGER NOT NULL DEFAULT 0,
  -- Last activity (message or status change); the inbox sorts on it.
  updated_at           INTEGER NOT NULL
);
CREATE INDEX conversations_by_site_activity ON conversations (site_id, updated_at DESC);
-- One continuous conversation per visitor (reopened when they write again), so two tabs that
-- start a chat at the same moment end up in the same conversation.
CREATE UNIQUE INDEX conversations_by_site_visitor ON conversations (site_id, visitor_id);
