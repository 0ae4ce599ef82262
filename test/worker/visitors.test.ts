// Operators' reads (profile sidebar, visitor list with filters and paging, audience), and
// privacy: export of every trace, erasure of D1 rows and Durable Object history, and the
// retention job deleting only what is older than the site's limit. Other shops get nothing.
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AudienceResponse,
  CLOSE_CODES,
  type VisitorDetailsResponse,
  type VisitorExport,
  type VisitorListResponse,
} from "../../protocol";
import type { ConversationRoom } from "../../worker/do/conversation-room";
import worker from "../../worker/index";
import { api, login, mustOpen, refusal, seedSite, visitorSession, visitorSocketPath } from "./helpers";
import {
  count,
  countAt,
  inShardOf,
  liveIds,
  SHOP,
  track,
  trackingExecFor,
  trackingRows,
  UA,
  visitorOf,
  visitPages,
} from "./tracking-helpers";

const DAY = 86_400_000;
let owner: string;
let agent: string;
let stranger: string;

async function json<T>(path: string, cookie = owner): Promise<T> {
  const r = await api(path, { cookie });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<T>;
}

/** A tracked visitor who chats: the chat adopts them, sends `text`, and the room flushes to D1. */
async function chattingVisitor(
  siteKey: string,
  pages: string[],
  text: string,
): Promise<{ t: string; id: string; conversationId: string; chatToken: string }> {
  const t = await visitPages(siteKey, pages);
  const chat = await visitorSession(siteKey, undefined, t);
  const r = await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${chat.token}` } });
  const { conversationId } = (await r.json()) as { conversationId: string };
  const s = await mustOpen(visitorSocketPath(conversationId, chat.token));
  await s.next("hello");
  s.send({ type: "message.send", clientId: "m1", text });
  await s.next("ack");
  s.close();
  await runDurableObjectAlarm(env.CONVERSATION.getByName(conversationId));
  return { t, id: visitorOf(t), conversationId, chatToken: chat.token };
}

async function rowsOf(siteId: string, ids: string[], conversationIds: string[]): Promise<number> {
  const v = JSON.stringify(ids);
  const c = JSON.stringify(conversationIds);
  let n = 0;
  for (const table of ["page_views", "visits", "visitor_events", "orders"]) {
    n += await countAt(
      siteId,
      `SELECT COUNT(*) AS n FROM ${table} WHERE site_id = ? AND visitor_id IN (SELECT value FROM json_each(?))`,
      siteId,
      v,
    );
  }
  n += await countAt(siteId, "SELECT COUNT(*) AS n FROM visitors WHERE site_id = ? AND id IN (SELECT value FROM json_each(?))", siteId, v);
  n += await countAt(
    siteId,
    "SELECT COUNT(*) AS n FROM conversations WHERE site_id = ? AND id IN (SELECT value FROM json_each(?))",
    siteId,
    c,
  );
  n += await countAt(
    siteId,
    "SELECT COUNT(*) AS n FROM conversation_events WHERE site_id = ? AND conversation_id IN (SELECT value FROM json_each(?))",
    siteId,
    c,
  );
  n += await countAt(
    siteId,
    "SELECT COUNT(*) AS n FROM message_search WHERE site_id = ? AND conversation_id IN (SELECT value FROM json_each(?))",
    siteId,
    c,
  );
  return n;
}

async function roomMessages(conversationId: string): Promise<number> {
  return runInDurableObject(env.CONVERSATION.getByName(conversationId), (_: ConversationRoom, state) => {
    const tables = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'messages'").toArray();
    return tables.length ? Number(state.storage.sql.exec("SELECT COUNT(*) AS n FROM messages").one().n) : 0;
  });
}

beforeAll(async () => {
  await seedSite({ id: "site_v", key: "pk_v" }, [
    { id: "op_v_owner", email: "owner@v.test", name: "Vera", role: "owner" },
    { id: "op_v_agent", email: "agent@v.test", name: "Vic", role: "agent" },
  ]);
  await seedSite({ id: "site_v2", key: "pk_v2" }, [{ id: "op_v2", email: "owner@v2.test", name: "Wally", role: "owner" }]);
  await seedSite({ id: "site_aud", key: "pk_aud" }, [{ id: "op_aud", email: "owner@aud.test", name: "Aud", role: "owner" }]);
  [owner, agent, stranger] = await Promise.all([login("owner@v.test"), login("agent@v.test"), login("owner@v2.test")]);
});

describe("visitor profile and list", () => {
  it("shows the profile sidebar with conversations, orders, totals and cart, to members of the shop only", async () => {
    const { t, id, conversationId } = await chattingVisitor("pk_v", ["/p/1", "/p/2"], "Is the grinder in stock?");
    await track({ k: "pk_v", t, e: "purchase", d: { orderId: "V-1", total: 10.1, currency: "PLN" } });
    await track({ k: "pk_v", t, e: "purchase", d: { orderId: "V-2", total: 5.2, currency: "PLN" } });
    await track({ k: "pk_v", t, e: "purchase", d: { orderId: "V-3", total: 7, currency: "EUR" } });
    await track({ k: "pk_v", t, e: "cart", d: { items: [{ id: "x", quantity: 2, price: 3 }], total: 6, currency: "PLN" } });
    const d = await json<VisitorDetailsResponse>(`/api/sites/site_v/visitors/${id}`, agent);
    expect(d.conversations).toEqual([
      expect.objectContaining({ id: conversationId, status: "open", lastMessagePreview: "Is the grinder in stock?" }),
    ]);
    expect(d.orders.map((o) => o.id).sort()).toEqual(["V-1", "V-2", "V-3"]);
    expect(d.totalSpent).toEqual([
      { amount: 15.3, currency: "PLN" },
      { amount: 7, currency: "EUR" },
    ]);
    expect(d.cart).toMatchObject({ total: 6, currency: "PLN" });
    expect((await api(`/api/sites/site_v/visitors/${id}`, { cookie: stranger })).status).toBe(404);
    expect((await api(`/api/sites/site_v2/visitors/${id}`, { cookie: stranger })).status).toBe(404);
    expect((await api(`/api/sites/site_v/visitors/${id}`)).status).toBe(401);
    expect((await api(`/api/sites/site_v/visitors/..%2F..%2Fx`, { cookie: owner })).status).toBe(404);
  });

  it("lists visitors with filters and cursor paging", async () => {
    const google = await visitPages("pk_v", ["/?utm_source=google"], undefined, { ua: UA.chromeWin });
    await track({ k: "pk_v", t: google, e: "identify", id: { id: "c-1", email: "zofia@example.com", name: "Zofia Nowak" } });
    const buyer = await visitPages("pk_v", ["/buy"]);
    await track({ k: "pk_v", t: buyer, e: "purchase", d: { orderId: "L-1", total: 1, currency: "EUR" } });
    await track({ k: "pk_v", e: "view", u: `${SHOP}/de`, t: undefined }, { cf: { country: "DE" } });

    const list = (q: string) => json<VisitorListResponse>(`/api/sites/site_v/visitors?${q}`, agent);
    expect((await list("source=Google")).visitors.map((v) => v.id)).toEqual([visitorOf(google)]);
    expect((await list("q=zofia")).visitors.map((v) => v.id)).toEqual([visitorOf(google)]);
    expect((await list("q=%25")).visitors).toEqual([]); // LIKE wildcards are literal
    expect((await list("hasOrders=1")).visitors.map((v) => v.id)).toContain(visitorOf(buyer));
    expect((await list("hasOrders=1")).visitors.map((v) => v.id)).not.toContain(visitorOf(google));
    // Each row says how many orders the visitor placed.
    expect((await list("hasOrders=1")).visitors.find((v) => v.id === visitorOf(buyer))?.orders).toBe(1);
    expect((await list("q=zofia")).visitors[0]?.orders).toBe(0);
    expect((await list("country=de")).visitors.every((v) => v.country === "DE")).toBe(true);
    expect((await list("country=de")).visitors).toHaveLength(1);
    expect((await list("returning=1")).visitors).toEqual([]);

    const all = await list("limit=100");
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: VisitorListResponse = await list(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.visitors.length).toBeLessThanOrEqual(2);
      seen.push(...page.visitors.map((v) => v.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.visitors.map((v) => v.id));
    expect(new Set(seen).size).toBe(seen.length);
    for (const q of ["limit=0", "limit=abc", "returning=maybe", "country=Poland", "cursor=drop%20table"]) {
      const r = await api(`/api/sites/site_v/visitors?${q}`, { cookie: agent });
      expect(r.status, q).toBe(422);
    }
    // Another shop's list never shows these visitors.
    expect((await json<VisitorListResponse>("/api/sites/site_v2/visitors", stranger)).visitors.map((v) => v.id)).not.toContain(
      visitorOf(google),
    );
  });

  it("summarises the audience of a period: sources, devices, countries, new and returning", async () => {
    const cookie = await login("owner@aud.test");
    const from = Date.now() - 1000;
    const a = await visitPages("pk_aud", ["/?utm_source=facebook", "/p"], undefined, { ua: UA.iphone });
    await visitPages("pk_aud", ["/"], undefined, { ua: UA.chromeWin });
    await track({ k: "pk_aud", e: "view", u: `${SHOP}/`, r: "https://www.bing.com/" }, { ua: UA.iphone, cf: { country: "SE" } });
    // `a` had a visit long before the period: returning.
    await inShardOf(
      "site_aud",
      visitorOf(a),
      "INSERT INTO visits (id, site_id, visitor_id, started_at, last_at, source_label) VALUES ('vs_old', 'site_aud', ?, ?, ?, 'direct')",
      visitorOf(a),
      from - 90 * DAY,
      from - 90 * DAY,
    );
    const r = await json<AudienceResponse>(`/api/sites/site_aud/audience?from=${from}&to=${Date.now() + 1000}`, cookie);
    expect(r).toMatchObject({ visits: 3, visitors: 3, newVisitors: 2, returningVisitors: 1, pageViews: 4 });
    expect(r.sources).toEqual(
      expect.arrayContaining([
        { source: "facebook", visits: 1 },
        { source: "direct", visits: 1 },
        { source: "bing.com", visits: 1 },
      ]),
    );
    expect(r.devices).toEqual([
      { type: "mobile", visits: 2 },
      { type: "desktop", visits: 1 },
    ]);
    expect(r.countries).toEqual(expect.arrayContaining([{ country: "SE", visits: 1 }]));
    expect((await api(`/api/sites/site_aud/audience?from=${Date.now()}&to=1`, { cookie })).status).toBe(422);
    expect((await api(`/api/sites/site_aud/audience?from=0&to=${Date.now()}`, { cookie })).status).toBe(422);
    expect((await api("/api/sites/site_aud/audience", { cookie: stranger })).status).toBe(404);
  });
});

describe("privacy", () => {
  it("exports every trace of a person, their merged profiles and full conversation history included", async () => {
    const { t, id, conversationId } = await chattingVisitor("pk_v", ["/export/1"], "Please send me my data");
    const operator = await mustOpen(`/ws/sites/site_v/conversations/${conversationId}`, { cookie: owner });
    await operator.next("hello");
    operator.send({ type: "message.send", clientId: "n1", kind: "note", text: "VIP customer" });
    await operator.next("ack");
    operator.close();
    await track({ k: "pk_v", t, e: "attributes", a: { plan: "pro" } });
    await track({ k: "pk_v", t, e: "purchase", d: { orderId: "E-1", total: 3, currency: "EUR" } });

    expect((await api(`/api/sites/site_v/visitors/${id}/export`, { cookie: agent })).status).toBe(403);
    expect((await api(`/api/sites/site_v/visitors/${id}/export`, { cookie: stranger })).status).toBe(404);
    const r = await api(`/api/sites/site_v/visitors/${id}/export`, { cookie: owner });
    expect(r.headers.get("content-disposition")).toContain("attachment");
    const x = (await r.json()) as VisitorExport;
    expect(x.profile.id).toBe(id);
    expect(x.pageViews.map((p) => p.url)).toEqual([`${SHOP}/export/1`]);
    expect(x.visits).toHaveLength(1);
    expect(x.events.map((e) => e.type)).toEqual(expect.arrayContaining(["attributes", "purchase"]));
    expect(x.orders.map((o) => o.id)).toEqual(["E-1"]);
    expect(x.conversations).toHaveLength(1);
    expect(x.conversations[0]!.messages.map((m) => m.text)).toEqual(expect.arrayContaining(["Please send me my data", "VIP customer"]));
  });

  it("erases the person: every D1 and shard row, the search index, the conversation's Durable Object, the live entry", async () => {
    const { t, id, conversationId, chatToken } = await chattingVisitor("pk_v", ["/erase/1", "/erase/2"], "Forget me please");
    await track({ k: "pk_v", t, e: "purchase", d: { orderId: "X-1", total: 3, currency: "EUR" } });
    expect(await roomMessages(conversationId)).toBeGreaterThan(0);
    // The room's outbox has flushed its facts to conversation_events: the erasure must take them too.
    await runDurableObjectAlarm(env.CONVERSATION.getByName(conversationId));
    expect(
      await count("SELECT COUNT(*) AS n FROM conversation_events WHERE site_id = ? AND conversation_id = ?", "site_v", conversationId),
    ).toBeGreaterThan(0);
    expect(await rowsOf("site_v", [id], [conversationId])).toBeGreaterThan(5);
    const dash = await mustOpen("/ws/sites/site_v/inbox", { cookie: owner });
    expect(await liveIds("site_v")).toContain(id);
    const visitorSocket = await mustOpen(visitorSocketPath(conversationId, chatToken));
    await visitorSocket.next("hello");

    expect((await api(`/api/sites/site_v/visitors/${id}`, { method: "DELETE", cookie: agent })).status).toBe(403);
    expect((await api(`/api/sites/site_v/visitors/${id}`, { method: "DELETE", cookie: stranger })).status).toBe(404);
    expect(await rowsOf("site_v", [id], [conversationId])).toBeGreaterThan(5);
    const r = await api(`/api/sites/site_v/visitors/${id}`, { method: "DELETE", cookie: owner });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ erased: { visitorIds: [id], conversations: 1 } });

    expect(await rowsOf("site_v", [id], [conversationId])).toBe(0);
    expect(await roomMessages(conversationId)).toBe(0);
    expect(await env.CONVERSATION.getByName(conversationId).summary("site_v")).toBeNull();
    expect(await liveIds("site_v")).not.toContain(id);
    expect((await dash.until("inbox.remove", () => true)).conversationId).toBe(conversationId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(visitorSocket.closed?.code).toBe(4404);
    // Nothing comes back: no late outbox flush, the old token starts a new anonymous visitor.
    await runDurableObjectAlarm(env.CONVERSATION.getByName(conversationId));
    expect(await rowsOf("site_v", [id], [conversationId])).toBe(0);
    expect(visitorOf((await track({ k: "pk_v", t, e: "view", u: `${SHOP}/` })).t!)).not.toBe(id);
    // The erased visitor's chat token is dead too: the chat gets a new visitor, and the socket a final 4404.
    const again = await visitorSession("pk_v", chatToken, t);
    expect(again.visitorId).not.toBe(id);
    expect(again.conversationId).toBeNull();
    expect(await refusal(visitorSocketPath(conversationId, chatToken))).toEqual({ close: CLOSE_CODES.notFound, code: "not_found" });
    expect((await api(`/api/sites/site_v/visitors/${id}`, { cookie: owner })).status).toBe(404);
    dash.close();
    visitorSocket.close();
  });

  it("retention deletes people and activity older than the site's limit, and nothing newer or elsewhere", async () => {
    await seedSite({ id: "site_ret", key: "pk_ret" }, [{ id: "op_ret", email: "owner@ret.test", name: "Rita", role: "owner" }]);
    const cookie = await login("owner@ret.test");
    expect((await api("/api/sites/site_ret/settings", { method: "PATCH", cookie, json: { retentionDays: 30 } })).status).toBe(200);

    const old = await chattingVisitor("pk_ret", ["/old"], "an old question");
    const recent = await chattingVisitor("pk_ret", ["/new"], "a new question");
    const keptElsewhere = await chattingVisitor("pk_v", ["/kept"], "no retention on this shop");
    // In D1 (the directory copy) and the visitor's shard alike.
    const age = async (siteId: string, visitorId: string, ms: number) => {
      for (const sql of [
        "UPDATE visitors SET last_seen_at = last_seen_at - ?1, first_seen_at = first_seen_at - ?1 WHERE site_id = ?2 AND id = ?3",
        "UPDATE visits SET started_at = started_at - ?1, last_at = last_at - ?1 WHERE site_id = ?2 AND visitor_id = ?3",
        "UPDATE page_views SET at = at - ?1 WHERE site_id = ?2 AND visitor_id = ?3",
        "UPDATE visitor_events SET at = at - ?1 WHERE site_id = ?2 AND visitor_id = ?3",
      ]) {
        await trackingExecFor(siteId, visitorId, sql, ms, siteId, visitorId);
      }
    };
    await age("site_ret", old.id, 31 * DAY);
    await age("site_v", keptElsewhere.id, 400 * DAY);
    // The recent visitor also has one page view from 40 days ago, and one from 29 days ago.
    for (const [url, at] of [
      [`${SHOP}/forty`, Date.now() - 40 * DAY],
      [`${SHOP}/twentynine`, Date.now() - 29 * DAY],
    ] as const) {
      await inShardOf(
        "site_ret",
        recent.id,
        "INSERT INTO page_views (site_id, visitor_id, url, at) VALUES ('site_ret', ?, ?, ?)",
        recent.id,
        url,
        at,
      );
    }

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "17 * * * *" }), env, ctx);

    expect(await rowsOf("site_ret", [old.id], [old.conversationId])).toBe(0);
    expect(await roomMessages(old.conversationId)).toBe(0);
    expect(await rowsOf("site_ret", [recent.id], [recent.conversationId])).toBeGreaterThan(3);
    expect(await roomMessages(recent.conversationId)).toBeGreaterThan(0);
    const urls = (
      await trackingRows<{ url: string }>("SELECT url FROM page_views WHERE site_id = 'site_ret' AND visitor_id = ? ORDER BY at", recent.id)
    ).map((r) => r.url);
    expect(urls).toEqual([`${SHOP}/twentynine`, `${SHOP}/new`]);
    expect(await rowsOf("site_v", [keptElsewhere.id], [keptElsewhere.conversationId])).toBeGreaterThan(3);
    expect(await roomMessages(keptElsewhere.conversationId)).toBeGreaterThan(0);
  });
});
