/**
 * Scenario 3, fan-out: one conversation watched by many operator sockets (a busy team all
 * looking at one chat). A visitor sends one message at a time; the figure is the time until the
 * last operator socket has it.
 */
import { mapLimit, range, sleep } from "../lib/async";
import { openClient } from "../lib/conversation-socket";
import { checkStreams, type Integrity, SeqStream } from "../lib/integrity";
import { type Distribution, distribution } from "../lib/stats";
import type { FanOutPlan } from "../plan";
import type { Target } from "../targets/target";

export interface FanOutResult {
  lastRecipient: Distribution;
  firstRecipient: Distribution;
  integrity: Integrity;
}

/** A message not everywhere within this is counted as lost, and the run goes on. */
const SAMPLE_TIMEOUT_MS = 5_000;
/** Pause between samples, so each one measures an idle room rather than a queue. */
const GAP_MS = 10;

export async function fanOut(target: Target, plan: FanOutPlan): Promise<FanOutResult> {
  const conversation = await target.newConversation();
  let drops = 0;
  const onDrop = () => drops++;
  let current: { clientId: string; t0: number; arrivals: number[]; done(): void } | null = null;

  const streams = range(plan.operators).map(() => new SeqStream());
  const operators = await mapLimit(streams, 8, (stream) =>
    openClient(conversation.operator, {
      onDrop,
      onFrame: (frame) => {
        if (frame.type !== "message") return;
        const at = performance.now();
        stream.see(frame.message.seq);
        if (frame.message.clientId !== current?.clientId) return;
        current.arrivals.push(at - current.t0);
        if (current.arrivals.length === plan.operators) current.done();
      },
    }),
  );
  const { client: visitor } = await openClient(conversation.visitor, { onDrop });

  const last: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < plan.warmupSamples + plan.samples; i++) {
    const arrivals: number[] = [];
    const complete = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), SAMPLE_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const t0 = performance.now();
      const { clientId } = visitor.send(`fan-out probe ${i}`);
      current = { clientId, t0, arrivals, done };
    });
    for (const s of streams) s.expected++;
    if (complete && i >= plan.warmupSamples) {
      last.push(arrivals[arrivals.length - 1]!);
      first.push(arrivals[0]!);
    }
    await sleep(GAP_MS);
  }

  visitor.stop();
  for (const o of operators) o.client.stop();
  return { lastRecipient: distribution(last), firstRecipient: distribution(first), integrity: checkStreams(streams, drops) };
}
