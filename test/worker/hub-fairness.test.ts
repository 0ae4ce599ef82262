// Fair routing in the site hub: a seat freed by a transfer serves the queue (defect 9), a later
// visitor is never served before those waiting, a conversation takes no seat before its visitor
// writes (defect 4; an invitation counts once answered), and under a storm of concurrent
// arrivals, resolves and presence changes each conversation has at most one holder, nobody is
// over their cap through routing, and the queue is served in arrival order.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { SiteHub } from "../../worker/do/site-hub";
import { api, login, mustOpen, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";
import { dashboards, eventually, holderOf, hubState, visitorWrites, type WritingVisitor } from "./routing-helpers";
import { track, visitorOf, visitPages } from "./tracking-helpers";

const cookies: Record<string, string> = {};

beforeAll(async () => {
  await seedSite({ id: "site_fair", key: "pk_fair" }, [
    { id: "op_fa", email: "a@fair.test", name: "Ada", role: "owner" },
    { id: "op_fb", email: "b@fair.test", name: "Bo", role: "agent" },
  ]);
  await seedSite({ id: "site_seat", key: "pk_seat" }, [
    { id: "op_sa", email: "a@seat.test", name: "Sam", role: "owner" },
    { id: "op_sb", email: "b@seat.test", name: "Sue", role: "agent" },
  ]);
  await seedSite(
    { id: "site_storm", key: "pk_storm" },
    ["op_x1", "op_x2", "op_x3"].map((id) => ({ id, email: `${id}@storm.test`, name: id, role: "agent" as const })),
  );
  await env.DB.prepare("UPDATE memberships SET max_chats = 1 WHERE site_id = 'site_fair'").run();
  await env.DB.prepare("UPDATE memberships SET max_chats = 2 WHERE site_id = 'site_storm'").run();
  for (const [id, email] of [
    ["op_fa", "a@fair.test"],
    ["op_fb", "b@fair.test"],
    ["op_sa", "a@seat.test"],
    ["op_sb", "b@seat.test"],
    ["op_x1", "op_x1@storm.test"],
    ["op_x2", "op_x2@storm.test"],
    ["op_x3", "op_x3@storm.test"],
  ] as const) {
    cookies[id] = await login(email);
  }
});

const resolve = (siteId: string, id: string, cookie: string) =>
  api(`/api/sites/${siteId}/conversations/${id}/status`, { method: "POST", cookie, json: { status: "resolved" } });

describe("a seat freed by a transfer", () => {
  it("serves the queue before anyone who arrives later (defect 9)", async () => {
    const online = await dashboards("site_fair", [cookies.op_fa!, cookies.op_fb!]);
    const first = await visitorWrites("pk_fair", "first");
    const second = await visitorWrites("pk_fair", "second");
    const waiting = await visitorWrites("pk_fair", "third, waits");
    const state = await eventually(
      () => hubState("site_fair"),
      (s) => s.assignments.length === 2 && s.queue.length === 1,
      "two seats taken, one waiting",
    );
    expect(state.queue).toEqual([waiting.id]);
    const ada = holderOf(state, first.id) === "op_fa" ? first : second;
    const bo = ada === first ? second : first;

    // Ada passes her chat to Bo: her seat is free, and the one waiting gets it.
    const r = await api(`/api/sites/site_fair/conversations/${ada.id}/transfer`, {
      method: "POST",
      cookie: cookies.op_fa!,
      json: { operatorId: "op_fb" },
    });
    expect(r.status).toBe(200);
    const after = await eventually(
      () => hubState("site_fair"),
      (s) => s.queue.length === 0,
      "the waiting conversation served",
      3000,
    );
    expect(holderOf(after, waiting.id)).toBe("op_fa");
    expect(holderOf(after, ada.id)).toBe("op_fb");
    expect(holderOf(after, bo.id)).toBe("op_fb");

    // A visitor who comes now waits: nobody has a free seat, and nobody was skipped.
    const late = await visitorWrites("pk_fair", "late");
    expect(
      (
        await eventually(
          () => hubState("site_fair"),
          (s) => s.queue.length === 1,
          "late one queued",
        )
      ).queue,
    ).toEqual([late.id]);
    for (const id of [ada.id, bo.id, waiting.id, late.id]) await resolve("site_fair", id, cookies.op_fb!);
    for (const s of online) s.close();
  }, 30_000);

  it("serves the queue when a transfer to a skill frees it, in arrival order", async () => {
    await env.DB.prepare(`UPDATE memberships SET skills = '["returns"]' WHERE site_id = 'site_fair' AND operator_id = 'op_fb'`).run();
    await api("/api/sites/site_fair/operators/op_fb", { method: "PATCH", cookie: cookies.op_fa!, json: { maxChats: 2 } });
    const online = await dashboards("site_fair", [cookies.op_fa!, cookies.op_fb!]);
    // The first test's resolutions reach the hub a moment after their answers.
    await eventually(
      () => hubState("site_fair"),
      (s) => s.queue.length === 0 && s.assignments.length === 0,
      "a calm start",
    );
    // Ada takes one; Bo takes two; two more wait, in the order they wrote.
    const chats: WritingVisitor[] = [];
    for (let i = 0; i < 5; i++) chats.push(await visitorWrites("pk_fair", `chat ${i}`));
    const s1 = await eventually(
      () => hubState("site_fair"),
      (s) => s.assignments.length === 3 && s.queue.length === 2,
      "3 held, 2 waiting",
    );
    expect(s1.queue).toEqual([chats[3]!.id, chats[4]!.id]);
    const adas = s1.assignments.find((a) => a.operator_id === "op_fa")!.conversation_id;

    // Ada sends hers to "returns" (Bo, full): it waits behind the two, and her seat serves chats[3].
    const r = await api(`/api/sites/site_fair/conversations/${adas}/transfer`, {
      method: "POST",
      cookie: cookies.op_fa!,
      json: { skill: "returns", note: "Wants to send it back" },
    });
    expect(r.status).toBe(200);
    const s2 = await eventually(
      () => hubState("site_fair"),
      (s) => holderOf(s, chats[3]!.id) === "op_fa",
      "chats[3] on Ada's seat",
    );
    expect(s2.queue).toEqual([chats[4]!.id, adas]);
    // Nobody holds the transferred one while it waits (the room agrees with the hub).
    expect((await env.CONVERSATION.getByName(adas).summary("site_fair"))!.assigneeId).toBeNull();

    // Bo resolves one: the earliest waiting (chats[4]) gets the seat, the transfer waits on.
    const bos = s2.assignments.filter((a) => a.operator_id === "op_fb").map((a) => a.conversation_id);
    await resolve("site_fair", bos[0]!, cookies.op_fb!);
    const s3 = await eventually(
      () => hubState("site_fair"),
      (s) => holderOf(s, chats[4]!.id) !== null,
      "chats[4] served",
    );
    expect(holderOf(s3, chats[4]!.id)).toBe("op_fb");
    expect(s3.queue).toEqual([adas]);
    // Bo frees another: the transfer completes, as a transfer with its note, never back to Ada.
    await resolve("site_fair", bos[1]!, cookies.op_fb!);
    const s4 = await eventually(
      () => hubState("site_fair"),
      (s) => s.queue.length === 0,
      "the transfer completed",
    );
    expect(holderOf(s4, adas)).toBe("op_fb");
    const notes = (await env.CONVERSATION.getByName(adas).history("site_fair", null, 50))!.messages.filter((m) => m.kind === "note");
    expect(notes.at(-1)!.event).toMatchObject({ type: "transferred", fromName: "Ada", operatorName: "Bo", note: "Wants to send it back" });
    for (const c of [...chats.map((c) => c.id), adas]) await resolve("site_fair", c, cookies.op_fb!);
    for (const s of online) s.close();
  }, 30_000);
});

describe("seats are for visitors who wrote", () => {
  it("gives an empty chat window no seat and no queue place, so ten of them block nobody (defect 4)", async () => {
    const online = await dashboards("site_seat", [cookies.op_sa!, cookies.op_sb!]);
    await env.DB.prepare("UPDATE memberships SET max_chats = 5 WHERE site_id = 'site_seat'").run();
    await api("/api/sites/site_seat/operators/op_sa", { method: "PATCH", cookie: cookies.op_sa!, json: { maxChats: 5 } });
    const empty: string[] = [];
    for (let i = 0; i < 10; i++) empty.push(await startConversation((await visitorSession("pk_seat")).token));
    // The hub knows them (the inbox shows them) but routes none.
    await eventually(
      () =>
        runInDurableObject(env.SITE_HUB.getByName("site_seat"), (_: SiteHub, s) =>
          Number(s.storage.sql.exec("SELECT COUNT(*) AS n FROM inbox").one().n),
        ),
      (n) => n >= 10,
      "the inbox knows them",
    );
    expect(await hubState("site_seat")).toEqual({ assignments: [], queue: [] });

    // A real visitor writes and gets an operator at once.
    const real = await visitorWrites("pk_seat", "Do you ship to Tampere?");
    const s = await eventually(
      () => hubState("site_seat"),
      (x) => x.assignments.length === 1,
      "the real visitor served",
      3000,
    );
    expect(s.assignments[0]!.conversation_id).toBe(real.id);
    expect(s.queue).toEqual([]);
    const loads = (await env.SITE_HUB.getByName("site_seat").operatorsOnline()).map((o) => o.load).sort();
    expect(loads).toEqual([0, 1]);
    await resolve("site_seat", real.id, cookies.op_sa!);
    // The hub hears of the resolve a moment later; the next test counts loads from zero.
    await eventually(
      () => hubState("site_seat"),
      (x) => x.assignments.length === 0,
      "the resolve freed the seat",
    );
    for (const x of online) x.close();
  }, 30_000);

  it("keeps an invitation with its operator, counting in her load only once the visitor answers", async () => {
    const online = await dashboards("site_seat", [cookies.op_sa!]);
    const t = await visitPages("pk_seat", ["/p/kettle"]);
    const r = await api(`/api/sites/site_seat/visitors/${visitorOf(t)}/invite`, {
      method: "POST",
      cookie: cookies.op_sa!,
      json: { text: "Hi! Questions about the kettle?" },
    });
    const { conversationId } = (await r.json()) as { conversationId: string };
    const room = env.CONVERSATION.getByName(conversationId);
    expect((await room.summary("site_seat"))!.assigneeId).toBe("op_sa");
    await eventually(
      () =>
        runInDurableObject(
          env.SITE_HUB.getByName("site_seat"),
          (_: SiteHub, s) => s.storage.sql.exec("SELECT 1 FROM inbox WHERE id = ?", conversationId).toArray().length,
        ),
      (n) => n === 1,
      "the hub heard of the invitation",
    );
    expect(holderOf(await hubState("site_seat"), conversationId)).toBeNull();
    expect((await env.SITE_HUB.getByName("site_seat").operatorsOnline())[0]!.load).toBe(0);

    // She answers: the conversation is Sam's, counted, and waiting for his answer.
    await track({ k: "pk_seat", t, e: "ping", u: "https://shop.example/p/kettle" });
    const chat = await visitorSession("pk_seat", undefined, t);
    const v = await mustOpen(visitorSocketPath(conversationId, chat.token));
    await v.next("hello");
    v.send({ type: "message.send", clientId: "yes", text: "Yes, is it 1.7 l?" });
    await v.next("ack");
    const s = await eventually(
      () => hubState("site_seat"),
      (x) => holderOf(x, conversationId) === "op_sa",
      "counted once answered",
    );
    expect(s.queue).not.toContain(conversationId);
    expect((await env.SITE_HUB.getByName("site_seat").operatorsOnline())[0]!.load).toBe(1);
    const answered = await runInDurableObject(env.SITE_HUB.getByName("site_seat"), (_: SiteHub, st) =>
      Number(st.storage.sql.exec("SELECT answered FROM assignments WHERE conversation_id = ?", conversationId).one().answered),
    );
    expect(answered).toBe(0);
    for (const x of [v, ...online]) x.close();
  }, 30_000);
});

describe("invariants under concurrency", () => {
  it("never gives a conversation two holders or an operator more than their cap, and serves in arrival order", async () => {
    const ops = ["op_x1", "op_x2", "op_x3"];
    const online = await dashboards(
      "site_storm",
      ops.map((o) => cookies[o]!),
    );
    const violations: string[] = [];
    let sampling = true;
    const samples = (async () => {
      let n = 0;
      while (sampling) {
        const s = await hubState("site_storm");
        const perOperator = new Map<string, number>();
        for (const a of s.assignments) perOperator.set(a.operator_id, (perOperator.get(a.operator_id) ?? 0) + 1);
        for (const [op, load] of perOperator) if (load > 2) violations.push(`${op} holds ${load}`);
        if (new Set(s.assignments.map((a) => a.conversation_id)).size !== s.assignments.length) violations.push("two holders");
        if (s.assignments.some((a) => s.queue.includes(a.conversation_id))) violations.push("held and queued");
        n++;
      }
      return n;
    })();

    // 16 visitors write at once; meanwhile operators resolve what they get and go away and back.
    const arrivals = Array.from({ length: 16 }, (_, i) => visitorWrites("pk_storm", `storm ${i}`));
    const churn = (async () => {
      for (let round = 0; round < 6; round++) {
        const s = await hubState("site_storm");
        const victim = s.assignments[round % Math.max(1, s.assignments.length)];
        const jobs: Promise<unknown>[] = [];
        if (victim) jobs.push(resolve("site_storm", victim.conversation_id, cookies[victim.operator_id]!));
        const flip = online[round % online.length]!;
        flip.send({ type: "presence", status: "away" });
        jobs.push(new Promise((r) => setTimeout(r, 20)).then(() => flip.send({ type: "presence", status: "online" })));
        await Promise.all(jobs);
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    const written = await Promise.all(arrivals);
    await churn;
    // Let routing settle: everything open is held or waiting.
    const final = await eventually(
      async () => {
        const s = await hubState("site_storm");
        const open = await Promise.all(written.map(async (w) => (await env.CONVERSATION.getByName(w.id).summary("site_storm"))!));
        return { s, open };
      },
      ({ s, open }) =>
        open.filter((c) => c.status === "open").every((c) => holderOf(s, c.id) !== null || s.queue.includes(c.id)) &&
        s.assignments.length === Math.min(6, open.filter((c) => c.status === "open").length),
      "routing settled",
      10_000,
    );
    sampling = false;
    expect(await samples).toBeGreaterThan(3);
    expect(violations).toEqual([]);

    const { s, open } = final;
    const byId = new Map(open.map((c) => [c.id, c]));
    // The rooms agree with the hub: one holder each, the one the hub has.
    for (const a of s.assignments) expect(byId.get(a.conversation_id)?.assigneeId ?? a.operator_id).toBe(a.operator_id);
    // The queue is in the order the visitors wrote (not the order the hub heard of them).
    const queuedArrivals = s.queue.filter((id) => byId.has(id)).map((id) => byId.get(id)!.firstVisitorMessageAt!);
    expect(queuedArrivals).toEqual([...queuedArrivals].sort((a, b) => a - b));
    for (const x of online) x.close();
  }, 60_000);
});
