import { describe, expect, it } from 'vitest';
import { calibration, logLoss, MetricsError, topKAccuracy } from './index.js';
import { thrown } from './test-helpers.js';

describe('topKAccuracy', () => {
  const proba = [
    [0.1, 0.6, 0.3],
    [0.5, 0.3, 0.2],
    [0.2, 0.2, 0.6],
  ];
  const yTrue = [2, 1, 0];

  it('counts a hit when the true class is among the k most probable', () => {
    expect(topKAccuracy(yTrue, proba, 1)).toBe(0);
    expect(topKAccuracy(yTrue, proba, 2)).toBeCloseTo(2 / 3, 15);
    expect(topKAccuracy(yTrue, proba, 3)).toBe(1);
    expect(topKAccuracy(yTrue, proba, 10)).toBe(1);
  });

  it('ranks the higher class index first among equal probabilities, as scikit-learn', () => {
    expect(topKAccuracy([0], [[0.5, 0.5]], 1)).toBe(0);
    expect(topKAccuracy([1], [[0.5, 0.5]], 1)).toBe(1);
  });

  it('accepts a flat Float32Array with numClasses', () => {
    expect(topKAccuracy(new Uint8Array(yTrue), Float32Array.from(proba.flat()), 2, { numClasses: 3 })).toBeCloseTo(
      2 / 3,
      15,
    );
  });

  it('rejects k that is not a positive integer', () => {
    expect(thrown(() => topKAccuracy(yTrue, proba, 0)).message).toContain('k must be an integer >= 1');
  });
});

describe('logLoss', () => {
  it('is the mean negative log probability of the true class', () => {
    const proba = [
      [0.8, 0.2],
      [0.3, 0.7],
    ];
    expect(logLoss([0, 1], proba)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 15);
  });

  it("clips a zero probability to the input's machine epsilon, as scikit-learn's eps='auto'", () => {
    expect(logLoss([1], [[1, 0]])).toBeCloseTo(52 * Math.LN2, 12);
    expect(logLoss([1], new Float32Array([1, 0]), { numClasses: 2 })).toBeCloseTo(23 * Math.LN2, 6);
    expect(logLoss([1], [new Float32Array([1, 0])])).toBeCloseTo(23 * Math.LN2, 6);
    expect(logLoss([1], [[1, 0]], { eps: 1e-3 })).toBeCloseTo(-Math.log(1e-3), 12);
  });

  it('rejects an eps outside [0, 0.5)', () => {
    expect(thrown(() => logLoss([0], [[1, 0]], { eps: 0.7 })).code).toBe('E_METRICS_INVALID_OPTION');
  });
});

describe('calibration', () => {
  // Confidences 0.9 (right), 0.9 (wrong), 0.5 (right, first of a tie), 0.55 (right).
  const proba = [
    [0.9, 0.1],
    [0.1, 0.9],
    [0.5, 0.5],
    [0.45, 0.55],
  ];
  const yTrue = [0, 0, 0, 1];

  it('bins the top-class confidence into (lower, upper] and weighs |accuracy - confidence| by count', () => {
    const { bins, ece } = calibration(yTrue, proba, { bins: 5 });
    expect(bins.map((bin) => bin.count)).toEqual([0, 0, 2, 0, 2]);
    expect(bins[2]!).toMatchObject({ lower: 0.4, upper: 0.6, accuracy: 1 });
    expect(bins[2]!.confidence).toBeCloseTo(0.525, 15);
    expect(bins[4]!).toMatchObject({ lower: 0.8, upper: 1, accuracy: 0.5 });
    expect(bins[4]!.confidence).toBeCloseTo(0.9, 15);
    expect(bins[0]!.confidence).toBeNaN();
    expect(bins[0]!.accuracy).toBeNaN();
    expect(ece).toBeCloseTo(0.5 * 0.475 + 0.5 * 0.4, 15);
  });

  it('uses 15 bins by default and is 0 for a perfectly calibrated classifier', () => {
    const result = calibration(
      [0, 1],
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(result.bins).toHaveLength(15);
    expect(result.ece).toBe(0);
  });

  it('rejects a bin count that is not a positive integer', () => {
    expect(thrown(() => calibration(yTrue, proba, { bins: 0 })).message).toContain('bins');
  });
});

describe('probability input checks', () => {
  const good = [
    [0.5, 0.5],
    [0.2, 0.8],
  ];

  it('names the index of a NaN or negative probability', () => {
    const error = thrown(() => logLoss([0, 1], [good[0]!, [Number.NaN, 1]]));
    expect(error.code).toBe('E_METRICS_INVALID_PROBABILITY');
    expect(error.message).toContain('proba[1][0] is NaN');
    expect(thrown(() => topKAccuracy([0], [[-0.1, 1.1]], 1)).message).toContain('proba[0][0] is -0.1');
  });

  it('names the row whose probabilities do not sum to 1', () => {
    const error = thrown(() => calibration([0, 1], [good[0]!, [0.5, 0.6]]));
    expect(error.code).toBe('E_METRICS_PROBABILITY_ROW_SUM');
    expect(error.message).toContain('proba[1] sums to 1.1');
  });

  it('accepts rows within rowSumTolerance of 1', () => {
    expect(() => logLoss([0], [[0.5, 0.49]])).toThrow(MetricsError);
    expect(logLoss([0], [[0.5, 0.49]], { rowSumTolerance: 0.02 })).toBeGreaterThan(0);
  });

  it('rejects ragged rows, a flat array without numClasses and a flat array of the wrong length', () => {
    expect(thrown(() => logLoss([0, 1], [[0.5, 0.5], [1]])).message).toContain('proba[1] has 1 entries, expected 2');
    expect(thrown(() => logLoss([0], new Float64Array([0.5, 0.5]))).message).toContain('pass { numClasses }');
    expect(thrown(() => logLoss([0], new Float64Array([0.5, 0.5, 0]), { numClasses: 2 })).code).toBe(
      'E_METRICS_INVALID_SHAPE',
    );
  });

  it('checks the labels against the rows', () => {
    expect(thrown(() => logLoss([0], good)).code).toBe('E_METRICS_LENGTH_MISMATCH');
    expect(thrown(() => logLoss([0, 2], good)).message).toContain('yTrue[1] is 2');
  });
});

describe('probability layouts', () => {
  it('accepts rows as typed arrays, nested arrays or one flat array alike', () => {
    const rows = [new Float32Array([0.25, 0.75]), new Float32Array([0.5, 0.5])];
    const expected = logLoss(
      [1, 0],
      [
        [0.25, 0.75],
        [0.5, 0.5],
      ],
    );
    expect(logLoss([1, 0], rows)).toBe(expected);
    expect(logLoss([1, 0], new Float64Array([0.25, 0.75, 0.5, 0.5]), { numClasses: 2 })).toBe(expected);
  });

  it('rejects a negative rowSumTolerance', () => {
    expect(() => logLoss([0], [[1, 0]], { rowSumTolerance: -1 })).toThrow(/rowSumTolerance/);
  });
});
