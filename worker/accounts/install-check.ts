/**
 * The set-up wizard's install check: the first page view of a shop from a website other than
 * Gadka's own is written to the shop's row once (`installed_at`, origin and page). The beacon
 * calls `noteInstall` after it has accepted a page view (so the origin already passed the
 * shop's allowed domains). Cost: at most one D1 write per shop ever; after the first call for a
 * shop in an isolate — written or found already written — nothing at all (an isolate memo).
 */
import { markInstalled } from "../db/accounts";
import type { Env } from "../env";

const noted = new Set<string>();
const MAX_MEMO = 10_000;

/** `site` by id (the shard's beacon) or public key (the Worker's beacon route). */
export async function noteInstall(
  env: Env,
  site: { id: string } | { publicKey: string },
  origin: string | null,
  url: string | undefined,
  ownOrigin: string,
): Promise<void> {
  // Gadka's own pages (the local demo shop, the chat) say nothing about the shop's install.
  if (!origin || origin === ownOrigin || !url) return;
  const key = "id" in site ? `id:${site.id}` : `pk:${site.publicKey}`;
  if (noted.has(key)) return;
  if (noted.size >= MAX_MEMO) noted.clear();
  noted.add(key);
  try {
    await markInstalled(env.DB, site, origin, url.slice(0, 2000), Date.now());
  } catch (err) {
    // A failed write is tried again by this isolate's next page view of the shop.
    noted.delete(key);
    console.error("noting a shop's install failed", String(err));
  }
}
