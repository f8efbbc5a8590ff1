import { describe, expect, it } from 'vitest';
import { createRandom, shuffleInPlace } from './random.js';
import { countClasses, evenSample, selectExamples, stratifiedSplit, stratifiedSubset } from './split.js';

function labelsWith(countsPerClass: number[]): Uint8Array {
  const labels: number[] = [];
  countsPerClass.forEach((count, label) => {
    for (let index = 0; index < count; index++) labels.push(label);
  });
  // Interleave so the classes are not in blocks.
  return Uint8Array.from(shuffleInPlace(labels, createRandom(99)));
}

describe('createRandom', () => {
  it('repeats its sequence for a seed, differs between seeds and stays in [0, 1)', () => {
    const first = Array.from({ length: 1000 }, createRandom(42));
    expect(Array.from({ length: 1000 }, createRandom(42))).toEqual(first);
    expect(Array.from({ length: 5 }, createRandom(43))).not.toEqual(first.slice(0, 5));
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('shuffleInPlace permutes without losing elements', () => {
    const values = Array.from({ length: 50 }, (_, index) => index);
    const shuffled = shuffleInPlace(values.slice(), createRandom(1));
    expect(shuffled).not.toEqual(values);
    expect(shuffled.slice().sort((a, b) => a - b)).toEqual(values);
  });
});

describe('countClasses', () => {
  it('counts each class index', () => {
    expect(countClasses(new Uint8Array([0, 2, 2, 9]), 10)).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 0, 1]);
  });
});

describe('stratifiedSplit', () => {
  it('keeps each class share, partitions all indices and returns them sorted', () => {
    const labels = labelsWith([100, 50, 30, 20]);
    const { trainIndices, validationIndices } = stratifiedSplit(labels, { validationFraction: 0.2, seed: 7 });
    expect(validationIndices.length).toBe(40);
    expect(trainIndices.length).toBe(160);
    expect(
      countClasses(
        Array.from(validationIndices, (index) => labels[index] as number),
        4,
      ),
    ).toEqual([20, 10, 6, 4]);
    const all = [...trainIndices, ...validationIndices].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 200 }, (_, index) => index));
    expect(Array.from(trainIndices)).toEqual(Array.from(trainIndices).sort((a, b) => a - b));
  });

  it('is reproducible from the seed and changes with it', () => {
    const labels = labelsWith([40, 40, 40]);
    const first = stratifiedSplit(labels, { validationFraction: 0.25, seed: 3 });
    expect(stratifiedSplit(labels, { validationFraction: 0.25, seed: 3 })).toEqual(first);
    expect(stratifiedSplit(labels, { validationFraction: 0.25, seed: 4 }).validationIndices).not.toEqual(
      first.validationIndices,
    );
  });

  it('hits round(n * fraction) in total by largest remainder', () => {
    const labels = labelsWith([3, 3, 3]);
    const { validationIndices } = stratifiedSplit(labels, { validationFraction: 0.5, seed: 0 });
    expect(validationIndices.length).toBe(5);
    const perClass = countClasses(
      Array.from(validationIndices, (index) => labels[index] as number),
      3,
    );
    expect(perClass.sort()).toEqual([1, 2, 2]);
  });

  it('rejects a fraction outside [0, 1]', () => {
    expect(() => stratifiedSplit(new Uint8Array(4), { validationFraction: 1.5, seed: 0 })).toThrow(
      /from 0 to 1, got 1.5/,
    );
  });
});

describe('selectExamples', () => {
  const split = {
    images: Uint8Array.from({ length: 4 * 2 }, (_, index) => index),
    labels: new Uint8Array([5, 6, 7, 8]),
    count: 4,
    rows: 1,
    cols: 2,
    source: { kind: 'buffer' as const },
  };

  it('copies the chosen examples in order and keeps the other fields', () => {
    const chosen = selectExamples(split, [3, 1, 1]);
    expect(Array.from(chosen.images)).toEqual([6, 7, 2, 3, 2, 3]);
    expect(Array.from(chosen.labels)).toEqual([8, 6, 6]);
    expect(chosen.count).toBe(3);
    expect(chosen.rows).toBe(1);
    expect(chosen.source).toEqual({ kind: 'buffer' });
    chosen.images[0] = 99;
    expect(split.images[6]).toBe(6);
  });

  it('keeps Float32Array images as floats', () => {
    const floats = { images: new Float32Array([0.5, 1.5]), labels: new Uint8Array([1, 2]), count: 2 };
    const chosen = selectExamples(floats, [1]);
    expect(chosen.images).toBeInstanceOf(Float32Array);
    expect(Array.from(chosen.images)).toEqual([1.5]);
  });

  it('rejects an index out of range, naming it', () => {
    expect(() => selectExamples(split, [0, 4])).toThrow(/index 4 at position 1/);
    expect(() => selectExamples(split, [0.5])).toThrow(/index 0.5/);
  });
});

describe('stratifiedSubset', () => {
  const labels = labelsWith([60, 30, 10]);
  const examples = {
    images: Uint8Array.from(labels, (label, index) => (label * 50 + index) % 256),
    labels,
    count: 100,
  };

  it('keeps each class share, the original order and matching pixels, reproducibly from the seed', () => {
    const subset = stratifiedSubset(examples, { size: 20, seed: 5 });
    expect(subset.count).toBe(20);
    expect(countClasses(subset.labels, 3)).toEqual([12, 6, 2]);
    const { validationIndices } = stratifiedSplit(labels, { validationFraction: 0.2, seed: 5 });
    expect(Array.from(subset.images)).toEqual(Array.from(validationIndices, (index) => examples.images[index]));
    expect(stratifiedSubset(examples, { size: 20, seed: 5 })).toEqual(subset);
    expect(stratifiedSubset(examples, { size: 20, seed: 6 }).images).not.toEqual(subset.images);
  });

  it('returns the examples themselves when the size covers them all', () => {
    expect(stratifiedSubset(examples, { size: 100, seed: 0 })).toBe(examples);
    expect(stratifiedSubset(examples, { size: 500, seed: 0 })).toBe(examples);
  });

  it('rejects a size that is not a whole number, naming it', () => {
    expect(() => stratifiedSubset(examples, { size: 2.5, seed: 0 })).toThrow(/size must be a whole number .* got 2.5/);
    expect(() => stratifiedSubset(examples, { size: -1, seed: 0 })).toThrow(/got -1/);
  });
});

describe('evenSample', () => {
  const examples = {
    images: Float32Array.from({ length: 10 * 2 }, (_, index) => index / 2),
    labels: Uint8Array.from({ length: 10 }, (_, index) => index % 3),
    count: 10,
    rows: 1,
    cols: 2,
  };

  it('takes example floor(i * count / size) for each i, keeping floats and the other fields', () => {
    const sample = evenSample(examples, 4);
    // 10 / 4 = 2.5: examples 0, 2, 5 and 7.
    expect(Array.from(sample.labels)).toEqual([0, 2, 2, 1]);
    expect(sample.images).toBeInstanceOf(Float32Array);
    expect(Array.from(sample.images)).toEqual([0, 0.5, 2, 2.5, 5, 5.5, 7, 7.5]);
    expect(sample).toMatchObject({ count: 4, rows: 1, cols: 2 });
  });

  it('returns the examples themselves when there are no more than the size', () => {
    expect(evenSample(examples, 10)).toBe(examples);
    expect(evenSample(examples, 11)).toBe(examples);
  });

  it('rejects a size that is not a whole number', () => {
    expect(() => evenSample(examples, Number.NaN)).toThrow(/evenSample: size must be a whole number/);
  });
});
