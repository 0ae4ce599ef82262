import { describe, expect, it } from "vitest";
import { validateTrigger } from "./validate";

const site = { operatorIds: new Set(["op_anna"]), segmentIds: new Set(["seg_vip"]) };
const base = { name: "Cart help", conditions: [], action: { from: { type: "team" }, message: "Hi!" } };
const withAction = (action: object) => ({ ...base, action: { ...base.action, ...action } });
const withCondition = (condition: object) => ({ ...base, conditions: [condition] });
const error = (input: unknown) => {
  const r = validateTrigger(input, site);
  return r.ok ? null : r.error;
};

describe("validateTrigger", () => {
  it("fills in the defaults: enabled, priority 50, once a week, 10% held out", () => {
    const r = validateTrigger(base, site);
    expect(r).toEqual({
      ok: true,
      value: { ...base, enabled: true, priority: 50, frequencyDays: 7, holdoutPercent: 10 },
    });
  });

  it("accepts a trigger with every kind of condition", () => {
    const conditions = [
      { type: "page", match: "glob", value: "/products/*" },
      { type: "timeOnPage", seconds: 30 },
      { type: "longerThanUsual" },
      { type: "visits", min: 2 },
      { type: "visitor", is: "returning" },
      { type: "source", field: "campaign", match: "contains", value: "Summer" },
      { type: "device", in: ["desktop", "tablet"] },
      { type: "country", match: "notIn", values: ["pl", "FI"] },
      { type: "language", match: "in", values: ["PL"] },
      { type: "identified", is: true },
      { type: "segment", segmentId: "seg_vip", match: "in" },
      { type: "cartValue", min: 25.5, currency: "eur" },
    ];
    const r = validateTrigger({ ...base, conditions }, site);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.conditions[2]).toEqual({ type: "longerThanUsual", minSeconds: 10 });
    expect(r.value.conditions[5]).toMatchObject({ value: "summer" });
    expect(r.value.conditions[7]).toMatchObject({ values: ["PL", "FI"] });
    expect(r.value.conditions[8]).toMatchObject({ values: ["pl"] });
    expect(r.value.conditions[11]).toMatchObject({ currency: "EUR" });
    const more = [
      { type: "cartItems", min: 2 },
      { type: "exitIntent" },
      { type: "businessHours", inside: false },
      { type: "operators", available: true },
    ];
    expect(validateTrigger({ ...base, conditions: more }, site).ok).toBe(true);
  });

  it("cuts a pasted full URL to its path and query", () => {
    const r = validateTrigger(withCondition({ type: "page", match: "equals", value: "HTTPS://www.Shop.example/Cart?step=2" }), site);
    expect(r.ok && r.value.conditions[0]).toEqual({ type: "page", match: "equals", value: "/Cart?step=2" });
  });

  it.each([
    [
      "a link that is not http(s)",
      withAction({ offer: { type: "product", title: "Mug", url: "javascript:alert(1)" } }),
      "action.offer.url",
    ],
    [
      "an image over http",
      withAction({ offer: { type: "product", title: "Mug", url: "https://s.example/m", imageUrl: "http://s.example/m.jpg" } }),
      "action.offer.imageUrl",
    ],
    [
      "a price without its currency",
      withAction({ offer: { type: "product", title: "Mug", url: "https://s.example/m", price: 12 } }),
      "a price needs its currency",
    ],
    ["a discount code with spaces", withAction({ offer: { type: "discount", code: "TEN OFF" } }), "action.offer.code"],
    ["free delivery from 0", withAction({ offer: { type: "freeDelivery", threshold: 0, currency: "EUR" } }), "action.offer.threshold"],
    ["an empty message", withAction({ message: "   " }), "action.message"],
    ["a message over 300 characters", withAction({ message: "x".repeat(301) }), "at most 300"],
    ["an unknown condition", withCondition({ type: "moonPhase", is: "full" }), "conditions.0.type"],
    ["a country that is not a code", withCondition({ type: "country", match: "in", values: ["Poland"] }), "conditions.0.values.0"],
    ["the same country twice", withCondition({ type: "country", match: "in", values: ["PL", "pl"] }), "each value appears once"],
    ["no device at all", withCondition({ type: "device", in: [] }), "name at least one value"],
    ["a negative cart value", withCondition({ type: "cartValue", min: -1, currency: "EUR" }), "conditions.0.min"],
    ["13 conditions", { ...base, conditions: Array.from({ length: 13 }, () => ({ type: "exitIntent" })) }, "at most 12 conditions"],
    ["a holdout over half", { ...base, holdoutPercent: 60 }, "holdoutPercent"],
    ["a fractional frequency", { ...base, frequencyDays: 1.5 }, "frequencyDays"],
  ])("refuses %s", (_, input, message) => {
    const e = error(input);
    expect(e?.code).toBe("validation_failed");
    expect(e?.message).toContain(message);
  });

  it("refuses an operator of another site and a segment of another site", () => {
    expect(error(withAction({ from: { type: "operator", operatorId: "op_elsewhere" } }))?.message).toBe(
      "action.from.operatorId: no operator of this site has that id.",
    );
    expect(
      error({ ...base, conditions: [{ type: "exitIntent" }, { type: "segment", segmentId: "seg_other", match: "in" }] })?.message,
    ).toBe("conditions.1.segmentId: no saved segment of this site has that id.");
    expect(validateTrigger(withAction({ from: { type: "operator", operatorId: "op_anna" } }), site).ok).toBe(true);
  });

  it("never throws, whatever it is given", () => {
    for (const input of [null, 42, "trigger", [], { name: 1 }, { ...base, conditions: "all" }, { ...base, action: null }]) {
      expect(validateTrigger(input, site).ok).toBe(false);
    }
  });
});
