import { existsSync } from 'node:fs';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { expect, it } from 'vitest';
import { countClasses } from '../split.js';
import { loadPreparedFashionMnist } from './prepare.js';

const SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

requirePrerequisite(
  existsSync(`${SYSTEM_DIR}/train-images-idx3-ubyte.gz`),
  'the real data in /usr/share/datasets/fashion-mnist',
)('loadPreparedFashionMnist (real data)', () => {
  it('loads both splits and prepares a stratified subset with a validation hold-out', async () => {
    const prepared = await loadPreparedFashionMnist({ dataDir: SYSTEM_DIR, limit: 1200, seed: 0 });
    expect(prepared.train.count).toBe(1100);
    expect(prepared.validation.count).toBe(100);
    expect(countClasses(prepared.validation.labels)).toEqual(new Array(10).fill(10));
    expect(prepared.test.count).toBe(1200);
    expect(prepared.test).toMatchObject({ rows: 28, cols: 28 });
    expect(prepared.test.images).toHaveLength(1200 * 784);
    expect(prepared.source).toBe(`dataDir (${SYSTEM_DIR})`);
    expect(prepared.normalization.mean).toBeGreaterThan(0.25);
    expect(prepared.normalization.mean).toBeLessThan(0.32);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop here'));
    await expect(loadPreparedFashionMnist({ dataDir: SYSTEM_DIR, seed: 0, signal: controller.signal })).rejects.toThrow(
      'stop here',
    );
  });
});
