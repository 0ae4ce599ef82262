/**
 * Message invariants of the fault test, per conversation: every acknowledged message is stored
 * exactly once, everyone saw the same order and missed nothing from their first message on, and
 * each side's own messages are stored in the order written. Pure; only the fault test imports it.
 */
import type { ChatMessage } from "../../protocol";
import type { Participant } from "./participant";

export interface MessageCounts {
  sent: number;
  acknowledged: number;
  /** Messages written by participants (the room's own events and notes are not counted). */
  stored: number;
  duplicated: number;
  missing: number;
  reordered: number;
  unacknowledged: number;
}

export function emptyCounts(): MessageCounts {
  return { sent: 0, acknowledged: 0, stored: 0, duplicated: 0, missing: 0, reordered: 0, unacknowledged: 0 };
}

/** Adds one conversation's counts (its stored history, operator view, and everyone in it) to `into`. */
export function countMessages(into: MessageCounts, messages: ChatMessage[], participants: Participant[]): void {
  into.stored += messages.filter((m) => m.role !== "system").length;
  const bySeq = new Map(messages.map((m) => [m.seq, m.clientId]));
  const count = new Map<string, number>();
  for (const m of messages) count.set(m.clientId, (count.get(m.clientId) ?? 0) + 1);
  into.duplicated += [...count.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
  for (const p of participants) {
    into.sent += p.sent.length;
    into.acknowledged += p.acked.size;
    into.unacknowledged += p.sent.filter((id) => !p.acked.has(id)).length;
    for (const [clientId, seq] of p.acked) if (bySeq.get(seq) !== clientId) into.missing++;
    // Same order for everyone: each seq this participant saw holds the stored message, and it saw
    // every stored message meant for it from its first one on (no gaps after resumes).
    for (const [seq, clientId] of p.seen) if (bySeq.get(seq) !== clientId) into.reordered++;
    for (const m of messages) {
      const meant = p.audience === "operator" || m.kind !== "note";
      if (meant && p.firstSeq !== null && m.seq >= p.firstSeq && !p.seen.has(m.seq)) into.missing++;
    }
    // A participant's own messages are stored in the order it wrote them.
    const own = p.sent.map((id) => p.acked.get(id)).filter((s): s is number => s !== undefined);
    for (let i = 1; i < own.length; i++) if (own[i]! <= own[i - 1]!) into.reordered++;
  }
}
