-- Invitations to join a site's team. Adding an email that already has an account never joins it
-- silently: it gets an invitation that the person accepts or declines after signing in (or, with
-- the sign-up work, through an emailed link: token_hash is the SHA-256 of that link's token).
CREATE TABLE invitations (
  id          TEXT PRIMARY KEY,
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  email       TEXT NOT NULL COLLATE NOCASE,
  role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
  invited_by  TEXT REFERENCES operators(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  accepted_at INTEGER,
  declined_at INTEGER,
  revoked_at  INTEGER,
  token_hash  TEXT
);
-- One open invitation per site and email: inviting again refreshes it.
CREATE UNIQUE INDEX invitations_open_by_site_email ON invitations (site_id, email)
  WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_by_email ON invitations (email, expires_at);
CREATE UNIQUE INDEX invitations_by_token ON invitations (token_hash) WHERE token_hash IS NOT NULL;
