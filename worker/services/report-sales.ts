/**
 * The sales report (issue 13): orders influenced and assisted by chats, per currency for the
 * shop, per operator, per trigger and per hour of the day, and each trigger's measured uplift
 * against its control group.
 *
 * Attribution reads no shard it does not need. D1 gives the conversations touched in the range
 * (an operator's first answer, or a visitor's first message nobody answered, at most one window
 * before it), the directory gives those visitors' verified customer ids and the other devices of
 * those customers, D1 `orders` gives their API orders, and only the shards that hold one of those
 * visitors are asked for their page orders (`VisitorShard.ordersOf`, one statement each): 4 D1
 * statements and at most one call per shard, whatever the shop's traffic.
 *
 * Uplift has to compare every exposed visitor, chat or not, so it asks every shard
 * (`VisitorShard.triggerArms`, two statements each over its exposures) and sums the arms.
 */
import type { SalesReport, SalesRow, TriggerUplift, UpliftEstimate, UpliftReadiness } from "../../protocol";
import type { RawOrder } from "../db/profiles";
import { membersOf, type ReadCounter } from "../db/report-reads";
import type { TriggerArmRow } from "../do/visitor-shard";
import type { Env } from "../env";
import {
  type AttributedOrder,
  type AttributionConversation,
  type AttributionOrder,
  attributeOrders,
  DAY_MS,
  revenueBy,
} from "../reports/attribution";
import { conversionUplift, type Readiness, revenueUplift } from "../reports/uplift";
import { reportWindow, type Viewer } from "./reports";
import { allShards, previousShardFor, shardFor, siteLayout } from "./visitor-shards";

/** What a sales report cost: D1 statements (in `d1`) and calls to visitor shards. */
export interface SalesCounter {
  d1: ReadCounter;
  shardCalls: number;
  upliftShardCalls: number;
}

interface ConversationRow {
  id: string;
  visitor_id: string;
  /** Issue 12's column (migration 0022/0023); undefined while it is not there. */
  trigger_id?: string | null;
}

interface TouchEvent {
  conversation_id: string;
  type: "operator_first_answer" | "visitor_first_message";
  at: number;
  actor_id: string | null;
}

async function all<T>(stmt: D1PreparedStatement, counter?: ReadCounter): Promise<T[]> {
  const r = await stmt.all<T>();
  if (counter) {
    counter.statements += 1;
    counter.rowsRead += r.meta.rows_read ?? 0;
    counter.rowsReturned += r.results.length;
  }
  return r.results;
}

/**
 * The chats of a site touched in [start, end]: one touch per operator's first answer (a reopened
 * conversation answered again is a new touch), or the visitor's first message when nobody
 * answered. Credit: every operator whose first answer the conversation records.
 */
async function touchesIn(env: Env, siteId: string, start: number, end: number, counter?: ReadCounter) {
  // `c.*` so issue 12's trigger_id comes along once its migration is there.
  const rows = await all<TouchEvent & ConversationRow>(
    env.DB.prepare(
      `SELECT c.*, e.conversation_id, e.type, e.at, e.actor_id FROM conversation_events e
       JOIN conversations c ON c.id = e.conversation_id AND c.site_id = e.site_id
       WHERE ${TOUCHED}`,
    ).bind(siteId, start, end),
    counter,
  );
  const conversations = new Map<string, ConversationRow>();
  for (const r of rows) if (!conversations.has(r.conversation_id)) conversations.set(r.conversation_id, r);
  return { events: rows as TouchEvent[], conversations: [...conversations.values()] };
}

/** The events that make a touch: ?1 site, ?2–?3 the instants. */
const TOUCHED = "e.site_id = ?1 AND e.type IN ('operator_first_answer', 'visitor_first_message') AND e.at >= ?2 AND e.at <= ?3";
/** The visitors of the conversations touched (same parameters). */
const CHATTED = `SELECT c.visitor_id FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id AND c.site_id = e.site_id WHERE ${TOUCHED}`;

interface DirectoryRow {
  id: string;
  merged_into: string | null;
  external_id: string | null;
  verified: number;
}

/**
 * Who each chatting visitor is now. A verified customer's devices are merged into one profile
 * (the directory's `merged_into`, their orders moved along), so a conversation's visitor is
 * followed to that profile (two hops at most, one statement each) and keyed by its verified
 * customer id; the shop API's orders name that id too.
 */
async function identitiesOf(env: Env, siteId: string, start: number, end: number, chatted: string[], counter?: ReadCounter) {
  const rows = new Map<string, DirectoryRow>();
  const found = await all<DirectoryRow>(
    env.DB.prepare(`SELECT id, merged_into, external_id, verified FROM visitors WHERE site_id = ?1 AND id IN (${CHATTED})`).bind(
      siteId,
      start,
      end,
    ),
    counter,
  );
  for (const r of found) rows.set(r.id, r);
  // Only the profiles they were merged into (a few) travel as a list.
  const targets = [...new Set(found.map((r) => r.merged_into).filter((id): id is string => id !== null && !rows.has(id)))];
  if (targets.length) {
    const more = await all<DirectoryRow>(
      env.DB.prepare(
        "SELECT id, merged_into, external_id, verified FROM visitors WHERE site_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
      ).bind(siteId, JSON.stringify(targets)),
      counter,
    );
    for (const r of more) rows.set(r.id, r);
  }
  const canonical = (id: string) => {
    let at = id;
    for (let hop = 0; hop < 3; hop++) {
      const next = rows.get(at)?.merged_into;
      if (!next) break;
      at = next;
    }
    return at;
  };
  const keyOf = (visitorId: string) => {
    const c = canonical(visitorId);
    const r = rows.get(c);
    return r && r.verified === 1 && r.external_id !== null ? `c:${r.external_id}` : `v:${c}`;
  };
  const customerIds = [...new Set([...rows.values()].filter((r) => r.verified === 1 && r.external_id !== null).map((r) => r.external_id!))];
  return { keyOf, visitorIds: [...new Set([...chatted, ...rows.keys()])], targets, customerIds };
}

export interface SalesData {
  windowMs: number;
  orders: AttributedOrder[];
  conversations: number;
  triggerCredit: boolean;
}

/** Every order of a chatting customer created in [from, to], attributed. */
export async function attributedOrders(
  env: Env,
  siteId: string,
  from: number,
  to: number,
  windowMs: number,
  counter?: SalesCounter,
): Promise<SalesData> {
  const { events, conversations } = await touchesIn(env, siteId, from - windowMs, to, counter?.d1);
  const visitorOf = new Map(conversations.map((c) => [c.id, c]));
  const chatted = [...new Set(conversations.map((c) => c.visitor_id))];
  const {
    keyOf: keyOfVisitor,
    visitorIds,
    targets,
    customerIds,
  } = await identitiesOf(env, siteId, from - windowMs, to, chatted, counter?.d1);

  const answerers = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.type === "operator_first_answer" && e.actor_id) {
      const set = answerers.get(e.conversation_id) ?? new Set<string>();
      set.add(e.actor_id);
      answerers.set(e.conversation_id, set);
    }
  }
  const touches: AttributionConversation[] = [];
  let n = 0;
  for (const e of events) {
    const c = visitorOf.get(e.conversation_id);
    if (!c) continue;
    const answered = answerers.has(e.conversation_id);
    // A conversation somebody answered counts from the answer; one nobody answered, from its start.
    if (answered ? e.type !== "operator_first_answer" : e.type !== "visitor_first_message") continue;
    touches.push({
      customer: keyOfVisitor(c.visitor_id),
      id: `${c.id}#${n++}`,
      startedAt: e.at,
      operatorIds: [...(answerers.get(c.id) ?? [])],
      triggerId: c.trigger_id ?? null,
    });
  }

  // The chatting visitors come from the same join as above (no list of them travels); the merge
  // targets and verified customer ids are the few that do.
  const d1Orders = visitorIds.length
    ? await all<RawOrder>(
        env.DB.prepare(
          `SELECT order_id, visitor_id, customer_id, total, currency, items, created_at, source FROM orders
           WHERE site_id = ?1 AND created_at >= ?4 AND created_at <= ?3
             AND (visitor_id IN (${CHATTED}) OR visitor_id IN (SELECT value FROM json_each(?5))
               OR customer_id IN (SELECT value FROM json_each(?6)))`,
        ).bind(siteId, from - windowMs, to, from, JSON.stringify(targets), JSON.stringify(customerIds)),
        counter?.d1,
      )
    : [];

  // Page orders: only the shards holding one of these visitors (and, during a reshard, their old shards).
  const layout = await siteLayout(env, siteId);
  const byShard = new Map<number, { stub: ReturnType<typeof shardFor>["stub"]; ids: string[] }>();
  for (const id of visitorIds) {
    for (const ref of [shardFor(env, layout, id), previousShardFor(env, layout, id)]) {
      if (!ref) continue;
      const entry = byShard.get(ref.shard) ?? { stub: ref.stub, ids: [] };
      entry.ids.push(id);
      byShard.set(ref.shard, entry);
    }
  }
  const shardOrders = await Promise.all(
    [...byShard].map(([shard, { stub, ids }]) => {
      if (counter) counter.shardCalls += 1;
      return stub.ordersOf(siteId, shard, ids, from, to);
    }),
  );

  // One order once: D1's (the API's, trusted) over a shard's copy.
  const orders = new Map<string, AttributionOrder>();
  const add = (o: RawOrder, trusted: boolean) => {
    if (orders.has(o.order_id)) return;
    // The shop API's customer id is trusted; a page's claim is not — its visitor's verified id is.
    const customer =
      trusted && o.source === "api" && o.customer_id !== null
        ? `c:${o.customer_id}`
        : o.visitor_id !== null
          ? keyOfVisitor(o.visitor_id)
          : null;
    if (customer === null) return;
    orders.set(o.order_id, { customer, id: o.order_id, createdAt: o.created_at, total: o.total, currency: o.currency });
  };
  for (const o of d1Orders) add(o, true);
  for (const list of shardOrders) for (const o of list) add(o, o.source === "api");
  const sorted = [...orders.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  return {
    windowMs,
    orders: attributeOrders(touches, sorted, windowMs),
    conversations: conversations.length,
    triggerCredit: conversations.some((c) => c.trigger_id !== undefined),
  };
}

/** Every shard's arms of each trigger experiment, summed (shards hold disjoint visitors). */
export async function triggerArms(
  env: Env,
  siteId: string,
  from: number,
  to: number,
  windowMs: number,
  counter?: SalesCounter,
): Promise<TriggerArmRow[]> {
  const layout = await siteLayout(env, siteId);
  const parts = await Promise.all(
    allShards(env, layout).map((s) => {
      if (counter) counter.upliftShardCalls += 1;
      return s.stub.triggerArms(siteId, s.shard, null, from, to, windowMs);
    }),
  );
  const arms = new Map<string, TriggerArmRow>();
  for (const part of parts) {
    for (const r of part) {
      const key = JSON.stringify([r.triggerId, r.salt, r.arm]);
      const into = arms.get(key);
      if (!into) {
        arms.set(key, { ...r, revenue: r.revenue.map((m) => ({ ...m })) });
        continue;
      }
      into.visitors += r.visitors;
      into.converted += r.converted;
      for (const m of r.revenue) {
        const same = into.revenue.find((x) => x.currency === m.currency);
        if (!same) into.revenue.push({ ...m });
        else {
          same.buyers += m.buyers;
          same.orders += m.orders;
          same.sum += m.sum;
          same.sumSquares += m.sumSquares;
          same.sumCubes += m.sumCubes;
        }
      }
    }
  }
  return [...arms.values()];
}

const roundEstimate = (e: { value: number; lower: number; upper: number } | null): UpliftEstimate | null =>
  e && { value: e.value, lower: e.lower, upper: e.upper };
const readinessOf = (r: Readiness): UpliftReadiness => (r.ready ? { ready: true } : { ready: false, reason: r.reason });

/** Shown against control for each trigger experiment (worker/reports/uplift.ts). */
export function upliftOf(arms: readonly TriggerArmRow[], names: ReadonlyMap<string, string>): TriggerUplift[] {
  const experiments = new Map<string, { triggerId: string; salt: string; shown?: TriggerArmRow; control?: TriggerArmRow }>();
  for (const a of arms) {
    const key = JSON.stringify([a.triggerId, a.salt]);
    const e = experiments.get(key) ?? { triggerId: a.triggerId, salt: a.salt };
    e[a.arm] = a;
    experiments.set(key, e);
  }
  const empty = (): TriggerArmRow => ({ triggerId: "", salt: "", arm: "shown", visitors: 0, converted: 0, revenue: [] });
  return [...experiments.values()]
    .sort((a, b) => (a.triggerId < b.triggerId ? -1 : a.triggerId > b.triggerId ? 1 : a.salt < b.salt ? -1 : 1))
    .map(({ triggerId, salt, shown = empty(), control = empty() }) => {
      const c = conversionUplift(
        { visitors: shown.visitors, conversions: shown.converted },
        { visitors: control.visitors, conversions: control.converted },
      );
      const currencies = [...new Set([...shown.revenue, ...control.revenue].map((m) => m.currency))].sort();
      const arm = (a: TriggerArmRow, currency: string) => {
        const m = a.revenue.find((x) => x.currency === currency);
        return {
          visitors: a.visitors,
          buyers: m?.buyers ?? 0,
          sum: m?.sum ?? 0,
          sumSquares: m?.sumSquares ?? 0,
          sumCubes: m?.sumCubes ?? 0,
        };
      };
      return {
        triggerId,
        name: names.get(triggerId) ?? null,
        salt,
        shown: { visitors: shown.visitors, converted: shown.converted },
        control: { visitors: control.visitors, converted: control.converted },
        conversion: {
          shownRate: c.shownRate,
          controlRate: c.holdoutRate,
          difference: roundEstimate(c.difference),
          readiness: readinessOf(c.readiness),
        },
        revenue: currencies.map((currency) => {
          const r = revenueUplift(arm(shown, currency), arm(control, currency));
          return {
            currency,
            shownPerVisitor: r.shownPerVisitor,
            controlPerVisitor: r.holdoutPerVisitor,
            difference: roundEstimate(r.difference),
            readiness: readinessOf(r.readiness),
          };
        }),
      };
    });
}

const asRow = (r: SalesRow): SalesRow => ({
  key: r.key,
  currency: r.currency,
  influencedOrders: r.influencedOrders,
  influencedRevenue: r.influencedRevenue,
  assistedOrders: r.assistedOrders,
  assistedRevenue: r.assistedRevenue,
});

/** `GET …/reports/sales`. Agents: their own operator rows only. */
export async function salesReport(
  env: Env,
  siteId: string,
  viewer: Viewer,
  q: import("../../protocol").ReportRangeQuery,
  now: number,
  counter?: SalesCounter,
): Promise<SalesReport> {
  const w = await reportWindow(env, siteId, q, now, counter?.d1);
  const windowDays = w.settings.attributionWindowDays;
  const windowMs = windowDays * DAY_MS;
  const everyone = viewer.role !== "agent";
  const [data, members, arms] = await Promise.all([
    attributedOrders(env, siteId, w.start, w.end - 1, windowMs, counter),
    membersOf(env.DB, siteId, counter?.d1),
    everyone ? triggerArms(env, siteId, w.start, w.end, windowMs, counter) : Promise.resolve([]),
  ]);
  const names = new Map(members.map((m) => [m.id, m.name]));
  let operators = revenueBy(data.orders, (o) => o.operatorIds).map((r) => ({ ...asRow(r), name: names.get(r.key) ?? "—" }));
  if (!everyone) operators = operators.filter((r) => r.key === viewer.id);
  return {
    range: w.range,
    windowDays,
    ordersRead: data.orders.length,
    shop: everyone ? revenueBy(data.orders, () => [""]).map(asRow) : [],
    operators,
    triggers: everyone
      ? revenueBy(data.orders, (o) => (o.triggerId === null ? [] : [o.triggerId])).map((r) => ({ ...asRow(r), name: null }))
      : [],
    hours: everyone
      ? revenueBy(data.orders, (o) => [String(w.clock.local(o.createdAt).hour)])
          .map(asRow)
          .sort((a, b) => Number(a.key) - Number(b.key) || (a.currency < b.currency ? -1 : 1))
      : [],
    uplift: everyone ? upliftOf(arms, new Map()) : [],
    triggerCredit: data.triggerCredit,
  };
}
