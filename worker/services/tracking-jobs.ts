/**
 * The deployment operator's jobs over visitor shards, each a bounded step that the caller repeats
 * until it answers `done` (scripts/tracking-jobs.mjs does), so no call runs long and a stopped
 * job resumes where it was:
 * - `migrateTracking`: moves a site's tracking rows from D1 (visitors, visits, page views, events,
 *   page orders: the store before issue 10) into its shards, 50 visitors a step in id order, with
 *   the cursor in D1's `tracking_migration`. Idempotent per visitor (VisitorShard.adopt), so a
 *   step that stopped half-way is simply run again. D1's rows stay until a later D1 migration
 *   drops the old tables (README, "Upgrading an existing deployment").
 * - `reshard`: raises a site's shard count to a larger power of two. The site's facts switch at
 *   once (visitor_shards = new, visitor_shards_from = old): a beacon for a visitor not copied yet
 *   makes the old shard hand them over. After the isolates' caches of the old count have expired,
 *   each step copies whole slots (a slot's visitors all go to one new shard); when every slot is
 *   copied, the old shards drop the slots they gave away and the reshard is done.
 */

import { forgetCachedSite } from "../db/secrets";
import type { MovedVisitor } from "../do/visitor-shard";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { isShardCount, shardOfSlot } from "../lib/shards";
import { allShards, forgetLayout, shardFor, shardRef, siteLayout } from "./visitor-shards";

const MIGRATE_BATCH = 50;
const RESHARD_BATCH = 200;
/** Longer than any isolate caches a site's shard count (db/secrets.ts 10 s, visitor-shards.ts 5 s). */
export const RESHARD_SETTLE_MS = 15_000;

export interface JobStep {
  done: boolean;
  moved: number;
  /** What the job waits for, when it did nothing this step. */
  waiting?: string;
}

export async function migrateTracking(env: Env, siteId: string): Promise<JobStep & { total: number }> {
  const layout = await siteLayout(env, siteId);
  await env.DB.prepare("INSERT INTO tracking_migration (site_id) VALUES (?) ON CONFLICT (site_id) DO NOTHING").bind(siteId).run();
  const state = (await env.DB.prepare("SELECT after_id, moved, done_at FROM tracking_migration WHERE site_id = ?")
    .bind(siteId)
    .first<{ after_id: string; moved: number; done_at: number | null }>())!;
  if (state.done_at) return { done: true, moved: 0, total: state.moved };
  const { results: visitors } = await env.DB.prepare("SELECT * FROM visitors WHERE site_id = ? AND id > ? ORDER BY id LIMIT ?")
    .bind(siteId, state.after_id, MIGRATE_BATCH)
    .all<Record<string, unknown>>();
  if (!visitors.length) {
    await env.DB.prepare("UPDATE tracking_migration SET done_at = ? WHERE site_id = ?").bind(Date.now(), siteId).run();
    return { done: true, moved: 0, total: state.moved };
  }
  const ids = JSON.stringify(visitors.map((v) => String(v.id)));
  const q = (sql: string) => env.DB.prepare(sql).bind(siteId, ids);
  const IN = "(SELECT value FROM json_each(?2))";
  const [visits, pageViews, events, orders, conversations] = await env.DB.batch<Record<string, unknown>>([
    q(`SELECT * FROM visits WHERE site_id = ?1 AND visitor_id IN ${IN}`),
    q(`SELECT * FROM page_views WHERE site_id = ?1 AND visitor_id IN ${IN} ORDER BY id`),
    q(`SELECT * FROM visitor_events WHERE site_id = ?1 AND visitor_id IN ${IN} ORDER BY id`),
    q(`SELECT * FROM orders WHERE site_id = ?1 AND visitor_id IN ${IN}`),
    q(`SELECT id, visitor_id FROM conversations WHERE site_id = ?1 AND visitor_id IN ${IN}`),
  ]);
  const by = (rows: Record<string, unknown>[] | undefined, id: string) => (rows ?? []).filter((r) => r.visitor_id === id);
  const perShard = new Map<number, MovedVisitor[]>();
  for (const v of visitors) {
    const id = String(v.id);
    const conversation = by(conversations!.results, id)[0];
    // A profile that matters beyond one visit stays in D1's directory, written behind from now on.
    const directory = v.chat_claimed_at !== null || v.verified === 1 || v.email !== null || conversation !== undefined ? 1 : 0;
    const moved: MovedVisitor = {
      row: { ...v, directory, conversation_id: conversation?.id ?? null, conversation_visitor_id: conversation ? id : null },
      visits: by(visits!.results, id),
      pageViews: by(pageViews!.results, id),
      events: by(events!.results, id),
      orders: by(orders!.results, id),
    };
    const home = shardFor(env, layout, id);
    perShard.set(home.shard, [...(perShard.get(home.shard) ?? []), moved]);
  }
  let moved = 0;
  for (const [shard, list] of perShard) moved += await shardRef(env, siteId, shard).stub.adopt(siteId, shard, list);
  const last = String(visitors[visitors.length - 1]!.id);
  await env.DB.batch([
    env.DB.prepare(`UPDATE visitors SET in_shard = 1 WHERE site_id = ?1 AND id IN ${IN} AND merged_into IS NULL`).bind(siteId, ids),
    env.DB.prepare("UPDATE tracking_migration SET after_id = ?2, moved = moved + ?3 WHERE site_id = ?1").bind(
      siteId,
      last,
      visitors.length,
    ),
  ]);
  return { done: false, moved, total: state.moved + visitors.length };
}

/** Starts (or continues) raising the site's shard count to `to`. */
export async function reshard(env: Env, siteId: string, to: number, now = Date.now()): Promise<JobStep & { from: number; to: number }> {
  if (!isShardCount(to)) throw new ApiError("validation_failed", "shards: a power of two from 1 to 1024.");
  forgetLayout(siteId);
  const layout = await siteLayout(env, siteId);
  let job = await env.DB.prepare("SELECT * FROM reshards WHERE site_id = ? AND done_at IS NULL")
    .bind(siteId)
    .first<{ from_shards: number; to_shards: number; started_at: number }>();
  if (!job) {
    if (to === layout.shards) return { done: true, moved: 0, from: to, to };
    if (to < layout.shards)
      throw new ApiError("validation_failed", "shards: a site's shard count only grows (merging shards is not supported).");
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO reshards (site_id, from_shards, to_shards, started_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (site_id) DO UPDATE SET from_shards = ?2, to_shards = ?3, started_at = ?4, done_at = NULL`,
      ).bind(siteId, layout.shards, to, now),
      env.DB.prepare("UPDATE sites SET visitor_shards = ?2, visitor_shards_from = ?3 WHERE id = ?1").bind(siteId, to, layout.shards),
    ]);
    forgetCachedSite(siteId);
    forgetLayout(siteId);
    job = { from_shards: layout.shards, to_shards: to, started_at: now };
  } else if (job.to_shards !== to) {
    throw new ApiError("conflict", `A reshard to ${job.to_shards} shards is under way; finish it first.`);
  }
  const from = job.from_shards;
  if (now - job.started_at < RESHARD_SETTLE_MS) return { done: false, moved: 0, from, to, waiting: "isolates' cached shard counts" };

  // Copy: slots not copied yet, a batch of visitors a step (a slot is marked once all of it is copied).
  let moved = 0;
  for (const source of allShards(env, { siteId, shards: from, from: null })) {
    for (const slot of await source.stub.slotsToCopy(siteId, source.shard, to)) {
      const dst = shardOfSlot(slot, to);
      let after = "";
      for (;;) {
        const ids = await source.stub.slotVisitors(siteId, source.shard, slot, after, RESHARD_BATCH);
        if (!ids.length) break;
        const batch = (await Promise.all(ids.map((id) => source.stub.exportVisitor(siteId, source.shard, id)))).filter((v) => v !== null);
        await shardRef(env, siteId, dst).stub.adopt(siteId, dst, batch);
        moved += ids.length;
        after = ids[ids.length - 1]!;
        if (ids.length < RESHARD_BATCH) break;
      }
      await source.stub.markSlotCopied(siteId, source.shard, slot);
      if (moved >= RESHARD_BATCH) return { done: false, moved, from, to };
    }
  }
  if (moved > 0) return { done: false, moved, from, to };

  // Every slot copied: the old shards let go of what they gave away; the site's facts settle.
  for (const s of allShards(env, { siteId, shards: from, from: null })) await s.stub.dropMoved(siteId, s.shard, to);
  await env.DB.batch([
    env.DB.prepare("UPDATE sites SET visitor_shards_from = NULL WHERE id = ?").bind(siteId),
    env.DB.prepare("UPDATE reshards SET done_at = ? WHERE site_id = ?").bind(now, siteId),
  ]);
  forgetCachedSite(siteId);
  forgetLayout(siteId);
  return { done: true, moved: 0, from, to };
}
