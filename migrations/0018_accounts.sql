-- Accounts (issue 14): a deployment's first owner from the one-time setup link, sign-up with an
-- emailed confirmation, more shops per owner, the install check, two-factor sign-in, and the
-- sessions an operator can see and end.

-- Each setup token (only its SHA-256 is known to the Worker) creates one owner and one shop,
-- once: the insert of this row is the check-and-use.
CREATE TABLE setup_uses (
  token_hash  TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL,
  site_id     TEXT NOT NULL,
  used_at     INTEGER NOT NULL
);

-- Emailed single-use links: a sign-up waiting for its confirmation (the account is created only
-- from the row whose link was opened, with the password given in that sign-up, so nobody can
-- pre-register someone else's address with a password of their own), and a change of email.
-- The link is a signed `confirm` token naming the row and a nonce; only the nonce's SHA-256 is here.
CREATE TABLE account_tokens (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('signup', 'email_change')),
  email         TEXT NOT NULL COLLATE NOCASE,
  name          TEXT,
  password_hash TEXT,
  operator_id   TEXT REFERENCES operators(id) ON DELETE CASCADE,
  nonce_hash    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER
);
CREATE INDEX account_tokens_by_operator ON account_tokens (operator_id) WHERE operator_id IS NOT NULL;

-- The shop's own address (set-up wizard; the guides and the allowed domains start from it).
ALTER TABLE sites ADD COLUMN url TEXT;

-- The install check: the first page view from the shop's own domain, written once per shop.
ALTER TABLE sites ADD COLUMN installed_at INTEGER;
ALTER TABLE sites ADD COLUMN installed_origin TEXT;
ALTER TABLE sites ADD COLUMN installed_url TEXT;
-- Owners may require two-factor sign-in of everyone on their shop.
ALTER TABLE sites ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;

-- Two-factor sign-in: the TOTP secret sealed under a Worker secret (worker/accounts/secret-seal.ts),
-- a secret being enrolled until its first code is confirmed, and the step of the last code used
-- (a code is refused at or below it: no replay).
ALTER TABLE operators ADD COLUMN totp_sealed TEXT;
ALTER TABLE operators ADD COLUMN totp_pending_sealed TEXT;
ALTER TABLE operators ADD COLUMN totp_last_step INTEGER;

CREATE TABLE recovery_codes (
  operator_id TEXT NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
  code_hash   TEXT NOT NULL,
  PRIMARY KEY (operator_id, code_hash)
);

-- What the profile's session list shows.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
