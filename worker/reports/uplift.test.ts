import { describe, expect, it } from "vitest";
import { conversionUplift, type RevenueArm, revenueUplift } from "./uplift";

// Expected values were computed apart from this code, in Python with SciPy 1.17: Wilson from its
// closed form, Newcombe from the Wilson bounds, the ratio by brentq on the unsquared MOVER
// equations, Welch by scipy.stats.ttest_ind(equal_var=False).confidence_interval(), and the
// skewness of the difference from scipy.stats.kstat(x, 3) of each arm.

describe("conversionUplift", () => {
  it("measures a trigger against its holdout", () => {
    // Shown 270 of 9,000 (3.0%), holdout 20 of 1,000 (2.0%).
    const u = conversionUplift({ visitors: 9000, conversions: 270 }, { visitors: 1000, conversions: 20 });
    expect(u.shownRate).toBeCloseTo(0.03, 15);
    expect(u.holdoutRate).toBeCloseTo(0.02, 15);
    expect(u.difference!.value).toBeCloseTo(0.01, 15);
    expect(u.difference!.lower).toBeCloseTo(-0.0011962783869294072, 10);
    expect(u.difference!.upper).toBeCloseTo(0.01794606456585194, 10);
    expect(u.relative!.value).toBeCloseTo(0.5, 12);
    expect(u.relative!.lower).toBeCloseTo(-0.039627508311358306, 10);
    expect(u.relative!.upper).toBeCloseTo(1.342774477157369, 10);
    // Width 1.91 points ≤ the pooled rate 2.9%: readable, though it does not exclude 0.
    expect(u.readiness).toEqual({ ready: true });
  });

  it("says 'not enough data yet' below 100 visitors or 10 conversions an arm, and while the interval is wide", () => {
    const ready = { visitors: 9000, conversions: 270 };
    expect(conversionUplift(ready, { visitors: 99, conversions: 20 }).readiness).toEqual({ ready: false, reason: "few_visitors" });
    expect(conversionUplift(ready, { visitors: 1000, conversions: 9 }).readiness).toEqual({ ready: false, reason: "few_conversions" });
    // 10 of 300 in the holdout: the interval [−3.05, +1.22] points is 4.27 wide, the pooled rate 3.01%.
    const narrowHoldout = conversionUplift(ready, { visitors: 300, conversions: 10 });
    expect(narrowHoldout.difference!.upper - narrowHoldout.difference!.lower).toBeCloseTo(0.04271482734586771, 10);
    expect(narrowHoldout.readiness).toEqual({ ready: false, reason: "wide_interval" });
    // 10 of 100 against 10 of 100: [−8.68, +8.68] points, 17.36 wide against a 10% rate.
    const small = conversionUplift({ visitors: 100, conversions: 10 }, { visitors: 100, conversions: 10 });
    expect(small.difference!.upper).toBeCloseTo(0.08680254477488078, 10);
    expect(small.readiness).toEqual({ ready: false, reason: "wide_interval" });
    // 10 of 1,000 is enough: [+1.10, +2.59] points, 1.48 wide against 2.8%.
    expect(conversionUplift(ready, { visitors: 1000, conversions: 10 }).readiness).toEqual({ ready: true });
  });

  it("gives what it can for empty and conversion-free arms", () => {
    expect(conversionUplift({ visitors: 50, conversions: 5 }, { visitors: 0, conversions: 0 })).toEqual({
      shownRate: 0.1,
      holdoutRate: null,
      difference: null,
      relative: null,
      readiness: { ready: false, reason: "few_visitors" },
    });
    const none = conversionUplift({ visitors: 500, conversions: 12 }, { visitors: 500, conversions: 0 });
    expect(none.difference).not.toBeNull();
    expect(none.relative).toBeNull();
    expect(() => conversionUplift({ visitors: 5, conversions: 6 }, { visitors: 5, conversions: 1 })).toThrow(RangeError);
  });
});

/** The power sums of per-visitor totals, as SQL would return them. */
function arm(visitors: number, spends: number[]): RevenueArm {
  return {
    visitors,
    buyers: spends.length,
    sum: spends.reduce((s, x) => s + x, 0),
    sumSquares: spends.reduce((s, x) => s + x * x, 0),
    sumCubes: spends.reduce((s, x) => s + x ** 3, 0),
  };
}

/** `count` spends, the i-th being valueAt(i). */
const spending = (count: number, valueAt: (i: number) => number) => Array.from({ length: count }, (_, i) => valueAt(i));

describe("revenueUplift", () => {
  it("measures revenue per visitor with Welch's interval", () => {
    // 400 visitors, 200 spending 40 + (i mod 20); against 400, 180 spending 38 + (i mod 20).
    const shownSpends = spending(200, (i) => 40 + (i % 20));
    const holdoutSpends = spending(180, (i) => 38 + (i % 20));
    const u = revenueUplift(arm(400, shownSpends), arm(400, holdoutSpends));
    expect(u.shownPerVisitor).toBeCloseTo(24.75, 12);
    expect(u.holdoutPerVisitor).toBeCloseTo(21.375, 12);
    expect(u.difference!.value).toBeCloseTo(3.375, 12);
    expect(u.difference!.lower).toBeCloseTo(-0.03282890944549033, 9);
    expect(u.difference!.upper).toBeCloseTo(6.78282890944549, 9);
    expect(u.relative!.value).toBeCloseTo(0.1578947368421053, 12);
    expect(u.relative!.lower).toBeCloseTo(-0.001652139536654218, 9);
    expect(u.relative!.upper).toBeCloseTo(0.34593908857251354, 9);
    // Width 6.8 ≤ pooled 23.06 per visitor; skewness of the difference −0.0031.
    expect(u.readiness).toEqual({ ready: true });
  });

  it("holds back while a few large orders dominate (skewness of the difference over 0.1)", () => {
    // 20,000 visitors, 4,000 buyers cycling 20, 25, 30, 40, 50, 60, 80, 100, 150, 2000; the
    // holdout 2,000 and 400 the same way. Width 25.75 ≤ pooled 51.1, but skewness −0.1295.
    const spends = [20, 25, 30, 40, 50, 60, 80, 100, 150, 2000];
    const shownSpends = spending(4000, (i) => spends[i % 10]!);
    const holdoutSpends = spending(400, (i) => spends[i % 10]!);
    const u = revenueUplift(arm(20000, shownSpends), arm(2000, holdoutSpends));
    expect(u.difference!.value).toBeCloseTo(0, 12);
    expect(u.difference!.upper).toBeCloseTo(12.876327306125752, 8);
    expect(u.readiness).toEqual({ ready: false, reason: "skewed_revenue" });
  });

  it("applies the visitor and buyer minimums, and keeps an arm without buyers", () => {
    const spends = spending(40, (i) => 30 + i);
    const shown = arm(2000, spends);
    expect(revenueUplift(shown, arm(50, [40, 50])).readiness).toEqual({ ready: false, reason: "few_visitors" });
    expect(revenueUplift(shown, arm(500, [40, 50, 60])).readiness).toEqual({ ready: false, reason: "few_conversions" });
    const noBuyers = revenueUplift(shown, arm(500, []));
    expect(noBuyers.holdoutPerVisitor).toBe(0);
    expect(noBuyers.relative).toBeNull();
    expect(revenueUplift(shown, arm(2, [5])).difference).toBeNull();
  });
});
