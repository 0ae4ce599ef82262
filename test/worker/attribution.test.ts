// Sales attribution and trigger uplift (issue 13) through the real route and the real visitor
// shards on fixed data: influenced vs assisted vs none (window edges included, an order before the
// chat not counted), a verified customer's order from another device, currencies kept apart,
// another shop's chats and orders never counted, agents seeing only their own row, the statements
// and shard calls one report costs, and the uplift of triggers over exposures and orders planted
// in several shards (`VISITOR_SHARDS=4` spreads the visitors over four).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent, SalesReport, SalesRow } from "../../protocol";
import { eventStatements } from "../../worker/db/conversation-events";
import { newCounter } from "../../worker/db/report-reads";
import type { VisitorShard } from "../../worker/do/visitor-shard";
import { shardName, shardOf } from "../../worker/lib/shards";
import { DAY_MS } from "../../worker/reports/attribution";
import { conversionUplift, revenueUplift } from "../../worker/reports/uplift";
import { type SalesCounter, salesReport } from "../../worker/services/report-sales";
import { api, login, seedSite, testShards } from "./helpers";

const H = 3_600_000;
const NOW = Date.now();
/** The chats' moment: 20 days ago, so the window after it stays inside the last 30 days. */
const T = NOW - 20 * DAY_MS;
let owner: string;
let agent: string;

async function seedChat(siteId: string, id: string, visitorId: string, at: number, answeredBy: string | null, answerAfter = 60_000) {
  const events: DomainEvent[] = [
    {
      siteId,
      conversationId: id,
      seq: 1,
      type: "created",
      at,
      actorRole: "visitor",
      actorId: visitorId,
      data: { skill: null, invited: false },
    },
    {
      siteId,
      conversationId: id,
      seq: 2,
      type: "visitor_first_message",
      at,
      actorRole: "visitor",
      actorId: visitorId,
      data: { seq: 1, via: "chat", text: "Is it in stock?" },
    },
  ] as DomainEvent[];
  if (answeredBy) {
    events.push({
      siteId,
      conversationId: id,
      seq: 3,
      type: "operator_first_answer",
      at: at + answerAfter,
      actorRole: "operator",
      actorId: answeredBy,
      data: { operatorName: answeredBy, seq: 2, msSinceVisitorFirstMessage: answerAfter },
    } as DomainEvent);
  }
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO conversations (id, site_id, visitor_id, created_at, updated_at, message_count) VALUES (?, ?, ?, ?, ?, 2)",
    ).bind(id, siteId, visitorId, at, at),
    ...eventStatements(env.DB, events),
  ]);
}

async function shardsOf(siteId: string): Promise<number> {
  return Number(await env.DB.prepare("SELECT visitor_shards FROM sites WHERE id = ?").bind(siteId).first("visitor_shards"));
}

/** Runs statements in the shard of each visitor (the schema made first by a read). */
async function inShards(siteId: string, rows: { visitorId: string; sql: string; params: SqlStorageValue[] }[]) {
  const n = await shardsOf(siteId);
  const byShard = new Map<number, typeof rows>();
  for (const r of rows) {
    const s = shardOf(r.visitorId, n);
    byShard.set(s, [...(byShard.get(s) ?? []), r]);
  }
  for (const [s, list] of byShard) {
    const stub = env.VISITOR_SHARD.getByName(shardName(siteId, s));
    await stub.ordersOf(siteId, s, [], 0, 0);
    await runInDurableObject(stub, (_: VisitorShard, state) => {
      for (const r of list) state.storage.sql.exec(r.sql, ...r.params);
    });
  }
  return byShard.size;
}

const pageOrder = (siteId: string, visitorId: string, id: string, at: number, total: number, currency: string) => ({
  visitorId,
  sql: `INSERT INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
        VALUES (?, ?, ?, NULL, ?, ?, '[]', ?, ?, 'page')`,
  params: [siteId, id, visitorId, total, currency, at, at],
});

async function report(cookie: string, siteId = "site_at"): Promise<SalesReport> {
  const r = await api(`/api/sites/${siteId}/reports/sales?days=30`, { cookie });
  expect(r.status).toBe(200);
  return (await r.json()) as SalesReport;
}

const pick = (rows: SalesRow[], key: string, currency: string) => rows.find((r) => r.key === key && r.currency === currency);

beforeAll(async () => {
  await seedSite({ id: "site_at", key: "pk_at" }, [
    { id: "op_ao", email: "o@at.test", name: "Olga", role: "owner" },
    { id: "op_aa", email: "a@at.test", name: "Artur", role: "agent" },
    { id: "op_ab", email: "b@at.test", name: "Basia", role: "agent" },
  ]);
  await seedSite({ id: "site_atx", key: "pk_atx" }, [{ id: "op_aa", email: "a@at.test", name: "Artur", role: "owner" }]);
  [owner, agent] = await Promise.all([login("o@at.test"), login("a@at.test")]);

  // Visitor 1 chats at T; Artur answers a minute later: the window runs from T + 1 min.
  const answer = T + 60_000;
  await seedChat("site_at", "c_at1", "v_at1", T, "op_aa");
  // Visitor 2 (device A) chats at T; Basia answers. They later signed in: merged into the verified
  // profile v_atc of customer cust-9, whose device B placed orders.
  await seedChat("site_at", "c_at2", "v_at2", T, "op_ab");
  // Visitor 3 chats and nobody answers: the window runs from the chat's start.
  await seedChat("site_at", "c_at3", "v_at3", T, null);
  // Another shop: the same visitor id and a chat answered by Artur.
  await seedChat("site_atx", "c_atx1", "v_at1", T, "op_aa");

  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO visitors (site_id, id, first_seen_at, last_seen_at, merged_into) VALUES ('site_at', 'v_at2', ?1, ?1, 'v_atc')",
    ).bind(now),
    env.DB.prepare(
      "INSERT INTO visitors (site_id, id, first_seen_at, last_seen_at, external_id, verified) VALUES ('site_at', 'v_atc', ?1, ?1, 'cust-9', 1)",
    ).bind(now),
    // cust-9's API order from device B (its visitor never chatted), 2 days after the answer.
    env.DB.prepare(
      `INSERT INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
       VALUES ('site_at', 'o_api9', 'v_dev_b', 'cust-9', 80, 'USD', '[]', ?1, ?1, 'api')`,
    ).bind(answer + 2 * DAY_MS),
    // A page order claiming cust-9 from an unverified visitor who never chatted: not theirs.
    env.DB.prepare(
      `INSERT INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
       VALUES ('site_at', 'o_claim', 'v_liar', 'cust-9', 999, 'USD', '[]', ?1, ?1, 'page')`,
    ).bind(answer + DAY_MS),
    // The other shop's API order for its own v_at1.
    env.DB.prepare(
      `INSERT INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
       VALUES ('site_atx', 'o_x', 'v_at1', NULL, 500, 'PLN', '[]', ?1, ?1, 'api')`,
    ).bind(answer + H),
  ]);

  await inShards("site_at", [
    pageOrder("site_at", "v_at1", "o_before", T - H, 10, "PLN"), // before the chat: none
    pageOrder("site_at", "v_at1", "o_between", T + 30_000, 11, "PLN"), // after the chat, before the answer: none
    pageOrder("site_at", "v_at1", "o_assist", answer + 2 * H, 100, "PLN"), // assisted
    pageOrder("site_at", "v_at1", "o_edge24", answer + DAY_MS, 7, "PLN"), // 24 h exactly: assisted
    pageOrder("site_at", "v_at1", "o_eur", answer + 3 * DAY_MS, 50, "EUR"), // influenced only
    pageOrder("site_at", "v_at1", "o_edge7", answer + 7 * DAY_MS, 5, "PLN"), // 7 days exactly: influenced
    pageOrder("site_at", "v_at1", "o_late", answer + 7 * DAY_MS + 1, 1000, "PLN"), // a millisecond later: none
    pageOrder("site_at", "v_atc", "o_page9", answer + H, 20, "USD"), // cust-9's own profile: assisted
    pageOrder("site_at", "v_at3", "o_missed", T + 3 * H, 30, "PLN"), // nobody answered: influenced, no operator
    pageOrder("site_at", "v_quiet", "o_quiet", T + H, 40, "PLN"), // never chatted: not read
  ]);
  await inShards("site_atx", [pageOrder("site_atx", "v_at1", "o_xpage", answer + H, 600, "PLN")]);
});

describe("sales attribution", () => {
  it("counts influenced and assisted orders per currency, with the window's edges, never earlier orders", async () => {
    const r = await report(owner);
    expect(r.windowDays).toBe(7);
    // PLN: assist 100 + edge24 7 (assisted), edge7 5, missed 30 (influenced only).
    expect(pick(r.shop, "", "PLN")).toEqual({
      key: "",
      currency: "PLN",
      influencedOrders: 4,
      influencedRevenue: 142,
      assistedOrders: 3,
      assistedRevenue: 137,
    });
    expect(pick(r.shop, "", "EUR")).toMatchObject({ influencedOrders: 1, influencedRevenue: 50, assistedOrders: 0, assistedRevenue: 0 });
    // cust-9: the page order on the verified profile (assisted) and the API order from device B (2 days).
    expect(pick(r.shop, "", "USD")).toMatchObject({ influencedOrders: 2, influencedRevenue: 100, assistedOrders: 1, assistedRevenue: 20 });
    expect(r.shop).toHaveLength(3);
  });

  it("credits the operators who answered, and nobody for a missed chat", async () => {
    const r = await report(owner);
    expect(pick(r.operators, "op_aa", "PLN")).toMatchObject({
      name: "Artur",
      influencedOrders: 3,
      influencedRevenue: 112,
      assistedOrders: 2,
    });
    expect(pick(r.operators, "op_aa", "EUR")).toMatchObject({ influencedOrders: 1, influencedRevenue: 50 });
    expect(pick(r.operators, "op_ab", "USD")).toMatchObject({ name: "Basia", influencedOrders: 2, influencedRevenue: 100 });
    expect(r.operators.map((o) => `${o.key}/${o.currency}`).sort()).toEqual(["op_aa/EUR", "op_aa/PLN", "op_ab/USD"]);
    // Per hour of the day: the rows add up to the shop's, currency by currency.
    for (const shop of r.shop) {
      const hours = r.hours.filter((h) => h.currency === shop.currency);
      expect(hours.reduce((n, h) => n + h.influencedOrders, 0)).toBe(shop.influencedOrders);
    }
    expect(r.triggers).toEqual([]);
  });

  it("shows an agent only their own rows", async () => {
    const r = await report(agent);
    expect(r.shop).toEqual([]);
    expect(r.hours).toEqual([]);
    expect(r.uplift).toEqual([]);
    expect(new Set(r.operators.map((o) => o.key))).toEqual(new Set(["op_aa"]));
  });

  it("keeps each shop's chats and orders to itself", async () => {
    const cookie = await login("a@at.test");
    const r = await report(cookie, "site_atx");
    expect(r.shop).toEqual([
      { key: "", currency: "PLN", influencedOrders: 2, influencedRevenue: 1100, assistedOrders: 2, assistedRevenue: 1100 },
    ]);
    const forbidden = await api("/api/sites/site_atx/reports/sales?days=30", { cookie: owner });
    expect(forbidden.status).toBe(404);
    const bad = await api("/api/sites/site_at/reports/sales?days=999", { cookie: owner });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
  });

  it("costs a few statements and only the shards of chatting visitors", async () => {
    const counter: SalesCounter = { d1: newCounter(), shardCalls: 0, upliftShardCalls: 0 };
    await salesReport(env, "site_at", { id: "op_ao", role: "owner" }, { days: 30 }, Date.now(), counter);
    const n = await shardsOf("site_at");
    // settings, touches, conversations, directory ×2 hops, orders, members.
    expect(counter.d1.statements).toBeLessThanOrEqual(7);
    const holding = new Set(["v_at1", "v_at2", "v_at3", "v_atc"].map((id) => shardOf(id, n)));
    expect(counter.shardCalls).toBe(holding.size);
    expect(counter.upliftShardCalls).toBe(n);
  });

  it("follows the shop's attribution window setting", async () => {
    const patch = await api("/api/sites/site_at/settings", { method: "PATCH", cookie: owner, json: { attributionWindowDays: 2 } });
    expect(patch.status).toBe(200);
    const r = await report(owner);
    expect(r.windowDays).toBe(2);
    // Left: assist, edge24, missed (PLN); the EUR (3 days) and edge7 orders fall out; USD: both (≤ 2 days).
    expect(pick(r.shop, "", "PLN")).toMatchObject({ influencedOrders: 3, influencedRevenue: 137 });
    expect(pick(r.shop, "", "EUR")).toBeUndefined();
    expect(pick(r.shop, "", "USD")).toMatchObject({ influencedOrders: 2 });
    const bad = await api("/api/sites/site_at/settings", { method: "PATCH", cookie: owner, json: { attributionWindowDays: 0 } });
    expect(bad.status).toBe(422);
    await api("/api/sites/site_at/settings", { method: "PATCH", cookie: owner, json: { attributionWindowDays: 7 } });
  });
});

describe("trigger uplift", () => {
  const FIRST = NOW - 10 * DAY_MS;
  /** Trigger t_big: 300 shown (45 buy), 150 control (12 buy); t_small: 5 and 5. Spread over the shards. */
  beforeAll(async () => {
    await seedSite({ id: "site_up", key: "pk_up" }, [{ id: "op_uo", email: "o@up.test", name: "Uma", role: "owner" }]);
    const rows: { visitorId: string; sql: string; params: SqlStorageValue[] }[] = [];
    const expose = (visitorId: string, trigger: string, arm: "shown" | "control", at = FIRST) =>
      rows.push({
        visitorId,
        sql: `INSERT INTO trigger_exposures (site_id, visitor_id, trigger_id, salt, arm, first_at, last_at) VALUES ('site_up', ?, ?, 's1', ?, ?, ?)`,
        params: [visitorId, trigger, arm, at, at],
      });
    for (let i = 0; i < 300; i++) {
      const v = `v_us${i}`;
      expose(v, "t_big", "shown");
      if (i < 45) rows.push(pageOrder("site_up", v, `o_us${i}`, FIRST + H, 10 + (i % 5) * 10, "PLN"));
      if (i < 3) rows.push(pageOrder("site_up", v, `o_use${i}`, FIRST + 2 * H, 25, "EUR"));
    }
    for (let i = 0; i < 150; i++) {
      const v = `v_uc${i}`;
      expose(v, "t_big", "control");
      if (i < 12) rows.push(pageOrder("site_up", v, `o_uc${i}`, FIRST + H, 30, "PLN"));
      // Orders outside the window: before the exposure, and 8 days after it.
      if (i >= 140) rows.push(pageOrder("site_up", v, `o_ucb${i}`, FIRST - H, 30, "PLN"));
      if (i >= 145) rows.push(pageOrder("site_up", v, `o_ucl${i}`, FIRST + 8 * DAY_MS, 30, "PLN"));
    }
    for (let i = 0; i < 5; i++) {
      expose(`v_xs${i}`, "t_small", "shown");
      expose(`v_xc${i}`, "t_small", "control");
    }
    const touched = await inShards("site_up", rows);
    expect(touched).toBe(Math.min(testShards(), 4));
  });

  it("sums the arms over the shards and measures shown against control", async () => {
    const cookie = await login("o@up.test");
    const r = await report(cookie, "site_up");
    const big = r.uplift.find((u) => u.triggerId === "t_big")!;
    expect(big.shown).toEqual({ visitors: 300, converted: 45 });
    expect(big.control).toEqual({ visitors: 150, converted: 12 });
    const expected = conversionUplift({ visitors: 300, conversions: 45 }, { visitors: 150, conversions: 12 });
    expect(big.conversion.shownRate).toBeCloseTo(0.15, 12);
    expect(big.conversion.controlRate).toBeCloseTo(0.08, 12);
    expect(big.conversion.difference!.value).toBeCloseTo(0.07, 12);
    expect(big.conversion.difference!.lower).toBeCloseTo(expected.difference!.lower, 12);
    expect(big.conversion.difference!.upper).toBeCloseTo(expected.difference!.upper, 12);
    expect(big.conversion.readiness).toEqual(expected.readiness);

    // Revenue per visitor in PLN: shown 9 × (10+20+30+40+50) = 1350 over 300; control 12 × 30 = 360 over 150.
    const pln = big.revenue.find((m) => m.currency === "PLN")!;
    expect(pln.shownPerVisitor).toBeCloseTo(4.5, 12);
    expect(pln.controlPerVisitor).toBeCloseTo(2.4, 12);
    const squares = 9 * (100 + 400 + 900 + 1600 + 2500);
    const rev = revenueUplift(
      { visitors: 300, buyers: 45, sum: 1350, sumSquares: squares, sumCubes: 9 * (1000 + 8000 + 27000 + 64000 + 125000) },
      { visitors: 150, buyers: 12, sum: 360, sumSquares: 12 * 900, sumCubes: 12 * 27000 },
    );
    expect(pln.difference!.lower).toBeCloseTo(rev.difference!.lower, 9);
    expect(pln.difference!.upper).toBeCloseTo(rev.difference!.upper, 9);
    expect(pln.readiness).toEqual(rev.readiness);
    // EUR apart: only shown visitors bought, three of them.
    const eur = big.revenue.find((m) => m.currency === "EUR")!;
    expect(eur.shownPerVisitor).toBeCloseTo(75 / 300, 12);
    expect(eur.controlPerVisitor).toBe(0);
    expect(eur.readiness).toEqual({ ready: false, reason: "few_conversions" });

    const small = r.uplift.find((u) => u.triggerId === "t_small")!;
    expect(small.shown).toEqual({ visitors: 5, converted: 0 });
    expect(small.conversion.readiness).toEqual({ ready: false, reason: "few_visitors" });
    expect(r.uplift).toHaveLength(2);
  });

  it("reads no other shop's exposures", async () => {
    const r = await report(owner);
    expect(r.uplift).toEqual([]);
  });
});
