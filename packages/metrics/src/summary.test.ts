import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricsError } from './errors.js';
import { summaryStatistics } from './summary.js';

describe('summaryStatistics', () => {
  it('gives the mean, the sample (n - 1) standard deviation, min and max', () => {
    // numpy: np.std([0.9, 0.92, 0.95], ddof=1) = 0.025166114784235857
    const summary = summaryStatistics([0.92, 0.9, 0.95]);
    expect(summary.count).toBe(3);
    expect(summary.mean).toBeCloseTo(0.9233333333333333, 15);
    expect(summary.standardDeviation).toBeCloseTo(0.025166114784235857, 15);
    expect(summary.min).toBe(0.9);
    expect(summary.max).toBe(0.95);
  });

  it('has no standard deviation for a single value', () => {
    expect(summaryStatistics(Float64Array.of(0.5))).toEqual({
      count: 1,
      mean: 0.5,
      standardDeviation: null,
      min: 0.5,
      max: 0.5,
    });
  });

  it('rejects no values and values that are not finite numbers, naming the index', () => {
    expect(() => summaryStatistics([])).toThrow(expect.objectContaining({ code: 'E_METRICS_EMPTY_INPUT' }));
    expect(() => summaryStatistics([1, Number.NaN])).toThrow(/values\[1\] is NaN/);
    expect(() => summaryStatistics([1, Number.POSITIVE_INFINITY])).toThrow(MetricsError);
  });

  // Scores in thousandths: subnormal doubles would make a real spread underflow to 0.
  it('keeps the mean within min and max, and the deviation zero only for equal values', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -1e6, max: 1e6 }).map((value) => value / 1000),
          { minLength: 2, maxLength: 20 },
        ),
        (values) => {
          const { mean, standardDeviation, min, max } = summaryStatistics(values);
          expect(mean).toBeGreaterThanOrEqual(min - 1e-9);
          expect(mean).toBeLessThanOrEqual(max + 1e-9);
          expect(standardDeviation).toBeGreaterThanOrEqual(0);
          if (min === max) expect(standardDeviation).toBe(0);
          else expect(standardDeviation).toBeGreaterThan(0);
        },
      ),
    );
  });
});
