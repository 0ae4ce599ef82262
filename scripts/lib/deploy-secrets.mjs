// The Worker secrets `npm run deploy` creates: TOKEN_SECRET (random, never printed, never
// rotated by a later run) and SETUP_TOKEN_HASH, the SHA-256 of a one-time setup token that is
// printed once (worker/accounts/setup-token.ts checks it). They reach wrangler in a file only
// this user can read, which is removed after the upload. Used by scripts/lib/deploy-run.mjs only.
import { createHash, randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";

/** A new setup token and the hash the Worker stores: `gst_` + 256 random bits (base64url). */
export function newSetupToken() {
  const token = `gst_${randomBytes(32).toString("base64url")}`;
  return { token, hash: createHash("sha256").update(token).digest("hex") };
}

/**
 * The secrets this run must set, given the names the Worker already has (`existing`; null for a
 * Worker not yet deployed). A secret that exists is left alone, so a second run rotates nothing;
 * `newSetupToken` replaces the setup token on purpose. `setupToken` is the token to print.
 */
export function secretsToSet(existing, { newSetupToken: replaceSetupToken = false } = {}) {
  const have = existing ?? new Set();
  const values = {};
  let setupToken = null;
  if (!have.has("TOKEN_SECRET")) values.TOKEN_SECRET = randomBytes(32).toString("hex");
  if (!have.has("SETUP_TOKEN_HASH") || replaceSetupToken) {
    const setup = newSetupToken();
    values.SETUP_TOKEN_HASH = setup.hash;
    setupToken = setup.token;
  }
  return { values, setupToken };
}

/** Writes `values` as the JSON file `wrangler deploy --secrets-file` reads, readable by this user only. */
export function writeSecretsFile(file, values) {
  writeFileSync(file, JSON.stringify(values), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}
