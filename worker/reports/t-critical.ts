/**
 * The two critical values a 95% interval needs: the normal z (Wilson, Newcombe) and Student's t
 * for any, also fractional, degrees of freedom (Welch). Pure; imported by intervals.ts.
 */

/** Φ⁻¹(0.975): the two-sided 95% normal critical value. */
export const Z_95 = 1.959963984540054;

// ln Γ(x) for x > 0 by the Lanczos approximation (g = 7, 9 terms), relative error below 1e-15.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
function lnGamma(x: number): number {
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (x - 1 + i);
  const t = x - 1 + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x - 0.5) * Math.log(t) - t + Math.log(sum);
}

// The continued fraction of the incomplete beta function (modified Lentz), which converges fast
// for x < (a + 1)/(a + b + 2); the caller swaps a, b and x otherwise.
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    for (const aa of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function incompleteBeta(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom, t ≥ 0. */
function upperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
}

/**
 * t₀.₉₇₅ with `df` degrees of freedom (> 0, fractional allowed): the two-sided 95% critical value.
 * Bisection on the exact tail; above 10⁴ degrees of freedom the Cornish–Fisher series in 1/df,
 * whose first omitted term is below 1e-13 there, while the continued fraction would need ever
 * more steps.
 */
export function tCritical95(df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (df > 1e4) {
    const z = Z_95;
    const z3 = z ** 3;
    const z5 = z ** 5;
    const z7 = z ** 7;
    return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
  }
  let lo = 0;
  let hi = 2;
  while (upperTail(hi, df) > 0.025) hi *= 2;
  // 100 halvings pin t to the last bit of a double.
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (upperTail(mid, df) > 0.025) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
