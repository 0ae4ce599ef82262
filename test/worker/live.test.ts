// The Live view: operator dashboards get a summary of who is on the shop (counts and the first
// entries, merged by the site hub from the visitor shards' aggregates), a new one when a visitor
// arrives or navigates (not on a heartbeat), and one without them after the timeout.
// Invitations: an operator's personal message opens the visitor's chat on the next beacon.
// The same at N = 4 shards and the aggregates' costs: live-shards.test.ts.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { InviteResponse, LiveVisitor } from "../../protocol";
import type { VisitorShard } from "../../worker/do/visitor-shard";
import { shardName, shardOf } from "../../worker/lib/shards";
import { api, login, mustOpen, seedSite, visitorSession, visitorSocketPath } from "./helpers";
import { SHOP, track, UA, visitorOf, visitPages } from "./tracking-helpers";

let anna: string;
let other: string;

beforeAll(async () => {
  await seedSite({ id: "site_l", key: "pk_l" }, [
    { id: "op_l_anna", email: "anna@l.test", name: "Anna", role: "owner" },
    { id: "op_l_piotr", email: "piotr@l.test", name: "Piotr", role: "agent" },
  ]);
  await seedSite({ id: "site_l2", key: "pk_l2" }, [{ id: "op_l2", email: "x@l2.test", name: "X", role: "owner" }]);
  [anna, other] = await Promise.all([login("anna@l.test"), login("x@l2.test")]);
});

const entryOf = (frame: { visitors: LiveVisitor[] }, id: string) => frame.visitors.find((v) => v.visitorId === id);

interface PresenceInside {
  entries: Map<string, { expiresAt: number }>;
  earliestExpiry: number;
  tick(): void;
}

/** The in-memory entries of the site_l shard holding `visitorId`, through the object itself. */
async function inShard<T>(visitorId: string, fn: (presence: PresenceInside) => T): Promise<T> {
  const n = Number(await env.DB.prepare("SELECT visitor_shards FROM sites WHERE id = 'site_l'").first("visitor_shards"));
  const stub = env.VISITOR_SHARD.getByName(shardName("site_l", shardOf(visitorId, n)));
  return runInDurableObject(stub, (instance: VisitorShard) => fn((instance as unknown as { presence: PresenceInside }).presence));
}

describe("live view", () => {
  it("shows a visitor arriving and navigating, ignores heartbeats, and drops them after the timeout", async () => {
    const dash = await mustOpen("/ws/sites/site_l/inbox", { cookie: anna });
    const first = await dash.next("live.summary");
    expect(first).toMatchObject({ sort: "chatting", visitors: [], counts: { visitors: 0, chatting: 0, withCart: 0, returning: 0 } });
    const foreign = await mustOpen("/ws/sites/site_l2/inbox", { cookie: other });
    await foreign.next("live.summary");

    const t = (await track({ k: "pk_l", e: "view", u: `${SHOP}/?utm_source=ig`, ti: "Home" }, { ua: UA.iphone, cf: { country: "FI" } })).t!;
    const id = visitorOf(t);
    const arrived = entryOf(await dash.until("live.summary", (f) => entryOf(f, id) !== undefined), id)!;
    expect(arrived).toMatchObject({
      url: `${SHOP}/`,
      title: "Home",
      returning: false,
      country: "FI",
      chatting: false,
      conversationId: null,
      cart: null,
      device: { type: "mobile" },
    });
    expect(arrived.source?.utmSource).toBe("ig");

    await track({ k: "pk_l", t, e: "ping", u: `${SHOP}/`, ms: 15_000 });
    expect(await dash.receives("live.summary", 300)).toBe(false);

    await track({ k: "pk_l", t, e: "view", u: `${SHOP}/p/aeropress`, ti: "AeroPress" });
    const moved = await dash.until("live.summary", (f) => entryOf(f, id)?.title === "AeroPress");
    expect(entryOf(moved, id)).toMatchObject({ url: `${SHOP}/p/aeropress`, visitStartedAt: arrived.visitStartedAt });
    await track({ k: "pk_l", t, e: "cart", d: { items: [{ id: "a", price: 30 }], total: 30, currency: "EUR" } });
    const carted = await dash.until("live.summary", (f) => entryOf(f, id)?.cart !== null);
    expect(entryOf(carted, id)!.cart).toEqual({ total: 30, currency: "EUR" });
    expect(carted.counts).toEqual({ visitors: 1, chatting: 0, withCart: 1, returning: 0 });

    // A dashboard opened now sees them in its first summary.
    const late = await mustOpen("/ws/sites/site_l/inbox", { cookie: anna });
    expect(entryOf(await late.next("live.summary"), id)).toBeDefined();

    // No ping for LIVE_TIMEOUT_MS: the shard's timer drops them (time moved by moving their expiry).
    await inShard(id, (presence) => {
      presence.entries.get(id)!.expiresAt = Date.now() - 1;
      presence.earliestExpiry = Date.now() - 1;
      presence.tick();
    });
    for (const s of [dash, late]) {
      const gone = await s.until("live.summary", (f) => f.counts.visitors === 0);
      expect(gone.visitors).toEqual([]);
    }
    expect(await foreign.receives("live.summary", 100)).toBe(false);
    for (const s of [dash, late, foreign]) s.close();
  });

  it("lets a visitor who leaves go after a short grace, unless they come back first", async () => {
    const t = await visitPages("pk_l", ["/a"]);
    const id = visitorOf(t);
    await track({ k: "pk_l", t, e: "leave", u: `${SHOP}/a`, ms: 3000 });
    expect((await inShard(id, (p) => p.entries.get(id)!.expiresAt)) - Date.now()).toBeLessThanOrEqual(10_000);
    // The next page of a multi-page shop arrives right after its "leave": they stay.
    await track({ k: "pk_l", t, e: "view", u: `${SHOP}/b` });
    expect((await inShard(id, (p) => p.entries.get(id)!.expiresAt)) - Date.now()).toBeGreaterThan(30_000);
  });
});

describe("invitations", () => {
  it("puts the operator's message in the visitor's conversation and opens their chat on the next beacon", async () => {
    const dash = await mustOpen("/ws/sites/site_l/inbox", { cookie: anna });
    await dash.next("live.summary");
    const t = await visitPages("pk_l", ["/p/chemex"]);
    const id = visitorOf(t);
    expect((await track({ k: "pk_l", t, e: "ping", u: `${SHOP}/p/chemex` })).o).toBeUndefined();

    for (const json of [{}, { text: "   " }, { text: "x".repeat(1001) }]) {
      expect((await api(`/api/sites/site_l/visitors/${id}/invite`, { method: "POST", cookie: anna, json })).status).toBe(422);
    }
    expect(
      (
        await api(`/api/sites/site_l/visitors/${id}/invite`, {
          method: "POST",
          cookie: anna,
          body: "{",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
    // Not this operator's shop, not this shop's visitor, not a visitor at all.
    expect((await api(`/api/sites/site_l/visitors/${id}/invite`, { method: "POST", cookie: other, json: { text: "hi" } })).status).toBe(
      404,
    );
    expect((await api(`/api/sites/site_l2/visitors/${id}/invite`, { method: "POST", cookie: other, json: { text: "hi" } })).status).toBe(
      404,
    );
    expect((await api(`/api/sites/site_l/visitors/v_nobody/invite`, { method: "POST", cookie: anna, json: { text: "hi" } })).status).toBe(
      404,
    );

    const r = await api(`/api/sites/site_l/visitors/${id}/invite`, {
      method: "POST",
      cookie: anna,
      json: { text: "Hi! Need help choosing a filter?" },
    });
    expect(r.status).toBe(200);
    const { conversationId } = (await r.json()) as InviteResponse;
    const history = await env.CONVERSATION.getByName(conversationId).history("site_l", null, 50);
    const invite = history!.messages.find((m) => m.kind === "text")!;
    expect(invite).toMatchObject({
      role: "operator",
      authorId: "op_l_anna",
      authorName: "Anna",
      authorAvatar: "/avatars/op_l_anna.svg",
      text: "Hi! Need help choosing a filter?",
    });
    expect((await env.CONVERSATION.getByName(conversationId).summary("site_l"))!.assigneeId).toBe("op_l_anna");

    // The loader's next beacon: open the chat (once), one unread reply, the peek token.
    const next = await track({ k: "pk_l", t, e: "ping", u: `${SHOP}/p/chemex` });
    expect(next).toMatchObject({ o: 1, n: 1 });
    expect(next.p).toMatch(/^peek\.[0-9a-z]+\.site_l\./);
    expect((await track({ k: "pk_l", t, e: "ping", u: `${SHOP}/p/chemex` })).o).toBeUndefined();
    // The Live view shows them in a conversation now (an invitation starts one).
    const live = await dash.until("live.summary", (f) => entryOf(f, id)?.conversationId === conversationId && entryOf(f, id)!.chatting);
    expect(live.counts.chatting).toBeGreaterThanOrEqual(1);

    // The chat iframe adopts the tracked visitor, sees the invitation, and the answer reaches Anna.
    const chat = await visitorSession("pk_l", undefined, t);
    expect(chat.conversationId).toBe(conversationId);
    const operator = await mustOpen(`/ws/sites/site_l/conversations/${conversationId}`, { cookie: anna });
    await operator.next("hello");
    const visitor = await mustOpen(visitorSocketPath(conversationId, chat.token));
    expect((await visitor.next("hello")).messages.map((m) => m.text)).toContain("Hi! Need help choosing a filter?");
    visitor.send({ type: "message.send", clientId: "reply-1", text: "Yes please, for a V60" });
    await visitor.next("ack");
    expect((await operator.next("message")).message).toMatchObject({ role: "visitor", text: "Yes please, for a V60" });

    // She says who she is: the inbox row shows her name from then on, not "Visitor #…".
    await track({ k: "pk_l", t, e: "identify", u: `${SHOP}/p/chemex`, id: { id: "cust-77", name: "Ewa Zielińska" } });
    const renamed = await dash.until("inbox.update", (f) => f.conversation.id === conversationId && f.conversation.visitorName !== null);
    expect(renamed.conversation.visitorName).toBe("Ewa Zielińska");
    for (const s of [dash, operator, visitor]) s.close();
  });
});
