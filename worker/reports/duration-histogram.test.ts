import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDuration,
  type DurationHistogram,
  emptyHistogram,
  HISTOGRAM_RELATIVE_ERROR,
  histogramCount,
  histogramPercentiles,
  mergeHistograms,
} from "./duration-histogram";
import { percentiles } from "./percentiles";

const histogramOf = (values: readonly number[]): DurationHistogram => {
  const h = emptyHistogram();
  for (const v of values) addDuration(h, v);
  return h;
};

describe("duration histogram", () => {
  it("reads a single duration back within 1%", () => {
    // 1000 ms falls in bucket ⌈ln 1000 / ln γ⌉ = 346 (γ = 1.01/0.99); its representative
    // 2γ³⁴⁶/(γ + 1) = 1002.428 ms (worked in Python), 0.24% off.
    const [p50] = histogramPercentiles(histogramOf([1000]), [0.5])!;
    expect(p50).toBeCloseTo(1002.428, 3);
  });

  it("interpolates ranks like the exact percentiles, zeros exactly", () => {
    // Sorted 0 0 60000 60000 (n = 4). p50: h = 1.5 → halfway from 0 to the 60 s bucket's value;
    // p0 is the zero bucket itself.
    const [p0, p50, p100] = histogramPercentiles(histogramOf([60000, 0, 60000, 0]), [0, 0.5, 1])!;
    expect(p0).toBe(0);
    expect(Math.abs(p50! - 30000)).toBeLessThanOrEqual(30000 * HISTOGRAM_RELATIVE_ERROR);
    expect(Math.abs(p100! - 60000)).toBeLessThanOrEqual(60000 * HISTOGRAM_RELATIVE_ERROR);
  });

  it("is empty until something is added", () => {
    expect(histogramPercentiles(emptyHistogram(), [0.5])).toBeNull();
    expect(histogramCount(emptyHistogram())).toBe(0);
  });

  it("stays within its stated bound of the exact percentile (10,000 random samples)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 3_000_000_000 }), fc.integer({ min: 0, max: 120_000 })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, p) => {
          const [exact] = percentiles(values, [p])!;
          const [estimate] = histogramPercentiles(histogramOf(values), [p])!;
          // The bound is exact in real arithmetic; 1e-9 relative covers floating-point rounding.
          expect(Math.abs(estimate! - exact!)).toBeLessThanOrEqual(exact! * (HISTOGRAM_RELATIVE_ERROR + 1e-9));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it("merges to the same histogram as adding everything, also after a JSON round trip", () => {
    const a = [5, 900, 45_000, 45_000, 0];
    const b = [12_000, 3_600_000, 1];
    const merged: DurationHistogram = JSON.parse(JSON.stringify(histogramOf(a)));
    mergeHistograms(merged, JSON.parse(JSON.stringify(histogramOf(b))));
    expect(merged).toEqual(histogramOf([...a, ...b]));
    expect(histogramCount(merged)).toBe(8);
    expect(histogramPercentiles(merged, [0.5, 0.9])).toEqual(histogramPercentiles(histogramOf([...b, ...a]), [0.5, 0.9]));
  });

  it("refuses negative and non-finite durations", () => {
    const h = emptyHistogram();
    expect(() => addDuration(h, -1)).toThrow(RangeError);
    expect(() => addDuration(h, Number.NaN)).toThrow(RangeError);
    expect(histogramCount(h)).toBe(0);
  });
});
