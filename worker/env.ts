/**
 * The Worker's bindings and secrets, as `wrangler types` generates them from wrangler.toml into
 * worker-configuration.d.ts (`npm run types`; `npm run check` fails when that file is stale).
 * Secrets come from `.dev.vars` locally and `wrangler secret put` in production.
 */
export type Env = Cloudflare.Env;
