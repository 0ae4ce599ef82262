// The site hub: every operator's dashboard sees new conversations, messages, reads and status
// changes live, with unread counts; presence; rebuilt from D1 when the hub's storage is new.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
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
