/** The analysis wiring's own logic: folder sizes, the occlusion images, and data-efficiency subsets and curves. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataEfficiency, firstOfEachClass, folderBytes } from './analysis.js';
import { createReporter } from './progress.js';
import type { StudyData } from './run.js';

describe('folderBytes', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-analysis-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('adds up the sizes of every file below the folder', async () => {
    mkdirSync(join(root, 'model', 'nested'), { recursive: true });
    writeFileSync(join(root, 'model', 'model.json'), 'x'.repeat(120));
    writeFileSync(join(root, 'model', 'weights.bin'), new Uint8Array(4000));
    writeFileSync(join(root, 'model', 'nested', 'more.bin'), new Uint8Array(7));
    expect(await folderBytes(join(root, 'model'))).toBe(4127);
  });
});

describe('firstOfEachClass', () => {
  it('takes the first image of each class in test order, up to the count asked for', () => {
    const labels = Uint8Array.from([3, 3, 1, 0, 1, 2, 0, 4]);
    expect(firstOfEachClass(labels, 3)).toEqual([0, 2, 3]);
    expect(firstOfEachClass(labels, 8)).toEqual([0, 2, 3, 5, 7]);
  });
});

/** Normalized synthetic examples: each class a brighter band of rows, so a linear model learns something. */
function examples(count: number, offset: number) {
  const pixels = 784;
  const labels = Uint8Array.from({ length: count }, (_, index) => (index + offset) % 10);
  const images = new Float32Array(count * pixels);
  labels.forEach((label, index) => {
    for (let pixel = 0; pixel < pixels; pixel++) {
      const row = Math.floor(pixel / 28);
      images[index * pixels + pixel] = row >= label * 2 && row < label * 2 + 4 ? 1.5 : -0.5;
    }
  });
  return { images, labels, count, rows: 28, cols: 28 };
}

describe('dataEfficiency', () => {
  it('trains each model on the subsets smaller than its training set and ends with the full run', async () => {
    const data = {
      train: examples(1200, 0),
      validation: examples(100, 3),
      test: examples(100, 7),
    } as unknown as StudyData;
    const seen: string[] = [];
    const curves = await dataEfficiency({
      models: [{ name: 'linear', kind: 'linear', testAccuracy: 0.5 }],
      data,
      recipe: () => ({ model: {}, train: { epochs: 1, batchSize: 100, seed: 3 } }),
      reporter: { ...createReporter({ quiet: true }), info: (message: string) => seen.push(message) },
      signal: new AbortController().signal,
    });
    expect(curves.linear).toHaveLength(2);
    expect(curves.linear![0]!.trainImages).toBe(1000);
    expect(curves.linear![0]!.testAccuracy).toBeGreaterThan(0.5);
    expect(curves.linear![1]).toEqual({ trainImages: 1200, testAccuracy: 0.5 });
    expect(seen.join('\n')).toMatch(/data efficiency: training linear on 1000 images/);
  });
  it('tests each subset with the recipe’s test-time augmentation, as the full run was tested', async () => {
    const data = {
      train: examples(1200, 0),
      validation: examples(100, 3),
      test: examples(100, 7),
    } as unknown as StudyData;
    // A shift past the largest allowed is refused when the test images are scored, so it was passed to the scoring.
    const run = dataEfficiency({
      models: [{ name: 'linear', kind: 'linear', testAccuracy: 0.5 }],
      data,
      recipe: () => ({
        model: {},
        train: { epochs: 1, batchSize: 100, seed: 3 },
        testTimeAugmentation: { flip: true, shift: 99 },
      }),
      reporter: createReporter({ quiet: true }),
      signal: new AbortController().signal,
    });
    await expect(run).rejects.toMatchObject({ code: 'E_MODELS_ARGUMENT', message: /testTimeAugmentation/ });
  });
});
