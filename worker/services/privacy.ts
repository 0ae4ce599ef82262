/**
 * Export and erasure of one person (a profile and the anonymous ones merged into it), and the
 * retention job, over the site's visitor shards and D1. Erasure goes to the conversations'
 * Durable Objects first (so no outbox flush can bring a row back), then every visitor shard (each
 * waits for a directory write under way, so none lands after), then every D1 row, then the site
 * hub's inbox rows and routing. An erased id has no row anywhere, so its tokens start a new
 * anonymous visitor.
 */
import type { VisitorExport } from "../../protocol";
import {
  conversationsOfVisitors,
  deleteActivityBefore,
  type ExportRows,
  eraseRows,
  exportRows,
  sitesWithRetention,
  staleVisitorGroups,
} from "../db/privacy";
import { cartOf, deviceOf, parseJson, type RawVisitor, sourceOfVisit, toProfile, toShopOrder } from "../db/profiles";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { isConversationId } from "../lib/ids";
import { locateProfile } from "./visitor-reads";
import { allShards, type ShardLayout, shardFor, siteLayout } from "./visitor-shards";

const PARALLEL_ROOMS = 8;

const notFound = () => new ApiError("not_found", "No such visitor on this site.");

/** Everything stored about the person `visitorId` belongs to, conversations with their messages included. */
export async function exportVisitor(env: Env, siteId: string, visitorId: string): Promise<VisitorExport> {
  const layout = await siteLayout(env, siteId);
  const group = await visitorGroup(env, layout, visitorId);
  if (!group) throw notFound();
  const home = shardFor(env, layout, group.canonical.id);
  const [d1, shard] = await Promise.all([exportRows(env.DB, siteId, group.ids), home.stub.exportRows(siteId, home.shard, group.ids)]);
  const rows: ExportRows = {
    visitors: [...shard.visitors, ...d1.visitors],
    visits: [...shard.visits, ...d1.visits],
    pageViews: [...shard.pageViews, ...d1.pageViews],
    events: [...shard.events, ...d1.events],
    orders: [...shard.orders, ...d1.orders.filter((o) => !shard.orders.some((s) => s.order_id === o.order_id))],
    conversations: d1.conversations,
  };
  const histories = await Promise.all(
    rows.conversations
      .filter((r) => isConversationId(r.id))
      .map(async (r) => ({ row: r, room: await env.CONVERSATION.getByName(r.id).exportMessages(siteId) })),
  );
  return {
    exportedAt: Date.now(),
    siteId,
    profile: toProfile(group.canonical),
    visitorIds: group.ids,
    visits: rows.visits.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      lastAt: r.last_at,
      pageViews: r.page_views,
      source: sourceOfVisit(r),
      visitorId: r.visitor_id,
      device: deviceOf(r),
      country: r.country,
      city: r.city,
    })),
    pageViews: rows.pageViews.map((p) => ({
      visitorId: p.visitor_id,
      visitId: p.visit_id,
      url: p.url,
      title: p.title,
      at: p.at,
      durationMs: p.duration_ms,
    })),
    events: rows.events.map((e) => ({ visitorId: e.visitor_id, type: e.type, data: parseJson(e.data, null), at: e.at })),
    orders: rows.orders.map(toShopOrder),
    cart: cartOf(group.canonical),
    conversations: histories.map(({ row, room }) => ({
      id: row.id,
      visitorId: row.visitor_id,
      createdAt: row.created_at,
      status: row.status,
      messages: (room?.messages ?? []).map((m) => ({
        seq: m.seq,
        kind: m.kind,
        role: m.role,
        authorName: m.authorName,
        text: m.text,
        createdAt: m.createdAt,
      })),
    })),
  };
}

/** Erases the person `visitorId` belongs to; their tokens are dead afterwards (no row to resume). */
export async function eraseVisitor(env: Env, siteId: string, visitorId: string): Promise<{ visitorIds: string[]; conversations: number }> {
  const layout = await siteLayout(env, siteId);
  const group = await visitorGroup(env, layout, visitorId);
  if (!group) throw notFound();
  const { conversations, ids } = await eraseVisitors(env, layout, group.ids);
  return { visitorIds: ids, conversations };
}

/** The profile (following a merge, in any shard or D1) and every visitor id merged into it, wherever its tombstone is. */
export async function visitorGroup(
  env: Env,
  layout: ShardLayout,
  visitorId: string,
): Promise<{ canonical: RawVisitor; ids: string[] } | null> {
  const found = await locateProfile(env, layout, visitorId);
  if (!found) return null;
  const id = found.row.id;
  const [d1, ...shards] = await Promise.all([
    env.DB.prepare("SELECT id FROM visitors WHERE site_id = ? AND merged_into = ?").bind(layout.siteId, id).all<{ id: string }>(),
    ...allShards(env, layout).map((s) => s.stub.mergedInto(layout.siteId, s.shard, [id])),
  ]);
  const ids = new Set([id, ...d1.results.map((r) => r.id), ...shards.flat()]);
  return { canonical: found.row, ids: [...ids] };
}

async function eraseVisitors(env: Env, layout: ShardLayout, visitorIds: string[]): Promise<{ conversations: number; ids: string[] }> {
  if (!visitorIds.length) return { conversations: 0, ids: [] };
  const siteId = layout.siteId;
  const conversationIds = await conversationsOfVisitors(env.DB, siteId, visitorIds);
  const rooms = conversationIds.filter(isConversationId);
  for (let i = 0; i < rooms.length; i += PARALLEL_ROOMS) {
    await Promise.all(rooms.slice(i, i + PARALLEL_ROOMS).map((id) => env.CONVERSATION.getByName(id).erase(siteId)));
  }
  // Every shard: the profile's trail, tombstones merged into it, pending pings, presence.
  const ids = new Set(visitorIds);
  let round = [...visitorIds];
  for (let pass = 0; pass < 3 && round.length; pass++) {
    const found = (await Promise.all(allShards(env, layout).map((s) => s.stub.erase(siteId, s.shard, round)))).flat();
    round = found.filter((id) => !ids.has(id));
    for (const id of round) ids.add(id);
  }
  visitorIds = [...ids];
  await eraseRows(env.DB, siteId, visitorIds, conversationIds);
  await env.SITE_HUB.getByName(siteId).forgetVisitors(siteId, visitorIds, conversationIds);
  return { conversations: conversationIds.length, ids: visitorIds };
}

const PROFILES_PER_ROUND = 100;
/** Activity rows per table a shard deletes in one call (bounded work per call). */
const ACTIVITY_CHUNK = 2_000;
const ROUNDS_PER_RUN = 20;
const DAY_MS = 86_400_000;

/**
 * The retention job (cron): per site with `retentionDays`, people last seen before the cutoff are
 * erased with their conversations, and older visits, page views and events of everyone else
 * are deleted. Bounded per run; the next run continues.
 */
export async function runRetention(env: Env, now: number): Promise<{ siteId: string; visitors: number; conversations: number }[]> {
  const report = [];
  for (const { siteId, days } of await sitesWithRetention(env.DB)) {
    const cutoff = now - days * DAY_MS;
    let visitors = 0;
    let conversations = 0;
    try {
      const layout = await siteLayout(env, siteId);
      // Each shard in bounded chunks: its stale profiles, then its older activity.
      for (const s of allShards(env, layout)) {
        for (let round = 0; round < ROUNDS_PER_RUN; round++) {
          const stale = await s.stub.staleProfiles(siteId, s.shard, cutoff, PROFILES_PER_ROUND);
          if (!stale.length) break;
          const erased = await eraseVisitors(env, layout, stale);
          conversations += erased.conversations;
          visitors += erased.ids.length;
          if (stale.length < PROFILES_PER_ROUND) break;
        }
        for (let round = 0; round < ROUNDS_PER_RUN; round++) {
          if ((await s.stub.deleteActivityBefore(siteId, s.shard, cutoff, ACTIVITY_CHUNK)) < ACTIVITY_CHUNK) break;
        }
      }
      // Profiles only D1's directory holds (and rows from before the shards).
      for (let round = 0; round < ROUNDS_PER_RUN; round++) {
        const { profiles, ids } = await staleVisitorGroups(env.DB, siteId, cutoff, PROFILES_PER_ROUND);
        if (!ids.length) break;
        const erased = await eraseVisitors(env, layout, ids);
        conversations += erased.conversations;
        visitors += erased.ids.length;
        if (profiles < PROFILES_PER_ROUND) break;
      }
      await deleteActivityBefore(env.DB, siteId, cutoff);
    } catch (err) {
      console.error("retention failed for a site; the next run retries", { siteId, error: String(err) });
    }
    report.push({ siteId, visitors, conversations });
  }
  return report;
}
