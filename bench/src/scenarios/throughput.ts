/**
 * Scenario 2, throughput of one conversation: a visitor keeps `window` sends unacknowledged for
 * the whole run, so the conversation is never idle; the figure is acknowledged (for Gadka:
 * stored) messages per second after the warm-up. The window sender checks that no message is
 * lost or reordered on either socket.
 */
import type { Integrity } from "../lib/integrity";
import { type Distribution, distribution, round } from "../lib/stats";
import { pump } from "../lib/window-sender";
import type { ThroughputPlan } from "../plan";
import type { Target } from "../targets/target";

export interface ThroughputResult {
  messagesPerSecond: number;
  sent: number;
  /** Send → ack with the window full: mostly time spent queued behind earlier messages. */
  ackLatency: Distribution;
  integrity: Integrity;
}

export async function throughput(target: Target, plan: ThroughputPlan): Promise<ThroughputResult> {
  const durationMs = (plan.warmupSeconds + plan.seconds) * 1000;
  const run = await pump(await target.newConversation(), {
    window: plan.window,
    durationMs,
    timeoutMs: durationMs + 30_000,
  });
  const from = run.startedAt + plan.warmupSeconds * 1000;
  const to = run.startedAt + durationMs;
  const counted = run.ackTimes.filter((t) => t >= from && t < to).length;
  return {
    messagesPerSecond: round(counted / plan.seconds),
    sent: run.sent,
    ackLatency: distribution(run.ackLatencies),
    integrity: run.integrity,
  };
}
