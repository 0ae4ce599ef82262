// The visitor path's cheaper calls (issue 10), counted with the metrics: the Live list takes the
// site's shard layout from the isolate's cache; a chatting visitor's ping neither signs a peek
// token nor calls the conversation's room while nothing changed, and the next ping after an
// operator's reply carries it; a reshard under way lists nobody twice (Visitors, Live).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveListResponse, VisitorListResponse } from "../../protocol";
import type { SiteHub } from "../../worker/do/site-hub";
import { forceMetrics, metricsSnapshot, resetMetrics } from "../../worker/lib/metrics";
import { shardOf } from "../../worker/lib/shards";
import { api, login, mustOpen, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";
import { eventually, settle } from "./routing-helpers";
import { SHOP, track, visitorOf, visitPages } from "./tracking-helpers";

const TOKEN = "gdt_test_deploy_token_not_for_production_0123";

beforeAll(() => forceMetrics(true));
afterAll(() => {
  forceMetrics(false);
  resetMetrics();
});

/**
 * What one call cost: D1 statements, calls by `Class.method`, HMACs, the shards' SQLite — of the
 * request kinds named (default: every kind; a room's outbox or hub link may run meanwhile).
 */
async function counted<T>(f: () => Promise<T>, kinds?: string[]) {
  resetMetrics();
  const value = await f();
  await new Promise((r) => setTimeout(r, 0)); // the SQLite counts land in a microtask
  const snap = metricsSnapshot();
  const parts = kinds ? kinds.map((k) => snap.byKind[k]).filter((c) => c !== undefined) : [snap.total];
  const calls: Record<string, number> = {};
  const out = { value, d1: 0, calls, sign: 0, verify: 0, shardSql: { statements: 0, rowsWritten: 0 } };
  for (const c of parts) {
    out.d1 += c.d1.statements;
    out.sign += c.hmac.sign;
    out.verify += c.hmac.verify;
    for (const [m, n] of Object.entries(c.doCalls)) calls[m] = (calls[m] ?? 0) + n;
    out.shardSql.statements += c.doSql.VisitorShard?.statements ?? 0;
    out.shardSql.rowsWritten += c.doSql.VisitorShard?.rowsWritten ?? 0;
  }
  return out;
}

/** A beacon's own work: the Worker's request and what its shard did meanwhile. */
const PING_KINDS = ["POST /api/track ping", "DO VisitorShard"];

describe.each([1, 4])("with %i visitor shard(s)", (shards) => {
  const siteId = `site_vp${shards}`;
  const k = `pk_vp${shards}`;
  let owner: string;

  beforeAll(async () => {
    await seedSite({ id: siteId, key: k, shards }, [{ id: `op_vp${shards}`, email: `o@vp${shards}.test`, name: "Ola", role: "owner" }]);
    owner = await login(`o@vp${shards}.test`);
  });

  it("lists the Live view with the cached shard layout: no D1 read of it per request", async () => {
    await visitPages(k, ["/live/1"]);
    const list = () => api(`/api/sites/${siteId}/live?sort=recent&limit=50`, { cookie: owner });
    expect((await list()).status).toBe(200);
    // The site's facts change in D1 behind the cache's back: the next request (within the
    // cache's seconds) still asks the shards it knew, and reads no shard count from D1.
    await env.DB.prepare("UPDATE sites SET visitor_shards = ? WHERE id = ?")
      .bind(shards * 2, siteId)
      .run();
    try {
      const again = await counted(list);
      expect(again.value.status).toBe(200);
      expect(again.calls["VisitorShard.livePage"]).toBe(shards);
    } finally {
      await env.DB.prepare("UPDATE sites SET visitor_shards = ? WHERE id = ?").bind(shards, siteId).run();
    }
  });

  it("answers a chatting visitor's ping without a peek signature or a room call while nothing changed", async () => {
    const t = await visitPages(k, ["/chat/1"]);
    const chat = await visitorSession(k, undefined, t);
    expect(chat.visitorId).toBe(visitorOf(t));
    const conversationId = await startConversation(chat.token);
    const visitor = await mustOpen(visitorSocketPath(conversationId, chat.token));
    await visitor.next("hello");
    visitor.send({ type: "message.send", clientId: "vp-1", text: "Is the V60 in stock?" });
    await visitor.next("ack");
    const ping = () => track({ k, t, e: "ping", u: `${SHOP}/chat/1`, ms: 1000 });
    // The first ping learns the conversation's state (nothing unread) and signs its peek token.
    const first = await eventually(ping, (a) => a.p !== undefined, "the beacon knows the conversation");
    expect(first.n).toBeUndefined();
    // The hub's forwards of the conversation's start (its first summary; chatting since the
    // visitor's message) arrive after the room's coalesced push and make the shard ask once
    // more: wait for the hub to have the message, and for its forward; then the state stays put.
    const hubSeq = () =>
      runInDurableObject(env.SITE_HUB.getByName(siteId), (_: SiteHub, state) => {
        const r = state.storage.sql.exec("SELECT summary FROM inbox WHERE id = ?", conversationId).toArray()[0];
        return r ? (JSON.parse(String(r.summary)) as { lastSeq: number }).lastSeq : -1;
      });
    await eventually(hubSeq, (seq) => seq >= 1, "the hub has the visitor's message");
    await settle();
    await eventually(
      () => counted(ping, PING_KINDS),
      (c) => (c.calls["ConversationRoom.visitorUnread"] ?? 0) === 0,
      "a ping the shard answers from what it knows",
    );
    // Then: one verify, one shard call, nothing else.
    for (let i = 0; i < 3; i++) {
      const c = await counted(ping, PING_KINDS);
      expect(c.value.p).toBe(first.p);
      expect(c.value.n).toBeUndefined();
      expect(c.calls["ConversationRoom.visitorUnread"] ?? 0).toBe(0);
      expect(c.sign).toBe(0);
      expect(c.verify).toBe(1);
      expect(c.d1).toBe(0);
      expect(c.calls["VisitorShard.beacon"]).toBe(1);
      // One SQLite statement in the shard (the visitor's row, which names the conversation too), nothing written.
      expect(c.shardSql).toEqual({ statements: 1, rowsWritten: 0 });
      expect(Object.keys(c.calls).filter((m) => !m.startsWith("VisitorShard."))).toEqual([]);
    }
    // An operator answers: the hub tells the visitor's shard, whose next ping asks the room.
    const operator = await mustOpen(`/ws/sites/${siteId}/conversations/${conversationId}`, { cookie: owner });
    await operator.next("hello");
    operator.send({ type: "message.send", clientId: "op-vp-1", text: "Yes, two left." });
    await operator.next("ack");
    const told = await eventually(ping, (a) => a.n === 1, "the reply's unread count");
    expect(told.p).toBe(first.p);
    // While something is unread, each ping asks again (reading it lowers the count).
    const asked = await counted(ping, PING_KINDS);
    expect(asked.value.n).toBe(1);
    expect(asked.calls["ConversationRoom.visitorUnread"]).toBe(1);
    for (const s of [operator, visitor]) s.close();
  });
});

describe("a reshard under way", () => {
  const siteId = "site_vr";
  let owner: string;
  const step = async (json: unknown) => {
    const r = await api(`/api/deploy/sites/${siteId}/reshard`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, json });
    expect(r.status).toBe(200);
    return r.json() as Promise<{ done: boolean; moved: number }>;
  };
  /** Every id of the Visitors list, three a page (a visitor twice would land on two pages). */
  const listed = async () => {
    const out: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await api(`/api/sites/${siteId}/visitors?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
        cookie: owner,
      });
      const page = (await r.json()) as VisitorListResponse;
      out.push(...page.visitors.map((v) => v.id));
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  };
  const live = async () => {
    const r = await api(`/api/sites/${siteId}/live?sort=recent&limit=100`, { cookie: owner });
    return (await r.json()) as LiveListResponse;
  };

  beforeAll(async () => {
    await seedSite({ id: siteId, key: "pk_vr", shards: 1 }, [{ id: "op_vr", email: "o@vr.test", name: "R", role: "owner" }]);
    owner = await login("o@vr.test");
  });

  it("lists every visitor once in the Visitors list and the Live view, before, during and after the copy", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 12; i++) tokens.push(await visitPages("pk_vr", [`/r/${i}`]));
    const ids = tokens.map(visitorOf);
    expect((await step({ shards: 4 })).done).toBe(false);
    // Handed over on their next beacons: their old shard's copy stays until the job drops it.
    const movers = ids.map((id, i) => [id, i] as const).filter(([id]) => shardOf(id, 4) !== 0);
    expect(movers.length).toBeGreaterThan(1);
    for (const [, i] of movers.slice(0, 2)) await track({ k: "pk_vr", t: tokens[i], e: "view", u: `${SHOP}/r/moved` });
    const once = (list: string[]) => {
      expect(new Set(list).size, `no duplicate in ${list.length}`).toBe(list.length);
      expect([...list].sort()).toEqual([...ids].sort());
    };
    once(await listed());
    const l1 = await live();
    once(l1.visitors.map((v) => v.visitorId));
    expect(l1.counts.visitors).toBe(ids.length);
    // The job copies every slot (the old copies stay until the next step drops them); everyone pings.
    await env.DB.prepare("UPDATE reshards SET started_at = started_at - 60000 WHERE site_id = ?").bind(siteId).run();
    expect((await step({ shards: 4 })).moved).toBeGreaterThan(0);
    for (const t of tokens) await track({ k: "pk_vr", t, e: "ping", u: `${SHOP}/r/x`, ms: 500 });
    once(await listed());
    const l2 = await live();
    once(l2.visitors.map((v) => v.visitorId));
    expect(l2.counts.visitors).toBe(ids.length);
    for (let i = 0; i < 10 && !(await step({ shards: 4 })).done; i++);
    once(await listed());
    once((await live()).visitors.map((v) => v.visitorId));
  }, 60_000);
});
