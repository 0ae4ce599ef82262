// The routing checks on made-up histories and dashboard frames: quiet on fair routing seen through
// reconnects and missed frames, and each invariant caught when broken. Runs in Node, no server.
import { describe, expect, it } from "vitest";
import type { ChatMessage, ConversationSummary, OnlineOperator } from "../../protocol";
import { checkRouting, type HubObservation, type RoutedConversation, type RoutingFrame, type RoutingInput } from "./routing-invariants";

const operators = [
  { id: "op_a", name: "Anna", cap: 1 },
  { id: "op_b", name: "Bartek", cap: 1 },
];
const names: Record<string, string> = { op_a: "Anna", op_b: "Bartek" };

function summary(id: string, rev: number, assigneeId: string | null, lastSeq: number, status: ConversationSummary["status"] = "open") {
  return {
    id,
    rev,
    siteId: "s",
    visitorId: `v_${id}`,
    visitorName: null,
    status,
    assigneeId,
    lastSeq,
    messageCount: lastSeq,
    lastMessageAt: null,
    lastMessagePreview: null,
    lastMessageRole: null,
    unreadForOperators: 0,
    createdAt: 0,
    firstResponseAt: null,
    firstVisitorMessageAt: null,
    lastOperatorReplyAt: null,
    resolvedAt: status === "resolved" ? 1000 * rev : null,
    updatedAt: 0,
    priority: "normal",
    tags: [],
    snoozedUntil: null,
    skill: null,
  } satisfies ConversationSummary;
}

const base = { authorId: null, authorName: null, authorAvatar: null, text: "" };
const wrote = (seq: number, at: number): ChatMessage => ({
  ...base,
  seq,
  clientId: `v-${seq}`,
  kind: "text",
  role: "visitor",
  createdAt: at,
});
const joined = (seq: number, at: number, op: string): ChatMessage => ({
  ...base,
  seq,
  clientId: `system-${seq}`,
  kind: "event",
  role: "system",
  createdAt: at,
  event: { type: "joined", operatorName: names[op]!, operatorAvatar: null },
});
const reassigned = (seq: number, at: number, op: string): ChatMessage => ({
  ...joined(seq, at, op),
  kind: "note",
  event: { type: "reassigned", operatorName: names[op]!, operatorAvatar: null, fromName: "Anna", afterSeconds: 60 },
});

const online = (loads: Record<string, number>): OnlineOperator[] =>
  Object.entries(loads).map(([id, load]) => ({ id, name: names[id]!, avatarUrl: null, status: "online", load, maxChats: 1 }));

let clock = 0;
const seen = (desk: string, connection: number, frame: RoutingFrame, at = ++clock): HubObservation => ({ desk, connection, at, frame });
const update = (s: ConversationSummary) => ({ type: "inbox.update" as const, conversation: s });
const queue = (...conversationIds: string[]) => ({ type: "queue.state" as const, conversationIds });

/**
 * Fair routing with two one-seat operators: c1 to Anna, c2 to Bartek, c3 queued; c1 is resolved
 * (at 300) and c3 goes to Anna (at 310). Dashboard "a" sees everything; "b" misses frames while
 * it reconnects and starts again from a snapshot.
 */
function fair(): RoutingInput {
  clock = 0;
  const c1 = summary("c1", 1, null, 1);
  const observations = [
    seen("a", 1, { type: "inbox.snapshot", conversations: [], operatorsOnline: online({ op_a: 0, op_b: 0 }) }),
    seen("b", 1, { type: "inbox.snapshot", conversations: [], operatorsOnline: online({ op_a: 0, op_b: 0 }) }),
    seen("a", 1, update(c1)),
    seen("a", 1, update(summary("c1", 2, "op_a", 2))),
    seen("a", 1, { type: "presence", operatorsOnline: online({ op_a: 1, op_b: 0 }) }),
    seen("a", 1, update(summary("c2", 2, "op_b", 2))),
    seen("a", 1, queue("c3")),
    seen("b", 1, queue("c3")),
    // b drops here and misses c1's resolution and c3's assignment.
    seen("a", 1, update(summary("c1", 3, "op_a", 2, "resolved"))),
    seen("a", 1, update(summary("c3", 2, "op_a", 2))),
    seen("a", 1, queue()),
    seen("b", 2, {
      type: "inbox.snapshot",
      conversations: [summary("c3", 2, "op_a", 2), summary("c2", 2, "op_b", 2), summary("c1", 3, "op_a", 2, "resolved")],
      operatorsOnline: online({ op_a: 1, op_b: 1 }),
    }),
    seen("b", 2, queue()),
  ];
  const conversations: RoutedConversation[] = [
    { id: "c1", startedAt: 0, messages: [wrote(1, 100), joined(2, 110, "op_a")], final: summary("c1", 3, "op_a", 2, "resolved") },
    { id: "c2", startedAt: 0, messages: [wrote(1, 200), joined(2, 210, "op_b")], final: summary("c2", 2, "op_b", 2) },
    { id: "c3", startedAt: 0, messages: [wrote(1, 250), joined(2, 310, "op_a")], final: summary("c3", 2, "op_a", 2) },
  ];
  conversations[0]!.final.resolvedAt = 300;
  const inbox = conversations.map((c) => c.final);
  return {
    operators,
    observations,
    conversations,
    audit: { conversations: inbox, operatorsOnline: online({ op_a: 1, op_b: 1 }), queue: [] },
  };
}

const conversation = (input: RoutingInput, id: string) => input.conversations.find((c) => c.id === id)!;

describe("routing invariants", () => {
  it("stay quiet on fair routing seen through a reconnect and missed frames", () => {
    const r = checkRouting(fair());
    expect(r.violations).toEqual({ holder: [], cap: [], queue: [], final: [], early: [] });
    expect(r.assignments).toBe(3);
    expect(r.peaks).toEqual([
      { operatorId: "op_a", cap: 1, held: 1, load: 1 },
      { operatorId: "op_b", cap: 1, held: 1, load: 1 },
    ]);
  });

  it("catch a held conversation routed again, and accept a recorded re-assignment", () => {
    const input = fair();
    input.conversations[1]!.messages.push(joined(3, 400, "op_a"));
    expect(checkRouting(input).violations.holder).toEqual(["c2: routed to op_a at seq 3 while op_b held it (no hand-over)"]);
    input.conversations[1]!.messages.push(reassigned(4, 400, "op_a"));
    const r = checkRouting(input);
    expect(r.violations.holder).toEqual([]);
    expect(r.handOvers).toBe(1);
  });

  it("catch one revision seen with two holders, and a holder change no hand-over explains", () => {
    const input = fair();
    input.observations.push(seen("b", 2, update(summary("c2", 2, "op_a", 2))));
    expect(checkRouting(input).violations.holder).toEqual(["c2: revision 2 seen as op_b/open (a) and op_a/open (b)"]);
    input.observations.pop();
    input.observations.push(seen("b", 2, update(summary("c2", 5, "op_a", 4))));
    expect(checkRouting(input).violations.holder).toEqual(["c2: holder went from op_b (rev 2) to op_a (rev 5) without a hand-over"]);
  });

  it("catch an operator over their cap, in the hub's count and in the rooms' record", () => {
    const input = fair();
    input.observations.push(seen("a", 1, { type: "presence", operatorsOnline: online({ op_a: 2, op_b: 1 }) }));
    expect(checkRouting(input).violations.cap).toEqual(["hub: op_a at load 2 over cap 1 (first seen by a)"]);
    const overlapping = fair();
    conversation(overlapping, "c3").messages[1] = joined(2, 299, "op_a"); // before c1 was resolved at 300
    const r = checkRouting(overlapping);
    expect(r.violations.cap).toEqual(["rooms: op_a held 2 over cap 1 at 299 (c1, c3)"]);
    expect(r.peaks[0]!.held).toBe(2);
    const sameMillisecond = fair();
    conversation(sameMillisecond, "c3").messages[1] = joined(2, 300, "op_a");
    expect(checkRouting(sameMillisecond).violations.cap).toEqual([]);
  });

  it("catch a queue served out of order, reordered, or dropped", () => {
    const served = (id: string, at: number): RoutedConversation => ({
      id,
      startedAt: 0,
      messages: [wrote(1, at), joined(2, at + 10, "op_b")],
      final: summary(id, 2, "op_b", 2),
    });
    const inOrder = fair();
    inOrder.observations.push(seen("b", 2, queue("c4", "c5")), seen("b", 2, queue("c5")));
    inOrder.conversations.push(served("c4", 500));
    expect(checkRouting(inOrder).violations.queue).toEqual([]);
    const overtaken = fair();
    overtaken.observations.push(seen("b", 2, queue("c4", "c5")), seen("b", 2, queue("c4")));
    overtaken.conversations.push(served("c5", 500));
    expect(checkRouting(overtaken).violations.queue).toEqual(["c5 got an operator while c4, ahead of it in the queue, waited (b)"]);
    const reordered = fair();
    reordered.observations.push(seen("b", 2, queue("c4", "c5")), seen("b", 2, queue("c5", "c4")));
    expect(checkRouting(reordered).violations.queue).toEqual(["queue reordered: [c4, c5] became [c5, c4] (b)"]);
    const dropped = fair();
    dropped.observations.push(seen("b", 2, queue("c4")), seen("b", 2, queue()));
    expect(checkRouting(dropped).violations.queue).toEqual(["c4 left the queue without an operator (b)"]);
  });

  it("catch a newcomer served while an earlier arrival waits, on one connection or in a reconnect's snapshot", () => {
    const input = fair();
    const c3QueuedAt = input.observations.find((o) => o.frame.type === "queue.state")!.at;
    // c5 arrived after c3 was seen waiting, and got Bartek while c3 was still queued.
    input.conversations.push({
      id: "c5",
      startedAt: c3QueuedAt + 1,
      messages: [wrote(1, 280), joined(2, 290, "op_b")],
      final: summary("c5", 2, "op_b", 2),
    });
    const late = [...input.observations];
    late.splice(7, 0, seen("a", 1, update(summary("c5", 2, "op_b", 2))), seen("a", 1, queue("c3")));
    expect(checkRouting({ ...input, observations: late }).violations.queue).toEqual([
      "c5 got an operator while c3, queued before c5 arrived, waited (a)",
    ]);
    const snapshot = [
      ...input.observations,
      seen("a", 2, { type: "inbox.snapshot", conversations: [summary("c5", 2, "op_b", 2)], operatorsOnline: [] }),
      seen("a", 2, queue("c3")),
    ];
    expect(checkRouting({ ...input, observations: snapshot }).violations.queue).toHaveLength(1);
    // Created before c3 was queued: it may have been routed first.
    conversation(input, "c5").startedAt = 0;
    expect(checkRouting({ ...input, observations: late }).violations.queue).toEqual([]);
  });

  it("catch a settled end where a seat is free while someone waits, or hub and rooms disagree", () => {
    const input = fair();
    input.audit = { ...input.audit, operatorsOnline: online({ op_a: 0, op_b: 1 }), queue: ["c3"] };
    expect(checkRouting(input).violations.final).toEqual([
      "1 waiting while seats are free: op_a 0/1",
      "c3: in the queue although op_a has it",
      "hub counts 0 seats for op_a, the rooms give them 1 open conversations",
    ]);
    const stranded = fair();
    stranded.conversations.push({ id: "c4", startedAt: 0, messages: [wrote(1, 700)], final: summary("c4", 1, null, 1) });
    expect(checkRouting(stranded).violations.final).toEqual(["c4: open, no operator and not in the queue"]);
    const behind = fair();
    behind.audit.conversations = behind.audit.conversations.map((s) => (s.id === "c2" ? { ...s, rev: 3 } : s));
    expect(checkRouting(behind).violations.final).toEqual(["c2: the conversation list has revision 2, the hub 3"]);
  });

  it("catch a seat taken before the visitor wrote", () => {
    const input = fair();
    conversation(input, "c2").messages = [joined(1, 190, "op_b"), wrote(2, 200)];
    expect(checkRouting(input).violations.early).toEqual(["c2: op_b joined at seq 1, before the visitor wrote"]);
  });
});
