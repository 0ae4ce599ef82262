/**
 * Reaching a site's visitor shards: which shard holds a visitor (worker/lib/shards.ts), every
 * shard of a site for the scatter-gather reads, and a site's shard count (D1, cached for a few
 * seconds per isolate like the beacon's site facts). While a reshard runs (`from` set), a
 * visitor not found in their new shard is looked for in the one they used to live in.
 */
import type { Env } from "../env";
import { shardName, shardOf } from "../lib/shards";

export interface ShardLayout {
  siteId: string;
  shards: number;
  /** The shard count before a reshard under way; null when none runs. */
  from: number | null;
}

export interface ShardRef {
  shard: number;
  stub: DurableObjectStub<import("../do/visitor-shard").VisitorShard>;
}

export function shardRef(env: Env, siteId: string, shard: number): ShardRef {
  return { shard, stub: env.VISITOR_SHARD.getByName(shardName(siteId, shard)) };
}

/** The shard that holds (or will hold) this visitor. */
export function shardFor(env: Env, layout: ShardLayout, visitorId: string): ShardRef {
  return shardRef(env, layout.siteId, shardOf(visitorId, layout.shards));
}

/** The shard the visitor lived in before the reshard under way, when it differs. */
export function previousShardFor(env: Env, layout: ShardLayout, visitorId: string): ShardRef | null {
  if (layout.from === null) return null;
  const before = shardOf(visitorId, layout.from);
  return before === shardOf(visitorId, layout.shards) ? null : shardRef(env, layout.siteId, before);
}

/** Every shard of the site (and, during a reshard, every old one too: they are the same objects' prefix). */
export function allShards(env: Env, layout: ShardLayout): ShardRef[] {
  const n = Math.max(layout.shards, layout.from ?? 0);
  return Array.from({ length: n }, (_, i) => shardRef(env, layout.siteId, i));
}

const TTL_MS = 5_000;
const cache = new Map<string, { at: number; layout: ShardLayout }>();

export async function siteLayout(env: Env, siteId: string): Promise<ShardLayout> {
  const hit = cache.get(siteId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.layout;
  const r = await env.DB.prepare("SELECT visitor_shards, visitor_shards_from FROM sites WHERE id = ?")
    .bind(siteId)
    .first<{ visitor_shards: number; visitor_shards_from: number | null }>();
  const layout = { siteId, shards: r?.visitor_shards ?? 1, from: r?.visitor_shards_from ?? null };
  if (cache.size > 1000) cache.clear();
  cache.set(siteId, { at: Date.now(), layout });
  return layout;
}

export function forgetLayout(siteId: string): void {
  cache.delete(siteId);
}
