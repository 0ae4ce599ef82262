/**
 * The chat iframe's page (`/chat/`, served through the Worker: wrangler.toml run_worker_first).
 * The file itself is the static asset; the Worker adds the security headers, with
 * `frame-ancestors` from the shop's allowed origins (`?site=` is the public key the loader puts
 * in the iframe's URL), so only those shops can frame the chat. Scripts come only from our own
 * origin: the page has no inline script.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { publicSiteByKey } from "../db/secrets";
import { frameAncestors } from "../lib/allowed-origins";

export async function chatPage(c: Context<AppEnv>): Promise<Response> {
  const key = c.req.query("site") ?? "";
  const site = key && key.length <= 64 ? await publicSiteByKey(c.env.DB, key) : null;
  const asset = await c.env.ASSETS.fetch(new Request(new URL("/chat/", c.req.url)));
  const res = new Response(asset.body, asset);
  const headers = res.headers;
  headers.set(
    "Content-Security-Policy",
    `script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors ${frameAncestors(site?.allowedOrigins ?? null)}`,
  );
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Content-Type-Options", "nosniff");
  // Per site and changeable in settings: not cached by browsers or Cloudflare.
  headers.set("Cache-Control", "no-store");
  return res;
}
