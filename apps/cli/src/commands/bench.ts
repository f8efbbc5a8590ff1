/**
 * `fmnist bench`: trains a reference model (docs/reference-models.md) on the real data and reports training and
 * inference images/s and test accuracy; with --against-pytorch it runs the PyTorch reference with the same settings in
 * the same run and reports the ratios.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeNormalization, type DatasetSplit, normalizeImages } from '@fmnist/dataset';
import {
  type BenchmarkResult,
  benchmarkReferenceModel,
  type LabeledImages,
  type ModelKind,
  REFERENCE_INITIALIZATIONS,
  selectBackend,
} from '@fmnist/models';
import { defineCommand } from 'citty';
import {
  backendArgs,
  dataArgs,
  epochsArgs,
  type FlagValues,
  limitArgs,
  MAX_LIMIT,
  MIN_LIMIT,
  modelArgs,
  outArgs,
  outputArgs,
  parseBackend,
  parseChoiceFlag,
  parseDataDir,
  parseEpochs,
  parseLimit,
  parseModelKind,
  parseOut,
  parseSeed,
  parseWorkers,
  seedArgs,
  textFlag,
  workersArgs,
} from '../args.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter, type Reporter } from '../progress.js';
import { dataRecord, loadRunData, peakResidentMiB, RunRecorder, residentMiB, writeRunRecord } from '../run.js';
import { RUN_RECORD_FILE } from '../run-record.js';
import { handleInterruption } from '../signals.js';

/** Debian's interpreter, which has python3-torch (the `python3` on PATH may be another one). */
const PYTHON = '/usr/bin/python3';
/** apps/cli/bench/torch_fmnist.py, the PyTorch reference; found from src/commands (tests) and dist (the binary). */
const TORCH_SCRIPT_CANDIDATES = ['../../bench/torch_fmnist.py', '../bench/torch_fmnist.py'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);

const args = {
  model: { ...modelArgs.model, description: `${modelArgs.model.description} (default: cnn)` },
  epochs: { ...epochsArgs.epochs, description: 'Training epochs (default: 1)' },
  limit: {
    ...limitArgs.limit,
    description: `Train on the first N training images, as PyTorch does (${MIN_LIMIT} to ${MAX_LIMIT}; default: all)`,
  },
  ...backendArgs,
  workers: { ...workersArgs.workers, description: `${workersArgs.workers.description}; PyTorch gets as many` },
  ...seedArgs,
  init: {
    type: 'string',
    description:
      `Initial weights: ${REFERENCE_INITIALIZATIONS.join(', ')} ` +
      "(tfjs: Glorot uniform, zero biases; pytorch: PyTorch's defaults)",
    default: 'tfjs',
    valueHint: 'I',
  },
  'against-pytorch': {
    type: 'boolean',
    description: `Also run the PyTorch reference (${PYTHON}, same model, data, epochs, threads); print ratios`,
  },
  ...outArgs('Folder, new or empty, to write run.json to (default: none)'),
  ...dataArgs,
  ...outputArgs,
} as const;

interface PytorchFigures {
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  testAccuracy: number;
  engine: string;
}

/** The first `count` images of `split`, standardized (the PyTorch script takes the same ones). */
function firstImages(split: DatasetSplit, normalization: { mean: number; std: number }, count: number) {
  const images = normalizeImages(split.images.subarray(0, count * split.rows * split.cols), normalization);
  return { images, labels: split.labels.subarray(0, count), count } satisfies LabeledImages;
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

function parseOptions(values: FlagValues) {
  const options = {
    model: parseModelKind(values) ?? 'cnn',
    epochs: parseEpochs(values) ?? 1,
    limit: parseLimit(values),
    backend: parseBackend(values),
    seed: parseSeed(values),
    workers: parseWorkers(values),
    initialization: parseChoiceFlag('init', textFlag(values, 'init'), REFERENCE_INITIALIZATIONS) ?? 'tfjs',
    againstPytorch: Boolean(values['against-pytorch']),
    outDir: parseOut(values),
    dataDir: parseDataDir(values),
  };
  if (options.outDir) {
    checkOutputFolder('out', options.outDir, { kind: 'fresh', runFiles: [RUN_RECORD_FILE, 'metrics.json'] });
  }
  return options;
}

export default defineCommand({
  meta: {
    name: 'bench',
    description: 'Train a reference model; report images/s and accuracy, optionally against PyTorch',
  },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const { model, epochs, seed, workers, initialization, outDir, dataDir, ...options } = parseOptions(values);
    const recorder = new RunRecorder({ command: 'bench', seed, workers, backend: options.backend });
    const interruption = handleInterruption({ onInterrupt: () => reporter.info('stopping after the current step') });
    try {
      const selected = await selectBackend(options.backend);
      recorder.selectedBackend(selected);
      reporter.info(`backend: ${selected.reason}`);
      const data = await recorder.time('load', () => loadRunData({ dataDir, signal: interruption.signal }));
      // Standardized with the whole training set's mean and std, as the PyTorch script does.
      const normalization = computeNormalization(data.train.images);
      const trainData = firstImages(data.train, normalization, Math.min(options.limit ?? MAX_LIMIT, data.train.count));
      const testData = firstImages(data.test, normalization, data.test.count);
      recorder.data = dataRecord(data, {
        limit: options.limit ?? null,
        selection: 'first',
        validationFraction: 0,
        counts: { train: trainData.count, validation: 0, test: testData.count },
        normalization,
      });

      reporter.info(`training the reference ${model} on ${trainData.count} images, ${epochs} epoch(s), batch 64`);
      const progress = reporter.training(`${model} (${selected.name})`, epochs);
      const residentMiBAfterEpoch: number[] = [];
      let ours: BenchmarkResult;
      try {
        ours = await recorder.time(model, () =>
          benchmarkReferenceModel(model, trainData, testData, {
            epochs,
            workers,
            seed,
            initialization,
            onBatchEnd: (batch) => progress.onBatchEnd(batch),
            onEpochEnd: (epoch) => {
              residentMiBAfterEpoch.push(residentMiB());
              progress.onEpochEnd(epoch);
            },
            signal: interruption.signal,
          }),
        );
      } finally {
        progress.finish();
      }
      interruption.throwIfInterrupted();
      recorder.models[model] = {
        options: { epochs, batchSize: 64, learningRate: 1e-3, seed, workers, initialization },
        epochs: ours.epochs,
        bestEpoch: ours.epochs,
        stoppedEarly: false,
        backend: ours.backend,
        workers: ours.workers,
        trainSeconds: ours.trainSeconds,
        trainImagesPerSecond: ours.trainImagesPerSecond,
        inferImagesPerSecond: ours.inferImagesPerSecond,
        residentMiBAfterEpoch,
        test: { count: ours.testImages, accuracy: ours.testAccuracy },
      };

      let pytorch: PytorchFigures | undefined;
      if (options.againstPytorch) {
        const threads = ours.workers;
        reporter.info(`running the PyTorch reference on ${threads} thread(s)`);
        const dir = data.train.source?.dir ?? dataDir ?? '/usr/share/datasets/fashion-mnist';
        pytorch = await runPytorch(
          { model, epochs, limit: trainData.count, threads, dataDir: dir, seed },
          reporter,
          interruption.signal,
        );
        interruption.throwIfInterrupted();
      }

      const ratio = pytorch && {
        train: round(ours.trainImagesPerSecond / pytorch.trainImagesPerSecond, 3),
        infer: round(ours.inferImagesPerSecond / pytorch.inferImagesPerSecond, 3),
      };
      if (pytorch && ratio) recorder.pytorch = { ...pytorch, ratio };
      const result = {
        model,
        initialization,
        seed,
        backend: ours.backend,
        workers: ours.workers,
        epochs: ours.epochs,
        trainImages: ours.trainImages,
        trainImagesPerSecond: round(ours.trainImagesPerSecond, 1),
        inferImagesPerSecond: round(ours.inferImagesPerSecond, 1),
        testAccuracy: round(ours.testAccuracy, 4),
        trainSeconds: round(ours.trainSeconds, 2),
        peakRssMiB: peakResidentMiB(),
        ...(pytorch && ratio ? { pytorch, ratio } : {}),
      };
      if (outDir) await writeRunRecord(outDir, recorder.record('complete'));
      reporter.result(result, () => {
        const lines = [
          `${model} on ${result.backend}, ${result.workers} worker(s), ${result.trainImages} images x ${result.epochs} epoch(s):`,
          `  training   ${result.trainImagesPerSecond.toFixed(0)} images/s (${result.trainSeconds} s)`,
          `  inference  ${result.inferImagesPerSecond.toFixed(0)} images/s (10,000 test images, batches of 256)`,
          `  accuracy   ${(result.testAccuracy * 100).toFixed(2)}% on the test set`,
          `  memory     ${result.peakRssMiB} MiB peak resident`,
        ];
        if (pytorch && ratio) {
          lines.push(
            `${pytorch.engine}, ${result.workers} thread(s):`,
            `  training   ${pytorch.trainImagesPerSecond.toFixed(0)} images/s (ratio ${ratio.train})`,
            `  inference  ${pytorch.inferImagesPerSecond.toFixed(0)} images/s (ratio ${ratio.infer})`,
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
