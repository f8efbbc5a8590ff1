import { describe, expect, it } from 'vitest';
import { confusionMatrix, mostConfusedPairs } from './index.js';
import { thrown } from './test-helpers.js';

describe('confusionMatrix', () => {
  it('puts true classes in rows and predicted classes in columns', () => {
    expect(confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
  });

  it('keeps rows and columns for classes that never occur', () => {
    expect(confusionMatrix(new Uint8Array([1]), new Uint8Array([1]), 3)).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
  });

  it('rejects arrays of different lengths, naming both', () => {
    const error = thrown(() => confusionMatrix([0, 1], [0], 2));
    expect(error.code).toBe('E_METRICS_LENGTH_MISMATCH');
    expect(error.message).toContain('yPred has 1 entries but yTrue has 2');
  });

  it('rejects empty input', () => {
    expect(thrown(() => confusionMatrix([], [], 2)).code).toBe('E_METRICS_EMPTY_INPUT');
  });

  it('names the argument and index of a label outside [0, numClasses)', () => {
    const error = thrown(() => confusionMatrix([0, 1, 2], [0, 1, 3], 3));
    expect(error.code).toBe('E_METRICS_LABEL_OUT_OF_RANGE');
    expect(error.message).toContain('yPred[2] is 3');
    expect(thrown(() => confusionMatrix([0, -1], [0, 0], 3)).message).toContain('yTrue[1] is -1');
  });

  it('names the argument and index of a non-integer label', () => {
    const error = thrown(() => confusionMatrix([0, 1.5], [0, 1], 3));
    expect(error.code).toBe('E_METRICS_LABEL_NOT_INTEGER');
    expect(error.message).toContain('yTrue[1] is 1.5');
    expect(thrown(() => confusionMatrix([0, 1], [Number.NaN, 1], 3)).message).toContain('yPred[0] is NaN');
  });

  it('rejects a numClasses that is not a positive integer', () => {
    expect(thrown(() => confusionMatrix([0], [0], 0)).code).toBe('E_METRICS_INVALID_OPTION');
    expect(thrown(() => confusionMatrix([0], [0], 2.5)).message).toContain('numClasses');
  });
});

describe('mostConfusedPairs', () => {
  const matrix = [
    [5, 3, 0],
    [1, 4, 3],
    [0, 7, 9],
  ];

  it('lists off-diagonal cells largest first, ties by true then predicted class', () => {
    expect(mostConfusedPairs(matrix)).toEqual([
      { trueClass: 2, predictedClass: 1, count: 7 },
      { trueClass: 0, predictedClass: 1, count: 3 },
      { trueClass: 1, predictedClass: 2, count: 3 },
      { trueClass: 1, predictedClass: 0, count: 1 },
    ]);
  });

  it('returns at most `top` pairs', () => {
    expect(mostConfusedPairs(matrix, { top: 2 }).map((pair) => pair.count)).toEqual([7, 3]);
    expect(mostConfusedPairs(matrix, { top: 0 })).toEqual([]);
  });

  it('rejects a matrix that is not square', () => {
    expect(thrown(() => mostConfusedPairs([[1, 2], [3]])).code).toBe('E_METRICS_INVALID_SHAPE');
  });
});
