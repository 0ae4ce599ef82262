/**
 * Scenario 5, resume: a visitor reconnects into a long conversation, as after every deploy or
 * network change. Timed from `start()` (before the TCP connect) to the client being ready:
 * once with no resume point (the latest page arrives in `hello`) and once holding everything up
 * to `after` (exactly the missed messages arrive). Gadka only: the floor keeps no history.
 */
import { openClient } from "../lib/conversation-socket";
import type { Integrity } from "../lib/integrity";
import { type Distribution, distribution } from "../lib/stats";
import { pump } from "../lib/window-sender";
import type { ResumePlan } from "../plan";
import type { ConversationEndpoints, Target } from "../targets/target";

export interface ResumeResult {
  latestPage: Distribution;
  fromAfter: Distribution;
  fillSeconds: number;
  integrity: Integrity;
}

/**
 * The fill is setup, not a figure: it uses the window local workerd stores fastest (measured:
 * 50 in flight beats both 10 and 200).
 */
const FILL_WINDOW = 50;
/** The first reconnects wake the object and warm its page cache; they are not counted. */
const WARMUP_RECONNECTS = 2;

export async function resume(target: Target, plan: ResumePlan): Promise<ResumeResult> {
  const conversation = await target.newConversation();
  const fillStart = performance.now();
  const fill = await pump(conversation, { window: FILL_WINDOW, count: plan.messages, timeoutMs: 300_000 });
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const latestPage = await reconnects(conversation, null, plan);
  const fromAfter = await reconnects(conversation, plan.after, plan);
  return {
    latestPage: distribution(latestPage.times),
    fromAfter: distribution(fromAfter.times),
    fillSeconds: Math.round(fillSeconds * 10) / 10,
    integrity: { ...fill.integrity, lost: fill.integrity.lost + latestPage.behind + fromAfter.behind },
  };
}

async function reconnects(conversation: ConversationEndpoints, after: number | null, plan: ResumePlan): Promise<Timed> {
  const times: number[] = [];
  let behind = 0;
  for (let i = 0; i < WARMUP_RECONNECTS + plan.reconnects; i++) {
    let lastSeq = -1;
    const { client, readyMs } = await openClient(conversation.visitor, {
      lastSeq: after,
      onFrame: (frame) => {
        if (frame.type === "hello") lastSeq = frame.conversation.lastSeq;
      },
    });
    client.stop();
    // Ready but behind would be a resume that misses messages: counted as lost.
    behind += Math.max(0, lastSeq - (client.lastSeq ?? 0));
    if (i >= WARMUP_RECONNECTS) times.push(readyMs);
  }
  return { times, behind };
}

interface Timed {
  times: number[];
  /** Messages the reconnected clients lacked once ready. */
  behind: number;
}
