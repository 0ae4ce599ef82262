/**
 * D1's visitor directory from the shards' side: a profile that starts to matter beyond one visit
 * (a chat claims it, an operator invites it, the shop API records an order for it) is written to
 * D1 at once — not only behind — so chat claims, conversations and shop lookups find it there.
 */
import type { ShardVisitorRow } from "../do/visitor-shard";
import { directoryUpsert } from "../do/visitor-shard";
import type { Env } from "../env";
import { type ShardLayout, shardFor } from "./visitor-shards";

/** Null when the profile's shard has no such visitor. */
export async function promoteToDirectory(env: Env, layout: ShardLayout, visitorId: string): Promise<ShardVisitorRow | null> {
  const home = shardFor(env, layout, visitorId);
  const row = await home.stub.promote(layout.siteId, home.shard, visitorId);
  if (!row || row.merged_into) return null;
  await directoryUpsert(env.DB, layout.siteId, [row as unknown as Record<string, unknown>]).run();
  return row;
}
