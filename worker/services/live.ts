/**
 * The Live view's use cases outside the hub: reaching a visitor's shard, and one page of the
 * visitors on the shop now merged from every shard of the site (scatter-gather: each shard
 * answers its own page after the cursor, the merge keeps the first `limit`; counts are sums).
 * Used by the Live view's route and the site hub.
 */
import { decodeLiveCursor, encodeLiveCursor, type LiveListQuery, type LiveListResponse, mergeLivePages } from "../../protocol";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { shardName, shardOf } from "../lib/shards";
import { allShards, siteLayout } from "./visitor-shards";

/** The stub of one of the site's shards, with the index its RPCs name. */
export function shardStub(env: Env, siteId: string, shard: number) {
  return env.VISITOR_SHARD.getByName(shardName(siteId, shard));
}

/** The shard holding `visitorId` when the site has `shards` of them. */
export function visitorShard(env: Env, siteId: string, visitorId: string, shards: number) {
  const shard = shardOf(visitorId, shards);
  return { shard, stub: shardStub(env, siteId, shard) };
}

export async function listLive(env: Env, siteId: string, q: LiveListQuery): Promise<LiveListResponse> {
  if (q.cursor !== undefined && !decodeLiveCursor(q.sort, q.cursor)) {
    throw new ApiError("validation_failed", "cursor: not a cursor of this list; pass nextCursor of the previous page with the same sort.");
  }
  // The layout from the isolate's cache (no D1 read per request); during a reshard every old
  // shard is among the new ones, and a shard forgets a visitor it handed over.
  const layout = await siteLayout(env, siteId);
  const pages = await Promise.all(allShards(env, layout).map((s) => s.stub.livePage(siteId, s.shard, q)));
  const counts = { visitors: 0, chatting: 0, withCart: 0, returning: 0 };
  for (const p of pages) {
    counts.visitors += p.counts.visitors;
    counts.chatting += p.counts.chatting;
    counts.withCart += p.counts.withCart;
    counts.returning += p.counts.returning;
  }
  const { visitors, more } = mergeLivePages(
    q.sort,
    pages.map((p) => p.visitors),
    q.limit,
    pages.some((p) => p.nextCursor !== null),
  );
  const last = visitors.at(-1);
  return { visitors, nextCursor: more && last ? encodeLiveCursor(q.sort, last) : null, counts };
}
