// Conversation workflow: pending and snoozed (until a time or the visitor's reply), priority and
// tags — operators' tools, which visitors never see.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConversationListResponse } from "../../protocol";
import { api, login, mustOpen, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";

let cookie: string;

beforeAll(async () => {
  await seedSite({ id: "site_w", key: "pk_w" }, [{ id: "op_w", email: "w@w.test", name: "Wanda", role: "owner" }]);
  cookie = await login("w@w.test");
});

async function setup() {
  const visitor = await visitorSession("pk_w");
  const id = await startConversation(visitor.token);
  const v = await mustOpen(visitorSocketPath(id, visitor.token));
  await v.next("hello");
  const o = await mustOpen(`/ws/sites/site_w/conversations/${id}`, { cookie });
  await o.next("hello");
  return { id, v, o, visitor, room: env.CONVERSATION.getByName(id) };
}

describe("workflow", () => {
  it("puts a conversation on pending or snoozed until the visitor writes again", async () => {
    const { v, o, room } = await setup();
    for (const status of ["pending", "snoozed"] as const) {
      o.send({ type: "status", status });
      expect(await o.until("status", (f) => f.status === status)).toMatchObject({ status, byName: "Wanda", snoozedUntil: null });
      expect((await room.summary("site_w"))!.status).toBe(status);
      v.send({ type: "message.send", clientId: `back-${status}`, text: "I'm back" });
      await v.next("ack");
      expect((await room.summary("site_w"))!.status).toBe("open");
    }
    // The visitor only ever hears "open" or "resolved".
    expect(
      v.frames
        .filter((f) => f.type === "status")
        .map((f) => (f as { status: string }).status)
        .every((s) => s === "open"),
    ).toBe(true);
    v.close();
    o.close();
  });

  it("wakes a conversation snoozed until a time", async () => {
    const { v, o, room, id, visitor } = await setup();
    const until = Date.now() + 100;
    const r = await api(`/api/sites/site_w/conversations/${id}/status`, {
      method: "POST",
      cookie,
      json: { status: "snoozed", snoozeUntil: until },
    });
    expect(r.status).toBe(200);
    expect((await room.summary("site_w"))!.snoozedUntil).toBe(until);
    // A visitor connecting meanwhile sees an open conversation, not the team's workflow.
    const late = await mustOpen(visitorSocketPath(id, visitor.token));
    expect((await late.next("hello")).conversation.status).toBe("open");
    await new Promise((res) => setTimeout(res, 150));
    await runDurableObjectAlarm(room); // the flush alarm runs first and re-arms for the snooze
    if ((await room.summary("site_w"))!.status !== "open") await runDurableObjectAlarm(room);
    expect((await room.summary("site_w"))!).toMatchObject({ status: "open", snoozedUntil: null });
    for (const s of [v, o, late]) s.close();
  });

  it("sets priority and tags for operators only, and filters the list by them", async () => {
    const { v, o, room, id } = await setup();
    o.send({ type: "update", priority: "urgent", tags: ["Returns", "vip", "returns"] });
    expect(await o.next("updated")).toEqual({ type: "updated", priority: "urgent", tags: ["returns", "vip"] });
    expect(await v.receives("updated", 300)).toBe(false);
    v.send({ type: "update", priority: "low" });
    expect((await v.next("error")).code).toBe("forbidden");
    const patched = await api(`/api/sites/site_w/conversations/${id}`, { method: "PATCH", cookie, json: { tags: ["vip"] } });
    expect(((await patched.json()) as { conversation: { tags: string[]; priority: string } }).conversation).toMatchObject({
      tags: ["vip"],
      priority: "urgent",
    });
    for (const json of [{ priority: "asap" }, { tags: ["two words"] }]) {
      expect((await api(`/api/sites/site_w/conversations/${id}`, { method: "PATCH", cookie, json })).status).toBe(422);
    }
    o.send({ type: "status", status: "pending" });
    await o.until("status", (f) => f.status === "pending");
    await runDurableObjectAlarm(room);
    const pending = (await (await api("/api/sites/site_w/conversations?status=pending", { cookie })).json()) as ConversationListResponse;
    expect(pending.conversations.map((c) => [c.id, c.priority, c.tags])).toEqual([[id, "urgent", ["vip"]]]);
    v.close();
    o.close();
  });
});
