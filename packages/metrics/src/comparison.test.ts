import { createRandom } from '@fmnist/internal';
import { describe, expect, it } from 'vitest';
import { accuracy, bootstrapCI, mcnemar, pairedBootstrapDifferenceCI, precisionRecallF1 } from './index.js';
import { thrown } from './test-helpers.js';

/** Labels of 10 classes, and predictions right with probability `skill`, from a seeded generator. */
function simulate(size: number, skills: number[], seed: number): { yTrue: Int32Array; predictions: Int32Array[] } {
  const random = createRandom(seed);
  const yTrue = Int32Array.from({ length: size }, () => Math.floor(random() * 10));
  const predictions = skills.map((skill) =>
    yTrue.map((label) => (random() < skill ? label : (label + 1 + Math.floor(random() * 9)) % 10)),
  );
  return { yTrue, predictions };
}

describe('mcnemar', () => {
  it('counts b (A right, B wrong) and c (A wrong, B right) and ignores agreements', () => {
    const yTrue = [0, 1, 2, 0, 1, 2, 0];
    const predA = [0, 1, 2, 1, 1, 0, 0];
    const predB = [0, 2, 0, 0, 0, 0, 0];
    // Index 1, 2, 4: A right, B wrong. Index 3: A wrong, B right. Index 5: both wrong. Index 0, 6: both right.
    const result = mcnemar(yTrue, predA, predB);
    expect([result.b, result.c]).toEqual([3, 1]);
    expect(result.pValue).toBeCloseTo((2 * (1 + 4)) / 16, 15);
  });

  it('gives p = 2 / 2^n when one model wins every disagreement, and 1 without disagreements', () => {
    expect(mcnemar([0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]).pValue).toBeCloseTo(2 / 32, 15);
    expect(mcnemar([0, 1], [0, 1], [0, 1])).toEqual({ b: 0, c: 0, pValue: 1 });
  });

  it('names the argument and index of bad labels and rejects mismatched lengths', () => {
    expect(thrown(() => mcnemar([0, 1], [0, 1.5], [0, 1])).message).toContain('predA[1] is 1.5');
    expect(thrown(() => mcnemar([0, 1], [0, 1], [0, -1])).message).toContain('predB[1] is -1');
    expect(thrown(() => mcnemar([0, 1], [0, 1], [0])).code).toBe('E_METRICS_LENGTH_MISMATCH');
  });
});

describe('bootstrapCI', () => {
  const { yTrue, predictions } = simulate(2000, [0.8], 7);
  const yPred = predictions[0]!;

  it('brackets the full-sample estimate with a percentile interval', () => {
    const interval = bootstrapCI(accuracy, yTrue, yPred, { resamples: 300 });
    expect(interval.estimate).toBe(accuracy(yTrue, yPred));
    expect(interval.lower).toBeLessThan(interval.estimate);
    expect(interval.upper).toBeGreaterThan(interval.estimate);
    // Binomial standard error sqrt(0.8 * 0.2 / 2000) ~ 0.009: a 95% interval is about 0.035 wide.
    expect(interval.upper - interval.lower).toBeGreaterThan(0.02);
    expect(interval.upper - interval.lower).toBeLessThan(0.05);
    expect(interval).toMatchObject({ confidence: 0.95, resamples: 300 });
  });

  it('is reproducible for a seed and changes with it', () => {
    const first = bootstrapCI(accuracy, yTrue, yPred, { resamples: 100, seed: 3 });
    expect(bootstrapCI(accuracy, yTrue, yPred, { resamples: 100, seed: 3 })).toEqual(first);
    expect(bootstrapCI(accuracy, yTrue, yPred, { resamples: 100, seed: 4 })).not.toEqual(first);
  });

  it('narrows as the confidence drops', () => {
    const wide = bootstrapCI(accuracy, yTrue, yPred, { resamples: 200, confidence: 0.99 });
    const narrow = bootstrapCI(accuracy, yTrue, yPred, { resamples: 200, confidence: 0.5 });
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
  });

  it('collapses to a point when every resample gives the same value', () => {
    const interval = bootstrapCI(accuracy, [1, 2, 3], [1, 2, 3], { resamples: 20 });
    expect([interval.lower, interval.estimate, interval.upper]).toEqual([1, 1, 1]);
  });

  it('accepts any label metric, such as macro F1', () => {
    const macroF1 = (truth: ArrayLike<number>, predicted: ArrayLike<number>) =>
      precisionRecallF1(truth, predicted, { numClasses: 10, average: 'macro' }).f1;
    const interval = bootstrapCI(macroF1, yTrue, yPred, { resamples: 50 });
    expect(interval.lower).toBeLessThanOrEqual(interval.upper);
    expect(interval.estimate).toBe(macroF1(yTrue, yPred));
  });

  it('rejects a metric that returns NaN and bad options', () => {
    expect(thrown(() => bootstrapCI(() => Number.NaN, [0], [0])).message).toContain('resample 0');
    expect(thrown(() => bootstrapCI(accuracy, [0], [0], { confidence: 1 })).message).toContain('confidence');
    expect(thrown(() => bootstrapCI(accuracy, [0], [0], { resamples: 0 })).message).toContain('resamples');
    expect(thrown(() => bootstrapCI(accuracy, [0], [0], { seed: -1 })).message).toContain('seed');
  });
});

describe('pairedBootstrapDifferenceCI', () => {
  it('is exactly 0 for identical models', () => {
    const { yTrue, predictions } = simulate(500, [0.7], 1);
    const interval = pairedBootstrapDifferenceCI(yTrue, predictions[0]!, predictions[0]!, { resamples: 50 });
    expect([interval.lower, interval.estimate, interval.upper]).toEqual([0, 0, 0]);
  });

  it('excludes 0 when model A is clearly better, and flips sign for B minus A', () => {
    const { yTrue, predictions } = simulate(3000, [0.9, 0.8], 11);
    const [predA, predB] = predictions as [Int32Array, Int32Array];
    const interval = pairedBootstrapDifferenceCI(yTrue, predA, predB, { resamples: 300 });
    expect(interval.estimate).toBeCloseTo(accuracy(yTrue, predA) - accuracy(yTrue, predB), 15);
    expect(interval.lower).toBeGreaterThan(0);
    const reversed = pairedBootstrapDifferenceCI(yTrue, predB, predA, { resamples: 300 });
    expect(reversed.upper).toBeCloseTo(-interval.lower, 12);
  });

  it('uses the given metric', () => {
    const errorRate = (truth: ArrayLike<number>, predicted: ArrayLike<number>) => 1 - accuracy(truth, predicted);
    const interval = pairedBootstrapDifferenceCI([0, 1, 1, 0], [0, 1, 1, 0], [1, 1, 1, 0], {
      metric: errorRate,
      resamples: 20,
    });
    expect(interval.estimate).toBe(-0.25);
  });

  it('rejects mismatched lengths', () => {
    expect(thrown(() => pairedBootstrapDifferenceCI([0, 1], [0, 1], [0])).code).toBe('E_METRICS_LENGTH_MISMATCH');
  });
});

describe('accuracy fast path', () => {
  const { yTrue, predictions } = simulate(1000, [0.8, 0.75], 5);
  const [predA, predB] = predictions as [Int32Array, Int32Array];
  const viaCalls = (truth: ArrayLike<number>, predicted: ArrayLike<number>) => accuracy(truth, predicted);

  it('gives exactly the intervals that calling accuracy on every resample gives', () => {
    const options = { resamples: 200, seed: 9 };
    expect(bootstrapCI(accuracy, yTrue, predA, options)).toEqual(bootstrapCI(viaCalls, yTrue, predA, options));
    expect(pairedBootstrapDifferenceCI(yTrue, predA, predB, options)).toEqual(
      pairedBootstrapDifferenceCI(yTrue, predA, predB, { ...options, metric: viaCalls }),
    );
  });

  it('still names the argument and index of a bad label', () => {
    expect(thrown(() => pairedBootstrapDifferenceCI([0, 1], [0, 1], [0, 0.5])).message).toContain('predB[1] is 0.5');
    expect(thrown(() => bootstrapCI(accuracy, [0, -1], [0, 1])).message).toContain('yTrue[1] is -1');
  });
});
