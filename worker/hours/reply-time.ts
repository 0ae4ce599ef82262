/**
 * The shop's typical reply time for the widget ("usually replies in 2 min"): the median of its
 * first responses of the last 7 days, rounded up to a friendly step. Pure; the caller reads the
 * first responses (conversation events) and may bound its read with REPLY_TIME_WINDOW_MS.
 */
import type { TypicalReplyTime } from "../../protocol/hours";

export const REPLY_TIME_WINDOW_MS = 7 * 86_400_000;
/**
 * Fewer first responses than this give no figure: with 4, one lucky quick answer is half of
 * what the median stands on; with 5 it takes three alike to set it.
 */
export const MIN_REPLY_SAMPLES = 5;

// Steps a person reads at a glance; a median between two steps rounds up to the larger, so the
// widget never promises faster than the shop measured (4 min 10 s → "5 min").
const MINUTE_STEPS = [1, 2, 3, 4, 5, 10, 15, 20, 30, 45];
const HOUR_STEPS = [1, 2, 3, 4, 6, 8, 12, 24];

export interface FirstResponse {
  /** When the operator's first answer was sent (epoch ms). */
  at: number;
  /** How long the visitor waited for it, in ms. */
  waitedMs: number;
}

/**
 * The figure to show, or null: fewer than MIN_REPLY_SAMPLES answers in the window, or a median
 * over a day (a widget that says "replies in 3 days" helps nobody; the offline state and email
 * capture say it better).
 */
export function typicalReplyTime(responses: readonly FirstResponse[], now: number): TypicalReplyTime | null {
  const waits = responses
    .filter((r) => r.at > now - REPLY_TIME_WINDOW_MS && r.at <= now && Number.isFinite(r.waitedMs) && r.waitedMs >= 0)
    .map((r) => r.waitedMs)
    .sort((a, b) => a - b);
  if (waits.length < MIN_REPLY_SAMPLES) return null;
  const mid = waits.length >> 1;
  const median = waits.length % 2 ? waits[mid]! : (waits[mid - 1]! + waits[mid]!) / 2;
  if (median < 60_000) return { unit: "underMinute" };
  const minutes = Math.ceil(median / 60_000);
  const minuteStep = MINUTE_STEPS.find((s) => s >= minutes);
  if (minuteStep !== undefined) return { unit: "minutes", value: minuteStep };
  const hourStep = HOUR_STEPS.find((s) => s >= median / 3_600_000);
  return hourStep === undefined ? null : { unit: "hours", value: hourStep };
}
