/**
 * A mergeable histogram of durations, for daily rollups: a 90-day report merges about 90 small
 * histograms per operator instead of reading every conversation's duration. Log-spaced buckets
 * (the DDSketch layout): a percentile read from it is within 1% of the exact one (percentiles.ts,
 * same definition) for durations in whole milliseconds. Plain JSON-safe data; pure functions.
 */
import { rankPosition } from "./percentiles";

/** The guaranteed bound on |histogram percentile − exact percentile| / exact percentile. */
export const HISTOGRAM_RELATIVE_ERROR = 0.01;

// Bucket i holds (γ^(i−1), γ^i]; its representative 2γ^i/(γ+1) is within α of every value in it,
// since (γ − 1)/(γ + 1) = α. Durations from 1 ms to 30 days span about 1,080 buckets at α = 1%;
// a day's first-response times use a few dozen of them.
const GAMMA = (1 + HISTOGRAM_RELATIVE_ERROR) / (1 - HISTOGRAM_RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);

/**
 * Counts per bucket index (string keys, as JSON gives them back) and the count of durations under
 * 1 ms, which are read as 0. Store it as JSON in a rollup row; merge with `mergeHistograms`.
 */
export interface DurationHistogram {
  zero: number;
  buckets: Record<string, number>;
}

export function emptyHistogram(): DurationHistogram {
  return { zero: 0, buckets: {} };
}

/** Adds one duration (ms, finite, ≥ 0) to `h`. */
export function addDuration(h: DurationHistogram, ms: number): void {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`durations must be finite and ≥ 0, got ${ms}`);
  if (ms < 1) {
    h.zero += 1;
    return;
  }
  const key = String(Math.ceil(Math.log(ms) / LOG_GAMMA));
  h.buckets[key] = (h.buckets[key] ?? 0) + 1;
}

/** Adds every count of `from` into `into`. */
export function mergeHistograms(into: DurationHistogram, from: DurationHistogram): void {
  into.zero += from.zero;
  for (const [key, count] of Object.entries(from.buckets)) into.buckets[key] = (into.buckets[key] ?? 0) + count;
}

export function histogramCount(h: DurationHistogram): number {
  let n = h.zero;
  for (const count of Object.values(h.buckets)) n += count;
  return n;
}

/**
 * The `ps` quantiles of the durations in `h` (null when it is empty). Each sorted rank is read as
 * its bucket's representative, then ranks are interpolated exactly as `percentiles` does: both
 * ranks are within α of the true values, so their weighted mean is within α of the exact answer.
 */
export function histogramPercentiles(h: DurationHistogram, ps: readonly number[]): number[] | null {
  const n = histogramCount(h);
  if (n === 0) return null;
  // Cumulative counts in ascending bucket order; the zero bucket comes first.
  const steps: { upTo: number; value: number }[] = [];
  let seen = h.zero;
  if (h.zero > 0) steps.push({ upTo: seen, value: 0 });
  const indices = Object.keys(h.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  for (const i of indices) {
    seen += h.buckets[String(i)]!;
    steps.push({ upTo: seen, value: (2 * GAMMA ** i) / (GAMMA + 1) });
  }
  const valueAtRank = (rank: number) => steps.find((s) => rank < s.upTo)!.value;
  return ps.map((p) => {
    const { lower, fraction } = rankPosition(n, p);
    const low = valueAtRank(lower);
    return fraction === 0 ? low : low + fraction * (valueAtRank(lower + 1) - low);
  });
}
