// Integration tests on the real FashionMNIST files from Debian's dataset-fashion-mnist package (CI installs it).
import { describe, expect, it } from 'vitest';
import {
  CLASS_NAMES,
  computeNormalization,
  countClasses,
  loadFashionMnist,
  stratifiedSplit,
  verifyFashionMnist,
} from '../src/index.js';

const dataDir = '/usr/share/datasets/fashion-mnist';

describe('the real FashionMNIST files', () => {
  it('train: 60,000 28x28 images, 6,000 per class, first labels as published', async () => {
    const train = await loadFashionMnist({ split: 'train', dataDir });
    expect({ count: train.count, rows: train.rows, cols: train.cols }).toEqual({ count: 60_000, rows: 28, cols: 28 });
    expect(train.images.length).toBe(60_000 * 784);
    expect(countClasses(train.labels)).toEqual(new Array(10).fill(6_000));
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(CLASS_NAMES[train.labels[0] as number]).toBe('Ankle boot');
    // numpy: x = np.frombuffer(gzip.open(path).read(), np.uint8, offset=16) / 255; x.mean(), x.std()
    const { mean, std } = computeNormalization(train.images);
    expect(mean).toBeCloseTo(0.2860405969887955, 12);
    expect(std).toBeCloseTo(0.35302424451492237, 12);
    const { validationIndices } = stratifiedSplit(train.labels, { validationFraction: 0.1, seed: 1 });
    expect(countClasses(Array.from(validationIndices, (index) => train.labels[index] as number))).toEqual(
      new Array(10).fill(600),
    );
  });

  it('test: 10,000 images, 1,000 per class, first labels as published', async () => {
    const test = await loadFashionMnist({ split: 'test', dataDir });
    expect(test.count).toBe(10_000);
    expect(countClasses(test.labels)).toEqual(new Array(10).fill(1_000));
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect(test.source).toMatchObject({ kind: 'dataDir', dir: dataDir });
  });

  it('is found in the system directory with no options, and verifies', async () => {
    const test = await loadFashionMnist({ split: 'test', env: { FMNIST_CACHE_DIR: '/nonexistent-fmnist-cache' } });
    expect(test.source).toMatchObject({ kind: 'system', dir: dataDir });
    const report = await verifyFashionMnist({ dataDir });
    expect(report.ok).toBe(true);
    expect(report.splits.map((split) => split.count)).toEqual([60_000, 10_000]);
  });
});
