// End-to-end: the built `fmnist` binary trains small models, saves them, and `fmnist eval` scores one again.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPreset } from '@fmnist/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT, runCli as fmnist } from './cli-run.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked field by field below
type Json = any;

/** The `--json` result: the last line of stdout. */
function lastJson(stdout: string): Json {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

let root: string;
beforeAll(() => {
  if (!BUILT) throw new Error('build the CLI first: npx -y pnpm@10.28.2 build');
  root = mkdtempSync(join(tmpdir(), 'fmnist-train-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('fmnist train and fmnist eval', () => {
  it('trains, tests and saves a linear model; eval scores it the same on cpu and wasm', async () => {
    const modelDir = join(root, 'linear');
    const trained = await fmnist([
      'train',
      '--model',
      'linear',
      '--limit',
      '600',
      '--epochs',
      '1',
      '--workers',
      '1',
      '--seed',
      '3',
      '--out',
      modelDir,
      '--json',
    ]);
    expect(trained.stderr).toContain('linear epoch 1/1');
    expect(trained.code).toBe(0);
    const result = lastJson(trained.stdout);
    expect(result).toMatchObject({ model: 'linear', epochs: 1, trainImages: 600, modelDir, parameters: 7850 });
    expect(['wasm', 'cpu', 'tensorflow']).toContain(result.backend);
    expect(result.trainSeconds).toBeGreaterThan(0);
    // One epoch: the run's rate is that epoch's rate. The rate counts training steps only, while the epoch's
    // seconds also hold the validation pass, so 600 images at that rate take no longer than the epoch.
    expect(result.trainImagesPerSecond).toBeCloseTo(result.history[0].imagesPerSecond, 6);
    expect(600 / result.trainImagesPerSecond).toBeLessThanOrEqual(result.history[0].seconds);
    expect(600 / result.trainImagesPerSecond).toBeGreaterThan(0);
    expect(result.test.count).toBe(600);
    // Ten steps on 600 images already beat chance (10%) clearly.
    expect(result.test.accuracy).toBeGreaterThan(0.25);
    expect(readdirSync(modelDir).sort()).toEqual(['metadata.json', 'model.json', 'run.json', 'weights.bin']);
    const run = JSON.parse(readFileSync(join(modelDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ command: 'train', status: 'complete', seed: 3, workers: 1, completed: ['.'] });
    expect(run.data).toMatchObject({ limit: 600, validationFraction: 0, counts: { train: 600, validation: 0 } });
    expect(run.models.linear).toMatchObject({ path: '.', parameters: 7850, epochs: 1 });
    expect(run.models.linear.test).toEqual(result.test);
    expect(run.models.linear.residentMiBAfterEpoch).toHaveLength(1);

    const onCpu = await fmnist(['eval', '--model-dir', modelDir, '--backend', 'cpu', '--json']);
    expect(onCpu.code).toBe(0);
    const cpuResult = lastJson(onCpu.stdout);
    expect(cpuResult).toMatchObject({ model: 'linear', backend: 'cpu', modelDir });
    expect(cpuResult.test.count).toBe(10_000);
    expect(cpuResult.test.accuracy).toBeGreaterThan(0.25);
    expect(cpuResult.test.confusionMatrix.flat().reduce((sum: number, count: number) => sum + count, 0)).toBe(10_000);
    const onWasm = lastJson(
      (await fmnist(['eval', '--model-dir', modelDir, '--backend', 'wasm', '--workers', '1', '--json'])).stdout,
    );
    expect(onWasm.backend).toBe('wasm');
    expect(Math.abs(onWasm.test.accuracy - cpuResult.test.accuracy)).toBeLessThanOrEqual(0.001);
    // The calling thread and a worker share the batches: the same predictions as one thread.
    const onTwoThreads = lastJson(
      (await fmnist(['eval', '--model-dir', modelDir, '--backend', 'wasm', '--workers', '2', '--json'])).stdout,
    );
    expect(onTwoThreads.test.confusionMatrix).toEqual(onWasm.test.confusionMatrix);
    expect(onTwoThreads.test.logLoss).toBeCloseTo(onWasm.test.logLoss, 5);
  });

  it('trains the default CNN (dropout, augmentation, 2 workers) to the same weights for the same seed', async () => {
    const weightsFor = async (name: string, seed: string): Promise<Buffer> => {
      const modelDir = join(root, name);
      const args = ['train', '--model', 'cnn', '--limit', '256', '--epochs', '1', '--workers', '2'];
      const result = await fmnist([...args, '--seed', seed, '--out', modelDir, '--json']);
      expect(result.code).toBe(0);
      expect(lastJson(result.stdout)).toMatchObject({ model: 'cnn', workers: 2 });
      return readFileSync(join(modelDir, 'weights.bin'));
    };
    const first = await weightsFor('cnn-a', '5');
    expect((await weightsFor('cnn-b', '5')).equals(first)).toBe(true);
    expect((await weightsFor('cnn-c', '6')).equals(first)).toBe(false);
  });

  it("scores a model through its recipe's test-time views, and with --no-test-time-augmentation the image alone", async () => {
    const modelDir = join(root, 'cnn-views');
    const trained = await fmnist([
      ...['train', '--model', 'cnn', '--limit', '256', '--epochs', '1', '--workers', '2', '--out', modelDir],
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const views = getPreset('standard').cnn.testTimeAugmentation;
    const metadata = JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8'));
    expect(metadata.testTimeAugmentation).toEqual(views);
    const evalArgs = ['eval', '--model-dir', modelDir, '--backend', 'wasm', '--workers', '2', '--json'];
    const averaged = await fmnist(evalArgs);
    expect(averaged.code, averaged.stderr).toBe(0);
    expect(averaged.stderr).toContain('averaging 10 views of each');
    const withViews = lastJson(averaged.stdout);
    expect(withViews.testTimeAugmentation).toEqual(views);
    const alone = await fmnist([...evalArgs, '--no-test-time-augmentation']);
    expect(alone.code, alone.stderr).toBe(0);
    const single = lastJson(alone.stdout);
    expect(single.testTimeAugmentation).toBeUndefined();
    expect(single.test.count).toBe(withViews.test.count);
    expect(single.test.logLoss).not.toBeCloseTo(withViews.test.logLoss, 6);
  });

  it('builds and trains with the --preset’s recipe, records it, and an explicit --epochs wins', async () => {
    const quick = getPreset('quick').cnn;
    const modelDir = join(root, 'cnn-quick');
    const trained = await fmnist([
      ...['train', '--model', 'cnn', '--preset', 'quick', '--limit', '100', '--workers', '1', '--seed', '2'],
      ...['--out', modelDir, '--json'],
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(lastJson(trained.stdout)).toMatchObject({ model: 'cnn', preset: 'quick', epochs: quick.train.epochs });
    const run = JSON.parse(readFileSync(join(modelDir, 'run.json'), 'utf8'));
    expect(run.preset).toBe('quick');
    // train holds no validation data, so a preset's early stopping is left out.
    const { earlyStopping: _, ...quickTrain } = quick.train;
    expect(run.models.cnn.options).toEqual({ ...quickTrain, seed: 2, workers: 1 });
    expect(run.models.cnn.model).toEqual({ ...quick.model, seed: 2 });
    const metadata = JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8'));
    expect(metadata.training.options.epochs).toBe(quick.train.epochs);
    expect(metadata.training.history.epochs).toHaveLength(quick.train.epochs!);
    expect(metadata.model).toEqual({ ...quick.model, seed: 2 });

    const linearDir = join(root, 'linear-quick');
    const overridden = await fmnist([
      ...['train', '--model', 'linear', '--preset', 'quick', '--epochs', '1', '--limit', '100', '--workers', '1'],
      ...['--out', linearDir],
    ]);
    expect(overridden.code, overridden.stderr).toBe(0);
    const options = JSON.parse(readFileSync(join(linearDir, 'metadata.json'), 'utf8')).training.options;
    const { earlyStopping: __, ...linearTrain } = getPreset('quick').linear.train;
    expect(options).toEqual({ ...linearTrain, epochs: 1, seed: 0, workers: 1 });
  });

  it('rejects an unknown --preset, naming the valid ones (exit 2)', async () => {
    const result = await fmnist(['train', '--model', 'cnn', '--preset', 'fastest']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "fmnist: --preset must be one of quick, standard, best, got 'fastest' [E_CLI_USAGE]",
    );
  });

  it('rejects a missing or unknown --model with a usage error (exit 2)', async () => {
    const missing = await fmnist(['train', '--epochs', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('fmnist: --model is required: one of linear, mlp, cnn [E_CLI_USAGE]');
    expect((await fmnist(['train', '--model', 'rnn'])).stderr).toContain(
      "--model must be one of linear, mlp, cnn, got 'rnn'",
    );
  });

  it('names the missing model directory in one line (exit 1)', async () => {
    const result = await fmnist(['eval', '--model-dir', join(root, 'nowhere'), '--backend', 'cpu']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(
      /^fmnist: .*nowhere does not exist.*\[E_MODELS_FILE_MISSING\]$/,
    );
  });
});
