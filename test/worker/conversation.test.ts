// The conversation's socket protocol end to end in workerd: send → store → ack → broadcast,
// idempotent retries, resume, typing, read receipts, status, bad frames, hibernation, outbox.

import { evictDurableObject, listDurableObjectIds, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES, MAX_MESSAGE_CHARS, RESUME_CHUNK_SIZE, type SiteSettings } from "../../protocol";
import type { ConversationRoom } from "../../worker/do/conversation-room";
import { api, login, mustOpen, refusal, seedSite, startConversation, type TestSocket, visitorSession, visitorSocketPath } from "./helpers";

let cookie: string;

beforeAll(async () => {
  await seedSite({ id: "site_c", key: "pk_c" }, [{ id: "op_anna", email: "anna@c.test", name: "Anna Kowalska", role: "owner" }]);
  cookie = await login("anna@c.test");
});

async function newConversation() {
  const visitor = await visitorSession("pk_c");
  const id = await startConversation(visitor.token);
  const open = async (after?: number) => {
    const s = await mustOpen(visitorSocketPath(id, visitor.token, after));
    await s.next("hello");
    return s;
  };
  const operator = async (after?: number) => {
    const s = await mustOpen(`/ws/sites/site_c/conversations/${id}${after === undefined ? "" : `?after=${after}`}`, { cookie });
    await s.next("hello");
    return s;
  };
  return { id, visitor, open, operator, room: env.CONVERSATION.getByName(id) };
}

async function storedTexts(id: string): Promise<string[]> {
  const page = await env.CONVERSATION.getByName(id).history("site_c", null, 1000);
  return page!.messages.map((m) => m.text);
}

function closeAll(...sockets: TestSocket[]) {
  for (const s of sockets) s.close();
}

describe("messages", () => {
  it("stores, acknowledges the sender and delivers to the operator with seq order", async () => {
    const c = await newConversation();
    const [v, o] = await Promise.all([c.open(), c.operator()]);
    v.send({ type: "message.send", clientId: "m1", text: "  Hello, is the grinder in stock?  " });
    const ack = await v.next("ack");
    expect(ack.clientId).toBe("m1");
    expect(ack.message).toMatchObject({ seq: 1, role: "visitor", text: "Hello, is the grinder in stock?", authorName: null });
    const got = await o.next("message");
    expect(got.message).toEqual(ack.message);

    o.send({ type: "message.send", clientId: "r1", text: "Yes, 12 left." });
    const reply = await v.next("message");
    expect(reply.message).toMatchObject({
      seq: 2,
      role: "operator",
      authorId: "op_anna",
      authorName: "Anna Kowalska",
      authorAvatar: "/avatars/op_anna.svg",
    });
    // The sender gets an ack, not a second copy.
    expect((await o.next("ack")).message.seq).toBe(2);
    expect(await o.receives("message", 200)).toBe(false);
    expect(await storedTexts(c.id)).toEqual(["Hello, is the grinder in stock?", "Yes, 12 left."]);
    closeAll(v, o);
  });

  it("never stores a retried send twice, even from another tab or after a reconnect", async () => {
    const c = await newConversation();
    const v1 = await c.open();
    v1.send({ type: "message.send", clientId: "same", text: "once" });
    const first = await v1.next("ack");
    v1.send({ type: "message.send", clientId: "same", text: "once" });
    expect((await v1.next("ack")).message).toEqual(first.message);
    v1.close();
    const v2 = await c.open(first.message.seq);
    v2.send({ type: "message.send", clientId: "same", text: "once" });
    expect((await v2.next("ack")).message.seq).toBe(first.message.seq);
    expect(await storedTexts(c.id)).toEqual(["once"]);
    // The same clientId from a different author is a different message.
    const o = await c.operator();
    o.send({ type: "message.send", clientId: "same", text: "operator's own" });
    expect((await o.next("ack")).message.seq).toBe(2);
    closeAll(v2, o);
  });

  it("resumes a reconnecting client with exactly the messages it missed, in order", async () => {
    const c = await newConversation();
    const o = await c.operator();
    for (let i = 1; i <= 5; i++) {
      o.send({ type: "message.send", clientId: `a${i}`, text: `before ${i}` });
      await o.next("ack");
    }
    const v = await c.open();
    const lastSeen = 3; // pretend the visitor saw 1..3, then the network dropped
    v.close();
    for (let i = 1; i <= RESUME_CHUNK_SIZE + 20; i++) o.send({ type: "message.send", clientId: `b${i}`, text: `missed ${i}` });
    for (let i = 1; i <= RESUME_CHUNK_SIZE + 20; i++) await o.next("ack");

    const back = await mustOpen(visitorSocketPath(c.id, c.visitor.token, lastSeen));
    const hello = await back.next("hello");
    expect(hello.resuming).toBe(true);
    const seqs = hello.messages.map((m) => m.seq);
    for (;;) {
      const more = await back.next("resume");
      seqs.push(...more.messages.map((m) => m.seq));
      if (more.done) break;
    }
    const expected = Array.from({ length: 5 + RESUME_CHUNK_SIZE + 20 - lastSeen }, (_, i) => lastSeen + 1 + i);
    expect(seqs).toEqual(expected);
    closeAll(back, o);
  }, 20_000);

  it("gives a fresh client the latest page and older pages on request", async () => {
    const c = await newConversation();
    const o = await c.operator();
    for (let i = 1; i <= 60; i++) o.send({ type: "message.send", clientId: `p${i}`, text: `m${i}` });
    for (let i = 1; i <= 60; i++) await o.next("ack");
    const v = await mustOpen(visitorSocketPath(c.id, c.visitor.token));
    const hello = await v.next("hello");
    expect(hello.hasMore).toBe(true);
    expect(hello.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 11 + i));
    v.send({ type: "history", before: 11 });
    const older = await v.next("history");
    expect(older.messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 1 + i));
    expect(older.hasMore).toBe(false);
    closeAll(v, o);
  });
});

describe("typing, read receipts, status", () => {
  it("shows typing to the other side only, and read marks both ways", async () => {
    const c = await newConversation();
    const [v, v2, o] = await Promise.all([c.open(), c.open(), c.operator()]);
    v.send({ type: "typing", active: true });
    expect(await o.next("typing")).toEqual({ type: "typing", role: "visitor", name: null, active: true });
    expect(await v2.receives("typing", 200)).toBe(false); // not echoed to the visitor's other tab

    o.send({ type: "typing", active: true });
    expect(await v.next("typing")).toEqual({ type: "typing", role: "operator", name: "Anna Kowalska", active: true });

    v.send({ type: "message.send", clientId: "x", text: "hi" });
    await v.next("ack");
    expect((await c.room.summary("site_c"))!.unreadForOperators).toBe(1);
    o.send({ type: "read", seq: 1 });
    expect(await v.next("read")).toEqual({ type: "read", role: "operator", seq: 1 });
    expect((await c.room.summary("site_c"))!.unreadForOperators).toBe(0);

    o.send({ type: "message.send", clientId: "y", text: "hello!" });
    await o.next("ack");
    expect(await c.room.visitorUnread("site_c", c.visitor.visitorId)).toBe(1);
    v.send({ type: "read", seq: 2 });
    expect(await o.next("read")).toEqual({ type: "read", role: "visitor", seq: 2 });
    expect(await c.room.visitorUnread("site_c", c.visitor.visitorId)).toBe(0);
    closeAll(v, v2, o);
  });

  it("lets operators resolve and reopen; a visitor's message reopens; visitors cannot resolve", async () => {
    const c = await newConversation();
    const [v, o] = await Promise.all([c.open(), c.operator()]);
    v.send({ type: "status", status: "resolved" });
    expect((await v.next("error")).code).toBe("forbidden");

    o.send({ type: "status", status: "resolved" });
    expect(await v.next("status")).toEqual({ type: "status", status: "resolved", byName: "Anna Kowalska" });
    expect((await c.room.summary("site_c"))!.status).toBe("resolved");

    v.send({ type: "message.send", clientId: "again", text: "One more question" });
    await v.next("ack");
    expect((await c.room.summary("site_c"))!.status).toBe("open");
    // Both sides hear at once that it is open again (defect 11: the widget and the admin kept
    // showing it resolved; no status frame was sent).
    expect(await v.next("status")).toEqual({ type: "status", status: "open", byName: null });
    expect(await o.until("status", (f) => f.status === "open")).toMatchObject({ status: "open", byName: null });

    const r = await api(`/api/sites/site_c/conversations/${c.id}/status`, { method: "POST", cookie, json: { status: "resolved" } });
    expect(r.status).toBe(200);
    expect((await v.next("status")).status).toBe("resolved");
    closeAll(v, o);
  });
});

describe("internal notes and typing preview", () => {
  it("shows internal notes to operators only: never on a visitor socket, page, resume or count", async () => {
    const c = await newConversation();
    const [v, o1, o2] = await Promise.all([c.open(), c.operator(), c.operator()]);
    v.send({ type: "message.send", clientId: "q", text: "Can I pay by invoice?" });
    await v.next("ack");
    await o2.next("message");
    const before = (await c.room.summary("site_c"))!;
    o1.send({ type: "message.send", clientId: "n1", kind: "note", text: "Check with accounting first" });
    expect((await o1.next("ack")).message).toMatchObject({ kind: "note", seq: 2, role: "operator" });
    expect((await o2.next("message")).message).toMatchObject({ kind: "note", text: "Check with accounting first" });
    expect(await v.receives("message", 300)).toBe(false);

    // A visitor cannot write one.
    v.send({ type: "message.send", clientId: "sneaky", kind: "note", text: "hidden?" });
    expect(await v.next("error")).toMatchObject({ code: "forbidden", clientId: "sneaky" });

    // Neither a fresh page, a resume nor scroll-back shows it to the visitor.
    for (const after of [undefined, 0, 1]) {
      const s = await mustOpen(visitorSocketPath(c.id, c.visitor.token, after));
      const hello = await s.next("hello");
      expect(hello.messages.map((m) => m.kind)).not.toContain("note");
      s.send({ type: "history", before: 10 });
      expect((await s.next("history")).messages.map((m) => m.text)).toEqual(["Can I pay by invoice?"]);
      s.close();
    }
    // Operators see it in their history; the inbox preview and counts ignore it.
    expect((await c.room.history("site_c", null, 50))!.messages.map((m) => m.kind)).toEqual(["text", "note"]);
    const after = (await c.room.summary("site_c"))!;
    expect(after).toMatchObject({
      lastMessagePreview: before.lastMessagePreview,
      unreadForOperators: before.unreadForOperators,
      messageCount: before.messageCount,
      firstResponseAt: null,
    });
    expect(await c.room.visitorUnread("site_c", c.visitor.visitorId)).toBe(0);
    expect(await storedTexts(c.id)).toEqual(["Can I pay by invoice?", "Check with accounting first"]);
    closeAll(v, o1, o2);
  });

  it("previews the visitor's draft to operators only when the site allows it, never the reverse", async () => {
    const c = await newConversation();
    const [v, o] = await Promise.all([c.open(), c.operator()]);
    const draftSeen = async (text: string) => {
      // The site's setting is read in the background: the first frames may go without a draft.
      for (let i = 0; i < 20; i++) {
        v.send({ type: "typing", active: true, draft: text });
        const f = await o.next("typing");
        if (f.draft !== undefined) return f.draft;
        await new Promise((r) => setTimeout(r, 50));
      }
      return undefined;
    };
    expect(await draftSeen("Do you ship to Fin")).toBe("Do you ship to Fin");

    // An operator's draft never reaches the visitor.
    o.send({ type: "typing", active: true, draft: "internal wording" });
    expect(await v.next("typing")).toEqual({ type: "typing", role: "operator", name: "Anna Kowalska", active: true });

    // Turn the preview off for the site; a woken room reads the setting again.
    await env.DB.prepare(`UPDATE sites SET settings = json_set(settings, '$.typingPreview', json('false')) WHERE id = 'site_c'`).run();
    await evictDurableObject(c.room);
    expect(await draftSeen("my address is")).toBeUndefined();
    await env.DB.prepare(`UPDATE sites SET settings = json_remove(settings, '$.typingPreview') WHERE id = 'site_c'`).run();
    closeAll(v, o);
  });
});

describe("the typing-preview switch", () => {
  it("takes effect at once: the very next visitor frame carries no draft, and a shown draft disappears (defect 10)", async () => {
    const c = await newConversation();
    const [v, o] = [await c.open(), await c.operator()];
    // The preview is on (the default): wait until the room has read the policy.
    for (let i = 0; i < 40; i++) {
      v.send({ type: "typing", active: true, draft: "my card number is" });
      if ((await o.next("typing")).draft !== undefined) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The owner turns it off (the settings route stores it, then tells the hub).
    await env.DB.prepare(`UPDATE sites SET settings = json_set(settings, '$.typingPreview', json('false')) WHERE id = 'site_c'`).run();
    const settings = (await (await api("/api/sites/site_c/settings", { cookie })).json()) as SiteSettings;
    expect(settings.typingPreview).toBe(false);
    await env.SITE_HUB.getByName("site_c").settingsChanged("site_c", settings);
    // The operator's shown draft is cleared…
    expect(await o.until("typing", (f) => f.active === false)).toEqual({ type: "typing", role: "visitor", name: null, active: false });
    // …and the very next frame carries none.
    v.send({ type: "typing", active: true, draft: "my card number is 4111" });
    expect(await o.next("typing")).toEqual({ type: "typing", role: "visitor", name: null, active: true });
    // Turned on again: at once, too.
    await env.DB.prepare(`UPDATE sites SET settings = json_remove(settings, '$.typingPreview') WHERE id = 'site_c'`).run();
    await env.SITE_HUB.getByName("site_c").settingsChanged("site_c", { ...settings, typingPreview: true });
    v.send({ type: "typing", active: true, draft: "hello" });
    expect((await o.next("typing")).draft).toBe("hello");
    closeAll(v, o);
  });
});

describe("the loader's unread count", () => {
  it("answers a peek token with the visitor's unread replies, to any shop origin, and nothing else", async () => {
    const visitor = await visitorSession("pk_c");
    const r = await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${visitor.token}` } });
    const { conversationId, peekToken } = (await r.json()) as { conversationId: string; peekToken: string };
    const o = await mustOpen(`/ws/sites/site_c/conversations/${conversationId}`, { cookie });
    await o.next("hello");
    o.send({ type: "message.send", clientId: "u1", text: "Your parcel left today." });
    await o.next("ack");
    const unread = await api(`/api/widget/unread?peek=${encodeURIComponent(peekToken)}`, { headers: { origin: "https://shop.example" } });
    expect(unread.status).toBe(200);
    expect(unread.headers.get("access-control-allow-origin")).toBe("*");
    expect(await unread.json()).toEqual({ unread: 1 });
    // The peek token is not a visitor token: it opens no socket and starts nothing.
    expect((await refusal(visitorSocketPath(conversationId, peekToken))).close).toBe(4401);
    o.close();
  });
});

describe("bad input", () => {
  const bad: [string, string | ArrayBuffer, string][] = [
    ["not JSON", "{this is not json", "bad_json"],
    ["a JSON array", "[1,2]", "bad_request"],
    ["no type", JSON.stringify({ text: "hi" }), "bad_request"],
    ["unknown type", JSON.stringify({ type: "message.delete", seq: 1 }), "unknown_type"],
    ["wrong field types", JSON.stringify({ type: "message.send", clientId: 5, text: ["x"] }), "validation_failed"],
    ["empty text", JSON.stringify({ type: "message.send", clientId: "e", text: "   " }), "validation_failed"],
    [
      "too long text",
      JSON.stringify({ type: "message.send", clientId: "l", text: "x".repeat(MAX_MESSAGE_CHARS + 1) }),
      "validation_failed",
    ],
    ["oversized frame", JSON.stringify({ type: "message.send", clientId: "o", text: "y".repeat(MAX_FRAME_BYTES) }), "too_large"],
    ["binary frame", new Uint8Array([1, 2, 3]).buffer, "bad_request"],
    ["negative read", JSON.stringify({ type: "read", seq: -1 }), "validation_failed"],
    ["status as a string", JSON.stringify({ type: "status", status: "deleted" }), "validation_failed"],
  ];

  it("answers each bad frame with a coded error, keeps the socket, and stores nothing", async () => {
    const c = await newConversation();
    const v = await c.open();
    v.send({ type: "message.send", clientId: "good", text: "kept" });
    await v.next("ack");
    const before = await c.room.summary("site_c");
    for (const [name, frame, code] of bad) {
      v.ws.send(frame);
      const err = await v.next("error");
      expect(err.code, name).toBe(code);
      expect(err.message.length, name).toBeGreaterThan(0);
      expect(JSON.stringify(err), name).not.toMatch(/at .*\.ts|stack/i);
    }
    // The socket still works and nothing else was stored or changed.
    v.send({ type: "message.send", clientId: "after", text: "still here" });
    expect((await v.next("ack")).message.seq).toBe(2);
    expect(await storedTexts(c.id)).toEqual(["kept", "still here"]);
    const after = await c.room.summary("site_c");
    expect(after!.messageCount).toBe(before!.messageCount + 1);
    v.close();
  });

  it("reports the clientId of a refused send so the client can drop it", async () => {
    const c = await newConversation();
    const v = await c.open();
    v.send({ type: "message.send", clientId: "too-long", text: "z".repeat(MAX_MESSAGE_CHARS + 5) });
    expect(await v.next("error")).toMatchObject({ code: "validation_failed", clientId: "too-long" });
    v.close();
  });
});

describe("durability", () => {
  it("keeps working across eviction (hibernation): sockets stay, state and seq survive", async () => {
    const c = await newConversation();
    const [v, o] = await Promise.all([c.open(), c.operator()]);
    v.send({ type: "message.send", clientId: "e1", text: "before eviction" });
    await v.next("ack");
    await evictDurableObject(c.room);
    v.send({ type: "message.send", clientId: "e2", text: "after eviction" });
    const ack = await v.next("ack");
    expect(ack.message.seq).toBe(2);
    expect((await o.next("message")).message.text).toBe("before eviction");
    expect((await o.next("message")).message.text).toBe("after eviction");
    // The visitor's identity survived in the socket attachment: a retry is still recognised.
    v.send({ type: "message.send", clientId: "e1", text: "before eviction" });
    expect((await v.next("ack")).message.seq).toBe(1);
    closeAll(v, o);
  });

  it("flushes the summary to D1 through the outbox, without touching D1 on the message path", async () => {
    const c = await newConversation();
    const v = await c.open();
    for (let i = 1; i <= 3; i++) v.send({ type: "message.send", clientId: `o${i}`, text: `msg ${i}` });
    for (let i = 1; i <= 3; i++) await v.next("ack");
    // Nobody is online on this site: the visitor is queued (a fact the room records too).
    await v.next("queue");
    const row = () =>
      env.DB.prepare("SELECT message_count, last_seq, last_message_preview, unread_for_operators FROM conversations WHERE id = ?")
        .bind(c.id)
        .first();
    // Acked, but D1 not written yet: the outbox watermarks are behind the state.
    const marks = () =>
      runInDurableObject(c.room, (_: ConversationRoom, state) =>
        state.storage.sql.exec("SELECT rev, flushed_rev, indexed_seq, last_seq FROM conversation").one(),
      );
    const before = await marks();
    expect(before.flushed_rev).toBeLessThan(Number(before.rev));
    expect(before).toMatchObject({ indexed_seq: 0, last_seq: 3 });
    expect(await row()).toMatchObject({ message_count: 0, last_seq: 0 });
    expect(await runDurableObjectAlarm(c.room)).toBe(true);
    expect(await row()).toEqual({ message_count: 3, last_seq: 3, last_message_preview: "msg 3", unread_for_operators: 3 });
    expect(await marks()).toEqual({ rev: before.rev, flushed_rev: before.rev, indexed_seq: 3, last_seq: 3 });
    // Nothing left: no further alarm.
    expect(await runDurableObjectAlarm(c.room)).toBe(false);
    // A stale flush never overwrites a newer row.
    await env.DB.prepare("UPDATE conversations SET rev = rev + 100 WHERE id = ?").bind(c.id).run();
    v.send({ type: "message.send", clientId: "o4", text: "newer in DO, older rev" });
    await v.next("ack");
    await runDurableObjectAlarm(c.room);
    expect(((await row()) as { message_count: number }).message_count).toBe(3);
    v.close();
  });

  it("creates Durable Objects only for real conversations", async () => {
    const before = (await listDurableObjectIds(env.CONVERSATION)).length;
    const visitor = await visitorSession("pk_c");
    expect((await refusal(`/ws/visitor/conversations/not-an-id?token=${visitor.token}`)).close).toBe(4404);
    expect((await listDurableObjectIds(env.CONVERSATION)).length).toBe(before);
  });
});
