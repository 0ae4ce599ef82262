import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { pageKey } from "../../protocol/page-key";
import { CompactRuleSet, type Trigger, TriggerDefinition } from "../../protocol/triggers";
import { compileRuleSet } from "./compile";
import { shopInput, shopTriggers, T0 } from "./test-triggers";
import { usualTimeOnPage } from "./usual-time";

const one = (definition: unknown, over: Partial<Trigger> = {}): Trigger => ({
  ...v.parse(TriggerDefinition, definition),
  id: "trg_x",
  salt: "s",
  createdAt: T0,
  updatedAt: T0,
  ...over,
});
const pageRule = (match: string, value: string) =>
  compileRuleSet(
    shopInput({
      triggers: [one({ name: "p", conditions: [{ type: "page", match, value }], action: { from: { type: "team" }, message: "Hi" } })],
    }),
  ).r[0]!.w;

async function gzipBytes(text: string): Promise<number> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

describe("compileRuleSet", () => {
  const set = compileRuleSet(shopInput());

  it("produces what the protocol's CompactRuleSet describes", () => {
    expect(v.safeParse(CompactRuleSet, set).success).toBe(true);
    expect(set.v).toBe(1);
    expect(set.c).toEqual([1, 2]);
  });

  it("keeps the enabled triggers only, highest priority first", () => {
    expect(set.r.map((r) => r.i)).toEqual(["trg_8", "trg_1", "trg_9", "trg_3", "trg_4", "trg_2", "trg_6", "trg_7", "trg_5"]);
  });

  it("breaks priority ties by age, then id, so every compile gives the same order", () => {
    const a = one({ name: "a", conditions: [], action: { from: { type: "team" }, message: "a" } }, { id: "trg_b", createdAt: T0 });
    const b = { ...a, id: "trg_a", createdAt: T0 };
    const c = { ...a, id: "trg_c", createdAt: T0 - 1 };
    expect(compileRuleSet(shopInput({ triggers: [a, b, c] })).r.map((r) => r.i)).toEqual(["trg_c", "trg_a", "trg_b"]);
  });

  it("ships only the conditions the browser checks; the visitor's own stay on the server", () => {
    const byId = Object.fromEntries(set.r.map((r) => [r.i, r]));
    expect(byId.trg_5!.w).toEqual([]); // returning, visits
    expect(byId.trg_6!.w).toEqual([["t", 10]]); // utm medium stays behind
    expect(byId.trg_7!.w).toEqual([["h", 0]]); // language stays behind
    expect(byId.trg_8!.w).toEqual([["o", 1]]); // segment stays behind
    expect(byId.trg_9!.w).toEqual([
      ["u", "*", "/checkout/*"],
      ["t", 45],
    ]);
    expect(byId.trg_3!.w).toEqual([["k", 1], ["x"]]);
    expect(byId.trg_4!.w).toEqual([
      ["u", "=", "/cart"],
      ["v", 30, "EUR"],
    ]);
    expect(byId.trg_2!.w).toEqual([
      ["u", "~", "/products/"],
      ["p", 15],
    ]);
    // Nothing about segments, countries or languages is published.
    expect(JSON.stringify(set)).not.toMatch(/seg_vip|"pl"|"PL"|cpc/);
  });

  it("resolves the sender: an operator's name and photo, or the team when the operator has left", () => {
    const byId = Object.fromEntries(set.r.map((r) => [r.i, r.a]));
    expect(byId.trg_1).toMatchObject({ n: "Anna", p: "/api/files/avatars/op_anna.webp" });
    expect(byId.trg_2).toEqual({ n: "Piotr", m: "Hi! Can I help you choose the right size?" });
    expect(byId.trg_8!.n).toBe("Demo Shop");
  });

  it("carries each kind of offer", () => {
    const byId = Object.fromEntries(set.r.map((r) => [r.i, r.a.o]));
    expect(byId.trg_1).toEqual({ k: "c", c: "WELCOME10", d: "10% off your first order" });
    expect(byId.trg_3).toEqual({ k: "f", t: 50, $: "EUR" });
    expect(byId.trg_6).toEqual({
      k: "p",
      t: "Hand grinder",
      u: "https://shop.example/products/grinder",
      i: "https://cdn.shop.example/grinder.jpg",
      v: 129,
      $: "EUR",
    });
  });

  it("gives each rule its salt, holdout share and frequency", () => {
    const byId = Object.fromEntries(set.r.map((r) => [r.i, r]));
    expect(byId.trg_1).toMatchObject({ s: "salt1", h: 0.1, f: 7 });
    expect(byId.trg_8).toMatchObject({ h: 0.2 });
    expect(byId.trg_3).toMatchObject({ f: 3 });
  });

  it("ships the usual times only when a rule compares with them", () => {
    expect(set.p).toEqual({ "/products/grinder": 42, "/products/mug": 35, "*": 28 });
    const withoutUsual = compileRuleSet(shopInput({ triggers: shopTriggers.filter((t) => t.id !== "trg_2") }));
    expect(withoutUsual.p).toBeUndefined();
  });

  it("writes page patterns as the browser sees its location: lower case, percent-encoded, without the origin", () => {
    expect(pageRule("equals", "https://Shop.example/Koszyk/?x=1")).toEqual([["u", "=", "/koszyk"]]);
    expect(pageRule("glob", "products/*")).toEqual([["u", "*", "/products/*"]]);
    expect(pageRule("glob", "*sale*")).toEqual([["u", "*", "*sale*"]]);
    // What workerd's URL (the WHATWG parser browsers implement) makes of the same path.
    const browser = new URL("https://sklep.example/Łyżki drewniane").pathname.toLowerCase();
    expect(pageRule("contains", "/Łyżki drewniane")).toEqual([["u", "~", browser]]);
    expect(pageRule("equals", "/Łyżki drewniane/")).toEqual([["u", "=", pageKey(browser)]]);
    // An owner who pasted an encoded URL gets it unchanged (no %25 double encoding).
    expect(pageRule("contains", "/%C5%81y%C5%BCki")).toEqual([["u", "~", "/%c5%81y%c5%bcki"]]);
    // Only ASCII is matched in either case: "ł" is another letter than "Ł" in the encoded path.
    expect(pageRule("contains", "/łyżki")).not.toEqual(pageRule("contains", "/Łyżki"));
  });

  it("stays small for a realistic shop: 10 triggers, and the usual times of its 100 busiest of 150 pages", async () => {
    const pages = Array.from({ length: 150 }, (_, i) => ({
      key: `/products/${["coffee", "grinders", "kettles", "mugs", "filters"][i % 5]}/${["ethiopia-yirgacheffe", "hand-burr", "gooseneck"][i % 3]}-${250 + i}g`,
      durations: Array.from({ length: 20 + (i % 30) }, (_, k) => 5_000 + ((k * 7919 + i * 104_729) % 90_000)),
    }));
    const big = compileRuleSet(shopInput({ usual: usualTimeOnPage(pages) }));
    const json = JSON.stringify(big);
    const rulesOnly = JSON.stringify({ ...big, p: undefined });
    const bytes = new TextEncoder().encode(json).byteLength;
    const gz = await gzipBytes(json);
    console.log(
      `rule set, 9 enabled of 10 triggers: ${new TextEncoder().encode(rulesOnly).byteLength} B (${await gzipBytes(rulesOnly)} B gzip); ` +
        `with ${Object.keys(big.p!).length} usual times: ${bytes} B (${gz} B gzip)`,
    );
    expect(Object.keys(big.p!)).toHaveLength(101);
    expect(gz).toBeLessThan(3 * 1024);
  });
});
