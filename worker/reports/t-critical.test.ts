import { describe, expect, it } from "vitest";
import { tCritical95, Z_95 } from "./t-critical";

describe("tCritical95", () => {
  it("matches the printed t table (two-sided 95%, three decimals)", () => {
    // Any statistics textbook's t table, column t₀.₉₇₅ (e.g. NIST/SEMATECH e-Handbook of
    // Statistical Methods, 1.3.6.7.2): 12.706, 4.303, 3.182, 2.571, 2.228, 2.042, 1.984, 1.962.
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
      [100, 1.984],
      [1000, 1.962],
    ];
    for (const [df, t] of table) expect(tCritical95(df).toFixed(3)).toBe(t.toFixed(3));
  });

  it("matches scipy.stats.t.ppf(0.975, df) to 9 digits, fractional df (Welch) included", () => {
    // SciPy 1.17; the last three straddle the switch to the Cornish–Fisher series at 10⁴.
    const scipy: [number, number][] = [
      [1, 12.706204736174694],
      [2.5, 3.5746548420036817],
      [7.3, 2.345066736547703],
      [57.123, 2.0023720162832968],
      [5000, 1.9604385517065073],
      [9999.5, 1.960201251755398],
      [10000.5, 1.9602012280270402],
      [20000, 1.9600826051581348],
      [1e6, 1.959966356814107],
    ];
    for (const [df, t] of scipy) expect(tCritical95(df)).toBeCloseTo(t, 9);
  });

  it("approaches z as df grows, and refuses df ≤ 0", () => {
    expect(Z_95).toBeCloseTo(1.959963984540054, 15); // scipy.stats.norm.ppf(0.975)
    expect(tCritical95(1e12)).toBeCloseTo(Z_95, 11); // t − z ≈ (z³ + z)/(4·df) = 2.4e-12
    expect(() => tCritical95(0)).toThrow(RangeError);
    expect(() => tCritical95(Number.NaN)).toThrow(RangeError);
  });
});
