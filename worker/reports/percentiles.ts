/**
 * Exact percentiles of durations (first response, resolution) for the operator and team report.
 * Definition: linear interpolation between closest ranks — numpy's default ("linear"), Hyndman &
 * Fan type 7, Excel's PERCENTILE.INC. Pure; imported by the report code and duration-histogram.ts.
 */

/**
 * Where the p-quantile of n sorted values lies: at 0-based rank h = (n − 1)·p, i.e. between ranks
 * `lower` and `lower + 1`, `fraction` of the way. The one spelling of the definition, so the exact
 * and the histogram percentiles cannot drift apart.
 */
export function rankPosition(n: number, p: number): { lower: number; fraction: number } {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile must be within [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lower = Math.floor(h);
  return { lower, fraction: h - lower };
}

/**
 * The `ps` quantiles (each within [0, 1]: 0.5 is the median, 0.9 the p90) of `values`, in the
 * order asked; null when there are no values. Values must be finite (a NaN would sort anywhere
 * and silently move every percentile).
 */
export function percentiles(values: readonly number[], ps: readonly number[]): number[] | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values, (v) => {
    if (!Number.isFinite(v)) throw new RangeError(`durations must be finite numbers, got ${v}`);
    return v;
  }).sort();
  return ps.map((p) => {
    const { lower, fraction } = rankPosition(sorted.length, p);
    const low = sorted[lower]!;
    return fraction === 0 ? low : low + fraction * (sorted[lower + 1]! - low);
  });
}
