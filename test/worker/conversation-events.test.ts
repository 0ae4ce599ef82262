// Domain events: a conversation records its facts in order (created, the visitor's first
// message, assigned with how and by whom, the first answer, every status change, reopened), its
// outbox copies them to D1 `conversation_events` idempotently in the summary's batch, a room
// from before events starts recording from its upgrade, and erasure removes them. Status
// changes are part of the history both sides see.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../protocol";
import { eraseEventStatements, eventStatements } from "../../worker/db/conversation-events";
import type { ConversationRoom } from "../../worker/do/conversation-room";
import { api, login, mustOpen, seedSite, type TestSocket, visitorSocketPath } from "./helpers";
import { dashboards, eventually, hubState, visitorWrites } from "./routing-helpers";
import { visitorOf, visitPages } from "./tracking-helpers";

let ada: string;
let bo: string;

beforeAll(async () => {
  await seedSite({ id: "site_ev", key: "pk_ev" }, [
    { id: "op_ea", email: "a@ev.test", name: "Ada", role: "owner" },
    { id: "op_eb", email: "b@ev.test", name: "Bo", role: "agent" },
  ]);
  await seedSite({ id: "site_ev2", key: "pk_ev2" }, [{ id: "op_ec", email: "c@ev.test", name: "Cy", role: "owner" }]);
  [ada, bo] = await Promise.all([login("a@ev.test"), login("b@ev.test")]);
});

type Row = { seq: number; type: string; actor_role: string; actor_id: string | null; data: Record<string, unknown> };

const roomEvents = (id: string): Promise<Row[]> =>
  runInDurableObject(env.CONVERSATION.getByName(id), (_: ConversationRoom, state) =>
    state.storage.sql
      .exec("SELECT seq, type, actor_role, actor_id, data FROM events ORDER BY seq")
      .toArray()
      .map((r) => ({ ...r, data: JSON.parse(String(r.data)) }) as Row),
  );

const d1Events = async (id: string) =>
  (
    await env.DB.prepare(
      "SELECT site_id, conversation_id, seq, type, at, actor_role, actor_id, data FROM conversation_events WHERE conversation_id = ? ORDER BY seq",
    )
      .bind(id)
      .all<{ seq: number; type: string; actor_role: string; actor_id: string | null; data: string; site_id: string; at: number }>()
  ).results;

async function operatorSocket(id: string, cookie: string): Promise<TestSocket> {
  const s = await mustOpen(`/ws/sites/site_ev/conversations/${id}`, { cookie });
  await s.next("hello");
  return s;
}

/** Runs the room's alarm until nothing is left to flush. */
async function flushAll(id: string): Promise<void> {
  for (let i = 0; i < 10 && (await runDurableObjectAlarm(env.CONVERSATION.getByName(id))); i++);
}

describe("domain events", () => {
  it("records a conversation's facts in order and copies them to D1 with the summary, idempotently", async () => {
    const online = await dashboards("site_ev", [ada]);
    const w = await visitorWrites("pk_ev", "Hi, where is my parcel?", { keepOpen: true });
    await eventually(
      () => hubState("site_ev"),
      (s) => s.assignments.some((a) => a.conversation_id === w.id),
      "routed to Ada",
    );
    const o = await operatorSocket(w.id, ada);
    o.send({ type: "message.send", clientId: "a1", text: "Let me check." });
    await o.next("ack");
    o.send({ type: "status", status: "pending" });
    await o.until("status", (f) => f.status === "pending");
    w.socket.send({ type: "message.send", clientId: "v2", text: "Any news?" });
    await w.socket.next("ack");
    o.send({ type: "status", status: "resolved" });
    await w.socket.until("status", (f) => f.status === "resolved");
    w.socket.send({ type: "message.send", clientId: "v3", text: "Sorry, one more thing" });
    await w.socket.until("status", (f) => f.status === "open");
    const transfer = await api(`/api/sites/site_ev/conversations/${w.id}/transfer`, {
      method: "POST",
      cookie: ada,
      json: { operatorId: "op_eb", note: "Bo knows the courier" },
    });
    expect(transfer.status).toBe(200);
    expect((await api(`/api/sites/site_ev/conversations/${w.id}/take`, { method: "POST", cookie: ada })).status).toBe(200);

    const events = await roomEvents(w.id);
    expect(events.map((e) => [e.seq, e.type, e.actor_role, e.actor_id])).toEqual([
      [1, "created", "visitor", w.visitorId],
      [2, "visitor_first_message", "visitor", w.visitorId],
      [3, "assigned", "system", null],
      [4, "operator_first_answer", "operator", "op_ea"],
      [5, "status_changed", "operator", "op_ea"],
      [6, "status_changed", "visitor", w.visitorId],
      [7, "status_changed", "operator", "op_ea"],
      [8, "status_changed", "visitor", w.visitorId],
      [9, "reopened", "visitor", w.visitorId],
      [10, "assigned", "operator", "op_ea"],
      [11, "assigned", "operator", "op_ea"],
    ]);
    expect(events[0]!.data).toEqual({ skill: null, invited: false });
    expect(events[1]!.data).toEqual({ seq: 1, via: "chat", text: "Hi, where is my parcel?" });
    expect(events[2]!.data).toEqual({
      operatorId: "op_ea",
      operatorName: "Ada",
      how: "routed",
      byName: null,
      fromId: null,
      fromName: null,
    });
    expect(events[3]!.data).toMatchObject({ operatorName: "Ada" });
    expect(events[3]!.data.msSinceVisitorFirstMessage).toBeGreaterThanOrEqual(0);
    expect(events.slice(4, 8).map((e) => [e.data.from, e.data.to])).toEqual([
      ["open", "pending"],
      ["pending", "open"],
      ["open", "resolved"],
      ["resolved", "open"],
    ]);
    expect(events[9]!.data).toMatchObject({ how: "transferred", operatorId: "op_eb", byName: "Ada", fromId: "op_ea", fromName: "Ada" });
    expect(events[10]!.data).toMatchObject({ how: "taken", operatorId: "op_ea", fromId: "op_eb", fromName: "Bo" });

    // The outbox copies them, in the same batch as the summary.
    await flushAll(w.id);
    const stored = await d1Events(w.id);
    expect(stored.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    expect(stored.every((e) => e.site_id === "site_ev")).toBe(true);
    expect(stored.map((e) => JSON.parse(e.data))).toEqual(events.map((e) => e.data));
    const row = await env.DB.prepare("SELECT status, assignee_id, first_visitor_message_at FROM conversations WHERE id = ?")
      .bind(w.id)
      .first();
    expect(row).toMatchObject({ status: "open", assignee_id: "op_ea" });
    expect(row!.first_visitor_message_at).toBeTypeOf("number");

    // A flush whose answer was lost is sent again: nothing is stored twice.
    await runInDurableObject(env.CONVERSATION.getByName(w.id), (_: ConversationRoom, state) => {
      state.storage.sql.exec("UPDATE conversation SET flushed_event_seq = 0, flushed_rev = 0");
    });
    await evictDurableObject(env.CONVERSATION.getByName(w.id));
    o.send({ type: "update", tags: ["courier"] }); // any change: the room schedules a flush
    await o.next("updated");
    await flushAll(w.id);
    expect((await d1Events(w.id)).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    for (const s of [w.socket, o, ...online]) s.close();
  }, 30_000);

  it("records an invitation as created and assigned by its operator, and the answer after the visitor's reply", async () => {
    const t = await visitPages("pk_ev", ["/p/grinder"]);
    const r = await api(`/api/sites/site_ev/visitors/${visitorOf(t)}/invite`, {
      method: "POST",
      cookie: bo,
      json: { text: "Need a hand?" },
    });
    const { conversationId } = (await r.json()) as { conversationId: string };
    const events = await roomEvents(conversationId);
    expect(events.map((e) => [e.type, e.actor_role, e.actor_id])).toEqual([
      ["created", "operator", "op_eb"],
      ["assigned", "operator", "op_eb"],
    ]);
    expect(events[0]!.data).toEqual({ skill: null, invited: true });
    expect(events[1]!.data).toMatchObject({ how: "invited", operatorId: "op_eb" });
  });

  it("shows status changes in the history: resolved and open-again to everyone, pending and snoozed to operators only", async () => {
    const w = await visitorWrites("pk_ev", "Hello", { keepOpen: true });
    const o = await operatorSocket(w.id, ada);
    for (const status of ["pending", "snoozed", "resolved"] as const) {
      o.send({ type: "status", status });
      await o.until("status", (f) => f.status === status);
    }
    w.socket.send({ type: "message.send", clientId: "back", text: "Back again" });
    await w.socket.next("ack");
    await w.socket.until("status", (f) => f.status === "open");
    // The visitor saw the resolution and the reopening live, as history lines (nobody is online
    // on this site now, so nobody joined).
    const live = w.socket.frames
      .filter((f) => f.type === "message" && f.message.kind !== "text")
      .map((f) => (f as { message: { kind: string; event: unknown } }).message);
    expect(live).toEqual([
      expect.objectContaining({
        kind: "event",
        event: { type: "status", status: "resolved", from: "snoozed", byRole: "operator", byName: "Ada" },
      }),
      expect.objectContaining({
        kind: "event",
        event: { type: "status", status: "open", from: "resolved", byRole: "visitor", byName: null },
      }),
    ]);
    // A fresh visitor socket: the same two lines, nothing of the team's workflow.
    const again = await mustOpen(visitorSocketPath(w.id, w.token));
    const hello = await again.next("hello");
    const statusLines = hello.messages
      .filter((m) => m.event?.type === "status")
      .map((m) => [m.kind, m.event!.type === "status" ? m.event!.status : null]);
    expect(statusLines).toEqual([
      ["event", "resolved"],
      ["event", "open"],
    ]);
    expect(hello.messages.some((m) => m.kind === "note")).toBe(false);
    // Operators see all four, in order.
    const history = (await env.CONVERSATION.getByName(w.id).history("site_ev", null, 50))!.messages;
    expect(
      history.filter((m) => m.event?.type === "status").map((m) => [m.kind, m.event!.type === "status" ? m.event!.status : null]),
    ).toEqual([
      ["note", "pending"],
      ["note", "snoozed"],
      ["event", "resolved"],
      ["event", "open"],
    ]);
    for (const s of [w.socket, o, again]) s.close();
  });

  it("starts recording in a conversation from before events, inventing none", async () => {
    // Ada is online, so the conversation is routed to her rather than queued: a queue place
    // told to the room while it is made to look old would meet the old columns.
    const online = await dashboards("site_ev", [ada]);
    const w = await visitorWrites("pk_ev", "An old conversation");
    await eventually(
      () => hubState("site_ev"),
      (s) => s.assignments.some((a) => a.conversation_id === w.id),
      "routed to Ada",
    );
    const room = env.CONVERSATION.getByName(w.id);
    const o = await operatorSocket(w.id, ada);
    o.send({ type: "message.send", clientId: "old-answer", text: "An old answer" });
    await o.next("ack");
    o.close();
    // Make it look like a room stored by the previous version (schema v5): no events, no timers,
    // none of the new columns.
    await runInDurableObject(room, (_: ConversationRoom, state) => {
      const sql = state.storage.sql;
      sql.exec("DROP TABLE events");
      sql.exec("DROP TABLE timers");
      for (const column of ["flushed_event_seq", "first_visitor_message_at", "first_answer_at"])
        sql.exec(`ALTER TABLE conversation DROP COLUMN ${column}`);
      sql.exec("ALTER TABLE messages DROP COLUMN via");
      sql.exec("UPDATE schema_version SET version = 5");
    });
    await evictDurableObject(room);
    const migrated = await runInDurableObject(room, (_: ConversationRoom, state) => ({
      version: state.storage.sql.exec("SELECT version FROM schema_version").one().version,
      row: state.storage.sql.exec("SELECT first_visitor_message_at, first_answer_at, flushed_event_seq FROM conversation").one(),
      events: state.storage.sql.exec("SELECT COUNT(*) AS n FROM events").one().n,
      timers: state.storage.sql
        .exec("SELECT name FROM timers")
        .toArray()
        .map((r) => r.name),
    }));
    expect(migrated.version).toBe(6);
    expect(migrated.events).toBe(0);
    expect(migrated.row.first_visitor_message_at).toBeTypeOf("number");
    expect(migrated.row.first_answer_at).toBeTypeOf("number");
    // Its unflushed changes are not forgotten: the outbox became a timer.
    expect(migrated.timers).toEqual(["outbox"]);

    // What happens from now is recorded; the first message and answer are not recorded again.
    const o2 = await operatorSocket(w.id, ada);
    o2.send({ type: "message.send", clientId: "new-answer", text: "A new answer" });
    await o2.next("ack");
    o2.send({ type: "status", status: "resolved" });
    await o2.until("status", (f) => f.status === "resolved");
    expect((await roomEvents(w.id)).map((e) => [e.seq, e.type])).toEqual([[1, "status_changed"]]);
    await flushAll(w.id);
    expect((await d1Events(w.id)).map((e) => e.type)).toEqual(["status_changed"]);
    for (const s of [o2, ...online]) s.close();
  });

  it("erases the events of the given conversations of one site only", async () => {
    const ev = (siteId: string, conversationId: string, seq: number): DomainEvent => ({
      siteId,
      conversationId,
      seq,
      type: "queued",
      at: Date.now(),
      actorRole: "system",
      actorId: null,
      data: { position: 1 },
    });
    await env.DB.batch(
      eventStatements(env.DB, [
        ev("site_ev", "c_erase_a", 1),
        ev("site_ev", "c_erase_a", 2),
        ev("site_ev", "c_erase_b", 1),
        ev("site_ev2", "c_erase_c", 1),
      ]),
    );
    const left = async () =>
      (
        await env.DB.prepare(
          "SELECT conversation_id AS c FROM conversation_events WHERE conversation_id LIKE 'c_erase_%' ORDER BY c, seq",
        ).all<{ c: string }>()
      ).results.map((r) => r.c);
    // Another site's id in the list is not touched.
    await env.DB.batch(eraseEventStatements(env.DB, "site_ev", ["c_erase_a", "c_erase_c"]));
    expect(await left()).toEqual(["c_erase_b", "c_erase_c"]);
    expect(eraseEventStatements(env.DB, "site_ev", [])).toEqual([]);
  });
});
