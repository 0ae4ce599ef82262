/**
 * Export and erasure of one person (a profile and the anonymous ones merged into it), and the
 * retention job. Erasure goes to the conversations' Durable Objects first (so no outbox flush can
 * bring a row back), then every D1 row, then the site hub's live entry, inbox rows and routing.
 */
import type { VisitorExport } from "../../protocol";
import {
  conversationsOfVisitors,
  deleteActivityBefore,
  eraseRows,
  exportRows,
  sitesWithRetention,
  staleVisitorGroups,
  visitorGroup,
} from "../db/privacy";
import { cartOf, deviceOf, parseJson, sourceOfVisit, toProfile, toShopOrder } from "../db/profiles";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { isConversationId } from "../lib/ids";

const PARALLEL_ROOMS = 8;

const notFound = () => new ApiError("not_found", "No such visitor on this site.");

/** Everything stored about the person `visitorId` belongs to, conversations with their messages included. */
export async function exportVisitor(env: Env, siteId: string, visitorId: string): Promise<VisitorExport> {
  const group = await visitorGroup(env.DB, siteId, visitorId);
  if (!group) throw notFound();
  const rows = await exportRows(env.DB, siteId, group.ids);
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
  const group = await visitorGroup(env.DB, siteId, visitorId);
  if (!group) throw notFound();
  const { conversations } = await eraseVisitors(env, siteId, group.ids);
  return { visitorIds: group.ids, conversations };
}

async function eraseVisitors(env: Env, siteId: string, visitorIds: string[]): Promise<{ conversations: number }> {
  if (!visitorIds.length) return { conversations: 0 };
  const conversationIds = await conversationsOfVisitors(env.DB, siteId, visitorIds);
  const rooms = conversationIds.filter(isConversationId);
  for (let i = 0; i < rooms.length; i += PARALLEL_ROOMS) {
    await Promise.all(rooms.slice(i, i + PARALLEL_ROOMS).map((id) => env.CONVERSATION.getByName(id).erase(siteId)));
  }
  await eraseRows(env.DB, siteId, visitorIds, conversationIds);
  await env.SITE_HUB.getByName(siteId).forgetVisitors(siteId, visitorIds, conversationIds);
  return { conversations: conversationIds.length };
}

const PROFILES_PER_ROUND = 100;
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
      for (let round = 0; round < ROUNDS_PER_RUN; round++) {
        const { profiles, ids } = await staleVisitorGroups(env.DB, siteId, cutoff, PROFILES_PER_ROUND);
        if (!ids.length) break;
        conversations += (await eraseVisitors(env, siteId, ids)).conversations;
        visitors += ids.length;
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
