/**
 * D1 access to a site's secrets: the identify secret (an HMAC key, kept as is) and the secret API
 * key (only its SHA-256 is stored; the key is shown once when made). And the site facts the
 * tracking beacon needs, cached briefly per isolate (a beacon per page view must not cost a
 * D1 read of the site each time); changes made through this isolate clear the cache at once.
 * The chat page reads the same facts for its frame-ancestors.
 */

import type { SiteSettings } from "../../protocol";
import { randomToken, sha256Hex } from "../lib/crypto";
import { parseOrigins, readSettings } from "./sites";

export interface PublicSite {
  id: string;
  settings: SiteSettings;
  identitySecret: string | null;
  /** Where the widget may run (empty: anywhere). */
  allowedOrigins: string[];
  /** How many visitor shards hold the site's visitors, and the count before a reshard under way. */
  visitorShards: number;
  visitorShardsFrom: number | null;
}

const SITE_TTL_MS = 10_000;
const siteCache = new Map<string, { at: number; site: PublicSite | null }>();

export function forgetCachedSite(siteId: string): void {
  for (const [key, entry] of siteCache) if (!entry.site || entry.site.id === siteId) siteCache.delete(key);
}

export async function publicSiteByKey(db: D1Database, publicKey: string): Promise<PublicSite | null> {
  const hit = siteCache.get(publicKey);
  if (hit && Date.now() - hit.at < SITE_TTL_MS) return hit.site;
  const r = await db
    .prepare(
      `SELECT s.id, s.settings, s.allowed_origins, s.visitor_shards, s.visitor_shards_from, x.identity_secret FROM sites s LEFT JOIN site_secrets x ON x.site_id = s.id
       WHERE s.public_key = ?`,
    )
    .bind(publicKey)
    .first<{
      id: string;
      settings: string;
      allowed_origins: string;
      visitor_shards: number;
      visitor_shards_from: number | null;
      identity_secret: string | null;
    }>();
  const site = r
    ? {
        id: r.id,
        settings: readSettings(r.settings),
        identitySecret: r.identity_secret,
        allowedOrigins: parseOrigins(r.allowed_origins),
        visitorShards: r.visitor_shards,
        visitorShardsFrom: r.visitor_shards_from,
      }
    : null;
  if (siteCache.size > 1000) siteCache.clear();
  siteCache.set(publicKey, { at: Date.now(), site });
  return site;
}

export interface SecretsRow {
  identitySecret: string | null;
  apiKeyPrefix: string | null;
  apiKeyCreatedAt: number | null;
}

export async function getSecrets(db: D1Database, siteId: string): Promise<SecretsRow> {
  const r = await db
    .prepare("SELECT identity_secret, api_key_prefix, api_key_created_at FROM site_secrets WHERE site_id = ?")
    .bind(siteId)
    .first<{ identity_secret: string | null; api_key_prefix: string | null; api_key_created_at: number | null }>();
  return {
    identitySecret: r?.identity_secret ?? null,
    apiKeyPrefix: r?.api_key_prefix ?? null,
    apiKeyCreatedAt: r?.api_key_created_at ?? null,
  };
}

/** A new identify secret (replaces the old one); `only_if_missing` keeps an existing one. */
export async function setIdentitySecret(
  db: D1Database,
  siteId: string,
  opts: { onlyIfMissing?: boolean; value?: string } = {},
): Promise<string> {
  const secret = opts.value ?? `is_${randomToken(32)}`;
  const now = Date.now();
  await db
    .prepare(
      `INSERT INTO site_secrets (site_id, identity_secret, identity_secret_created_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (site_id) DO UPDATE SET identity_secret = ?2, identity_secret_created_at = ?3
       ${opts.onlyIfMissing ? "WHERE site_secrets.identity_secret IS NULL" : ""}`,
    )
    .bind(siteId, secret, now)
    .run();
  forgetCachedSite(siteId);
  const stored = await db
    .prepare("SELECT identity_secret FROM site_secrets WHERE site_id = ?")
    .bind(siteId)
    .first<string>("identity_secret");
  return stored ?? secret;
}

/** A new secret API key (the old one stops working at once). Returns the key: it is not stored. */
export async function rotateApiKey(
  db: D1Database,
  siteId: string,
  value?: string,
): Promise<{ apiKey: string; prefix: string; createdAt: number }> {
  const apiKey = value ?? `sk_${randomToken(32)}`;
  const prefix = apiKey.slice(0, 10);
  const createdAt = Date.now();
  await db
    .prepare(
      `INSERT INTO site_secrets (site_id, api_key_hash, api_key_prefix, api_key_created_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (site_id) DO UPDATE SET api_key_hash = ?2, api_key_prefix = ?3, api_key_created_at = ?4`,
    )
    .bind(siteId, await sha256Hex(apiKey), prefix, createdAt)
    .run();
  return { apiKey, prefix, createdAt };
}

/** The site whose secret API key this is (compared by SHA-256), or null. */
export async function siteByApiKey(db: D1Database, apiKey: string): Promise<string | null> {
  return db
    .prepare("SELECT site_id FROM site_secrets WHERE api_key_hash = ?")
    .bind(await sha256Hex(apiKey))
    .first<string>("site_id");
}
