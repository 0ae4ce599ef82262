// The Live view over visitor shards, with one shard and with four: exact counts (sums over the
// shards), the REST list paged with a cursor across shards in every order (no duplicate, no gap),
// the hub's pushed summary, aggregate pushes counted at the hub (only after a visible change, a
// burst then one per interval), invitations and conversation state in the visitor's own shard,
// and rebuilding after the hub or a shard was evicted.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { compareLive, LIVE_SORTS, type LiveListResponse, type LiveSort, type LiveVisitor } from "../../protocol";
import { PUSH_BURST, PUSH_INTERVAL_MS } from "../../worker/do/shard-presence";
import type { SiteHub } from "../../worker/do/site-hub";
import type { VisitorShard } from "../../worker/do/visitor-shard";
import { shardName, shardOf } from "../../worker/lib/shards";
import { api, login, mustOpen, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";
import { evictShard, SHOP, track, visitorOf } from "./tracking-helpers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PresenceInside {
  pushes: number;
  invites: Map<string, number>;
  entries: Map<string, unknown>;
}

describe.each([1, 4])("the Live view with %i visitor shard(s)", (shards) => {
  let owner: string;
  let stranger: string;
  const site = (name: string) => `site_ls${shards}_${name}`;

  beforeAll(async () => {
    await seedSite({ id: site("home"), key: `pk_ls${shards}_home` }, [
      { id: `op_ls${shards}`, email: `owner${shards}@ls.test`, name: "Olga", role: "owner" },
    ]);
    await seedSite({ id: site("other"), key: `pk_ls${shards}_other` }, [
      { id: `op_ls${shards}_x`, email: `x${shards}@ls.test`, name: "X", role: "owner" },
    ]);
    [owner, stranger] = await Promise.all([login(`owner${shards}@ls.test`), login(`x${shards}@ls.test`)]);
  });

  /** A site of Olga's with `shards` shards. */
  async function olgaSite(name: string): Promise<{ id: string; key: string }> {
    const id = site(name);
    const key = `pk_ls${shards}_${name}`;
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO sites (id, name, public_key, created_at, visitor_shards) VALUES (?, ?, ?, ?, ?)").bind(
        id,
        name,
        key,
        now,
        shards,
      ),
      env.DB.prepare("INSERT INTO memberships (site_id, operator_id, role, created_at) VALUES (?, ?, 'owner', ?)").bind(
        id,
        `op_ls${shards}`,
        now,
      ),
    ]);
    return { id, key };
  }

  async function list(siteId: string, query: Record<string, string> = {}, cookie = owner): Promise<Response> {
    return api(`/api/sites/${siteId}/live?${new URLSearchParams(query)}`, { cookie });
  }
  async function page(siteId: string, query: Record<string, string> = {}): Promise<LiveListResponse> {
    const r = await list(siteId, query);
    expect(r.status).toBe(200);
    return r.json();
  }
  /** Every page of a list, following nextCursor. */
  async function allPages(siteId: string, query: Record<string, string>): Promise<{ rows: LiveVisitor[]; pages: number }> {
    const rows: LiveVisitor[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p = await page(siteId, cursor ? { ...query, cursor } : query);
      rows.push(...p.visitors);
      cursor = p.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { rows, pages };
  }

  const shardStub = (siteId: string, shard: number) => env.VISITOR_SHARD.getByName(shardName(siteId, shard));
  const inShard = <T>(siteId: string, shard: number, fn: (p: PresenceInside | null) => T) =>
    runInDurableObject(shardStub(siteId, shard), (i: VisitorShard) => fn((i as unknown as { presence: PresenceInside | null }).presence));
  const hubPushes = (siteId: string) =>
    runInDurableObject(env.SITE_HUB.getByName(siteId), (i: SiteHub) => (i as unknown as { live: { pushed: number } }).live.pushed);
  async function shardPushes(siteId: string): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < shards; i++) out.push(await inShard(siteId, i, (p) => p?.pushes ?? 0));
    return out;
  }

  /** A visitor on `path` (with a cart of `cart` when given); returns their token and id. */
  async function arrive(key: string, path: string, opts: { cart?: number; country?: string } = {}): Promise<{ t: string; id: string }> {
    const t = (
      await track({ k: key, e: "view", u: `${SHOP}${path}`, ti: `Title ${path}` }, opts.country ? { cf: { country: opts.country } } : {})
    ).t!;
    if (opts.cart !== undefined)
      await track({ k: key, t, e: "cart", d: { items: [{ id: "x", price: opts.cart }], total: opts.cart, currency: "EUR" } });
    return { t, id: visitorOf(t) };
  }

  it("counts exactly across shards and pages every order with a cursor, no duplicate and no gap", async () => {
    const { id: siteId, key } = await olgaSite("paging");
    const people: { t: string; id: string }[] = [];
    for (let i = 0; i < 23; i++) {
      people.push(await arrive(key, `/p/${i}`, { cart: i % 3 === 0 ? 10 + (i % 5) : undefined, country: i % 4 === 0 ? "FI" : "PL" }));
    }
    const used = new Set(people.map((p) => shardOf(p.id, shards)));
    expect(used.size).toBe(Math.min(shards, 4)); // 23 visitors land in every one of four shards

    const carted = people.filter((_, i) => i % 3 === 0).map((p) => p.id);
    const whole = await page(siteId, { limit: "200" });
    expect(whole.counts).toEqual({ visitors: 23, chatting: 0, withCart: carted.length, returning: 0 });
    expect(whole.visitors).toHaveLength(23);
    expect(whole.nextCursor).toBeNull();

    for (const sort of LIVE_SORTS) {
      const { rows, pages } = await allPages(siteId, { sort, limit: "5" });
      expect(pages).toBe(5);
      expect(new Set(rows.map((v) => v.visitorId)).size).toBe(23);
      expect(rows.map((v) => v.visitorId)).toEqual([...whole.visitors].sort(compareLive(sort)).map((v) => v.visitorId));
    }
    const cartPages = await allPages(siteId, { sort: "cart", cart: "1", limit: "2" });
    expect(cartPages.rows.map((v) => v.visitorId).sort()).toEqual([...carted].sort());
    expect(cartPages.rows.map((v) => v.cart!.total)).toEqual([...cartPages.rows.map((v) => v.cart!.total)].sort((a, b) => b - a));
    expect((await page(siteId, { country: "fi", limit: "200" })).visitors).toHaveLength(6);
    const found = await page(siteId, { q: "title /p/17" });
    expect(found.visitors.map((v) => v.visitorId)).toEqual([people[17]!.id]);
    expect(found.counts.visitors).toBe(23); // counts are the shop's, not the filter's

    // The hub's summary: the same counts, the first entries in the dashboard's order.
    const dash = await mustOpen(`/ws/sites/${siteId}/inbox`, { cookie: owner });
    // Each shard pushes its aggregate through a token bucket (a burst of 5, then one per 2 s): the
    // hub's counts reach the shards' exact ones within a few intervals, not at the first summary.
    const same = (f: { counts: object }) => JSON.stringify(f.counts) === JSON.stringify(whole.counts);
    const summary = await dash.until("live.summary", same, 12_000);
    expect(summary.counts).toEqual(whole.counts);
    expect(summary.sort).toBe("chatting");
    expect(summary.visitors.map((v) => v.visitorId)).toEqual([...whole.visitors].sort(compareLive("chatting")).map((v) => v.visitorId));
    dash.send({ type: "live.watch", sort: "cart" satisfies LiveSort });
    const byCart = await dash.until("live.summary", (f) => f.sort === "cart");
    expect(byCart.visitors.slice(0, carted.length).every((v) => v.cart !== null)).toBe(true);
    expect(byCart.visitors[0]!.cart!.total).toBe(14);
    dash.send({ type: "live.watch", sort: "nope" });
    expect((await dash.next("error")).code).toBe("validation_failed");
    dash.close();
  }, 30_000);

  it("pushes an aggregate only after a visible change: a burst, then one per interval per shard", async () => {
    const { id: siteId, key } = await olgaSite("pushes");
    const people: { t: string; id: string }[] = [];
    for (let i = 0; i < 12; i++) people.push(await arrive(key, `/a/${i}`));
    // Twelve arrivals in a few hundred ms: at most the bucket per shard went at once.
    const burst = await hubPushes(siteId);
    expect(burst).toBeGreaterThan(0);
    expect(burst).toBeLessThanOrEqual(shards * PUSH_BURST);
    await sleep(PUSH_INTERVAL_MS + 300);
    const settled = await hubPushes(siteId);
    expect(settled).toBeLessThanOrEqual(shards * (PUSH_BURST + 2));
    expect(await shardPushes(siteId).then((p) => p.reduce((a, b) => a + b))).toBe(settled);
    expect((await page(siteId)).counts.visitors).toBe(12);

    // Heartbeats change nothing a dashboard shows: no push at all.
    for (const p of people) await track({ k: key, t: p.t, e: "ping", u: `${SHOP}/a/0`, ms: 15_000 });
    for (const p of people) await track({ k: key, t: p.t, e: "ping", u: `${SHOP}/a/0`, ms: 30_000 });
    await sleep(PUSH_INTERVAL_MS + 300);
    expect(await hubPushes(siteId)).toBe(settled);

    // Sustained navigation (40 page views over ~4 s): the hub hears a bounded number of pushes.
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      const p = people[i % people.length]!;
      await track({ k: key, t: p.t, e: "view", u: `${SHOP}/b/${i}`, ti: `B ${i}` });
      await sleep(100);
    }
    const seconds = (Date.now() - started) / 1000;
    const sustained = (await hubPushes(siteId)) - settled;
    console.log(
      `N=${shards}: 40 navigations over ${seconds.toFixed(1)} s → ${sustained} hub calls (${(sustained / seconds).toFixed(2)}/s)`,
    );
    expect(sustained).toBeGreaterThan(0);
    expect(sustained).toBeLessThanOrEqual(shards * (PUSH_BURST + Math.ceil((seconds * 1000) / PUSH_INTERVAL_MS)));
    // The last change arrives anyway, one interval later at most.
    const dash = await mustOpen(`/ws/sites/${siteId}/inbox`, { cookie: owner });
    await dash.until("live.summary", (f) => f.visitors.some((v) => v.title === "B 39"), PUSH_INTERVAL_MS + 2000);
    dash.close();
  }, 30_000);

  it("records an invitation in the visitor's own shard and answers it on the next beacon only", async () => {
    const { id: siteId, key } = await olgaSite("invite");
    const { t, id } = await arrive(key, "/p/chemex");
    const r = await api(`/api/sites/${siteId}/visitors/${id}/invite`, { method: "POST", cookie: owner, json: { text: "Hello there" } });
    expect(r.status).toBe(200);
    for (let i = 0; i < shards; i++) {
      expect(await inShard(siteId, i, (p) => p?.invites.has(id) ?? false)).toBe(i === shardOf(id, shards));
    }
    expect((await track({ k: key, t, e: "ping", u: `${SHOP}/p/chemex` })).o).toBe(1);
    expect((await track({ k: key, t, e: "ping", u: `${SHOP}/p/chemex` })).o).toBeUndefined();
  });

  it("forwards a visitor's conversation state to their shard: chatting, then not once resolved", async () => {
    const { id: siteId, key } = await olgaSite("chat");
    const { t, id } = await arrive(key, "/p/kettle");
    await arrive(key, "/p/other");
    const chat = await visitorSession(key, undefined, t);
    const conversationId = await startConversation(chat.token);
    const socket = await mustOpen(visitorSocketPath(conversationId, chat.token));
    await socket.next("hello");
    socket.send({ type: "message.send", clientId: "m1", text: "Is this kettle induction-ready?" });
    await socket.next("ack");
    socket.close();
    await vi.waitFor(async () => expect((await page(siteId, { chatting: "1" })).visitors.map((v) => v.visitorId)).toEqual([id]), {
      timeout: 3000,
    });
    const row = (await page(siteId, { chatting: "1" })).visitors[0]!;
    expect(row.conversationId).toBe(conversationId);
    expect((await page(siteId)).counts.chatting).toBe(1);

    const done = await api(`/api/sites/${siteId}/conversations/${conversationId}/status`, {
      method: "POST",
      cookie: owner,
      json: { status: "resolved" },
    });
    expect(done.status).toBe(200);
    await vi.waitFor(async () => expect((await page(siteId, { chatting: "1" })).visitors).toEqual([]), { timeout: 3000 });
    expect((await page(siteId, { chatting: "0" })).visitors.map((v) => v.visitorId)).toContain(id);
  });

  it("rebuilds after evictions: the hub pulls what it lacks, a restarted shard hears who chats again", async () => {
    const { id: siteId, key } = await olgaSite("evict");
    const people: { t: string; id: string }[] = [];
    for (let i = 0; i < 9; i++) people.push(await arrive(key, `/e/${i}`, { cart: i === 0 ? 5 : undefined }));
    const { t, id } = people[0]!;
    const chat = await visitorSession(key, undefined, t);
    const conversationId = await startConversation(chat.token);
    const socket = await mustOpen(visitorSocketPath(conversationId, chat.token));
    await socket.next("hello");
    socket.send({ type: "message.send", clientId: "m1", text: "Hi" });
    await socket.next("ack");
    socket.close();
    await vi.waitFor(async () => expect((await page(siteId)).counts.chatting).toBe(1), { timeout: 3000 });

    // The hub forgets its aggregates; a dashboard connecting gets exact counts at once (pulled).
    await evictDurableObject(env.SITE_HUB.getByName(siteId));
    const dash = await mustOpen(`/ws/sites/${siteId}/inbox`, { cookie: owner });
    expect((await dash.next("live.summary")).counts).toEqual({ visitors: 9, chatting: 1, withCart: 1, returning: 0 });

    // The chatting visitor's shard restarts: their next ping puts them back, and the hub tells
    // the new presence that they chat.
    const shard = shardOf(id, shards);
    await evictShard(shardStub(siteId, shard));
    expect(await inShard(siteId, shard, (p) => p?.entries.size ?? 0)).toBe(0);
    await track({ k: key, t, e: "ping", u: `${SHOP}/e/0`, ms: 15_000 });
    await vi.waitFor(async () => expect((await page(siteId, { chatting: "1" })).visitors.map((v) => v.visitorId)).toEqual([id]), {
      timeout: 4000,
    });
    dash.close();
  }, 15_000);

  it("answers bad queries with coded errors, and nothing to another shop's operator", async () => {
    const { id: siteId, key } = await olgaSite("errors");
    await arrive(key, "/x");
    const { nextCursor } = await page(siteId, { limit: "1", sort: "recent" });
    expect(nextCursor).toBeNull(); // one visitor, one page
    const two = await arrive(key, "/y");
    expect(two.id).toBeTruthy();
    const cursor = (await page(siteId, { limit: "1", sort: "recent" })).nextCursor!;
    expect(cursor).toBeTruthy();
    const bad: Record<string, string>[] = [
      { sort: "loudest" },
      { limit: "0" },
      { limit: "201" },
      { limit: "ten" },
      { chatting: "maybe" },
      { country: "Finland" },
      { cursor: "garbage" },
      { cursor, sort: "cart" }, // a cursor of another order
      { cursor: `${cursor}.x` },
    ];
    for (const query of bad) {
      const r = await list(siteId, query);
      expect(r.status, JSON.stringify(query)).toBe(422);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    }
    expect((await list(siteId, {}, stranger)).status).toBe(404);
    expect((await api(`/api/sites/${siteId}/live`)).status).toBe(401);
  });
});
