/**
 * `fmnist bench`: trains a reference model (docs/reference-models.md) on the real data and reports training and
 * inference images/s and test accuracy; with --against-pytorch it runs the PyTorch reference with the same settings in
 * the same run and reports the ratios.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeNormalization, type FashionMnistSplit, loadFashionMnist, normalizeImages } from '@fmnist/dataset';
import {
  type BenchmarkResult,
  benchmarkReferenceModel,
  type LabelledImages,
  MODEL_KINDS,
  type ModelKind,
  REFERENCE_INITIALISATIONS,
  selectBackend,
} from '@fmnist/models';
import { defineCommand } from 'citty';
import { BACKEND_NAMES, backendArgs, dataArgs, outputArgs, parseChoiceFlag, parseIntegerFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { createReporter, type Reporter } from '../progress.js';
import { handleInterruption } from '../signals.js';

/** Debian's interpreter, which has python3-torch (the `python3` on PATH may be another one). */
const PYTHON = '/usr/bin/python3';
/** apps/cli/bench/torch_fmnist.py, the PyTorch reference; found from src/commands (tests) and dist (the binary). */
const TORCH_SCRIPT_CANDIDATES = ['../../bench/torch_fmnist.py', '../bench/torch_fmnist.py'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);

const args = {
  model: { type: 'string', description: `Reference model: ${MODEL_KINDS.join(', ')}`, default: 'cnn', valueHint: 'M' },
  epochs: { type: 'string', description: 'Training epochs', default: '1', valueHint: 'N' },
  limit: { type: 'string', description: 'Train on the first N training images', default: '60000', valueHint: 'N' },
  ...backendArgs,
  workers: {
    type: 'string',
    description: 'Training worker threads (and PyTorch threads): auto (one per core) or a number',
    default: 'auto',
    valueHint: 'N',
  },
  seed: {
    type: 'string',
    description: 'Seed of the initial weights and the shuffling (ours and PyTorch’s; the two draw differently)',
    default: '0',
    valueHint: 'S',
  },
  init: {
    type: 'string',
    description: `Initial weights of the reference model: ${REFERENCE_INITIALISATIONS.join(', ')} (tfjs: Glorot uniform, zero biases, as MODELS.md asks; pytorch: PyTorch's defaults)`,
    default: 'tfjs',
    valueHint: 'I',
  },
  'against-pytorch': {
    type: 'boolean',
    description: `Also run the PyTorch reference (${PYTHON}, same model, data, epochs, limit and threads) and print ratios`,
  },
  ...dataArgs,
  ...outputArgs,
} as const;

interface PytorchFigures {
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  testAccuracy: number;
  engine: string;
}

function labelled(split: FashionMnistSplit, normalization: { mean: number; std: number }, count: number) {
  const images = normalizeImages(split.images.subarray(0, count * split.rows * split.cols), normalization);
  return { images, labels: split.labels.subarray(0, count), count } satisfies LabelledImages;
}

/** Runs the PyTorch script; resolves undefined (with the reason logged) when PyTorch or the script is unavailable. */
function runPytorch(
  options: { model: ModelKind; epochs: number; limit: number; threads: number; dataDir: string; seed: number },
  reporter: Reporter,
  signal: AbortSignal,
): Promise<PytorchFigures | undefined> {
  const script = TORCH_SCRIPT_CANDIDATES.find((path) => existsSync(path));
  if (!existsSync(PYTHON) || !script) {
    reporter.warn(
      `PyTorch comparison skipped: ${existsSync(PYTHON) ? 'torch_fmnist.py is missing from this install' : `${PYTHON} not found`} (install Debian's python3-torch)`,
    );
    return Promise.resolve(undefined);
  }
  const argv = [
    script,
    ...['--model', options.model, '--epochs', String(options.epochs), '--limit', String(options.limit)],
    ...['--threads', String(options.threads), '--data-dir', options.dataDir, '--seed', String(options.seed)],
  ];
  reporter.debug(`running ${PYTHON} ${argv.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(PYTHON, argv, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      reporter.warn(`PyTorch comparison skipped: ${error.message}`);
      resolve(undefined);
    });
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(stderr.trim().split('\n').at(-1) || `exit code ${code}`);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        resolve({
          trainImagesPerSecond: Number(parsed.train_images_per_s),
          inferImagesPerSecond: Number(parsed.infer_images_per_s),
          testAccuracy: Number(parsed.test_accuracy),
          engine: String(parsed.engine),
        });
      } catch (error) {
        const reason = /No module named 'torch'/.test(stderr)
          ? `PyTorch is not installed for ${PYTHON} (install Debian's python3-torch)`
          : `the PyTorch script failed: ${(error as Error).message}`;
        reporter.warn(`PyTorch comparison skipped: ${reason}`);
        resolve(undefined);
      }
    });
  });
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export default defineCommand({
  meta: {
    name: 'bench',
    description: 'Train a reference model on the real data and report images/s and accuracy (optionally vs PyTorch)',
  },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const model = parseChoiceFlag('model', values.model, MODEL_KINDS) ?? 'cnn';
    const epochs = parseIntegerFlag('epochs', values.epochs, { min: 1, max: 100 }) ?? 1;
    const limit = parseIntegerFlag('limit', values.limit, { min: 64, max: 60000 }) ?? 60000;
    const backend = parseChoiceFlag('backend', values.backend, BACKEND_NAMES) ?? 'auto';
    const seed = parseIntegerFlag('seed', values.seed, { min: 0, max: 2 ** 31 - 1 }) ?? 0;
    const initialisation = parseChoiceFlag('init', values.init, REFERENCE_INITIALISATIONS) ?? 'tfjs';
    const workersText = values.workers ?? 'auto';
    if (workersText !== 'auto' && !/^\d+$/.test(workersText)) {
      throw new UsageError(`--workers must be auto or a whole number from 1 to 64, got '${workersText}'`);
    }
    const workers =
      workersText === 'auto' ? 'auto' : (parseIntegerFlag('workers', workersText, { min: 1, max: 64 }) ?? 1);
    const interruption = handleInterruption({ onInterrupt: () => reporter.info('stopping after the current step') });
    try {
      const selected = await selectBackend(backend);
      reporter.info(`backend: ${selected.reason}`);
      const dataDir = values['data-dir'];
      const [trainSplit, testSplit] = await Promise.all([
        loadFashionMnist({ split: 'train', ...(dataDir ? { dataDir } : {}) }),
        loadFashionMnist({ split: 'test', ...(dataDir ? { dataDir } : {}) }),
      ]);
      // Standardised with the whole training set's mean and std, as the PyTorch script does.
      const normalization = computeNormalization(trainSplit.images);
      const trainData = labelled(trainSplit, normalization, Math.min(limit, trainSplit.count));
      const testData = labelled(testSplit, normalization, testSplit.count);

      let peakRss = process.memoryUsage.rss();
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }, 200);
      let ours: BenchmarkResult;
      try {
        reporter.info(`training the reference ${model} on ${trainData.count} images, ${epochs} epoch(s), batch 64`);
        const progress = reporter.training(`${model} (${selected.name})`, epochs);
        ours = await benchmarkReferenceModel(model, trainData, testData, {
          epochs,
          workers,
          seed,
          initialisation,
          onBatchEnd: (p) => progress.onBatchEnd(p),
          onEpochEnd: (e) => progress.onEpochEnd(e),
          signal: interruption.signal,
        });
        progress.finish();
      } finally {
        clearInterval(sampler);
      }
      interruption.throwIfInterrupted();
      peakRss = Math.max(peakRss, process.memoryUsage.rss());

      let pytorch: PytorchFigures | undefined;
      if (values['against-pytorch']) {
        const threads = ours.workers;
        reporter.info(`running the PyTorch reference on ${threads} thread(s)`);
        const dir = trainSplit.source?.dir ?? dataDir ?? '/usr/share/datasets/fashion-mnist';
        pytorch = await runPytorch(
          { model, epochs, limit: trainData.count, threads, dataDir: dir, seed },
          reporter,
          interruption.signal,
        );
        interruption.throwIfInterrupted();
      }

      const result = {
        model,
        initialisation,
        seed,
        backend: ours.backend,
        workers: ours.workers,
        epochs: ours.epochs,
        trainImages: ours.trainImages,
        trainImagesPerSecond: round(ours.trainImagesPerSecond, 1),
        inferImagesPerSecond: round(ours.inferImagesPerSecond, 1),
        testAccuracy: round(ours.testAccuracy, 4),
        trainSeconds: round(ours.trainSeconds, 2),
        peakRssMiB: round(peakRss / 2 ** 20, 1),
        ...(pytorch
          ? {
              pytorch: {
                engine: pytorch.engine,
                trainImagesPerSecond: pytorch.trainImagesPerSecond,
                inferImagesPerSecond: pytorch.inferImagesPerSecond,
                testAccuracy: pytorch.testAccuracy,
              },
              ratio: {
                train: round(ours.trainImagesPerSecond / pytorch.trainImagesPerSecond, 3),
                infer: round(ours.inferImagesPerSecond / pytorch.inferImagesPerSecond, 3),
              },
            }
          : {}),
      };
      reporter.result(result, () => {
        const lines = [
          `${model} on ${result.backend}, ${result.workers} worker(s), ${result.trainImages} images x ${result.epochs} epoch(s):`,
          `  training   ${result.trainImagesPerSecond.toFixed(0)} images/s (${result.trainSeconds} s)`,
          `  inference  ${result.inferImagesPerSecond.toFixed(0)} images/s (10,000 test images, batches of 256)`,
          `  accuracy   ${(result.testAccuracy * 100).toFixed(2)}% on the test set`,
          `  memory     ${result.peakRssMiB} MiB peak resident`,
        ];
        if (pytorch && result.ratio) {
          lines.push(
            `${pytorch.engine}, ${result.workers} thread(s):`,
            `  training   ${pytorch.trainImagesPerSecond.toFixed(0)} images/s (ratio ${result.ratio.train})`,
            `  inference  ${pytorch.inferImagesPerSecond.toFixed(0)} images/s (ratio ${result.ratio.infer})`,
            `  accuracy   ${(pytorch.testAccuracy * 100).toFixed(2)}%`,
          );
        }
        return lines;
      });
    } finally {
      interruption.dispose();
    }
  },
});
