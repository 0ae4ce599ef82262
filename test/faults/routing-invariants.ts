/**
 * Routing invariants of the fault test, checked from what the operators' dashboards received and
 * from the server's final state. Pure (no I/O), so each check is tested on its own with made-up
 * frame sequences (routing-invariants.test.ts). Only the fault test imports it.
 *
 * Frames may be missed while a dashboard reconnects, so nothing here assumes a dashboard saw every
 * change: per conversation, summaries are ordered by their revision (the room's, +1 per change);
 * frames on one connection arrive in the hub's order; and a snapshot is followed at once by the
 * queue as of the same moment. Times compared across sources are of one machine's clock, and only
 * in the direction that cannot mislead (noted at each check).
 */
import type {
  AssignmentEvent,
  ChatMessage,
  ConversationSummary,
  InboxSnapshotFrame,
  InboxUpdateFrame,
  OnlineOperator,
  PresenceFrame,
  QueueStateFrame,
} from "../../protocol";

export type RoutingFrame = InboxSnapshotFrame | InboxUpdateFrame | QueueStateFrame | PresenceFrame;

export interface HubObservation {
  /** The dashboard that received the frame. */
  desk: string;
  /** Which of its connections (each starts with a snapshot). */
  connection: number;
  /** Local receive time (ms). */
  at: number;
  frame: RoutingFrame;
}

export interface RoutedConversation {
  id: string;
  /** When the test began creating it (local clock): it cannot have arrived at the hub before. */
  startedAt: number;
  /** Its whole history as operators see it (notes and events too), in seq order. */
  messages: ChatMessage[];
  /** Its row in the server's final state (the conversation list). */
  final: ConversationSummary;
}

export interface RoutingInput {
  operators: { id: string; name: string; cap: number }[];
  /** Every routing frame every dashboard received, in the order received. */
  observations: HubObservation[];
  conversations: RoutedConversation[];
  /**
   * A dashboard connected once everything settled: its snapshot and the queue sent right after
   * it, the hub's inbox, seats and queue at one moment.
   */
  audit: { conversations: ConversationSummary[]; operatorsOnline: OnlineOperator[]; queue: string[] };
}

export interface OperatorPeak {
  operatorId: string;
  cap: number;
  /** Most conversations held at once, from the rooms' assignment events and resolutions. */
  held: number;
  /** Highest `load` the hub reported for them in a presence list. */
  load: number;
}

export interface RoutingReport {
  /** Operators that joined a conversation (its `joined` events), and those that were hand-overs. */
  assignments: number;
  handOvers: number;
  peaks: OperatorPeak[];
  /** One sentence per violation, by invariant. */
  violations: {
    /** A conversation held by two operators (routed again while held; one revision, two holders). */
    holder: string[];
    /** An operator above their cap. */
    cap: string[];
    /** The queue not served in arrival order. */
    queue: string[];
    /** The settled end state: nobody waits while a seat is free, hub and rooms agree on seats. */
    final: string[];
    /** A conversation given a seat before its visitor wrote anything. */
    early: string[];
  };
}

interface Join {
  seq: number;
  at: number;
  operatorId: string;
  handOver: boolean;
}

export function checkRouting(input: RoutingInput): RoutingReport {
  const byName = new Map(input.operators.map((o) => [o.name, o.id]));
  const joins = new Map(input.conversations.map((c) => [c.id, joinsOf(c.messages, byName)]));
  const violations: RoutingReport["violations"] = { holder: [], cap: [], queue: [], final: [], early: [] };
  checkHolders(input, joins, violations.holder);
  const peaks = checkCaps(input, joins, violations.cap);
  checkQueue(input, joins, violations.queue);
  checkFinal(input, violations.final);
  checkEarlySeats(input.conversations, joins, violations.early);
  const all = [...joins.values()].flat();
  return { assignments: all.length, handOvers: all.filter((j) => j.handOver).length, peaks, violations };
}

/**
 * The operators who joined a conversation, in seq order. A join is a hand-over when the room
 * recorded a transfer or re-assignment to that operator after the previous join and before the
 * next one (today it writes that note right after the `joined` event).
 */
function joinsOf(messages: ChatMessage[], byName: Map<string, string>): Join[] {
  const joined = messages.filter((m) => m.kind === "event" && assignment(m)?.type === "joined");
  const handOvers = messages.filter((m) => m.kind === "note" && assignment(m)?.type !== undefined && assignment(m)?.type !== "joined");
  return joined.map((m, i) => {
    const name = assignment(m)!.operatorName;
    const after = i > 0 ? joined[i - 1]!.seq : 0;
    const before = joined[i + 1]?.seq ?? Number.POSITIVE_INFINITY;
    const handOver = handOvers.some((n) => n.seq > after && n.seq < before && assignment(n)!.operatorName === name);
    return { seq: m.seq, at: m.createdAt, operatorId: byName.get(name) ?? `unknown operator "${name}"`, handOver };
  });
}

function assignment(m: ChatMessage): AssignmentEvent | null {
  const e = m.event;
  return e && (e.type === "joined" || e.type === "transferred" || e.type === "reassigned") ? e : null;
}

/** Whether the conversation was resolved between two seqs (a released seat may be routed again). */
function resolvedBetween(messages: ChatMessage[], after: number, before: number): boolean {
  return messages.some((m) => m.seq > after && m.seq < before && m.event?.type === "status" && m.event.status === "resolved");
}

/**
 * Each conversation is held by at most one operator at a time.
 * - History: every join after the first is a hand-over, or follows a resolution. Another join
 *   means routing gave a conversation that already had an operator to someone (again).
 * - Dashboards, by revision: all summaries of one revision name the same holder (a revision is
 *   one state of the room; a dashboard keeps the first summary of a revision, so a second one
 *   would never be shown), and wherever the holder changes from one operator to another between
 *   consecutive revisions seen, the room recorded a hand-over to the new one in between (by the
 *   summaries' `lastSeq`). Revisions a dashboard missed cannot hide a change: the next one seen
 *   still names the new holder.
 */
function checkHolders(input: RoutingInput, joins: Map<string, Join[]>, out: string[]): void {
  for (const c of input.conversations) {
    const js = joins.get(c.id)!;
    for (let i = 1; i < js.length; i++) {
      const j = js[i]!;
      if (j.handOver || resolvedBetween(c.messages, js[i - 1]!.seq, j.seq)) continue;
      out.push(`${c.id}: routed to ${j.operatorId} at seq ${j.seq} while ${js[i - 1]!.operatorId} held it (no hand-over)`);
    }
  }
  const seen = new Map<string, Map<number, { s: ConversationSummary; desk: string }>>();
  for (const o of input.observations) {
    const summaries =
      o.frame.type === "inbox.snapshot" ? o.frame.conversations : o.frame.type === "inbox.update" ? [o.frame.conversation] : [];
    for (const s of summaries) {
      const revs = seen.get(s.id) ?? new Map<number, { s: ConversationSummary; desk: string }>();
      seen.set(s.id, revs);
      const known = revs.get(s.rev);
      if (!known) revs.set(s.rev, { s, desk: o.desk });
      else if (known.s.assigneeId !== s.assigneeId || known.s.status !== s.status) {
        out.push(
          `${s.id}: revision ${s.rev} seen as ${known.s.assigneeId}/${known.s.status} (${known.desk}) and ${s.assigneeId}/${s.status} (${o.desk})`,
        );
      }
    }
  }
  const messagesOf = new Map(input.conversations.map((c) => [c.id, c.messages]));
  for (const [id, revs] of seen) {
    const ordered = [...revs.values()].map((r) => r.s).sort((a, b) => a.rev - b.rev);
    for (let i = 1; i < ordered.length; i++) {
      const prev = ordered[i - 1]!;
      const next = ordered[i]!;
      if (!prev.assigneeId || !next.assigneeId || prev.assigneeId === next.assigneeId || prev.status === "resolved") continue;
      const messages = messagesOf.get(id) ?? [];
      const handedOver = (joins.get(id) ?? []).some(
        (j) => j.handOver && j.operatorId === next.assigneeId && j.seq > prev.lastSeq && j.seq <= next.lastSeq,
      );
      if (handedOver || resolvedBetween(messages, prev.lastSeq, next.lastSeq + 1)) continue;
      out.push(`${id}: holder went from ${prev.assigneeId} (rev ${prev.rev}) to ${next.assigneeId} (rev ${next.rev}) without a hand-over`);
    }
  }
}

/**
 * No operator above their cap through routing (the test makes no transfers or takes, and no
 * visitor writes after a resolution, so every seat is routing's).
 * - The hub's own count: every `load` in a presence list is within `maxChats`.
 * - The rooms' record: an operator holds a conversation from its join (the room's clock when the
 *   assignment arrived) until the next join or its resolution. The hub frees a seat only after
 *   the room resolved, and a join is recorded after the hub decided it, so on this one clock a
 *   seat freed before it was taken again can never look overlapping.
 */
function checkCaps(input: RoutingInput, joins: Map<string, Join[]>, out: string[]): OperatorPeak[] {
  const caps = new Map(input.operators.map((o) => [o.id, o.cap]));
  const peakLoad = new Map<string, number>();
  const reported = new Set<string>();
  for (const o of input.observations) {
    const online = o.frame.type === "inbox.snapshot" || o.frame.type === "presence" ? o.frame.operatorsOnline : [];
    for (const op of online) {
      peakLoad.set(op.id, Math.max(peakLoad.get(op.id) ?? 0, op.load));
      const key = `${op.id}:${op.load}`;
      if (op.load > op.maxChats && !reported.has(key)) {
        reported.add(key);
        out.push(`hub: ${op.id} at load ${op.load} over cap ${op.maxChats} (first seen by ${o.desk})`);
      }
    }
  }
  const events: { at: number; delta: 1 | -1; operatorId: string; id: string }[] = [];
  for (const c of input.conversations) {
    const js = joins.get(c.id)!;
    js.forEach((j, i) => {
      events.push({ at: j.at, delta: 1, operatorId: j.operatorId, id: c.id });
      const resolvedAt =
        c.final.status === "resolved" && c.final.resolvedAt !== null && c.final.resolvedAt >= j.at ? c.final.resolvedAt : null;
      const end = js[i + 1]?.at ?? resolvedAt;
      if (end !== null) events.push({ at: end, delta: -1, operatorId: j.operatorId, id: c.id });
    });
  }
  // A release and a take in the same millisecond: the release first (it made the seat free).
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const holding = new Map<string, Set<string>>();
  const peakHeld = new Map<string, number>();
  for (const e of events) {
    const held = holding.get(e.operatorId) ?? new Set<string>();
    holding.set(e.operatorId, held);
    if (e.delta === -1) {
      held.delete(e.id);
      continue;
    }
    held.add(e.id);
    peakHeld.set(e.operatorId, Math.max(peakHeld.get(e.operatorId) ?? 0, held.size));
    const cap = caps.get(e.operatorId) ?? 0;
    if (held.size > cap) out.push(`rooms: ${e.operatorId} held ${held.size} over cap ${cap} at ${e.at} (${[...held].join(", ")})`);
  }
  return input.operators.map((o) => ({ operatorId: o.id, cap: o.cap, held: peakHeld.get(o.id) ?? 0, load: peakLoad.get(o.id) ?? 0 }));
}

/**
 * The queue is served in arrival order: a conversation that joined it later never gets an
 * operator before one that waited longer.
 * - Queue lists, per dashboard in the order received (across its reconnects: a later frame was
 *   made later): among conversations in two consecutive lists the order stays the same, and none
 *   leaves while one ahead of it stays. One that leaves without ever getting an operator (and
 *   without being resolved) was dropped from the queue.
 * - Newcomers: a conversation the test began creating after a dashboard had been shown `a`
 *   waiting arrived after `a`. If one connection shows it with an operator (snapshot or update)
 *   and then, later on the same connection, a queue that still holds `a`, it was served while
 *   `a` waited — whether or not it was ever queued itself.
 */
function checkQueue(input: RoutingInput, joins: Map<string, Join[]>, out: string[]): void {
  const startedAt = new Map(input.conversations.map((c) => [c.id, c.startedAt]));
  const resolved = new Set(input.conversations.filter((c) => c.final.status === "resolved").map((c) => c.id));
  const firstQueued = new Map<string, number>();
  for (const o of input.observations) {
    if (o.frame.type !== "queue.state") continue;
    for (const id of o.frame.conversationIds) if (!firstQueued.has(id)) firstQueued.set(id, o.at);
  }
  const reported = new Set<string>();
  const report = (key: string, sentence: string) => {
    if (reported.has(key)) return;
    reported.add(key);
    out.push(sentence);
  };
  const previous = new Map<string, string[]>();
  const served = new Map<string, Set<string>>();
  for (const o of input.observations) {
    const connection = `${o.desk}#${o.connection}`;
    if (o.frame.type === "inbox.snapshot") {
      served.set(connection, new Set(o.frame.conversations.filter((s) => s.assigneeId).map((s) => s.id)));
      continue;
    }
    if (o.frame.type === "inbox.update") {
      if (o.frame.conversation.assigneeId) {
        const set = served.get(connection) ?? new Set<string>();
        served.set(connection, set.add(o.frame.conversation.id));
      }
      continue;
    }
    if (o.frame.type !== "queue.state") continue;
    const list = o.frame.conversationIds;
    const prev = previous.get(o.desk);
    previous.set(o.desk, list);
    for (const a of list) {
      for (const n of served.get(connection) ?? []) {
        if ((startedAt.get(n) ?? 0) > firstQueued.get(a)!) {
          report(`${n}>${a}`, `${n} got an operator while ${a}, queued before ${n} arrived, waited (${o.desk})`);
        }
      }
    }
    if (!prev) continue;
    const now = new Set(list);
    const stayed = prev.filter((id) => now.has(id));
    const stayedNow = list.filter((id) => prev.includes(id));
    if (stayed.join() !== stayedNow.join())
      report(`order:${stayed.join()}`, `queue reordered: [${stayed.join(", ")}] became [${stayedNow.join(", ")}] (${o.desk})`);
    prev.forEach((b, i) => {
      if (now.has(b)) return;
      if ((joins.get(b) ?? []).length === 0) {
        if (!resolved.has(b)) report(`dropped:${b}`, `${b} left the queue without an operator (${o.desk})`);
        return;
      }
      for (const a of prev.slice(0, i)) {
        if (now.has(a)) report(`${b}>${a}`, `${b} got an operator while ${a}, ahead of it in the queue, waited (${o.desk})`);
      }
    });
  }
}

/**
 * Once everything has settled, at the audit's moment: nobody waits while an online operator has a
 * free seat; every open conversation the visitor wrote in has an operator or a place in the queue,
 * not both; the hub counts for each operator exactly the open conversations the rooms give them
 * (the inbox rows are the rooms' summaries); and no row of the conversation list (D1, read after
 * the audit) is older than the hub's.
 */
function checkFinal(input: RoutingInput, out: string[]): void {
  const { operatorsOnline, queue } = input.audit;
  const free = operatorsOnline.filter((o) => o.status === "online" && o.load < o.maxChats);
  if (queue.length > 0 && free.length > 0) {
    out.push(`${queue.length} waiting while seats are free: ${free.map((o) => `${o.id} ${o.load}/${o.maxChats}`).join(", ")}`);
  }
  const queued = new Set(queue);
  const inbox = new Map(input.audit.conversations.map((s) => [s.id, s]));
  const held = new Map<string, number>();
  for (const c of input.conversations) {
    const now = inbox.get(c.id);
    if (now && now.rev > c.final.rev) out.push(`${c.id}: the conversation list has revision ${c.final.rev}, the hub ${now.rev}`);
    const s = now ?? c.final;
    const open = s.status !== "resolved";
    const wrote = c.messages.some((m) => m.role === "visitor");
    if (s.assigneeId && open) held.set(s.assigneeId, (held.get(s.assigneeId) ?? 0) + 1);
    if (open && wrote && !s.assigneeId && !queued.has(c.id)) out.push(`${c.id}: open, no operator and not in the queue`);
    if (s.assigneeId && queued.has(c.id)) out.push(`${c.id}: in the queue although ${s.assigneeId} has it`);
  }
  for (const o of operatorsOnline) {
    const rooms = held.get(o.id) ?? 0;
    if (o.load !== rooms) out.push(`hub counts ${o.load} seats for ${o.id}, the rooms give them ${rooms} open conversations`);
  }
}

/** A conversation takes a seat only once its visitor has written (issue 9, defect 4). */
function checkEarlySeats(conversations: RoutedConversation[], joins: Map<string, Join[]>, out: string[]): void {
  for (const c of conversations) {
    const first = joins.get(c.id)![0];
    if (!first) continue;
    const wrote = c.messages.find((m) => m.role === "visitor");
    if (!wrote || wrote.seq > first.seq) out.push(`${c.id}: ${first.operatorId} joined at seq ${first.seq}, before the visitor wrote`);
  }
}
