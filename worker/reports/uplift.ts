/**
 * Measured uplift of a trigger: its shown group against its holdout (the control share that was
 * recorded as "would have been shown" and saw nothing), for conversion rate and revenue per
 * visitor, each with a 95% interval and an honest "not enough data yet". Pure; imported by the
 * report code.
 *
 * Compare the groups as assigned: every visitor of an arm counts, whether they chatted or not, and
 * their orders count from their first exposure on (within the shop's attribution window). Counting
 * only visitors who replied, or only orders after a chat, compares self-selected people and
 * measures their eagerness to buy, not the trigger.
 */
import {
  type Interval,
  meanInterval,
  moverRatio,
  newcombeDifference,
  type SampleSummary,
  welchDifference,
  welchStandardError,
  wilson,
} from "./intervals";

/** Each arm needs this many visitors… */
export const MIN_VISITORS_PER_ARM = 100;
/**
 * …and this many visitors who bought: below about ten events per arm, the intervals' large-sample
 * footing (rule of thumb n·p ≥ 10) is gone and one order swings the result.
 */
export const MIN_CONVERSIONS_PER_ARM = 10;
/**
 * Revenue per visitor is very skewed (most visitors spend nothing, a few spend a lot). With 10% in
 * the holdout, the holdout's mean is usually below its truth and the trigger looks better than it
 * is. Simulated here (zero-inflated log-normal order values, no true effect, 90/10 split): Welch's
 * interval claimed a gain in 10.9% of runs, not 2.5%, with 500 holdout visitors at 2% conversion;
 * with the difference's skewness at most 0.1 the false claims stayed at 2.9–3.3% (4,000–20,000
 * runs each, three shapes). Kohavi et al.'s stricter rule of thumb (KDD 2014, n > 355·s²) means a
 * skewness of 0.053, which brought 3.0% — four times the visitors for little gain.
 */
export const MAX_DIFFERENCE_SKEWNESS = 0.1;

/** An estimate with its 95% interval. */
export interface Estimate {
  value: number;
  lower: number;
  upper: number;
}

/**
 * Whether the numbers may be read as a result. `wide_interval`: the 95% interval of the difference
 * is wider than the pooled level (both arms' conversion rate, or revenue per visitor) — i.e. the
 * difference is not yet known to within about ± half of what a visitor typically does.
 */
export type Readiness = { ready: true } | { ready: false; reason: "few_visitors" | "few_conversions" | "skewed_revenue" | "wide_interval" };

export interface ConversionArm {
  visitors: number;
  /** Visitors of the arm with at least one order in the window. */
  conversions: number;
}

export interface ConversionUplift {
  /** Null for an arm without visitors. */
  shownRate: number | null;
  holdoutRate: number | null;
  /** Shown rate − holdout rate (Newcombe). */
  difference: Estimate | null;
  /** Shown rate / holdout rate − 1 (MOVER-R with Wilson); null while the holdout rate is unsettled. */
  relative: Estimate | null;
  readiness: Readiness;
}

function estimate(value: number, ci: Interval): Estimate {
  return { value, lower: ci.lower, upper: ci.upper };
}

function relativeEstimate(est1: number, ci1: Interval, est2: number, ci2: Interval): Estimate | null {
  const ratio = moverRatio(est1, ci1, est2, ci2);
  return ratio && { value: est1 / est2 - 1, lower: ratio.lower - 1, upper: ratio.upper - 1 };
}

/** The checks shared by both measures, in the order a shop can act on them. */
function readiness(
  shown: { visitors: number; conversions: number },
  holdout: { visitors: number; conversions: number },
  difference: Estimate | null,
  pooledLevel: number,
): Readiness {
  if (shown.visitors < MIN_VISITORS_PER_ARM || holdout.visitors < MIN_VISITORS_PER_ARM) return { ready: false, reason: "few_visitors" };
  if (shown.conversions < MIN_CONVERSIONS_PER_ARM || holdout.conversions < MIN_CONVERSIONS_PER_ARM) {
    return { ready: false, reason: "few_conversions" };
  }
  if (!difference || difference.upper - difference.lower > pooledLevel) return { ready: false, reason: "wide_interval" };
  return { ready: true };
}

function checkArm(name: string, visitors: number, conversions: number): void {
  if (!(Number.isInteger(visitors) && Number.isInteger(conversions) && visitors >= 0 && conversions >= 0 && conversions <= visitors)) {
    throw new RangeError(`${name}: need whole counts with 0 ≤ conversions ≤ visitors, got ${conversions}/${visitors}`);
  }
}

/** Conversion rate of the shown group against the holdout. */
export function conversionUplift(shown: ConversionArm, holdout: ConversionArm): ConversionUplift {
  checkArm("shown", shown.visitors, shown.conversions);
  checkArm("holdout", holdout.visitors, holdout.conversions);
  const shownRate = shown.visitors > 0 ? shown.conversions / shown.visitors : null;
  const holdoutRate = holdout.visitors > 0 ? holdout.conversions / holdout.visitors : null;
  if (shownRate === null || holdoutRate === null) {
    return { shownRate, holdoutRate, difference: null, relative: null, readiness: { ready: false, reason: "few_visitors" } };
  }
  const difference = estimate(
    shownRate - holdoutRate,
    newcombeDifference(shown.conversions, shown.visitors, holdout.conversions, holdout.visitors),
  );
  const relative = relativeEstimate(
    shownRate,
    wilson(shown.conversions, shown.visitors),
    holdoutRate,
    wilson(holdout.conversions, holdout.visitors),
  );
  const pooled = (shown.conversions + holdout.conversions) / (shown.visitors + holdout.visitors);
  return { shownRate, holdoutRate, difference, relative, readiness: readiness(shown, holdout, difference, pooled) };
}

/**
 * One arm's revenue in one currency (currencies are never summed): over its visitors, the sums,
 * squares and cubes of each visitor's order total — what SQL gives as COUNT, SUM(s), SUM(s*s),
 * SUM(s*s*s) over per-visitor sums s, visitors without orders counting as 0.
 */
export interface RevenueArm {
  visitors: number;
  /** Visitors with revenue in this currency. */
  buyers: number;
  sum: number;
  sumSquares: number;
  sumCubes: number;
}

export interface RevenueUplift {
  shownPerVisitor: number | null;
  holdoutPerVisitor: number | null;
  /** Shown − holdout revenue per visitor (Welch). */
  difference: Estimate | null;
  /** Shown / holdout − 1 (MOVER-R with each arm's t interval). */
  relative: Estimate | null;
  readiness: Readiness;
}

interface Moments extends SampleSummary {
  /** Unbiased third cumulant k₃. */
  thirdCumulant: number;
}

// From power sums. Revenue per visitor has a mean well below its spread (most values are 0), so
// the cancellation in S₂/n − mean² costs a few digits at most; a negative rounding remnant is 0.
function moments(arm: RevenueArm): Moments {
  const n = arm.visitors;
  const mean = arm.sum / n;
  const m2 = Math.max(0, arm.sumSquares / n - mean * mean);
  const m3 = arm.sumCubes / n - 3 * mean * (arm.sumSquares / n) + 2 * mean ** 3;
  return { n, mean, variance: (m2 * n) / (n - 1), thirdCumulant: (m3 * n * n) / ((n - 1) * (n - 2)) };
}

/** Revenue per visitor of the shown group against the holdout, in one currency. */
export function revenueUplift(shown: RevenueArm, holdout: RevenueArm): RevenueUplift {
  checkArm("shown", shown.visitors, shown.buyers);
  checkArm("holdout", holdout.visitors, holdout.buyers);
  const shownPerVisitor = shown.visitors > 0 ? shown.sum / shown.visitors : null;
  const holdoutPerVisitor = holdout.visitors > 0 ? holdout.sum / holdout.visitors : null;
  // Three visitors per arm is the least the skewness needs; the readiness rule asks for far more.
  if (shown.visitors < 3 || holdout.visitors < 3) {
    return { shownPerVisitor, holdoutPerVisitor, difference: null, relative: null, readiness: { ready: false, reason: "few_visitors" } };
  }
  const a = moments(shown);
  const b = moments(holdout);
  const welch = welchDifference(a, b);
  const difference = welch && estimate(a.mean - b.mean, welch);
  const relative = relativeEstimate(a.mean, meanInterval(a), b.mean, meanInterval(b));
  const pooled = (shown.sum + holdout.sum) / (shown.visitors + holdout.visitors);
  let verdict = readiness(
    { visitors: shown.visitors, conversions: shown.buyers },
    { visitors: holdout.visitors, conversions: holdout.buyers },
    difference,
    pooled,
  );
  if (verdict.ready) {
    // The third cumulant of a mean is k₃/n², and of a difference the difference of those.
    const { se } = welchStandardError(a, b);
    const skewness = (a.thirdCumulant / a.n ** 2 - b.thirdCumulant / b.n ** 2) / se ** 3;
    if (Math.abs(skewness) > MAX_DIFFERENCE_SKEWNESS) verdict = { ready: false, reason: "skewed_revenue" };
  }
  return { shownPerVisitor, holdoutPerVisitor, difference, relative, readiness: verdict };
}
