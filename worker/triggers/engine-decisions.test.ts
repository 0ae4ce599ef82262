// The browser half of triggers, fed by the server half: the chunk's pure modules
// (widget/triggers/conditions.ts, decide.ts, memory.ts) run here on compileRuleSet's real output.
// They live in widget/, which the workerd test config does not collect, hence this file's place.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { inHoldout } from "../../protocol/holdout";
import { pageKey } from "../../protocol/page-key";
import { VISIT_IDLE_MS as TRACKING_VISIT_IDLE_MS } from "../../protocol/tracking";
import { type CompactRule, type Trigger, TriggerDefinition, type TriggerFacts } from "../../protocol/triggers";
import { dueAt, type MatchContext } from "../../widget/triggers/conditions";
import { decide } from "../../widget/triggers/decide";
import { DAY_MS, type Memory, readMemory, VISIT_IDLE_MS } from "../../widget/triggers/memory";
import { compileRuleSet } from "./compile";
import { shopInput, T0 } from "./test-triggers";

let n = 0;
const trigger = (definition: object): Trigger => ({
  ...v.parse(TriggerDefinition, { name: "t", action: { from: { type: "team" }, message: "Hi" }, conditions: [], ...definition }),
  id: `trg_${++n}`,
  salt: "s",
  createdAt: T0 + n,
  updatedAt: T0 + n,
});
const compile = (triggers: Trigger[], usual: Record<string, number> = {}, caps = { perVisit: 1, perDay: 2 }) =>
  compileRuleSet(shopInput({ triggers, usual, caps }));
const rule = (definition: object, usual?: Record<string, number>) => compile([trigger(definition)], usual).r[0]!;

/** The page as the engine describes location. */
const at = (url: string, since = T0) => {
  const u = new URL(url, "https://shop.example");
  return { key: pageKey(u.href), path: (u.pathname + u.search).toLowerCase(), since };
};
type Moment = Partial<Omit<MatchContext, "facts">> & { facts?: Partial<TriggerFacts> };
const context = (r: { i: string } | readonly { i: string }[], over: Moment = {}): MatchContext => {
  const { facts, ...rest } = over;
  const ids = (Array.isArray(r) ? r : [r]).map((x) => x.i);
  return { page: at("/"), usual: undefined, now: T0, exit: false, ...rest, facts: { id: "v_1", q: ids, ...facts } };
};
const matchesNow = (r: CompactRule, over: Parameters<typeof context>[1] = {}) => dueAt(r, context(r, over)) <= (over.now ?? T0);

describe("conditions the browser checks", () => {
  it("page equals: the page key, so a query, a hash or a trailing slash do not matter", () => {
    const r = rule({ conditions: [{ type: "page", match: "equals", value: "/Cart" }] });
    expect(matchesNow(r, { page: at("/cart/?step=2#top") })).toBe(true);
    expect(matchesNow(r, { page: at("/cart/items") })).toBe(false);
  });

  it("page contains and glob: the path and query, in any ASCII case", () => {
    const contains = rule({ conditions: [{ type: "page", match: "contains", value: "utm_campaign=Summer" }] });
    expect(matchesNow(contains, { page: at("/p/1?UTM_CAMPAIGN=summer") })).toBe(true);
    expect(matchesNow(contains, { page: at("/p/1") })).toBe(false);
    const glob = rule({ conditions: [{ type: "page", match: "glob", value: "/products/*/reviews" }] });
    expect(matchesNow(glob, { page: at("/Products/mug/reviews") })).toBe(true);
    expect(matchesNow(glob, { page: at("/products/mug/reviews/2") })).toBe(false);
    expect(matchesNow(glob, { page: at("/x/products/mug/reviews") })).toBe(false);
    // Regular-expression characters in a pattern are literal.
    const dots = rule({ conditions: [{ type: "page", match: "glob", value: "/a.b/(x)+*" }] });
    expect(matchesNow(dots, { page: at("/a.b/(x)+1") })).toBe(true);
    expect(matchesNow(dots, { page: at("/aXb/(x)+1") })).toBe(false);
    // Non-ASCII paths as the browser encodes them.
    const polish = rule({ conditions: [{ type: "page", match: "contains", value: "/Łyżki" }] });
    expect(matchesNow(polish, { page: at("/sklep/Łyżki-drewniane") })).toBe(true);
  });

  it("time on page: due N seconds after the page view", () => {
    const r = rule({ conditions: [{ type: "timeOnPage", seconds: 30 }] });
    expect(dueAt(r, context(r, { page: at("/", T0 - 10_000) }))).toBe(T0 + 20_000);
  });

  it("longer than usual: this page's p75, else the site's, and never less than its minimum", () => {
    const usual = { "/products/mug": 42, "*": 25 };
    const r = rule({ conditions: [{ type: "longerThanUsual", minSeconds: 30 }] }, usual);
    expect(dueAt(r, context(r, { usual, page: at("/products/mug?x=1") }))).toBe(T0 + 42_000);
    expect(dueAt(r, context(r, { usual, page: at("/products/kettle") }))).toBe(T0 + 30_000); // site's 25 < min 30
    expect(dueAt(r, context(r, { usual: { "/products/mug": 42 }, page: at("/products/kettle") }))).toBe(Infinity);
  });

  it("cart value in its currency, and item count", () => {
    const value = rule({ conditions: [{ type: "cartValue", min: 30, currency: "EUR" }] });
    expect(matchesNow(value, { facts: { ca: [30, 1, "EUR"] } })).toBe(true);
    expect(matchesNow(value, { facts: { ca: [29.99, 1, "EUR"] } })).toBe(false);
    expect(matchesNow(value, { facts: { ca: [300, 1, "PLN"] } })).toBe(false);
    expect(matchesNow(value, {})).toBe(false);
    const items = rule({ conditions: [{ type: "cartItems", min: 2 }] });
    expect(matchesNow(items, { facts: { ca: [10, 2, "EUR"] } })).toBe(true);
    expect(matchesNow(items, { facts: { ca: [10, 1, "EUR"] } })).toBe(false);
  });

  it("exit intent only at the moment it happens", () => {
    const r = rule({ conditions: [{ type: "exitIntent" }] });
    expect(matchesNow(r, { exit: true })).toBe(true);
    expect(dueAt(r, context(r))).toBe(Infinity);
  });

  it("business hours and operators, as the server's last answer says; unknown is neither", () => {
    const inside = rule({ conditions: [{ type: "businessHours", inside: true }] });
    const outside = rule({ conditions: [{ type: "businessHours", inside: false }] });
    expect(matchesNow(inside, { facts: { h: 1 } })).toBe(true);
    expect(matchesNow(outside, { facts: { h: 1 } })).toBe(false);
    expect(matchesNow(outside, { facts: { h: 0 } })).toBe(true);
    expect(matchesNow(outside, {})).toBe(false);
    const none = rule({ conditions: [{ type: "operators", available: false }] });
    expect(matchesNow(none, { facts: { o: 0 } })).toBe(true);
    expect(matchesNow(none, { facts: { o: 1 } })).toBe(false);
    expect(matchesNow(none, {})).toBe(false);
  });

  it("all conditions at once (AND): due when the last time-based one is", () => {
    const r = rule({
      conditions: [
        { type: "page", match: "glob", value: "/cart*" },
        { type: "timeOnPage", seconds: 20 },
        { type: "longerThanUsual", minSeconds: 5 },
        { type: "cartItems", min: 1 },
      ],
    });
    const base = { page: at("/cart"), usual: { "/cart": 35 }, facts: { ca: [5, 1, "EUR"] as [number, number, string] } };
    expect(dueAt(r, context(r, base))).toBe(T0 + 35_000);
    expect(dueAt(r, context(r, { ...base, page: at("/") }))).toBe(Infinity);
  });

  it("a trigger the server did not find eligible for this visitor never matches", () => {
    const r = rule({});
    expect(dueAt(r, { ...context(r), facts: { id: "v_1", q: [] } })).toBe(Infinity);
  });

  it("a condition from a newer rule set than the chunk knows never matches", () => {
    const r = { ...rule({}), w: [["z", 1]] } as unknown as CompactRule;
    expect(dueAt(r, context(r))).toBe(Infinity);
  });
});

/** One moment of a visitor's life, as the engine runs it: read the memory, decide, write it back. */
function moment(stored: { raw: string | null }, rules: CompactRule[], caps: [number, number], over: Moment & { visitor?: string }) {
  const now = over.now ?? T0;
  const m = readMemory(stored.raw, now);
  const [show, heldOut, next] = decide(
    rules,
    { ...context(rules, { ...over, now }), facts: { id: over.visitor ?? "v_1", q: rules.map((r) => r.i) } },
    m,
    caps,
  );
  stored.raw = JSON.stringify(m);
  return { shown: show?.i, heldOut: heldOut.map((r) => r.i), next, memory: m };
}
/** A visitor id in, or out of, a rule's holdout. */
const visitorWhere = (r: CompactRule, held: boolean) => {
  for (let i = 0; ; i++) if (inHoldout(`v_${i}`, r.i, r.s, r.h) === held) return `v_${i}`;
};

describe("the decision: priority, holdout, never nag", () => {
  const set = compile([
    trigger({ name: "low", priority: 10, frequencyDays: 0 }),
    trigger({ name: "high", priority: 90, conditions: [{ type: "timeOnPage", seconds: 20 }] }),
    trigger({ name: "mid", priority: 50, conditions: [{ type: "exitIntent" }] }),
  ]);
  const [high, mid, low] = set.r as [CompactRule, CompactRule, CompactRule];
  const out = visitorWhere(high, false);

  it("shows the highest priority that matches now, and looks again when the next one is due", () => {
    const visitor = visitorWhere(low, false);
    const first = moment({ raw: null }, [high, mid, low], [3, 9], { visitor, page: at("/", T0) });
    expect(first.shown).toBe(low.i);
    expect(first.next).toBe(T0 + 20_000);
    const later = moment({ raw: null }, [high, mid, low], [3, 9], { visitor: out, page: at("/", T0 - 25_000) });
    expect(later.shown).toBe(high.i);
  });

  it("a held-out visitor is recorded as 'would have been shown' and sees the next rule instead", () => {
    const held = [...Array(100_000).keys()]
      .map((i) => `v_${i}`)
      .find((id) => inHoldout(id, high.i, high.s, high.h) && !inHoldout(id, low.i, low.s, low.h))!;
    const stored = { raw: null };
    const r = moment(stored, [high, mid, low], [3, 9], { visitor: held, page: at("/", T0 - 25_000) });
    expect(r.heldOut).toEqual([high.i]);
    expect(r.shown).toBe(low.i);
    // The holdout follows the trigger's frequency: the next page does not record it again.
    const next = moment(stored, [high, mid, low], [3, 9], { visitor: held, now: T0 + 60_000, page: at("/b", T0) });
    expect(next.heldOut).toEqual([]);
  });

  it("holds out the rule's share of visitors under the same conditions, and shows it to the rest", () => {
    let shown = 0;
    let held = 0;
    for (let i = 0; i < 2000; i++) {
      const r = moment({ raw: null }, [high], [1, 2], { visitor: `v_${i}`, page: at("/", T0 - 25_000) });
      if (r.shown) shown++;
      if (r.heldOut.length) held++;
      expect(r.heldOut.length === 1).toBe(inHoldout(`v_${i}`, high.i, high.s, high.h));
    }
    expect(shown + held).toBe(2000);
    expect(held / 2000).toBeGreaterThan(0.08);
    expect(held / 2000).toBeLessThan(0.12);
  });

  it("shows at most perVisit triggers in a visit; a new visit starts after 30 quiet minutes", () => {
    const visitor = [...Array(100_000).keys()]
      .map((i) => `v_${i}`)
      .find((id) => [high, mid, low].every((r) => !inHoldout(id, r.i, r.s, r.h)))!;
    const stored = { raw: null as string | null };
    const page = at("/", T0 - 25_000);
    expect(moment(stored, [high, low], [1, 5], { visitor, page }).shown).toBe(high.i);
    // Same visit, minutes later: the cap holds, and nothing is held out either.
    const capped = moment(stored, [high, low], [1, 5], { visitor, page, now: T0 + 5 * 60_000 });
    expect(capped).toMatchObject({ shown: undefined, heldOut: [] });
    // Quiet for longer than VISIT_IDLE_MS: a new visit, and `low` (once per visit) may show.
    expect(moment(stored, [high, low], [1, 5], { visitor, page, now: T0 + 5 * 60_000 + VISIT_IDLE_MS + 1 }).shown).toBe(low.i);
  });

  it("shows at most perDay triggers in 24 hours across visits", () => {
    const visitor = [...Array(100_000).keys()].map((i) => `v_${i}`).find((id) => !inHoldout(id, low.i, low.s, low.h))!;
    const stored = { raw: null as string | null };
    const visit = (k: number) => moment(stored, [low], [1, 2], { visitor, now: T0 + k * 2 * 3_600_000 }).shown;
    expect([visit(0), visit(1), visit(2)]).toEqual([low.i, low.i, undefined]);
    expect(visit(12)).toBe(low.i); // 24 h after the first
  });

  it("shows nothing more in a visit after a dismissal", () => {
    const visitor = [...Array(100_000).keys()].map((i) => `v_${i}`).find((id) => ![high, low].some((r) => inHoldout(id, r.i, r.s, r.h)))!;
    const stored = { raw: null as string | null };
    expect(moment(stored, [low], [3, 9], { visitor }).shown).toBe(low.i);
    const m = JSON.parse(stored.raw!) as Memory;
    m.x = 1; // what the engine writes on ×
    stored.raw = JSON.stringify(m);
    expect(moment(stored, [high, low], [3, 9], { visitor, now: T0 + 60_000, page: at("/", T0 - 25_000) })).toMatchObject({
      shown: undefined,
      heldOut: [],
    });
    // The next visit: allowed again (here: due 20 s into its first page).
    const later = T0 + 60_000 + VISIT_IDLE_MS + 1;
    expect(moment(stored, [high], [3, 9], { visitor, now: later, page: at("/", later) }).next).toBe(later + 20_000);
  });

  it("shows a trigger once every N days (0: once per visit)", () => {
    const weekly = compile([trigger({ frequencyDays: 7 })]).r[0]!;
    const visitor = visitorWhere(weekly, false);
    const stored = { raw: null as string | null };
    const visitAt = (t: number) => moment(stored, [weekly], [1, 9], { visitor, now: t }).shown;
    expect(visitAt(T0)).toBe(weekly.i);
    expect(visitAt(T0 + DAY_MS)).toBeUndefined();
    expect(visitAt(T0 + 7 * DAY_MS - 1)).toBeUndefined();
    expect(visitAt(T0 + 7 * DAY_MS)).toBe(weekly.i);
    const perVisit = { raw: null as string | null };
    const lowVisitor = visitorWhere(low, false);
    expect(moment(perVisit, [low], [5, 9], { visitor: lowVisitor }).shown).toBe(low.i);
    expect(moment(perVisit, [low], [5, 9], { visitor: lowVisitor, now: T0 + 60_000 }).shown).toBeUndefined();
    expect(moment(perVisit, [low], [5, 9], { visitor: lowVisitor, now: T0 + 60_000 + VISIT_IDLE_MS + 1 }).shown).toBe(low.i);
  });
});

describe("the memory in localStorage", () => {
  it("starts afresh from anything unreadable, never throws", () => {
    for (const raw of [
      null,
      "",
      "{",
      "null",
      "42",
      '"x"',
      "[]",
      '{"b":"x"}',
      '{"b":1,"a":1,"n":0,"s":"no","t":{}}',
      '{"b":1,"a":1,"n":-1,"s":[],"t":{}}',
    ]) {
      expect(readMemory(raw, T0)).toEqual({ b: T0, a: T0, n: 0, x: 0, s: [], t: {} });
    }
  });

  it("drops showings older than a day from the daily cap", () => {
    const m = readMemory(JSON.stringify({ b: T0, a: T0, n: 2, x: 0, s: [T0 - DAY_MS, T0 - DAY_MS + 1], t: {} }), T0);
    expect(m.s).toEqual([T0 - DAY_MS + 1]);
  });

  it("ends a visit after the same quiet time as the server's visits", () => {
    expect(VISIT_IDLE_MS).toBe(TRACKING_VISIT_IDLE_MS);
  });
});
