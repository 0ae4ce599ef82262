-- Account email (issue 14): the log of every account email (sign-up confirmation, invitation,
-- password reset, notices), one deployment-wide table because these mails belong to no site
-- (sent_mail is per site and stays as it is). In development (wrangler dev, tests) it is the
-- outbox a developer reads at /api/dev/mail; in production text and html are stored empty.
CREATE TABLE account_mail (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  to_address  TEXT NOT NULL COLLATE NOCASE,
  subject     TEXT NOT NULL,
  text        TEXT NOT NULL DEFAULT '',
  html        TEXT NOT NULL DEFAULT '',
  language    TEXT NOT NULL,
  message_id  TEXT,
  sent_at     INTEGER NOT NULL
);
CREATE INDEX account_mail_by_time ON account_mail (sent_at DESC, id DESC);
CREATE INDEX account_mail_by_address ON account_mail (to_address, sent_at);

-- Password resets: the emailed link is a signed `reset` token naming the account and a nonce;
-- only the nonce's SHA-256 is stored. Single use (used_at), one hour, and a newer request
-- voids older ones (superseded_at).
CREATE TABLE password_resets (
  id            TEXT PRIMARY KEY,
  operator_id   TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  nonce_hash    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER,
  superseded_at INTEGER
);
CREATE INDEX password_resets_by_operator ON password_resets (operator_id, created_at);

-- Invitations by email: when the link was last mailed (resend), and the name the inviter typed
-- (a suggestion the invitee may change).
ALTER TABLE invitations ADD COLUMN mailed_at INTEGER;
ALTER TABLE invitations ADD COLUMN invited_name TEXT;
