import { describe, expect, it } from "vitest";
import type { TrafficSource } from "../../protocol/profiles";
import type { TriggerCondition } from "../../protocol/triggers";
import { shopTriggers } from "./test-triggers";
import { eligibleTriggerIds, type TriggerVisitor } from "./visitor-conditions";

const source = (over: Partial<TrafficSource> = {}): TrafficSource => ({
  referrer: null,
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  utmTerm: null,
  utmContent: null,
  landingUrl: null,
  ...over,
});
const visitor = (over: Partial<TriggerVisitor> = {}): TriggerVisitor => ({
  visits: 1,
  returning: false,
  source: source(),
  device: "desktop",
  country: "PL",
  language: "pl-PL",
  identified: false,
  segments: new Set(),
  ...over,
});
const trigger = (condition: TriggerCondition) => ({ ...shopTriggers[0]!, id: "t", conditions: [condition] });
const holds = (condition: TriggerCondition, x: TriggerVisitor) => eligibleTriggerIds([trigger(condition)], x).length === 1;

describe("visitor conditions", () => {
  it("visits ≥ n", () => {
    expect(holds({ type: "visits", min: 3 }, visitor({ visits: 3 }))).toBe(true);
    expect(holds({ type: "visits", min: 3 }, visitor({ visits: 2 }))).toBe(false);
  });

  it("new or returning", () => {
    expect(holds({ type: "visitor", is: "returning" }, visitor({ returning: true }))).toBe(true);
    expect(holds({ type: "visitor", is: "returning" }, visitor())).toBe(false);
    expect(holds({ type: "visitor", is: "new" }, visitor())).toBe(true);
  });

  it("source: utm_source, else the referrer's host, else direct — as the visitor list says", () => {
    const c = (value: string): TriggerCondition => ({ type: "source", field: "source", match: "equals", value });
    expect(holds(c("newsletter"), visitor({ source: source({ utmSource: "Newsletter", referrer: "https://google.com/" }) }))).toBe(true);
    expect(holds(c("google.com"), visitor({ source: source({ referrer: "https://www.google.com/search?q=mug" }) }))).toBe(true);
    expect(holds(c("direct"), visitor())).toBe(true);
    expect(holds(c("direct"), visitor({ source: null }))).toBe(false);
  });

  it("utm medium and campaign, equal or containing, in any case", () => {
    const x = visitor({ source: source({ utmMedium: "CPC", utmCampaign: "Summer-Sale-2026" }) });
    expect(holds({ type: "source", field: "medium", match: "equals", value: "cpc" }, x)).toBe(true);
    expect(holds({ type: "source", field: "campaign", match: "contains", value: "sale" }, x)).toBe(true);
    expect(holds({ type: "source", field: "campaign", match: "equals", value: "sale" }, x)).toBe(false);
    expect(holds({ type: "source", field: "medium", match: "contains", value: "c" }, visitor())).toBe(false);
  });

  it("device among", () => {
    expect(holds({ type: "device", in: ["mobile", "tablet"] }, visitor({ device: "tablet" }))).toBe(true);
    expect(holds({ type: "device", in: ["mobile", "tablet"] }, visitor())).toBe(false);
    expect(holds({ type: "device", in: ["desktop"] }, visitor({ device: null }))).toBe(false);
  });

  it("country in or not in; an unknown country matches neither", () => {
    expect(holds({ type: "country", match: "in", values: ["PL", "FI"] }, visitor({ country: "fi" }))).toBe(true);
    expect(holds({ type: "country", match: "notIn", values: ["PL"] }, visitor())).toBe(false);
    expect(holds({ type: "country", match: "notIn", values: ["PL"] }, visitor({ country: "DE" }))).toBe(true);
    expect(holds({ type: "country", match: "notIn", values: ["PL"] }, visitor({ country: null }))).toBe(false);
  });

  it("language by its primary subtag; an unknown language matches neither", () => {
    expect(holds({ type: "language", match: "in", values: ["pl"] }, visitor({ language: "PL" }))).toBe(true);
    expect(holds({ type: "language", match: "in", values: ["fi"] }, visitor())).toBe(false);
    expect(holds({ type: "language", match: "notIn", values: ["fi"] }, visitor())).toBe(true);
    expect(holds({ type: "language", match: "notIn", values: ["fi"] }, visitor({ language: null }))).toBe(false);
    expect(holds({ type: "language", match: "notIn", values: ["fi"] }, visitor({ language: "" }))).toBe(false);
  });

  it("identified or not", () => {
    expect(holds({ type: "identified", is: true }, visitor({ identified: true }))).toBe(true);
    expect(holds({ type: "identified", is: false }, visitor({ identified: true }))).toBe(false);
  });

  it("in a segment or not", () => {
    const x = visitor({ segments: new Set(["seg_vip"]) });
    expect(holds({ type: "segment", segmentId: "seg_vip", match: "in" }, x)).toBe(true);
    expect(holds({ type: "segment", segmentId: "seg_vip", match: "notIn" }, x)).toBe(false);
    expect(holds({ type: "segment", segmentId: "seg_vip", match: "notIn" }, visitor())).toBe(true);
  });

  it("leaves the page's conditions to the browser, and skips disabled triggers", () => {
    // The shop: trg_5 wants a regular, trg_6 cpc, trg_7 Polish, trg_8 the VIP segment, trg_9 a phone,
    // trg_10 is disabled; the others have page conditions only.
    expect(eligibleTriggerIds(shopTriggers, visitor({ language: "en" }))).toEqual(["trg_1", "trg_2", "trg_3", "trg_4"]);
    const regular = visitor({
      visits: 5,
      returning: true,
      device: "mobile",
      segments: new Set(["seg_vip"]),
      source: source({ utmMedium: "cpc" }),
      country: "DE",
    });
    expect(eligibleTriggerIds(shopTriggers, regular)).toEqual([
      "trg_1",
      "trg_2",
      "trg_3",
      "trg_4",
      "trg_5",
      "trg_6",
      "trg_7",
      "trg_8",
      "trg_9",
    ]);
  });
});
