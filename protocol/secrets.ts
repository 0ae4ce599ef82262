/**
 * A site's secrets as owners see them: the identify secret and the secret API key.
 */

/** `GET /api/sites/:siteId/settings/secrets` (owners): the identify secret, and which API key is active. */
export interface SiteSecretsResponse {
  /** Sign `hash` = hex HMAC-SHA256(customer id) with it, on the shop's server. */
  identitySecret: string;
  /** The active secret API key, shown only by its start; null when none was created yet. */
  apiKey: { prefix: string; createdAt: number } | null;
}
/** `POST …/settings/secrets/api-key` (owners): a new key replaces the old one; shown this once. */
export interface ApiKeyResponse {
  apiKey: string;
  prefix: string;
  createdAt: number;
}
/** `POST …/settings/secrets/identity` (owners): a new identify secret; old hashes stop verifying. */
export interface IdentitySecretResponse {
  identitySecret: string;
}
