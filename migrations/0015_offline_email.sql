-- Offline and email (issue 11).
-- The email the chat's capture form left on the profile. `email` stays the profile's address
-- (whoever gave it); when it equals `chat_email` the visitor typed it (unverified), otherwise a
-- verified identify or the shop's API gave it and the chat never overwrites it.
ALTER TABLE visitors ADD COLUMN chat_email TEXT;

-- Operators who want "a visitor is waiting" emails when they are not online (PATCH /api/me).
ALTER TABLE operators ADD COLUMN alert_emails INTEGER NOT NULL DEFAULT 0;

-- Every email Gadka sent (or, in development, would have sent). The Message-ID the binding
-- answered threads a conversation's later emails; text and html are kept only in development
-- (the local "Sent mail" page and the tests read them), empty in production.
CREATE TABLE sent_mail (
  site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  id              TEXT NOT NULL,
  kind            TEXT NOT NULL,
  to_address      TEXT NOT NULL,
  subject         TEXT NOT NULL,
  text            TEXT NOT NULL DEFAULT '',
  html            TEXT NOT NULL DEFAULT '',
  reply_to        TEXT,
  conversation_id TEXT,
  message_id      TEXT,
  sent_at         INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
);
CREATE INDEX sent_mail_by_site_time ON sent_mail (site_id, sent_at DESC, id DESC);
CREATE INDEX sent_mail_by_conversation ON sent_mail (conversation_id, sent_at) WHERE conversation_id IS NOT NULL;

-- Emails sent per day (UTC day number), per conversation ('c:<id>') and per site ('s:<id>'):
-- both rows move together in one statement, only while both are under their limit.
CREATE TABLE mail_counters (
  scope TEXT NOT NULL,
  day   INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (scope, day)
);

-- Addresses that unsubscribed from a site's emails, by the hash of the lower-cased address
-- (the unsubscribe link carries the hash, never the address).
CREATE TABLE email_unsubscribes (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  address_key TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (site_id, address_key)
);
