import { describe, expect, it } from 'vitest';
import type { DatasetSplit } from './descriptor.js';
import { DEFAULT_VALIDATION_FRACTION, prepareSplits } from './prepare.js';
import { computeNormalization } from './preprocess.js';
import { countClasses } from './split.js';

/** `count` 2x2 images whose pixels encode the example's index, labels cycling through 10 classes. */
function split(count: number, offset: number, source?: DatasetSplit['source']): DatasetSplit {
  return {
    images: Uint8Array.from({ length: count * 4 }, (_, index) => (Math.floor(index / 4) * 3 + offset) % 256),
    labels: Uint8Array.from({ length: count }, (_, index) => index % 10),
    count,
    rows: 2,
    cols: 2,
    ...(source ? { source } : {}),
  };
}

describe('prepareSplits', () => {
  const train = split(1200, 0, { kind: 'system', dir: '/data' });
  const test = split(300, 1);

  it('holds out 5000/60000 of the training images per class, and standardizes with the remaining ones only', () => {
    const prepared = prepareSplits(train, test, { seed: 0 });
    expect(DEFAULT_VALIDATION_FRACTION).toBeCloseTo(1 / 12, 15);
    expect(prepared.validation.count).toBe(100);
    expect(prepared.train.count).toBe(1100);
    expect(countClasses(prepared.validation.labels)).toEqual(new Array(10).fill(10));
    expect(prepared.test.count).toBe(300);
    expect(prepared.testRaw).toBe(test);
    expect(prepared.source).toBe('system (/data)');
    // The normalization is that of the training part: recover its raw bytes from the standardized floats.
    const { mean, std } = prepared.normalization;
    const raw = Uint8Array.from(prepared.train.images, (value) => Math.round((value * std + mean) * 255));
    expect(computeNormalization(raw)).toEqual(prepared.normalization);
    expect(prepared.normalization).not.toEqual(computeNormalization(train.images));
    expect(prepared.train).toMatchObject({ rows: 2, cols: 2 });
    expect(prepared.test.images).toBeInstanceOf(Float32Array);
  });

  it('with a limit, takes stratified subsets of both splits first, reproducibly from the seed', () => {
    const prepared = prepareSplits(train, test, { seed: 3, limit: 240, validationFraction: 0.25 });
    expect(prepared.train.count + prepared.validation.count).toBe(240);
    expect(prepared.validation.count).toBe(60);
    expect(prepared.testRaw.count).toBe(240);
    expect(countClasses(prepared.testRaw.labels)).toEqual(new Array(10).fill(24));
    expect(prepareSplits(train, test, { seed: 3, limit: 240, validationFraction: 0.25 })).toEqual(prepared);
    expect(prepareSplits(train, test, { seed: 4, limit: 240, validationFraction: 0.25 }).train.images).not.toEqual(
      prepared.train.images,
    );
  });

  it('names the source kind alone when it has no directory, and "unknown" without a source', () => {
    expect(prepareSplits(split(40, 0, { kind: 'buffer' }), test, { seed: 0 }).source).toBe('buffer');
    expect(prepareSplits(split(40, 0), test, { seed: 0 }).source).toBe('unknown');
  });

  it('rejects a limit that is not a whole number of at least 1', () => {
    expect(() => prepareSplits(train, test, { seed: 0, limit: 0.5 })).toThrow(
      /limit must be a whole number .* got 0.5/,
    );
  });

  it('standardizes into shared memory when asked, with the same values', () => {
    const plain = prepareSplits(train, test, { seed: 3, limit: 240 });
    const shared = prepareSplits(train, test, { seed: 3, limit: 240, shared: true });
    for (const part of ['train', 'validation', 'test'] as const) {
      expect(plain[part].images.buffer).toBeInstanceOf(ArrayBuffer);
      expect(shared[part].images.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(shared[part].images)).toEqual(Array.from(plain[part].images));
    }
  });
});
