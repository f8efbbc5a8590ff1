import { describe, expect, it } from 'vitest';
import { binomialLogPmf, binomialTwoSidedPValue } from './binomial.js';

function exactBinomialCoefficient(n: number, k: number): bigint {
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

describe('binomialLogPmf', () => {
  it('matches exact binomial coefficients', () => {
    for (const [k, n] of [
      [3, 10],
      [0, 7],
      [7, 7],
      [37, 200],
      [100, 200],
      [16, 40],
    ] as const) {
      const exact = Math.log(Number(exactBinomialCoefficient(n, k))) - n * Math.LN2;
      expect(Math.abs(binomialLogPmf(k, n, 0.5) - exact), `k=${k} n=${n}`).toBeLessThan(1e-12);
    }
  });

  it('sums to 1 over k for an unfair coin', () => {
    let total = 0;
    for (let k = 0; k <= 50; k++) total += Math.exp(binomialLogPmf(k, 50, 0.3));
    expect(total).toBeCloseTo(1, 13);
  });

  it('stays finite in log space where the probability underflows', () => {
    const logPmf = binomialLogPmf(100, 1_000_000, 0.5);
    expect(Number.isFinite(logPmf)).toBe(true);
    expect(logPmf).toBeLessThan(-600_000);
  });
});

describe('binomialTwoSidedPValue', () => {
  it('doubles the smaller tail and caps at 1', () => {
    expect(binomialTwoSidedPValue(0, 5)).toBeCloseTo(2 / 32, 15);
    expect(binomialTwoSidedPValue(5, 5)).toBeCloseTo(2 / 32, 15);
    expect(binomialTwoSidedPValue(1, 5)).toBeCloseTo((2 * 6) / 32, 15);
    expect(binomialTwoSidedPValue(2, 5)).toBe(1);
    expect(binomialTwoSidedPValue(3, 6)).toBe(1);
    expect(binomialTwoSidedPValue(0, 0)).toBe(1);
  });
});
