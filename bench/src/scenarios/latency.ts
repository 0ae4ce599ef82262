/**
 * Scenario 1, delivery latency under load: many conversations, each with a visitor and an
 * operator socket; every visitor sends at a steady rate (the conversations' phases spread over
 * the interval, as independent people would), and each message is timed from the visitor's send
 * to the `message` frame on that conversation's operator socket — one process, one clock.
 */
import { mapLimit, range, sleep, waitFor } from "../lib/async";
import { openClient } from "../lib/conversation-socket";
import { checkStreams, type Integrity, SeqStream } from "../lib/integrity";
import { type Distribution, distribution } from "../lib/stats";
import type { LatencyPlan } from "../plan";
import type { Target } from "../targets/target";

export interface LatencyResult {
  latency: Distribution;
  sent: number;
  integrity: Integrity;
}

export async function deliveryLatency(target: Target, plan: LatencyPlan): Promise<LatencyResult> {
  const sentAt = new Map<string, { t0: number; counted: boolean }>();
  const samples: number[] = [];
  let drops = 0;
  const onDrop = () => drops++;

  const conversations = await mapLimit(range(plan.conversations), 8, () => target.newConversation());
  const pairs = await mapLimit(conversations, 8, async (c) => {
    const acks = new SeqStream();
    const deliveries = new SeqStream();
    const operator = await openClient(c.operator, {
      onDrop,
      onFrame: (frame) => {
        if (frame.type !== "message") return;
        const at = performance.now();
        deliveries.see(frame.message.seq);
        const sent = sentAt.get(frame.message.clientId);
        if (!sent) return;
        sentAt.delete(frame.message.clientId);
        if (sent.counted) samples.push(at - sent.t0);
      },
    });
    const visitor = await openClient(c.visitor, {
      onDrop,
      onFrame: (frame) => {
        if (frame.type === "ack") acks.see(frame.message.seq);
      },
    });
    return { visitor: visitor.client, operator: operator.client, acks, deliveries };
  });

  const interval = 1000 / plan.messagesPerSecond;
  const start = performance.now() + 100;
  const countFrom = start + plan.warmupSeconds * 1000;
  const end = countFrom + plan.seconds * 1000;
  const timers = pairs.map((pair, i) => {
    let k = 0;
    const next = (): NodeJS.Timeout | null => {
      const at = start + (i / pairs.length) * interval + k++ * interval;
      if (at >= end) return null;
      return setTimeout(() => {
        const t0 = performance.now();
        const { clientId } = pair.visitor.send(`latency probe ${k}`);
        sentAt.set(clientId, { t0, counted: t0 >= countFrom });
        pair.acks.expected++;
        pair.deliveries.expected++;
        timers[i] = next();
      }, at - performance.now());
    };
    return next();
  });

  await sleep(end - performance.now());
  await waitFor(() => sentAt.size === 0 && pairs.every((p) => p.visitor.unacknowledged.length === 0), 10_000);
  for (const t of timers) if (t) clearTimeout(t);
  for (const p of pairs) {
    p.visitor.stop();
    p.operator.stop();
  }
  const streams = pairs.flatMap((p) => [p.acks, p.deliveries]);
  return {
    latency: distribution(samples),
    sent: pairs.reduce((n, p) => n + p.acks.expected, 0),
    integrity: checkStreams(streams, drops),
  };
}
