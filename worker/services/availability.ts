/**
 * What the widget tells a visitor about answering (`VisitorSessionResponse.availability`): the
 * shop's hours (zone, exceptions, or "online only when an operator is"), who is online (faces
 * and names, at most 3, from the site hub), the typical first reply of the last 7 days (from the
 * shop's `operator_first_answer` events; cached a few minutes per isolate), the next opening when
 * closed, and when to ask for an email (never when the profile has one).
 */
import type { OnlineOperator, SiteSettings, TypicalReplyTime } from "../../protocol";
import type { WidgetAvailability } from "../../protocol/offline";
import { firstAnswerWaits } from "../db/mail";
import type { Env } from "../env";
import { availability } from "../hours/availability";
import { REPLY_TIME_WINDOW_MS, typicalReplyTime } from "../hours/reply-time";

/** A typical reply time moves slowly; one D1 read per site every few minutes is plenty. */
export const REPLY_TIME_CACHE_MS = 5 * 60_000;
const MAX_SAMPLES = 2000;
const cache = new Map<string, { at: number; value: TypicalReplyTime | null }>();

export async function siteReplyTime(env: Env, siteId: string, now: number): Promise<TypicalReplyTime | null> {
  const hit = cache.get(siteId);
  if (hit && now - hit.at < REPLY_TIME_CACHE_MS) return hit.value;
  const samples = await firstAnswerWaits(env.DB, siteId, now - REPLY_TIME_WINDOW_MS, MAX_SAMPLES);
  const value = typicalReplyTime(samples, now);
  if (cache.size > 1000) cache.clear();
  cache.set(siteId, { at: now, value });
  return value;
}

/** Forget cached reply times (tests; a deployment never needs it). */
export function forgetReplyTimes(): void {
  cache.clear();
}

export async function widgetAvailability(
  env: Env,
  input: { siteId: string; settings: SiteSettings; operatorsOnline: OnlineOperator[]; hasEmail: boolean; now: number },
): Promise<WidgetAvailability> {
  const online = input.operatorsOnline.filter((o) => o.status === "online");
  const state = availability({
    schedule: input.settings.businessHours,
    operatorsOnline: online.length,
    operatorsAway: input.operatorsOnline.length - online.length,
    at: input.now,
  });
  const isOnline = state.state === "online";
  return {
    ...state,
    operators: isOnline ? online.slice(0, 3).map((o) => ({ name: o.name, avatarUrl: o.avatarUrl })) : [],
    typicalReply: isOnline ? await siteReplyTime(env, input.siteId, input.now) : null,
    // Away or closed: ask at once; online: after the site's delay (null: only when away or closed).
    askEmailAfterSeconds: input.hasEmail ? null : isOnline ? input.settings.askEmailAfterSeconds : 0,
  };
}
