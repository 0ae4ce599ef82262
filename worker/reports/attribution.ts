/**
 * Sales attribution for "revenue influenced by chats": which conversation, operators and trigger
 * an order owes to. An order is influenced when it follows the customer's conversation within the
 * shop's window (default 7 days) and assisted when within 24 hours. Pure; imported by the report
 * code.
 *
 * Credit goes to one conversation: the latest one started at or before the order (last touch).
 * It is the chat fresh in the buyer's mind, and one owner per order keeps the shop's influenced
 * revenue a plain sum of its orders. Within it, every operator who answered is credited with the
 * whole order, so per-operator rows do not add up to the team's when a chat was transferred — the
 * team row counts each order once. Amounts stay per currency and are never summed across.
 */

export const DAY_MS = 86_400_000;
export const DEFAULT_ATTRIBUTION_WINDOW_MS = 7 * DAY_MS;
/** Assisted = within this long, or within the shop's window if that is shorter. */
export const ASSISTED_WINDOW_MS = DAY_MS;

/**
 * Who an order and a conversation belong to: the shop's verified customer id when there is one,
 * so one customer's chats and orders meet across devices; else the visitor. Unverified ids must
 * not be used — anyone can claim one. The prefixes keep a customer id from meeting an equal
 * visitor id.
 */
export function customerKey(p: { visitorId: string | null; verifiedCustomerId: string | null }): string | null {
  if (p.verifiedCustomerId !== null) return `c:${p.verifiedCustomerId}`;
  return p.visitorId === null ? null : `v:${p.visitorId}`;
}

/** A conversation in which the visitor wrote. */
export interface AttributionConversation {
  customer: string;
  id: string;
  startedAt: number;
  /** Operators who answered in it (none when it was missed). */
  operatorIds: readonly string[];
  /** The trigger that started it, if one did. */
  triggerId: string | null;
}

export interface AttributionOrder {
  customer: string;
  id: string;
  createdAt: number;
  total: number;
  currency: string;
}

export interface AttributedOrder extends AttributionOrder {
  /** The credited conversation, null when no conversation precedes the order within the window. */
  conversationId: string | null;
  influenced: boolean;
  assisted: boolean;
  operatorIds: readonly string[];
  triggerId: string | null;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byStart = (a: AttributionConversation, b: AttributionConversation) => a.startedAt - b.startedAt || compareText(a.id, b.id);

/**
 * Marks every order (returned in the given order). Both edges of the window are included: a
 * conversation exactly 7 days before the order, or at the same millisecond, counts. Of two
 * conversations started in the same millisecond, the one with the greater id is the latest.
 */
export function attributeOrders(
  conversations: readonly AttributionConversation[],
  orders: readonly AttributionOrder[],
  windowMs: number = DEFAULT_ATTRIBUTION_WINDOW_MS,
): AttributedOrder[] {
  if (!(Number.isFinite(windowMs) && windowMs >= 0)) throw new RangeError(`the attribution window must be ≥ 0 ms, got ${windowMs}`);
  const assistedMs = Math.min(ASSISTED_WINDOW_MS, windowMs);
  const byCustomer = new Map<string, AttributionConversation[]>();
  for (const c of conversations) {
    const list = byCustomer.get(c.customer);
    if (list) list.push(c);
    else byCustomer.set(c.customer, [c]);
  }
  for (const list of byCustomer.values()) list.sort(byStart);
  return orders.map((order) => {
    const credited = latestAtOrBefore(byCustomer.get(order.customer) ?? [], order.createdAt);
    const gap = credited ? order.createdAt - credited.startedAt : Number.POSITIVE_INFINITY;
    const influenced = gap <= windowMs;
    return {
      ...order,
      conversationId: influenced ? credited!.id : null,
      influenced,
      assisted: gap <= assistedMs,
      operatorIds: influenced ? credited!.operatorIds : [],
      triggerId: influenced ? credited!.triggerId : null,
    };
  });
}

/** Binary search in conversations sorted by start: the last one with startedAt ≤ at. */
function latestAtOrBefore(sorted: readonly AttributionConversation[], at: number): AttributionConversation | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.startedAt <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : sorted[lo - 1]!;
}

/** Influenced and assisted orders and revenue of one key in one currency. */
export interface RevenueRow {
  key: string;
  currency: string;
  influencedOrders: number;
  influencedRevenue: number;
  assistedOrders: number;
  assistedRevenue: number;
}

// Order totals carry at most four decimals (ISO 4217's most); rounding each sum to them keeps
// 19.99 + 40 at 59.99 instead of 59.989999999999995 in tables and CSV.
const addMoney = (a: number, b: number) => Math.round((a + b) * 1e4) / 1e4;

/**
 * Revenue rows per key and currency, sorted by both. `keysOf` names the keys an order counts
 * for: its operators (`o => o.operatorIds`), its trigger, one team key, its hour. Orders that
 * were not influenced count nowhere; a key named twice for one order counts once.
 */
export function revenueBy(orders: readonly AttributedOrder[], keysOf: (order: AttributedOrder) => readonly string[]): RevenueRow[] {
  const rows = new Map<string, RevenueRow>();
  for (const order of orders) {
    if (!order.influenced) continue;
    for (const key of new Set(keysOf(order))) {
      const id = JSON.stringify([key, order.currency]);
      let row = rows.get(id);
      if (!row) {
        row = { key, currency: order.currency, influencedOrders: 0, influencedRevenue: 0, assistedOrders: 0, assistedRevenue: 0 };
        rows.set(id, row);
      }
      row.influencedOrders += 1;
      row.influencedRevenue = addMoney(row.influencedRevenue, order.total);
      if (order.assisted) {
        row.assistedOrders += 1;
        row.assistedRevenue = addMoney(row.assistedRevenue, order.total);
      }
    }
  }
  return [...rows.values()].sort((a, b) => compareText(a.key, b.key) || compareText(a.currency, b.currency));
}
