/**
 * The binomial distribution in log space, accurate to about 1e-15 relative for any n, by Loader's saddle-point method
 * ("Fast and accurate computation of binomial probabilities", 2000), the one R's dbinom and Boost use.
 */

// stirlerr(n) = ln(n!) - ((n + 1/2) ln n - n + ln sqrt(2 pi)) for n = 1..15, from mpmath at 40 digits.
const STIRLING_ERRORS = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193,
  0.013876128823070748, 0.01189670994589177, 0.010411265261972096, 0.009255462182712733, 0.00833056343336287,
  0.007573675487951841, 0.00694284010720953, 0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
];

/** Error of Stirling's approximation to ln(n!), for integers n >= 1. */
function stirlingError(n: number): number {
  if (n <= 15) return STIRLING_ERRORS[n]!;
  const nn = n * n;
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / nn) / nn) / nn) / nn) / n;
}

/** Deviance term x ln(x / mean) + mean - x, without the cancellation of the direct formula when x is near mean. */
function deviance(x: number, mean: number): number {
  if (Math.abs(x - mean) < 0.1 * (x + mean)) {
    let v = (x - mean) / (x + mean);
    let sum = (x - mean) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
  }
  return x * Math.log(x / mean) + mean - x;
}

/** ln P(X = k) for X ~ Binomial(n, p), integers 0 <= k <= n, 0 < p < 1. */
export function binomialLogPmf(k: number, n: number, p: number): number {
  const q = 1 - p;
  if (k === 0) return n * Math.log(q);
  if (k === n) return n * Math.log(p);
  const logCorrection =
    stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, n * p) - deviance(n - k, n * q);
  return logCorrection - 0.5 * (Math.log(2 * Math.PI) + Math.log(k) + Math.log1p(-k / n));
}

/**
 * Exact two-sided p-value of k successes in n fair trials (p = 1/2), as scipy's `binomtest`: by symmetry,
 * min(1, 2 P(X <= min(k, n - k))). Summed relative to the largest term, so it neither overflows nor underflows early.
 */
export function binomialTwoSidedPValue(k: number, n: number): number {
  const tail = Math.min(k, n - k);
  // The smaller tail reaching the middle (k = n/2, or (n-1)/2 for odd n) holds half the mass: p = 1 exactly.
  if (2 * tail >= n - 1) return 1;
  let sum = 1;
  let term = 1;
  for (let i = tail; i > 0; i--) {
    // P(X = i - 1) / P(X = i) = i / (n - i + 1)
    term *= i / (n - i + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, Math.exp(Math.LN2 + binomialLogPmf(tail, n, 0.5) + Math.log(sum)));
}
