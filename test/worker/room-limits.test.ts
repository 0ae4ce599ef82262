// The conversation room's limits and refusals: flood limits per visitor socket (messages,
// typing frames, sockets per conversation) that a real visitor never meets and that harm
// nothing else; a conversation that was never created (or was erased) persists nothing and
// refuses sockets with a final close code (defect 8); a message from outside a socket (email).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol";
import type { ConversationRoom } from "../../worker/do/conversation-room";
import { newId } from "../../worker/lib/crypto";
import {
  api,
  login,
  mustOpen,
  openSocket,
  seedSite,
  startConversation,
  type TestSocket,
  visitorSession,
  visitorSocketPath,
} from "./helpers";
import { dashboards, eventually, hubState } from "./routing-helpers";

let cookie: string;

beforeAll(async () => {
  await seedSite({ id: "site_lim", key: "pk_lim" }, [{ id: "op_lim", email: "lim@lim.test", name: "Lena", role: "owner" }]);
  await seedSite({ id: "site_lim2", key: "pk_lim2" }, [{ id: "op_lim2", email: "lim2@lim.test", name: "Lou", role: "owner" }]);
  cookie = await login("lim@lim.test");
});

async function conversation() {
  const visitor = await visitorSession("pk_lim");
  const id = await startConversation(visitor.token);
  const open = async () => {
    const s = await mustOpen(visitorSocketPath(id, visitor.token));
    await s.next("hello");
    return s;
  };
  const operator = async () => {
    const s = await mustOpen(`/ws/sites/site_lim/conversations/${id}`, { cookie });
    await s.next("hello");
    return s;
  };
  return { id, visitor, open, operator, room: env.CONVERSATION.getByName(id) };
}

const stored = async (id: string) =>
  (await env.CONVERSATION.getByName(id).history("site_lim", null, 1000))!.messages.filter((m) => m.kind === "text");

/** What an object has stored: its tables and its alarm. */
const storedState = (room: DurableObjectStub<ConversationRoom>) =>
  runInDurableObject(room, async (_: ConversationRoom, state) => ({
    tables: state.storage.sql.exec("SELECT name FROM sqlite_master").toArray(),
    alarm: await state.storage.getAlarm(),
  }));

/** Waits for a socket the server closes; returns its close code. */
async function closedWith(s: TestSocket | Response, timeoutMs = 3000): Promise<number> {
  if (s instanceof Response) throw new Error(`expected a socket, got HTTP ${s.status}: ${await s.text()}`);
  const deadline = Date.now() + timeoutMs;
  while (!s.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!s.closed) throw new Error("the socket stayed open");
  return s.closed.code;
}

describe("flood limits", () => {
  it("refuses a burst of messages past 20 with rate_limited (clientId, retry time), stores none of them, and harms no one else", async () => {
    const c = await conversation();
    const [v, tab2, o] = [await c.open(), await c.open(), await c.operator()];
    const N = 60;
    for (let i = 0; i < N; i++) v.send({ type: "message.send", clientId: `f${i}`, text: `flood ${i}` });
    type Answer = { type: string; clientId: string; code?: string; retryInMs?: number; message?: { text: string; createdAt: number } };
    let answers: Answer[] = [];
    while (answers.length < N) {
      answers = v.frames.filter((x) => x.type === "ack" || x.type === "error") as Answer[];
      if (answers.length < N) await v.receives("ack", 50);
    }
    const acked = answers.filter((a) => a.type === "ack");
    const refused = answers.filter((a) => a.type === "error");
    // The first 20 pass at once; later ones only as the budget refills (one per 500 ms of the
    // time the burst took to arrive, which a shared CPU stretches).
    expect(acked.slice(0, 20).map((a) => a.clientId)).toEqual(Array.from({ length: 20 }, (_, i) => `f${i}`));
    const took = acked.at(-1)!.message!.createdAt - acked[0]!.message!.createdAt;
    expect(acked.length).toBeLessThanOrEqual(20 + Math.ceil(took / 500) + 1);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e).toMatchObject({ code: "rate_limited", clientId: expect.stringMatching(/^f\d+$/) });
      expect(e.retryInMs).toBeGreaterThan(0);
      expect(e.retryInMs).toBeLessThanOrEqual(500);
    }
    // Exactly the accepted ones are stored.
    expect((await stored(c.id)).map((m) => m.text)).toEqual(acked.map((a) => a.message!.text));

    // The visitor's other tab and the operator are unaffected.
    tab2.send({ type: "message.send", clientId: "other-tab", text: "from my phone" });
    expect((await tab2.next("ack")).message.text).toBe("from my phone");
    o.send({ type: "message.send", clientId: "op", text: "Hello!" });
    expect((await o.next("ack")).message.text).toBe("Hello!");
    // Half a second later a refused one goes through (the client keeps and resends it).
    await new Promise((r) => setTimeout(r, 550));
    const again = refused[0]!.clientId;
    v.send({ type: "message.send", clientId: again, text: `flood ${again.slice(1)}` });
    expect((await v.until("ack", (a) => a.clientId === again)).message.text).toBe(`flood ${again.slice(1)}`);
    for (const s of [v, tab2, o]) s.close();
  }, 20_000);

  it("drops typing frames past 10 a second, answering rate_limited, while a visitor's real pace passes", async () => {
    const c = await conversation();
    const [v, o] = [await c.open(), await c.operator()];
    const started = Date.now();
    for (let i = 0; i < 40; i++) v.send({ type: "typing", active: true, draft: `d${i}` });
    v.send({ type: "message.send", clientId: "after-typing", text: "a real message" });
    await v.next("ack");
    const took = Date.now() - started;
    await o.until("message", (m) => m.message.text === "a real message");
    // Ten at once, then one per 100 ms the burst took to arrive.
    const forwarded = o.frames.filter((f) => f.type === "typing").length;
    expect(forwarded).toBeGreaterThanOrEqual(10);
    expect(forwarded).toBeLessThanOrEqual(10 + Math.ceil(took / 100) + 1);
    // The flood is answered with rate_limited, never more often than frames were refused.
    const errors = v.frames.filter((f) => f.type === "error").map((f) => (f as { code: string }).code);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(40 - forwarded);
    expect(new Set(errors)).toEqual(new Set(["rate_limited"]));

    // Typing with preview sends a frame every 400 ms; even every 100 ms passes untouched.
    await new Promise((r) => setTimeout(r, 1100));
    const before = o.frames.filter((f) => f.type === "typing").length;
    for (let i = 0; i < 12; i++) {
      v.send({ type: "typing", active: true, draft: `slow ${i}` });
      await new Promise((r) => setTimeout(r, 100));
    }
    const errorsBefore = v.frames.filter((f) => f.type === "error").length;
    await o.until("typing", (f) => f.draft === "slow 11" || f.draft === undefined);
    expect(o.frames.filter((f) => f.type === "typing").length - before).toBe(12);
    expect(v.frames.filter((f) => f.type === "error")).toHaveLength(errorsBefore);
    for (const s of [v, o]) s.close();
  }, 20_000);

  it("closes a 9th visitor socket of one conversation with 4429, keeping the eight", async () => {
    const c = await conversation();
    const tabs: TestSocket[] = [];
    for (let i = 0; i < 8; i++) tabs.push(await c.open());
    expect(await closedWith(await openSocket(visitorSocketPath(c.id, c.visitor.token)))).toBe(CLOSE_CODES.tooMany);
    // Operators are not counted, and the eight still work.
    const o = await c.operator();
    tabs[7]!.send({ type: "message.send", clientId: "eighth", text: "still here" });
    expect((await tabs[7]!.next("ack")).message.text).toBe("still here");
    // One tab closes: a new one is welcome.
    tabs[0]!.close();
    await new Promise((r) => setTimeout(r, 100));
    tabs[0] = await c.open();
    for (const s of [...tabs, o]) s.close();
  }, 20_000);
});

describe("conversations that do not exist", () => {
  it("persist nothing when touched, and refuse their sockets with 4404 (defect 8)", async () => {
    const madeUp = newId("c");
    const visitor = await visitorSession("pk_lim");
    expect(await closedWith(await openSocket(visitorSocketPath(madeUp, visitor.token)))).toBe(CLOSE_CODES.notFound);
    expect(await closedWith(await openSocket(`/ws/sites/site_lim/conversations/${madeUp}`, { cookie }))).toBe(CLOSE_CODES.notFound);
    const room = env.CONVERSATION.getByName(madeUp);
    expect(await room.summary("site_lim")).toBeNull();
    expect(await room.history("site_lim", null, 10)).toBeNull();
    expect(await room.visitorUnread("site_lim", visitor.visitorId)).toBeNull();
    expect(await room.appendExternal("site_lim", { role: "visitor", clientId: "x", text: "hi", via: "email" })).toBeNull();
    await room.setQueue("site_lim", 1, 60);
    await room.applyPolicy("site_lim", { typingPreview: false });
    await room.closeSessions("site_lim", { operatorId: "op_lim" });
    expect(await room.erase("site_lim")).toBe(true);
    expect(await runDurableObjectAlarm(room)).toBe(false);
    // Nothing stored: no table, no alarm (an object without storage is not kept).
    expect(await storedState(room)).toEqual({ tables: [], alarm: null });
  });

  it("refuses another visitor with 4403, and stays empty after erasure when old tabs come back", async () => {
    const c = await conversation();
    const v = await c.open();
    v.send({ type: "message.send", clientId: "m", text: "please forget me" });
    await v.next("ack");
    const stranger = await visitorSession("pk_lim");
    expect(await closedWith(await openSocket(visitorSocketPath(c.id, stranger.token)))).toBe(CLOSE_CODES.forbidden);
    // Another shop's operator naming their own shop: not found there.
    const other = await login("lim2@lim.test");
    expect(await closedWith(await openSocket(`/ws/sites/site_lim2/conversations/${c.id}`, { cookie: other }))).toBe(CLOSE_CODES.notFound);

    expect(await c.room.erase("site_lim")).toBe(true);
    expect(await closedWith(v)).toBe(CLOSE_CODES.notFound);
    // The old tab reconnects: refused for good, and nothing is created again.
    expect(await closedWith(await openSocket(visitorSocketPath(c.id, c.visitor.token)))).toBe(CLOSE_CODES.notFound);
    await c.room.setQueue("site_lim", 2, 120);
    const tables = await runInDurableObject(c.room, (_: ConversationRoom, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master").toArray(),
    );
    expect(tables).toEqual([]);
    expect(await runDurableObjectAlarm(c.room)).toBe(false);
  });
});

describe("a message from outside a socket", () => {
  it("stores an email reply like a chat message: ordered, broadcast, idempotent, routed, flushed and recorded", async () => {
    const online = await dashboards("site_lim", [cookie]);
    const c = await conversation();
    const [v, o] = [await c.open(), await c.operator()];
    const m = { role: "visitor" as const, clientId: "<reply-1@mail.example>", text: "  Replying by email  ", via: "email" as const };
    const first = await c.room.appendExternal("site_lim", m);
    expect(first).toMatchObject({
      duplicate: false,
      message: { seq: 1, role: "visitor", text: "Replying by email", via: "email", authorId: c.visitor.visitorId },
    });
    // Both sides get it (it came through no socket of theirs).
    expect((await v.next("message")).message).toEqual(first!.message);
    expect((await o.next("message")).message).toEqual(first!.message);
    // The same email again: the same message, nothing new.
    expect(await c.room.appendExternal("site_lim", m)).toEqual({ message: first!.message, duplicate: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(v.frames.filter((f) => f.type === "message" && f.message.kind === "text")).toHaveLength(1);
    expect((await c.room.history("site_lim", null, 10))!.messages.filter((x) => x.kind === "text").map((x) => [x.text, x.via])).toEqual([
      ["Replying by email", "email"],
    ]);

    // The visitor's first message: routed to Lena, and recorded as coming by email.
    await eventually(
      () => hubState("site_lim"),
      (s) => s.assignments.some((a) => a.conversation_id === c.id),
      "routed",
    );
    const events = await runInDurableObject(c.room, (_: ConversationRoom, state) =>
      state.storage.sql
        .exec("SELECT type, data FROM events ORDER BY seq")
        .toArray()
        .map((r) => [r.type, JSON.parse(String(r.data))]),
    );
    expect(events.slice(0, 3)).toEqual([
      ["created", { skill: null, invited: false }],
      ["visitor_first_message", { seq: 1, via: "email", text: "Replying by email" }],
      ["assigned", expect.objectContaining({ how: "routed", operatorId: "op_lim" })],
    ]);
    // Flushed with the summary and searchable.
    while (await runDurableObjectAlarm(c.room));
    expect(await env.DB.prepare("SELECT message_count FROM conversations WHERE id = ?").bind(c.id).first("message_count")).toBe(1);
    const search = await api("/api/sites/site_lim/search?q=replying", { cookie });
    expect(JSON.stringify(await search.json())).toContain(c.id);

    // Text that is not a message is refused; another site gets nothing.
    expect(await c.room.appendExternal("site_lim", { ...m, clientId: "empty", text: "   " })).toBeNull();
    expect(await c.room.appendExternal("site_lim2", { ...m, clientId: "x" })).toBeNull();
    for (const s of [v, o, ...online]) s.close();
  });
});
