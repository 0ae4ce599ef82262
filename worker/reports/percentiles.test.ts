import { describe, expect, it } from "vitest";
import { percentiles } from "./percentiles";

// Expected values worked by hand with h = (n − 1)·p and x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) on
// the sorted data; each also equals numpy.percentile(data, 100·p) (numpy 2.4, method "linear").
describe("percentiles", () => {
  it("interpolates between closest ranks (the Wikipedia 'C = 1' example)", () => {
    // Sorted 15, 20, 35, 40, 50 (n = 5). p40: h = 1.6 → 20 + 0.6·(35 − 20) = 29.
    // p50: h = 2 → 35. p90: h = 3.6 → 40 + 0.6·10 = 46. p0 and p100 are the extremes.
    expect(percentiles([15, 20, 35, 40, 50], [0.4, 0.5, 0.9, 0, 1])).toEqual([29, 35, 46, 15, 50]);
  });

  it("sorts its input and keeps duplicates", () => {
    // First response times in ms, unsorted. Sorted: 8000 12000 20000 30000 45000 90000 600000.
    // p50: h = 3 → 30000. p90: h = 5.4 → 90000 + 0.4·(600000 − 90000) = 294000.
    const [fr50, fr90] = percentiles([12000, 45000, 30000, 8000, 600000, 90000, 20000], [0.5, 0.9])!;
    expect(fr50).toBe(30000);
    expect(fr90).toBeCloseTo(294000, 6);
    // Sorted 1 2 2 2 9 (n = 5): p50 → 2; p90: h = 3.6 → 2 + 0.6·7 = 6.2.
    const [p50, p90] = percentiles([2, 9, 2, 1, 2], [0.5, 0.9])!;
    expect(p50).toBe(2);
    expect(p90).toBeCloseTo(6.2, 12);
  });

  it("answers an even count with the midpoint median", () => {
    // 10 20 30 40: p50: h = 1.5 → 25. p90: h = 2.7 → 30 + 0.7·10 = 37.
    const [p50, p90] = percentiles([40, 10, 30, 20], [0.5, 0.9])!;
    expect(p50).toBe(25);
    expect(p90).toBeCloseTo(37, 12);
  });

  it("gives the only value for one value, and null for none", () => {
    expect(percentiles([42], [0, 0.5, 0.9, 1])).toEqual([42, 42, 42, 42]);
    expect(percentiles([], [0.5, 0.9])).toBeNull();
  });

  it("does not change the caller's array", () => {
    const data = [3, 1, 2];
    percentiles(data, [0.5]);
    expect(data).toEqual([3, 1, 2]);
  });

  it("refuses a percentile outside [0, 1] and values that are not finite", () => {
    expect(() => percentiles([1, 2], [90])).toThrow(RangeError);
    expect(() => percentiles([1, 2], [Number.NaN])).toThrow(RangeError);
    expect(() => percentiles([1, Number.NaN], [0.5])).toThrow(RangeError);
    expect(() => percentiles([1, Number.POSITIVE_INFINITY], [0.5])).toThrow(RangeError);
  });
});
