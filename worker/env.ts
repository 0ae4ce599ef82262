/**
 * The Worker's bindings (wrangler.toml) and secrets. Imported by every Worker module that needs
 * `Env`; the Durable Object classes are referenced by type only, so nothing here runs.
 */
import type { ConversationRoom } from "./do/conversation-room";
import type { SiteHub } from "./do/site-hub";

export interface Env {
  DB: D1Database;
  ASSETS: Fetcher;
  FILES: R2Bucket;
  CONVERSATION: DurableObjectNamespace<ConversationRoom>;
  SITE_HUB: DurableObjectNamespace<SiteHub>;
  /** New anonymous visitors per site and client address (worker/lib/rate-limit.ts). */
  NEW_VISITORS?: RateLimit;
  /** Tracking beacons per visitor. */
  BEACONS?: RateLimit;
  /** Signs visitor tokens. `.dev.vars` locally, `wrangler secret put TOKEN_SECRET` in production. */
  TOKEN_SECRET: string;
  ENVIRONMENT: string;
}
