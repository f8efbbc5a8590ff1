import { createRandom } from '@fmnist/internal';
import { describe, expect, it } from 'vitest';
import { epochOrder, fillBatch, learningRateAt, smoothLabels, stepsPerEpoch, workerShare } from './batches.js';

describe('epochOrder', () => {
  it('is a permutation that depends on the seed and the epoch only', () => {
    const order = epochOrder(1000, 7, 0);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    expect(epochOrder(1000, 7, 0)).toEqual(order);
    expect(epochOrder(1000, 7, 1)).not.toEqual(order);
    expect(epochOrder(1000, 8, 0)).not.toEqual(order);
  });
});

describe('workerShare', () => {
  it('splits a batch into contiguous shares whose sizes differ by at most one', () => {
    const shares = [0, 1, 2].map((worker) => workerShare(10, 3, worker));
    expect(shares).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 7 },
      { start: 7, end: 10 },
    ]);
    expect(workerShare(1, 2, 1)).toEqual({ start: 1, end: 1 });
  });
});

describe('learningRateAt and stepsPerEpoch', () => {
  it('keeps a constant rate or follows a half cosine from the rate to 0 over all steps', () => {
    expect(stepsPerEpoch(60_000, 64)).toBe(938);
    expect(learningRateAt(500, 1000, 0.1, 'constant')).toBe(0.1);
    expect(learningRateAt(0, 1000, 0.1, 'cosine')).toBeCloseTo(0.1, 12);
    expect(learningRateAt(500, 1000, 0.1, 'cosine')).toBeCloseTo(0.05, 12);
    expect(learningRateAt(999, 1000, 0.1, 'cosine')).toBeLessThan(1e-5);
  });

  it('rises linearly over the warm-up steps, then decays over the remaining ones', () => {
    expect(learningRateAt(0, 1000, 0.1, 'cosine', 100)).toBeCloseTo(0.001, 12);
    expect(learningRateAt(49, 1000, 0.1, 'cosine', 100)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(99, 1000, 0.1, 'cosine', 100)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(100, 1000, 0.1, 'cosine', 100)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(550, 1000, 0.1, 'cosine', 100)).toBeCloseTo(0.05, 12);
    expect(learningRateAt(50, 1000, 0.1, 'constant', 100)).toBeCloseTo(0.051, 12);
    expect(learningRateAt(500, 1000, 0.1, 'constant', 100)).toBe(0.1);
  });
});

describe('smoothLabels', () => {
  it('moves ε of each row onto the ten classes equally, keeping each row a distribution', () => {
    const oneHot = new Float32Array(30);
    oneHot[3] = 1;
    oneHot[17] = 1;
    oneHot[20] = 1;
    smoothLabels(oneHot, 2, 0.1);
    expect(oneHot[3]).toBeCloseTo(0.91, 6);
    expect(oneHot[0]).toBeCloseTo(0.01, 6);
    expect(oneHot[17]).toBeCloseTo(0.91, 6);
    const rowSum = oneHot.subarray(10, 20).reduce((sum, value) => sum + value, 0);
    expect(rowSum).toBeCloseTo(1, 6);
    // Rows past `rows` are left alone.
    expect(oneHot[20]).toBe(1);
    expect(oneHot[21]).toBe(0);
  });

  it('leaves the targets as they are for ε = 0', () => {
    const oneHot = Float32Array.from({ length: 10 }, (_, index) => (index === 4 ? 1 : 0));
    smoothLabels(oneHot, 1, 0);
    expect([...oneHot]).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });
});

describe('fillBatch', () => {
  const rows = 4;
  const cols = 5;
  const images = Float32Array.from({ length: 2 * rows * cols }, (_, index) => index);
  const labels = Uint8Array.from([3, 7]);
  const order = Uint32Array.from([1, 0]);

  function fill(augmentation?: { flip: boolean; maxShift: number }, seed = 0) {
    const batch = new Float32Array(2 * rows * cols);
    const batchLabels = new Uint8Array(2);
    const oneHot = new Float32Array(20);
    fillBatch(images, labels, order, 0, 2, { rows, cols }, batch, batchLabels, oneHot, augmentation, seed, 0);
    return { batch, batchLabels, oneHot };
  }

  it('copies the images in epoch order with their labels and one-hot rows', () => {
    const { batch, batchLabels, oneHot } = fill();
    expect([...batch.subarray(0, rows * cols)]).toEqual([...images.subarray(rows * cols)]);
    expect([...batchLabels]).toEqual([7, 3]);
    expect(oneHot[7]).toBe(1);
    expect(oneHot[10 + 3]).toBe(1);
    expect(oneHot.reduce((sum, value) => sum + value, 0)).toBe(2);
  });

  it('flips rows horizontally', () => {
    // Some seed flips image 0 (the second in the batch): find one, then check the pixels are mirrored.
    for (let seed = 0; seed < 20; seed++) {
      const { batch } = fill({ flip: true, maxShift: 0 }, seed);
      const second = batch.subarray(rows * cols);
      if (second[0] === images[0]) continue;
      for (let row = 0; row < rows; row++) {
        for (let col = 0; col < cols; col++) expect(second[row * cols + col]).toBe(images[row * cols + cols - 1 - col]);
      }
      return;
    }
    throw new Error('no seed flipped the image');
  });

  it('shifts by at most maxShift and fills the border with the corner value', () => {
    const random = createRandom(1);
    const big = Float32Array.from({ length: 28 * 28 }, () => random() + 1);
    const batch = new Float32Array(28 * 28);
    fillBatch(
      big,
      Uint8Array.from([0]),
      Uint32Array.from([0]),
      0,
      1,
      { rows: 28, cols: 28 },
      batch,
      new Uint8Array(1),
      new Float32Array(10),
      { flip: false, maxShift: 2 },
      5,
      0,
    );
    const offsets = new Set<number>();
    for (let index = 0; index < batch.length; index++) {
      const source = big.indexOf(batch[index]!);
      if (source > 0) offsets.add(index - source);
    }
    expect(offsets.size).toBe(1);
    const offset = [...offsets][0]!;
    const rowShift = Math.round(offset / 28);
    expect(Math.abs(rowShift)).toBeLessThanOrEqual(2);
    expect(Math.abs(offset - rowShift * 28)).toBeLessThanOrEqual(2);
  });
});
