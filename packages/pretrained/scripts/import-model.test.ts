import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASS_NAMES, loadFashionMnist, normalizeImages } from '@fmnist/dataset';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { createModel, type PredictOptions, predict, saveModel } from '@fmnist/models';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifiedSource } from '../src/pretrained.js';
import type { PretrainedFiles } from '../src/types.js';
import { importModel } from './import-model.js';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';
const README =
  '# x\n\n<!-- models:start (written by scripts/import-model.ts) -->\nthe previous table\n<!-- models:end -->\n\nend\n';

requirePrerequisite(existsSync(`${DATA_DIR}/t10k-images-idx3-ubyte.gz`), 'the real data')('importModel', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-import-'));
  const run = join(root, 'run');
  const modelDir = join(run, 'models', 'linear');
  const modelsDir = join(root, 'models');
  const readme = join(root, 'README.md');
  const normalization = { mean: 0.286, std: 0.353 };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    const model = createModel('linear', { seed: 3 });
    await saveModel(model, modelDir, { kind: 'linear', normalization, classNames: CLASS_NAMES });
    model.dispose();
    // The parts of a `fmnist compare` run.json the import reads.
    const record = {
      arguments: ['compare', '--seed', '3'],
      startedAt: '2026-01-01T00:00:00.000Z',
      seed: 3,
      workers: 'auto',
      versions: { node: '20.0.0' },
      data: { source: 'test', files: [{ split: 'test', role: 'images', path: '/data/t10k.gz', sha256: 'ab' }] },
      models: { linear: { workers: 2, trainSeconds: 1.5 } },
    };
    writeFileSync(join(run, 'run.json'), JSON.stringify(record));
    writeFileSync(readme, README);
  });

  it('measures every encoding, ships the smallest within 0.1 point, and writes files that load', async () => {
    const info = await importModel({ modelDir, name: 'linear', dataDir: DATA_DIR, modelsDir, readme });
    expect(info.command).toBe('fmnist compare --seed 3');
    expect(info).toMatchObject({ seed: 3, workers: 2, trainSeconds: 1.5, kind: 'linear' });
    expect(info.data.files[0]?.file).toBe('t10k.gz');
    expect(info.test.measured.map((entry) => entry.encoding)).toEqual(['float32', 'uint8', 'float16']);
    const [float32, ...quantized] = info.test.measured;
    const expected = quantized.find((entry) => float32!.correct - entry.correct <= 10) ?? float32;
    expect(info.test.shipped).toEqual(expected);
    expect(info.weightBytes.float32).toBe(7850 * 4);
    // Its metadata names no views: scored on the image alone, and the record says so.
    expect(info).not.toHaveProperty('testTimeAugmentation');
    expect(info.test.views).toBe(1);

    const { files } = (await import(join(modelsDir, 'linear.generated.ts'))) as { files: PretrainedFiles };
    const source = verifiedSource(info, files);
    expect((await source.read('weights.bin'))?.length).toBe(info.weightBytes.shipped);
    const catalog = readFileSync(join(modelsDir, 'catalog.generated.ts'), 'utf8');
    expect(catalog).toContain("export type PretrainedModelName = 'linear';");
    const text = readFileSync(readme, 'utf8');
    expect(text).not.toContain('the previous table');
    expect(text).toMatch(/\| `linear` \| 7,850 +\|/);
    expect(text).toContain('- `linear`: `fmnist compare --seed 3` (seed 3, 2 workers');
    expect(text).toContain('Each image is scored as `loadPretrained` classifies it:\n`linear` the image alone.');
    expect(text.endsWith('<!-- models:end -->\n\nend\n')).toBe(true);
  });

  it('gives byte-identical files when it imports the same folder again, and keeps the other models', async () => {
    const before = ['catalog.generated.ts', 'linear.generated.ts'].map((file) => readFileSync(join(modelsDir, file)));
    await importModel({ modelDir, name: 'linear', dataDir: DATA_DIR, modelsDir, readme });
    const after = ['catalog.generated.ts', 'linear.generated.ts'].map((file) => readFileSync(join(modelsDir, file)));
    expect(after).toEqual(before);
    await importModel({ modelDir, name: 'baseline', command: 'fmnist train', dataDir: DATA_DIR, modelsDir, readme });
    const catalog = readFileSync(join(modelsDir, 'catalog.generated.ts'), 'utf8');
    expect(catalog).toContain("export type PretrainedModelName = 'baseline' | 'linear';");
    expect(readFileSync(join(modelsDir, 'linear.generated.ts'))).toEqual(before[1]);
  });

  it("scores a model with test-time augmentation through its metadata's views, and records them", async () => {
    // The same weights as 'linear', saved with ten views in their metadata, in a run of their own.
    const augmentation = { flip: true, shift: 1 };
    const augmentedRun = join(root, 'augmented-run');
    const augmentedDir = join(augmentedRun, 'models', 'linear');
    const model = createModel('linear', { seed: 3 });
    await saveModel(model, augmentedDir, {
      kind: 'linear',
      normalization,
      classNames: CLASS_NAMES,
      testTimeAugmentation: augmentation,
    });
    cpSync(join(run, 'run.json'), join(augmentedRun, 'run.json'));
    const info = await importModel({ modelDir: augmentedDir, name: 'augmented', dataDir: DATA_DIR, modelsDir, readme });
    expect(info.testTimeAugmentation).toEqual(augmentation);
    expect(info.test.views).toBe(10);

    // float32 scores what predict gives through the ten views, which differs from the image alone's score.
    const test = await loadFashionMnist({ split: 'test', dataDir: DATA_DIR });
    const images = normalizeImages(test.images, normalization);
    const countCorrect = async (options: PredictOptions) => {
      const { predictions } = await predict(model, images, options);
      return predictions.filter((predicted, index) => predicted === test.labels[index]).length;
    };
    const correct = await countCorrect({ testTimeAugmentation: augmentation });
    expect(info.test.measured[0]).toMatchObject({ encoding: 'float32', correct });
    expect(correct).not.toBe(await countCorrect({}));
    model.dispose();

    const { files } = (await import(join(modelsDir, 'augmented.generated.ts'))) as { files: PretrainedFiles };
    expect(JSON.parse(files['metadata.json']).testTimeAugmentation).toEqual(augmentation);
    const text = readFileSync(readme, 'utf8');
    expect(text).toContain(
      '`augmented` the mean of 10 views (`testTimeAugmentation` `{ flip: true, shift: 1 }`), `baseline` the image alone',
    );
    // Ten forward passes per image in each of three encodings, on a CPU that may be shared with training.
  }, 600_000);

  it('refuses a folder without run.json and a name that is not lowercase', async () => {
    const lonely = join(root, 'lonely');
    mkdirSync(lonely);
    await expect(importModel({ modelDir: lonely, name: 'x', modelsDir, readme })).rejects.toThrow(/no run\.json/);
    await expect(importModel({ modelDir, name: 'Big Model', modelsDir, readme })).rejects.toThrow(/lowercase/);
  });
});
