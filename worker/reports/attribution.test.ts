import { describe, expect, it } from "vitest";
import {
  type AttributedOrder,
  type AttributionConversation,
  type AttributionOrder,
  attributeOrders,
  customerKey,
  DAY_MS,
  revenueBy,
} from "./attribution";

const T = Date.UTC(2026, 4, 4, 10, 0, 0); // a Monday, 10:00 UTC
const HOUR_MS = 3_600_000;

const chat = (id: string, startedAt: number, operatorIds: string[] = ["anna"], triggerId: string | null = null, customer = "v:1") =>
  ({ customer, id, startedAt, operatorIds, triggerId }) satisfies AttributionConversation;
const order = (id: string, createdAt: number, total = 100, currency = "EUR", customer = "v:1") =>
  ({ customer, id, createdAt, total, currency }) satisfies AttributionOrder;

const marks = (o: AttributedOrder) => ({ conversationId: o.conversationId, influenced: o.influenced, assisted: o.assisted });

describe("attributeOrders at the window's edges", () => {
  it("includes both edges of the 7-day window and of the 24-hour assist", () => {
    const orders = [
      order("same-ms", T),
      order("24h", T + DAY_MS),
      order("24h+1ms", T + DAY_MS + 1),
      order("7d", T + 7 * DAY_MS),
      order("7d+1ms", T + 7 * DAY_MS + 1),
      order("1ms-before", T - 1),
    ];
    expect(attributeOrders([chat("c1", T)], orders).map((o) => [o.id, marks(o)])).toEqual([
      ["same-ms", { conversationId: "c1", influenced: true, assisted: true }],
      ["24h", { conversationId: "c1", influenced: true, assisted: true }],
      ["24h+1ms", { conversationId: "c1", influenced: true, assisted: false }],
      ["7d", { conversationId: "c1", influenced: true, assisted: false }],
      ["7d+1ms", { conversationId: null, influenced: false, assisted: false }],
      ["1ms-before", { conversationId: null, influenced: false, assisted: false }],
    ]);
  });

  it("uses the shop's window, and keeps assisted within it when it is shorter than a day", () => {
    const orders = [
      order("2d", T + 2 * DAY_MS),
      order("3d+1ms", T + 3 * DAY_MS + 1),
      order("12h", T + 12 * HOUR_MS),
      order("13h", T + 13 * HOUR_MS),
    ];
    expect(attributeOrders([chat("c1", T)], orders, 3 * DAY_MS).map((o) => o.influenced)).toEqual([true, false, true, true]);
    expect(attributeOrders([chat("c1", T)], orders, 12 * HOUR_MS).map((o) => [o.influenced, o.assisted])).toEqual([
      [false, false],
      [false, false],
      [true, true],
      [false, false],
    ]);
    expect(() => attributeOrders([], [], -1)).toThrow(RangeError);
  });

  it("leaves orders with no conversation at all alone", () => {
    const [o] = attributeOrders([], [order("o1", T)]);
    expect(o).toEqual({ ...order("o1", T), conversationId: null, influenced: false, assisted: false, operatorIds: [], triggerId: null });
  });
});

describe("attributeOrders with several conversations", () => {
  const chats = [chat("c2", T + 3 * DAY_MS, ["piotr"]), chat("c1", T, ["anna"], "trg-cart")];

  it("credits the latest conversation started at or before the order, with its operators and trigger", () => {
    const [day2, day4, day9, day11] = attributeOrders(chats, [
      order("day2", T + 2 * DAY_MS),
      order("day4", T + 4 * DAY_MS),
      order("day9", T + 9 * DAY_MS),
      order("day11", T + 11 * DAY_MS),
    ]);
    expect([day2!.conversationId, day2!.operatorIds, day2!.triggerId, day2!.assisted]).toEqual(["c1", ["anna"], "trg-cart", false]);
    expect([day4!.conversationId, day4!.operatorIds, day4!.triggerId, day4!.assisted]).toEqual(["c2", ["piotr"], null, true]);
    // Day 9 is 6 days after c2: still influenced. Day 11 is 8 days after c2, the latest: not,
    // although nothing newer came between — the credit never falls back to an older chat.
    expect(day9!.conversationId).toBe("c2");
    expect(day11!.influenced).toBe(false);
  });

  it("breaks a tie in the same millisecond by the greater id", () => {
    const [o] = attributeOrders([chat("b", T), chat("a", T)], [order("o", T + HOUR_MS)]);
    expect(o!.conversationId).toBe("b");
  });

  it("never credits another customer's conversation", () => {
    const [o] = attributeOrders([chat("other", T, ["anna"], null, "v:2")], [order("o", T + HOUR_MS)]);
    expect(o!.influenced).toBe(false);
  });
});

describe("customerKey", () => {
  it("joins one verified customer's devices, and never an unverified claim", () => {
    // The chat on the phone (visitor p1) and the order on the laptop (visitor l1), both verified
    // as the shop's customer 9.
    const phone = customerKey({ visitorId: "p1", verifiedCustomerId: "9" })!;
    const laptop = customerKey({ visitorId: "l1", verifiedCustomerId: "9" })!;
    expect(phone).toBe(laptop);
    const [o] = attributeOrders([chat("c1", T, ["anna"], null, phone)], [order("o", T + HOUR_MS, 100, "EUR", laptop)]);
    expect(o!.influenced).toBe(true);
    // Without verification each device is its own visitor.
    expect(customerKey({ visitorId: "p1", verifiedCustomerId: null })).not.toBe(customerKey({ visitorId: "l1", verifiedCustomerId: null }));
    // A visitor id equal to a customer id is still someone else.
    expect(customerKey({ visitorId: "9", verifiedCustomerId: null })).not.toBe(laptop);
    expect(customerKey({ visitorId: null, verifiedCustomerId: null })).toBeNull();
  });
});

describe("revenueBy", () => {
  const chats = [chat("c1", T, ["anna", "piotr"], "trg-cart"), chat("c2", T, ["piotr"], null, "v:2")];
  const attributed = attributeOrders(chats, [
    order("o1", T + HOUR_MS, 19.99, "EUR"),
    order("o2", T + 2 * DAY_MS, 5.01, "EUR"),
    order("o3", T + HOUR_MS, 120, "PLN"),
    order("o4", T + 2 * HOUR_MS, 40, "EUR", "v:2"),
    order("o5", T + 30 * DAY_MS, 999, "EUR"),
  ]);

  it("keeps currencies apart and never sums across them", () => {
    // Assisted EUR is 19.99 + 40, which floating point alone makes 59.989999999999995.
    expect(revenueBy(attributed, () => ["team"])).toEqual([
      { key: "team", currency: "EUR", influencedOrders: 3, influencedRevenue: 65, assistedOrders: 2, assistedRevenue: 59.99 },
      { key: "team", currency: "PLN", influencedOrders: 1, influencedRevenue: 120, assistedOrders: 1, assistedRevenue: 120 },
    ]);
  });

  it("credits every operator who answered with the whole order, and the trigger", () => {
    expect(revenueBy(attributed, (o) => o.operatorIds)).toEqual([
      { key: "anna", currency: "EUR", influencedOrders: 2, influencedRevenue: 25, assistedOrders: 1, assistedRevenue: 19.99 },
      { key: "anna", currency: "PLN", influencedOrders: 1, influencedRevenue: 120, assistedOrders: 1, assistedRevenue: 120 },
      { key: "piotr", currency: "EUR", influencedOrders: 3, influencedRevenue: 65, assistedOrders: 2, assistedRevenue: 59.99 },
      { key: "piotr", currency: "PLN", influencedOrders: 1, influencedRevenue: 120, assistedOrders: 1, assistedRevenue: 120 },
    ]);
    expect(revenueBy(attributed, (o) => (o.triggerId ? [o.triggerId] : [])).map((r) => [r.key, r.currency, r.influencedRevenue])).toEqual([
      ["trg-cart", "EUR", 25],
      ["trg-cart", "PLN", 120],
    ]);
  });

  it("counts an order once per key even when the key is named twice", () => {
    const [row] = revenueBy(attributed.slice(0, 1), () => ["team", "team"]);
    expect(row!.influencedOrders).toBe(1);
  });
});
