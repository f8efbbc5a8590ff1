import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStudyData, saveStudyData } from './study-files.js';

describe('saveStudyData / loadStudyData', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-study-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips plain data with typed arrays exactly, nested in objects and arrays', async () => {
    const value = {
      title: 'x',
      test: { images: Uint8Array.from([0, 255, 7]), count: 3 },
      models: [
        { name: 'linear', probabilities: Float32Array.from([0.1, 0.9, Math.PI]), history: [{ loss: 1.5 }] },
        { name: 'cnn', predictions: Uint32Array.from([1, 2 ** 31]), scores: Float64Array.from([Math.E]) },
      ],
    };
    const dir = join(root, 'study');
    await saveStudyData(dir, value);
    expect(await loadStudyData(dir)).toEqual(value);
    const loaded = (await loadStudyData(dir)) as typeof value;
    expect(loaded.models[0]?.probabilities).toBeInstanceOf(Float32Array);
  });

  it('replaces an earlier study completely and leaves no temporary folders', async () => {
    const dir = join(root, 'replaced');
    await saveStudyData(dir, { a: Uint8Array.from([1]), b: Uint8Array.from([2]) });
    await saveStudyData(dir, { a: Uint8Array.from([3]) });
    expect(await loadStudyData(dir)).toEqual({ a: Uint8Array.from([3]) });
    expect(readdirSync(dir)).toHaveLength(2);
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
