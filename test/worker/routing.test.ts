// Routing in the site hub: capacity-aware assignment, the queue in arrival order, re-assignment
// when the assignee does not answer, transfers and taking from the queue. A conversation is
// routed once its visitor has written.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { SiteHub } from "../../worker/do/site-hub";
import { api, login, mustOpen, seedSite, type TestSocket, visitorSocketPath } from "./helpers";
import { eventually, hubState, dashboards as openDashboards, reassignmentDue, visitorWrites } from "./routing-helpers";

const ops = ["op_1", "op_2", "op_3", "op_4", "op_5", "op_6"];
const cookies = new Map<string, string>();

beforeAll(async () => {
  await seedSite(
    { id: "site_r", key: "pk_r" },
    ops.map((id, i) => ({ id, email: `${id}@r.test`, name: `Operator ${i + 1}`, role: "agent" as const })),
  );
  await seedSite({ id: "site_t", key: "pk_t" }, [
    { id: "op_ta", email: "ta@t.test", name: "Anna", role: "owner" },
    { id: "op_tb", email: "tb@t.test", name: "Piotr", role: "agent" },
  ]);
  await env.DB.prepare("UPDATE memberships SET max_chats = 5").run();
  await env.DB.prepare(`UPDATE memberships SET skills = '["payments"]' WHERE operator_id = 'op_tb'`).run();
  for (const id of ops) cookies.set(id, await login(`${id}@r.test`));
  cookies.set("op_ta", await login("ta@t.test"));
  cookies.set("op_tb", await login("tb@t.test"));
});

const dashboards = (siteId: string, ids: string[]): Promise<TestSocket[]> =>
  openDashboards(
    siteId,
    ids.map((id) => cookies.get(id)!),
  );

describe("routing", () => {
  it("spreads 40 conversations over 6 operators under their caps and drains the queue in arrival order", async () => {
    const online = await dashboards("site_r", ops);
    const created: string[] = [];
    for (let i = 0; i < 40; i++) created.push((await visitorWrites("pk_r")).id);

    const state = await eventually(
      () => hubState("site_r"),
      (s) => s.assignments.length + s.queue.length === 40,
      "every conversation routed or queued",
    );
    const perOperator = new Map<string, number>();
    for (const a of state.assignments) perOperator.set(a.operator_id, (perOperator.get(a.operator_id) ?? 0) + 1);
    expect([...perOperator.values()].every((n) => n <= 5)).toBe(true);
    expect([...perOperator.keys()].sort()).toEqual(ops);
    expect(state.assignments).toHaveLength(30);
    expect(state.queue).toEqual(created.slice(30)); // the last ten, in arrival order

    // A queued visitor is told their place.
    const last = created[39]!;
    const room = env.CONVERSATION.getByName(last);
    const position = () =>
      runInDurableObject(room, (_r, s) => s.storage.sql.exec("SELECT queue_position FROM conversation").one().queue_position);
    expect(await eventually(position, (p) => p === 10, "the last visitor's place in the queue")).toBe(10);

    // Operator 3 resolves two chats: the first two queued go to operator 3, in order.
    const mine = state.assignments
      .filter((a) => a.operator_id === "op_3")
      .slice(0, 2)
      .map((a) => a.conversation_id);
    for (const id of mine) {
      const r = await api(`/api/sites/site_r/conversations/${id}/status`, {
        method: "POST",
        cookie: cookies.get("op_3")!,
        json: { status: "resolved" },
      });
      expect(r.status).toBe(200);
    }
    const after = await eventually(
      () => hubState("site_r"),
      (s) => s.queue.length === 8,
      "two queued conversations assigned",
    );
    expect(after.queue).toEqual(created.slice(32));
    const drained = after.assignments.filter((a) => created.slice(30, 32).includes(a.conversation_id));
    expect(drained.map((a) => a.operator_id)).toEqual(["op_3", "op_3"]);
    for (const s of online) s.close();
  }, 60_000);
});

describe("re-assignment, transfer and take", () => {
  it("re-assigns an unanswered conversation after the site's limit and says so to operators only", async () => {
    const online = await dashboards("site_t", ["op_ta", "op_tb"]);
    const { id, token } = await visitorWrites("pk_t");
    const first = await eventually(
      () => hubState("site_t"),
      (s) => s.assignments.some((a) => a.conversation_id === id),
      "assignment",
    );
    const firstOperator = first.assignments.find((a) => a.conversation_id === id)!.operator_id;
    const v = await mustOpen(visitorSocketPath(id, token));
    const hello = await v.next("hello");
    expect(hello.messages.filter((m) => m.kind === "event").map((m) => m.event?.type)).toEqual(["joined"]);

    // Nobody answers for longer than the limit (60 s by default): the timer moves it on.
    await reassignmentDue("site_t");
    const second = (await hubState("site_t")).assignments.find((a) => a.conversation_id === id)!.operator_id;
    expect(second).not.toBe(firstOperator);

    const joined = await v.until("message", (f) => f.message.kind === "event");
    expect(joined.message.event).toMatchObject({ type: "joined" });
    expect(await v.receives("message", 300)).toBe(false); // the re-assignment note is not for visitors
    const history = (await env.CONVERSATION.getByName(id).history("site_t", null, 50))!.messages;
    expect(history.map((m) => [m.kind, m.event?.type])).toEqual([
      ["text", undefined],
      ["event", "joined"],
      ["event", "joined"],
      ["note", "reassigned"],
    ]);
    expect(history[3]!.event).toMatchObject({ afterSeconds: 60 });

    // An answered conversation stays where it is.
    const o = await mustOpen(`/ws/sites/site_t/conversations/${id}`, { cookie: cookies.get(second)! });
    await o.next("hello");
    o.send({ type: "message.send", clientId: "answer", text: "Hi, I'm here." });
    await o.next("ack");
    await eventually(
      () =>
        runInDurableObject(
          env.SITE_HUB.getByName("site_t"),
          (_: SiteHub, s) => s.storage.sql.exec("SELECT answered FROM assignments WHERE conversation_id = ?", id).one().answered,
        ),
      (a) => a === 1,
      "answer noted",
    );
    for (const s of [v, o, ...online]) s.close();
  }, 30_000);

  it("transfers to a colleague with a note only operators see, and to a skill", async () => {
    const online = await dashboards("site_t", ["op_ta", "op_tb"]);
    const { id, token } = await visitorWrites("pk_t");
    await eventually(
      () => hubState("site_t"),
      (s) => s.assignments.some((a) => a.conversation_id === id),
      "assignment",
    );
    const v = await mustOpen(visitorSocketPath(id, token));
    await v.next("hello");

    const r = await api(`/api/sites/site_t/conversations/${id}/transfer`, {
      method: "POST",
      cookie: cookies.get("op_ta")!,
      json: { operatorId: "op_ta", note: "VIP customer, be quick" },
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { conversation: { assigneeId: string } }).conversation.assigneeId).toBe("op_ta");
    const joined = await v.until("message", (f) => f.message.kind === "event");
    expect(joined.message.event).toEqual({ type: "joined", operatorName: "Anna", operatorAvatar: "/avatars/op_ta.svg" });
    expect(JSON.stringify(v.frames)).not.toContain("VIP customer");
    const notes = (await env.CONVERSATION.getByName(id).history("site_t", null, 50))!.messages.filter((m) => m.kind === "note");
    expect(notes.at(-1)!.event).toMatchObject({ type: "transferred", note: "VIP customer, be quick", operatorName: "Anna" });

    // To a skill: Piotr has "payments".
    const bySkill = await api(`/api/sites/site_t/conversations/${id}/transfer`, {
      method: "POST",
      cookie: cookies.get("op_ta")!,
      json: { skill: "payments" },
    });
    expect(((await bySkill.json()) as { conversation: { assigneeId: string } }).conversation.assigneeId).toBe("op_tb");
    // Nobody else has "payments": it waits in the queue for that skill.
    await api(`/api/sites/site_t/conversations/${id}/transfer`, {
      method: "POST",
      cookie: cookies.get("op_tb")!,
      json: { skill: "payments" },
    });
    expect((await hubState("site_t")).queue).toContain(id);
    // A skill nobody on the team has is refused rather than queued forever.
    const noSkill = await api(`/api/sites/site_t/conversations/${id}/transfer`, {
      method: "POST",
      cookie: cookies.get("op_tb")!,
      json: { skill: "returns" },
    });
    expect(noSkill.status).toBe(422);
    // Bad transfers get coded errors.
    const bad = await api(`/api/sites/site_t/conversations/${id}/transfer`, {
      method: "POST",
      cookie: cookies.get("op_ta")!,
      json: { operatorId: "op_1" },
    });
    expect(bad.status).toBe(404);
    const invalid = await api(`/api/sites/site_t/conversations/${id}/transfer`, {
      method: "POST",
      cookie: cookies.get("op_ta")!,
      json: { skill: "" },
    });
    expect(invalid.status).toBe(422);

    // An operator can take it from the queue.
    const take = await api(`/api/sites/site_t/conversations/${id}/take`, { method: "POST", cookie: cookies.get("op_tb")! });
    expect(((await take.json()) as { conversation: { assigneeId: string } }).conversation.assigneeId).toBe("op_tb");
    expect((await hubState("site_t")).queue).not.toContain(id);
    for (const s of [v, ...online]) s.close();
  }, 30_000);

  it("queues when nobody is online and assigns as soon as someone comes online", async () => {
    const { id, token } = await visitorWrites("pk_t");
    await eventually(
      () => hubState("site_t"),
      (s) => s.queue.includes(id),
      "queued",
    );
    const v = await mustOpen(visitorSocketPath(id, token));
    const hello = await v.next("hello");
    expect(hello.conversation.queuePosition).toBeGreaterThanOrEqual(1);
    const [piotr] = await dashboards("site_t", ["op_tb"]);
    await eventually(
      () => hubState("site_t"),
      (s) => !s.queue.includes(id),
      "assigned once online",
    );
    expect(await v.until("queue", (f) => f.position === null)).toMatchObject({ position: null });
    for (const s of [v, piotr!]) s.close();
  }, 30_000);
});
