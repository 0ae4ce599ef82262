/**
 * Erasing people: the conversations' Durable Objects first (so no outbox flush can bring a row
 * back), then every D1 row, then the site hub's live entry, inbox rows and routing state.
 * Used by the GDPR erase endpoint and the retention job.
 */
import { conversationsOfVisitors, deleteActivityBefore, eraseRows, sitesWithRetention, staleVisitorGroups } from "../db/privacy";
import type { Env } from "../env";
import { isConversationId } from "./ids";

const PARALLEL_ROOMS = 8;

export async function eraseVisitors(env: Env, siteId: string, visitorIds: string[]): Promise<{ conversations: number }> {
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
