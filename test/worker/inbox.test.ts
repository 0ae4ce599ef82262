// The site hub: every operator's dashboard sees new conversations, messages, reads and status
// changes live, with unread counts; presence; rebuilt from D1 when the hub's storage is new;
// sign-out closes a session's sockets; a visitor's name reaches their rows; upgrades keep data.

import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol";
import type { SiteHub } from "../../worker/do/site-hub";
import { login, mustOpen, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";

let anna: string;
let piotr: string;

beforeAll(async () => {
  await seedSite({ id: "site_h", key: "pk_h" }, [
    { id: "op_anna", email: "anna@h.test", name: "Anna", role: "owner" },
    { id: "op_piotr", email: "piotr@h.test", name: "Piotr", role: "agent" },
  ]);
  await seedSite({ id: "site_other", key: "pk_other" }, [{ id: "op_x", email: "x@o.test", name: "X", role: "owner" }]);
  [anna, piotr] = await Promise.all([login("anna@h.test"), login("piotr@h.test")]);
});

describe("live inbox", () => {
  it("shows every operator new conversations, messages, unread counts, reads and status live", async () => {
    const a = await mustOpen("/ws/sites/site_h/inbox", { cookie: anna });
    const snapshot = await a.next("inbox.snapshot");
    expect(snapshot.operatorsOnline.map((o) => o.id)).toEqual(["op_anna"]);
    const p = await mustOpen("/ws/sites/site_h/inbox", { cookie: piotr });
    await p.next("inbox.snapshot");
    expect((await a.next("presence")).operatorsOnline.map((o) => o.id).sort()).toEqual(["op_anna", "op_piotr"]);

    const visitor = await visitorSession("pk_h");
    expect(visitor.operatorsOnline.map((o) => o.name).sort()).toEqual(["Anna", "Piotr"]);
    const id = await startConversation(visitor.token);
    for (const s of [a, p]) {
      const created = await s.until("inbox.update", (u) => u.conversation.id === id);
      expect(created.conversation).toMatchObject({ id, status: "open", messageCount: 0 });
    }

    const v = await mustOpen(visitorSocketPath(id, visitor.token));
    await v.next("hello");
    v.send({ type: "message.send", clientId: "1", text: "Where is my order #1042?" });
    await v.next("ack");
    for (const s of [a, p]) {
      const upd = await s.until("inbox.update", (u) => u.conversation.messageCount === 1);
      expect(upd.conversation).toMatchObject({
        id,
        lastMessagePreview: "Where is my order #1042?",
        unreadForOperators: 1,
        lastMessageRole: "visitor",
      });
    }

    const room = await mustOpen(`/ws/sites/site_h/conversations/${id}`, { cookie: anna });
    const visitorSeq = (await room.next("hello")).conversation.lastSeq;
    room.send({ type: "read", seq: visitorSeq });
    await p.until("inbox.update", (u) => u.conversation.unreadForOperators === 0);
    room.send({ type: "status", status: "resolved" });
    await p.until("inbox.update", (u) => u.conversation.status === "resolved");

    // A fresh dashboard gets the same state in its snapshot.
    const late = await mustOpen("/ws/sites/site_h/inbox", { cookie: piotr });
    const snap = await late.next("inbox.snapshot");
    expect(snap.conversations.find((c) => c.id === id)).toMatchObject({ status: "resolved", unreadForOperators: 0, messageCount: 1 });

    p.close();
    const presence = await a.next("presence");
    expect(presence.operatorsOnline.map((o) => o.id).sort()).toEqual(["op_anna", "op_piotr"]); // `late` is still Piotr
    for (const s of [a, late, v, room]) s.close();
  });

  it("keeps other shops' conversations out of the hub", async () => {
    const a = await mustOpen("/ws/sites/site_h/inbox", { cookie: anna });
    await a.next("inbox.snapshot");
    const visitor = await visitorSession("pk_other");
    await startConversation(visitor.token);
    expect(await a.receives("inbox.update", 300)).toBe(false);
    a.close();
  });

  it("rebuilds a new hub's inbox from D1", async () => {
    const visitor = await visitorSession("pk_h");
    const id = await startConversation(visitor.token);
    const v = await mustOpen(visitorSocketPath(id, visitor.token));
    await v.next("hello");
    v.send({ type: "message.send", clientId: "1", text: "from D1" });
    await v.next("ack");
    await runDurableObjectAlarm(env.CONVERSATION.getByName(id));
    v.close();
    // Wipe the hub's memory of the site, as if the object were lost, then reconnect.
    await runInDurableObject(env.SITE_HUB.getByName("site_h"), (_hub, state) => {
      state.storage.sql.exec("DELETE FROM inbox");
      state.storage.sql.exec("DELETE FROM meta");
    });
    const a = await mustOpen("/ws/sites/site_h/inbox", { cookie: anna });
    const snap = await a.next("inbox.snapshot");
    expect(snap.conversations.find((c) => c.id === id)).toMatchObject({ lastMessagePreview: "from D1", messageCount: 1 });
    a.close();
  });

  it("answers anything but the keep-alive on the inbox socket with a coded error", async () => {
    const a = await mustOpen("/ws/sites/site_h/inbox", { cookie: anna });
    await a.next("inbox.snapshot");
    a.send("ping");
    expect(await a.receives("pong" as never, 1000)).toBe(true);
    a.send("{broken");
    expect((await a.next("error")).code).toBe("bad_json");
    a.send({ type: "message.send", clientId: "x", text: "wrong socket" });
    expect((await a.next("error")).code).toBe("unknown_type");
    a.close();
  });
});

describe("sessions, names and upgrades", () => {
  /** The session tags of the dashboards now open on a hub, in the order they were opened. */
  const dashboardTags = () =>
    runInDurableObject(env.SITE_HUB.getByName("site_h"), (_: SiteHub, state) =>
      state.getWebSockets().map((ws) => (ws.deserializeAttachment() as { sessionTag: string }).sessionTag),
    );

  it("closes a signed-out session's dashboards and the conversations it viewed with 4401, and only those (defect 6)", async () => {
    const [annaOther] = await Promise.all([login("anna@h.test")]); // Anna, signed in a second time
    const dash1 = await mustOpen("/ws/sites/site_h/inbox", { cookie: anna });
    await dash1.next("inbox.snapshot");
    const [tag1] = await dashboardTags();
    const dash2 = await mustOpen("/ws/sites/site_h/inbox", { cookie: annaOther });
    await dash2.next("inbox.snapshot");
    const tag2 = (await dashboardTags()).find((t) => t !== tag1)!;
    const piotrDash = await mustOpen("/ws/sites/site_h/inbox", { cookie: piotr });
    await piotrDash.next("inbox.snapshot");

    const visitor = await visitorSession("pk_h");
    const id = await startConversation(visitor.token);
    const hub = env.SITE_HUB.getByName("site_h");
    const room1 = await mustOpen(`/ws/sites/site_h/conversations/${id}`, { cookie: anna });
    await room1.next("hello");
    await hub.noteViewer("site_h", tag1!, "op_anna", id);
    const room2 = await mustOpen(`/ws/sites/site_h/conversations/${id}`, { cookie: annaOther });
    await room2.next("hello");
    await hub.noteViewer("site_h", tag2, "op_anna", id);

    // Another site's sign-out reaches nothing here.
    await hub.closeSessions("site_other", { sessionTag: tag1! });
    await new Promise((r) => setTimeout(r, 100));
    expect([dash1.closed, room1.closed]).toEqual([null, null]);

    await hub.closeSessions("site_h", { sessionTag: tag1! });
    const closedCode = async (s: typeof dash1) => {
      for (let i = 0; i < 60 && !s.closed; i++) await new Promise((r) => setTimeout(r, 25));
      return s.closed?.code;
    };
    expect(await closedCode(dash1)).toBe(CLOSE_CODES.unauthorized);
    expect(await closedCode(room1)).toBe(CLOSE_CODES.unauthorized);
    // Anna's other session and Piotr keep everything, and still hear the conversation.
    expect(dash2.closed).toBeNull();
    expect(room2.closed).toBeNull();
    const v = await mustOpen(visitorSocketPath(id, visitor.token));
    await v.next("hello");
    v.send({ type: "message.send", clientId: "after-signout", text: "still there?" });
    expect((await room2.next("message")).message.text).toBe("still there?");
    await piotrDash.until("inbox.update", (u) => u.conversation.id === id && u.conversation.lastMessagePreview === "still there?");

    // An ended account: every socket of that operator.
    await hub.closeSessions("site_h", { operatorId: "op_anna" });
    expect(await closedCode(dash2)).toBe(CLOSE_CODES.unauthorized);
    expect(await closedCode(room2)).toBe(CLOSE_CODES.unauthorized);
    expect(piotrDash.closed).toBeNull();
    for (const s of [piotrDash, v]) s.close();
  });

  it("renames every inbox row of a visitor who gives their name (defect 13)", async () => {
    const a = await mustOpen("/ws/sites/site_h/inbox", { cookie: anna });
    await a.next("inbox.snapshot");
    const visitor = await visitorSession("pk_h");
    const id = await startConversation(visitor.token);
    await a.until("inbox.update", (u) => u.conversation.id === id);
    const hub = env.SITE_HUB.getByName("site_h");
    await hub.visitorNamed("site_other", visitor.visitorId, "Mallory"); // not this hub's site
    await hub.visitorNamed("site_h", visitor.visitorId, "Ewa Zielińska");
    const renamed = await a.until("inbox.update", (u) => u.conversation.id === id && u.conversation.visitorName !== null);
    expect(renamed.conversation.visitorName).toBe("Ewa Zielińska");
    // The name stays through later changes from the room, which knows no names.
    const v = await mustOpen(visitorSocketPath(id, visitor.token));
    await v.next("hello");
    v.send({ type: "message.send", clientId: "n1", text: "hello" });
    expect(
      (await a.until("inbox.update", (u) => u.conversation.id === id && u.conversation.messageCount === 1)).conversation.visitorName,
    ).toBe("Ewa Zielińska");
    // A fresh dashboard shows it too.
    const late = await mustOpen("/ws/sites/site_h/inbox", { cookie: piotr });
    expect((await late.next("inbox.snapshot")).conversations.find((c) => c.id === id)?.visitorName).toBe("Ewa Zielińska");
    for (const s of [a, v, late]) s.close();
  });

  it("keeps a hub's data across the schema upgrade and gives back seats of conversations nobody wrote in", async () => {
    const hub = env.SITE_HUB.getByName("site_up");
    // A hub as the previous version stored it (schema v3): an inbox row with messages and one
    // without, both holding a seat, and a Live view entry.
    const row = (id: string, messageCount: number) => ({
      id,
      rev: 3,
      siteId: "site_up",
      visitorId: `v_${id}`,
      visitorName: null,
      status: "open",
      assigneeId: "op_anna",
      lastSeq: messageCount,
      messageCount,
      updatedAt: Date.now(),
    });
    await runInDurableObject(hub, (_: SiteHub, state) => {
      const sql = state.storage.sql;
      for (const t of ["inbox", "meta", "assignments", "queue", "live", "invites", "viewers", "timers", "schema_version"]) {
        sql.exec(`DROP TABLE IF EXISTS ${t}`);
      }
      sql.exec(`CREATE TABLE inbox (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at INTEGER NOT NULL, rev INTEGER NOT NULL, summary TEXT NOT NULL);
        CREATE INDEX inbox_by_activity ON inbox (updated_at DESC);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE assignments (conversation_id TEXT PRIMARY KEY, operator_id TEXT NOT NULL, assigned_at INTEGER NOT NULL, answered INTEGER NOT NULL, tried TEXT NOT NULL DEFAULT '[]');
        CREATE TABLE queue (conversation_id TEXT PRIMARY KEY, skill TEXT, enqueued_at INTEGER NOT NULL);
        CREATE TABLE live (visitor_id TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
        CREATE INDEX live_by_expiry ON live (expires_at);
        CREATE TABLE invites (visitor_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version (version) VALUES (3);`);
      for (const [id, n] of [
        ["c_upgrade_written_0000000", 2],
        ["c_upgrade_empty_000000000", 0],
      ] as const) {
        sql.exec(
          "INSERT INTO inbox (id, status, updated_at, rev, summary) VALUES (?, 'open', ?, 3, ?)",
          id,
          Date.now(),
          JSON.stringify(row(id, n)),
        );
        sql.exec(
          "INSERT INTO assignments (conversation_id, operator_id, assigned_at, answered) VALUES (?, 'op_anna', ?, 1)",
          id,
          Date.now(),
        );
      }
      sql.exec("INSERT INTO meta (key, value) VALUES ('site_id', 'site_up'), ('loaded', '1')");
      sql.exec("INSERT INTO live (visitor_id, data, expires_at) VALUES ('v_live', '{}', ?)", Date.now() + 60_000);
    });
    await evictDurableObject(hub);
    const after = await runInDurableObject(hub, (_: SiteHub, state) => ({
      version: state.storage.sql.exec("SELECT version FROM schema_version").one().version,
      inbox: state.storage.sql.exec("SELECT id, visitor_id FROM inbox ORDER BY id").toArray(),
      held: state.storage.sql
        .exec("SELECT conversation_id FROM assignments")
        .toArray()
        .map((r) => r.conversation_id),
      // v5: the Live view moved to the visitor shards; v3's tables are gone.
      oldLiveTables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('live', 'invites')").toArray()
        .length,
      timers: state.storage.sql
        .exec("SELECT name FROM timers ORDER BY name")
        .toArray()
        .map((r) => r.name),
    }));
    expect(after).toEqual({
      version: 5,
      inbox: [
        { id: "c_upgrade_empty_000000000", visitor_id: "v_c_upgrade_empty_000000000" },
        { id: "c_upgrade_written_0000000", visitor_id: "v_c_upgrade_written_0000000" },
      ],
      held: ["c_upgrade_written_0000000"],
      oldLiveTables: 0,
      // What the old alarm was for is looked at again by timers of the new kind.
      timers: ["live", "reassign"],
    });
  });
});
