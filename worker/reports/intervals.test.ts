import { describe, expect, it } from "vitest";
import { meanInterval, moverRatio, newcombeDifference, welchDifference, wilson } from "./intervals";

describe("wilson", () => {
  it("matches Newcombe 1998a (Stat Med 17:857), Table I, method 3", () => {
    const table: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, lower, upper] of table) {
      const ci = wilson(x, n);
      expect(ci.lower).toBeCloseTo(lower, 4);
      expect(ci.upper).toBeCloseTo(upper, 4);
    }
    expect(wilson(10, 10).upper).toBe(1);
  });

  it("refuses counts that are not counts", () => {
    expect(() => wilson(1, 0)).toThrow(RangeError);
    expect(() => wilson(5, 3)).toThrow(RangeError);
    expect(() => wilson(1.5, 3)).toThrow(RangeError);
  });
});

describe("newcombeDifference", () => {
  it("matches Newcombe 1998 (Stat Med 17:873), Table II, method 10", () => {
    // (x₁/n₁ − x₂/n₂) → interval for p₁ − p₂, to four decimals, rows (a)–(h).
    const table: [number, number, number, number, number, number][] = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [6, 7, 2, 7, 0.0582, 0.8062],
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775],
      [0, 10, 0, 10, -0.2775, 0.2775],
      [10, 10, 0, 20, 0.6791, 1],
      [10, 10, 0, 10, 0.6075, 1],
    ];
    for (const [x1, n1, x2, n2, lower, upper] of table) {
      const ci = newcombeDifference(x1, n1, x2, n2);
      expect(ci.lower).toBeCloseTo(lower, 4);
      expect(ci.upper).toBeCloseTo(upper, 4);
    }
  });
});

describe("moverRatio", () => {
  it("solves the MOVER-R equations (checked by root finding in SciPy)", () => {
    // 270/9000 against 20/1000 with Wilson intervals. SciPy's brentq on the unsquared equations
    // (θ₁ − Rθ₂) = √((θ₁ − l₁)² + R²(u₂ − θ₂)²) and (θ₁ − Rθ₂) = −√((u₁ − θ₁)² + R²(θ₂ − l₂)²)
    // gives R in [0.960372491688642, 2.342774477157369].
    const ci = moverRatio(0.03, wilson(270, 9000), 0.02, wilson(20, 1000))!;
    expect(ci.lower).toBeCloseTo(0.960372491688642, 10);
    expect(ci.upper).toBeCloseTo(2.342774477157369, 10);
  });

  it("has no finite ratio while the denominator's interval touches 0 or passes twice its estimate", () => {
    expect(moverRatio(0.1, wilson(10, 100), 0, wilson(0, 100))).toBeNull();
    // 1 of 100: Wilson's upper bound 0.0545 is more than twice 0.01.
    expect(moverRatio(0.1, wilson(10, 100), 0.01, wilson(1, 100))).toBeNull();
  });
});

describe("meanInterval and welchDifference", () => {
  it("match scipy.stats.ttest_ind(equal_var=False).confidence_interval()", () => {
    // 400 visitors: 200 spent 40 + (i mod 20), the rest 0 — against 400 with 180 spending
    // 38 + (i mod 20). SciPy 1.17: difference 3.375, interval [−0.03282890944549033,
    // 6.78282890944549], Welch df 796.285.
    const a = { n: 400, mean: 9900 / 400, variance: (496700 - 9900 ** 2 / 400) / 399 };
    const b = { n: 400, mean: 8550 / 400, variance: (412110 - 8550 ** 2 / 400) / 399 };
    const ci = welchDifference(a, b)!;
    expect(ci.lower).toBeCloseTo(-0.03282890944549033, 9);
    expect(ci.upper).toBeCloseTo(6.78282890944549, 9);
    // One sample: mean ± t₀.₉₇₅(n − 1)·s/√n; for 5 values 2, 4, 4, 4, 6: mean 4, s² = 2,
    // t₀.₉₇₅(4) = 2.7764451051977934 (scipy) → 4 ± 1.7559.
    const one = meanInterval({ n: 5, mean: 4, variance: 2 });
    expect(one.upper - 4).toBeCloseTo(2.7764451051977934 * Math.sqrt(2 / 5), 10);
  });

  it("has nothing to say about two constant samples", () => {
    expect(welchDifference({ n: 10, mean: 0, variance: 0 }, { n: 10, mean: 0, variance: 0 })).toBeNull();
    expect(() => welchDifference({ n: 1, mean: 0, variance: 0 }, { n: 10, mean: 0, variance: 1 })).toThrow(RangeError);
  });
});
