import { describe, expect, it } from 'vitest';
import { createBatchIterator } from './batches.js';

const examples = {
  images: Uint8Array.from({ length: 10 * 2 }, (_, index) => index),
  labels: Uint8Array.from({ length: 10 }, (_, index) => index),
  count: 10,
};

describe('createBatchIterator', () => {
  it('yields batches in order with a short last batch', () => {
    const batches = [...createBatchIterator(examples, { batchSize: 4 })];
    expect(batches.map((batch) => batch.count)).toEqual([4, 4, 2]);
    expect(Array.from(batches[2]?.labels ?? [])).toEqual([8, 9]);
    expect(Array.from(batches[2]?.images ?? [])).toEqual([16, 17, 18, 19]);
    expect(Array.from(batches[0]?.indices ?? [])).toEqual([0, 1, 2, 3]);
  });

  it('drops the short last batch when asked and reports the counts', () => {
    const iterator = createBatchIterator(examples, { batchSize: 4, dropLast: true });
    expect(iterator.batchCount).toBe(2);
    expect(iterator.exampleCount).toBe(8);
    expect([...iterator].map((batch) => batch.count)).toEqual([4, 4]);
  });

  it('shuffles reproducibly from the seed, with a new order each pass, keeping images and labels together', () => {
    const first = createBatchIterator(examples, { batchSize: 3, shuffle: true, seed: 5 });
    const epochOne = [...first].flatMap((batch) => Array.from(batch.labels));
    const epochTwo = [...first].flatMap((batch) => Array.from(batch.labels));
    const again = [...createBatchIterator(examples, { batchSize: 3, shuffle: true, seed: 5 })].flatMap((batch) =>
      Array.from(batch.labels),
    );
    expect(again).toEqual(epochOne);
    expect(epochTwo).not.toEqual(epochOne);
    expect(epochOne.slice().sort((a, b) => a - b)).toEqual(Array.from(examples.labels));
    for (const batch of createBatchIterator(examples, { batchSize: 3, shuffle: true, seed: 5 })) {
      batch.labels.forEach((label, position) => {
        expect(Array.from(batch.images.subarray(position * 2, position * 2 + 2))).toEqual([label * 2, label * 2 + 1]);
      });
    }
  });

  it('iterates over given indices only and copies each batch', () => {
    const batches = [...createBatchIterator(examples, { batchSize: 2, indices: [9, 0, 4] })];
    expect(batches.flatMap((batch) => Array.from(batch.labels))).toEqual([9, 0, 4]);
    const first = batches[0];
    if (!first) throw new Error('no batch');
    first.images[0] = 200;
    expect(examples.images[18]).toBe(18);
  });

  it('rejects a batch size below 1 and examples that do not add up', () => {
    expect(() => createBatchIterator(examples, { batchSize: 0 })).toThrow(
      /batchSize must be a whole number from 1, got 0/,
    );
    expect(() => createBatchIterator({ ...examples, count: 3 }, { batchSize: 1 })).toThrow(/do not make 3 examples/);
  });
});
