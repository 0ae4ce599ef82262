/**
 * 95% confidence intervals for the uplift report: Wilson's score interval for one proportion,
 * Newcombe's hybrid score interval for a difference of two, the MOVER-R interval for a ratio of
 * two estimates, Student's t for one mean and Welch's for a difference of two means. Fagerland,
 * Lydersen & Laake (2015, Stat Methods Med Res 24:224) list Newcombe's among the recommended
 * intervals for a difference of proportions and MOVER-R with Wilson for a ratio. Pure; imported
 * by uplift.ts.
 */
import { tCritical95, Z_95 } from "./t-critical";

export interface Interval {
  lower: number;
  upper: number;
}

/** Count, mean and unbiased variance of one sample. */
export interface SampleSummary {
  n: number;
  mean: number;
  variance: number;
}

/**
 * Wilson's score interval for `successes` of `trials` (> 0): stays within [0, 1] and keeps its
 * coverage near 0 and 1, where a conversion rate lives and the textbook p ± z·√(p(1−p)/n) fails.
 */
export function wilson(successes: number, trials: number): Interval {
  if (!(Number.isInteger(trials) && trials > 0 && Number.isInteger(successes) && successes >= 0 && successes <= trials)) {
    throw new RangeError(`need whole counts with 0 ≤ successes ≤ trials and trials > 0, got ${successes}/${trials}`);
  }
  const z2 = Z_95 * Z_95;
  const centre = (successes + z2 / 2) / (trials + z2);
  const half = (Z_95 / (trials + z2)) * Math.sqrt((successes * (trials - successes)) / trials + z2 / 4);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂ (Stat Med 1998;17:873, method 10): each rate's
 * Wilson interval, their distances from the estimates added in quadrature.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number): Interval {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1);
  const b = wilson(x2, n2);
  const d = p1 - p2;
  return {
    lower: d - Math.hypot(p1 - a.lower, b.upper - p2),
    upper: d + Math.hypot(a.upper - p1, p2 - b.lower),
  };
}

/**
 * MOVER-R (Donner & Zou 2012, Stat Methods Med Res 21:347): the interval for θ₁/θ₂ from each
 * estimate and its own interval, the roots of (θ₁ − Rθ₂)² = (θ₁ − l₁)² + R²(u₂ − θ₂)² and its
 * mirror. Null when the denominator is not pinned down — its interval reaches 0, or above twice
 * its estimate — because the ratio then has no finite bound.
 */
export function moverRatio(est1: number, ci1: Interval, est2: number, ci2: Interval): Interval | null {
  if (!(ci2.lower > 0 && ci2.upper < 2 * est2)) return null;
  const product = est1 * est2;
  const lowerA = ci2.upper * (2 * est2 - ci2.upper);
  const upperA = ci2.lower * (2 * est2 - ci2.lower);
  // Both square roots are real: x(2θ − x) ≤ θ² for every x, so each subtracted product is ≤ (θ₁θ₂)².
  return {
    lower: (product - Math.sqrt(product ** 2 - ci1.lower * (2 * est1 - ci1.lower) * lowerA)) / lowerA,
    upper: (product + Math.sqrt(product ** 2 - ci1.upper * (2 * est1 - ci1.upper) * upperA)) / upperA,
  };
}

/** Student's t interval for one mean (n ≥ 2). */
export function meanInterval(s: SampleSummary): Interval {
  if (!(s.n >= 2)) throw new RangeError(`a mean's interval needs n ≥ 2, got ${s.n}`);
  const half = tCritical95(s.n - 1) * Math.sqrt(s.variance / s.n);
  return { lower: s.mean - half, upper: s.mean + half };
}

/** Welch's standard error and Welch–Satterthwaite degrees of freedom for mean₁ − mean₂. */
export function welchStandardError(a: SampleSummary, b: SampleSummary): { se: number; df: number } {
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  return { se, df: (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1)) };
}

/**
 * Welch's interval for mean₁ − mean₂ (unequal variances; each n ≥ 2). Null when both samples
 * are constant: there is no spread to build an interval from.
 */
export function welchDifference(a: SampleSummary, b: SampleSummary): Interval | null {
  if (!(a.n >= 2 && b.n >= 2)) throw new RangeError(`Welch's interval needs n ≥ 2 in each sample, got ${a.n} and ${b.n}`);
  const { se, df } = welchStandardError(a, b);
  if (se === 0) return null;
  const d = a.mean - b.mean;
  const half = tCritical95(df) * se;
  return { lower: d - half, upper: d + half };
}
