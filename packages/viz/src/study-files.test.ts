import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { VizError } from './errors.js';
import type { Study } from './study.js';
import { loadStudy, STUDY_FILE, saveStudy } from './study-files.js';

/**
 * The fixture study without its calibration bins: an empty bin's NaN accuracy is saved as JSON's null (JSON has no
 * NaN), so only studies free of NaN come back equal.
 */
function fixture(options: Parameters<typeof makeFixtureStudy>[0]): Study {
  const study = makeFixtureStudy(options);
  const models = study.models.map((model) => {
    const { calibration: _dropped, ...test } = model.test;
    return { ...model, test };
  });
  return { ...study, models };
}

describe('saveStudy / loadStudy', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-study-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips a study exactly, typed arrays included, as study.json plus one .bin file per array', async () => {
    const study = fixture({ count: 50 });
    const dir = join(root, 'study');
    await saveStudy(dir, study);
    const loaded = await loadStudy(dir);
    expect(loaded).toEqual(study);
    expect(loaded.models[0]?.probabilities).toBeInstanceOf(Float32Array);
    expect(loaded.test.images).toBeInstanceOf(Uint8Array);
    // images, labels, and per model predictions and probabilities.
    expect(readdirSync(dir).sort()).toEqual([
      '0-images.bin',
      '1-labels.bin',
      '2-predictions.bin',
      '3-probabilities.bin',
      '4-predictions.bin',
      '5-probabilities.bin',
      STUDY_FILE,
    ]);
  });

  it('keeps other typed arrays and extra fields too (Uint32, Float64)', async () => {
    const study = {
      ...fixture({ count: 20 }),
      extra: { ids: Uint32Array.from([1, 2 ** 31]), e: Float64Array.from([Math.E]) },
    };
    const dir = join(root, 'extra');
    await saveStudy(dir, study);
    expect(await loadStudy(dir)).toEqual(study);
  });

  it('replaces an earlier study completely and leaves no temporary folders', async () => {
    const dir = join(root, 'replaced');
    await saveStudy(dir, fixture({ count: 30, seed: 1 }));
    const second = fixture({ count: 20, seed: 2 });
    await saveStudy(dir, { ...second, models: second.models.slice(0, 1), comparison: undefined } as unknown as Study);
    const loaded = await loadStudy(dir);
    expect(loaded.test.count).toBe(20);
    expect(readdirSync(dir)).toHaveLength(5);
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('rejects an unsupported typed array with E_VIZ_INVALID_STUDY and writes nothing', async () => {
    const dir = join(root, 'int16');
    const study = { ...fixture({ count: 20 }), extra: Int16Array.from([1]) };
    await expect(saveStudy(dir, study)).rejects.toMatchObject({ name: 'VizError', code: 'E_VIZ_INVALID_STUDY' });
    expect(readdirSync(root).filter((name) => name.startsWith('.') || name === 'int16')).toEqual([]);
  });

  it('leaves an earlier study untouched when a save fails, and names the folder in E_VIZ_WRITE_FAILED', async () => {
    const dir = join(root, 'kept');
    const study = fixture({ count: 20 });
    await saveStudy(dir, study);
    const before = readdirSync(dir).sort();
    const unsaveable = { ...fixture({ count: 30 }), extra: Int16Array.from([1]) };
    await expect(saveStudy(dir, unsaveable)).rejects.toMatchObject({ code: 'E_VIZ_INVALID_STUDY' });
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(await loadStudy(dir)).toEqual(study);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const below = join(file, 'study');
    const failed = await saveStudy(below, study).catch((error: unknown) => error);
    expect(VizError.isInstance(failed)).toBe(true);
    expect(failed).toMatchObject({ code: 'E_VIZ_WRITE_FAILED', file: below });
    expect((failed as Error).message).toContain(below);
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('reports a missing study.json or a truncated array file as E_VIZ_READ_FAILED, naming the file', async () => {
    await expect(loadStudy(join(root, 'nothing-here'))).rejects.toMatchObject({
      name: 'VizError',
      code: 'E_VIZ_READ_FAILED',
    });
    const dir = join(root, 'damaged');
    await saveStudy(dir, fixture({ count: 20 }));
    writeFileSync(join(dir, '3-probabilities.bin'), new Uint8Array(7));
    await expect(loadStudy(dir)).rejects.toThrow(/3-probabilities\.bin holds 7 bytes, expected 800/);
  });
});
