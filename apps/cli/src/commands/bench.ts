/**
 * `fmnist bench`: trains a reference model (docs/reference-models.md) on the real data and reports training and
 * inference images/s and test accuracy, once per worker count (`--workers 1,2`); with --against-pytorch it runs the
 * PyTorch reference with the same settings and as many threads after each, and reports the ratios at each count and
 * against PyTorch's fastest thread count.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeNormalization, type DatasetSplit, normalizeImages } from '@fmnist/dataset';
import {
  type BenchmarkResult,
  benchmarkReferenceModel,
  kernelVariant,
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
  parseWorkerCounts,
  seedArgs,
  textFlag,
  workersArgs,
} from '../args.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter, type Reporter } from '../progress.js';
import { dataRecord, loadRunData, peakResidentMiB, RunRecorder, residentMiB, writeRunRecord } from '../run.js';
import { type BenchRecord, type BenchRunRecord, type PytorchBestRecord, RUN_RECORD_FILE } from '../run-record.js';
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
  workers: {
    ...workersArgs.workers,
    description: `${workersArgs.workers.description}; a comma list (1,2) runs once per count; PyTorch gets as many`,
    valueHint: 'N[,N...]',
  },
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

/**
 * The first `count` images of `split`, standardized (the PyTorch script takes the same ones), in shared memory so that
 * workers read them without a copy.
 */
function firstImages(split: DatasetSplit, normalization: { mean: number; std: number }, count: number) {
  const images = normalizeImages(split.images.subarray(0, count * split.rows * split.cols), normalization, {
    shared: true,
  });
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

interface Throughput {
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
}

/** Ours divided by theirs, for training and inference images per second. */
function ratioOf(ours: Throughput, theirs: Throughput): { train: number; infer: number } {
  return {
    train: round(ours.trainImagesPerSecond / theirs.trainImagesPerSecond, 3),
    infer: round(ours.inferImagesPerSecond / theirs.inferImagesPerSecond, 3),
  };
}

function parseOptions(values: FlagValues) {
  const options = {
    model: parseModelKind(values) ?? 'cnn',
    epochs: parseEpochs(values) ?? 1,
    limit: parseLimit(values),
    backend: parseBackend(values),
    seed: parseSeed(values),
    workerCounts: parseWorkerCounts(values),
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

type BenchOptions = ReturnType<typeof parseOptions>;

/** One worker count's figures: ours, then PyTorch's on as many threads. */
interface CountRun {
  ours: BenchmarkResult;
  residentMiBAfterEpoch: number[];
  /** The process's high-water mark when this count finished. */
  peakResidentMiB: number;
  pytorch?: PytorchFigures;
  ratio?: { train: number; infer: number };
}

/** What every count shares: the settings, the prepared images, where PyTorch reads them, and how to report. */
interface CountContext {
  options: BenchOptions;
  backendName: string;
  trainData: LabeledImages;
  testData: LabeledImages;
  pytorchDataDir: string;
  recorder: RunRecorder;
  reporter: Reporter;
  signal: AbortSignal;
  throwIfInterrupted: () => void;
}

/** Trains and tests the reference model on `workers` threads, then (--against-pytorch) PyTorch on as many. */
async function runCount(workers: 'auto' | number, stage: string, context: CountContext): Promise<CountRun> {
  const { options, trainData, testData, reporter } = context;
  const { model, epochs, seed, initialization } = options;
  reporter.info(
    `training the reference ${model} on ${trainData.count} images, ${epochs} epoch(s), batch 64, ` +
      `${workers === 'auto' ? 'one worker per core' : `${workers} worker(s)`}`,
  );
  const progress = reporter.training(`${model} (${context.backendName}, workers ${workers})`, epochs);
  const residentMiBAfterEpoch: number[] = [];
  let ours: BenchmarkResult;
  try {
    ours = await context.recorder.time(stage, () =>
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
        signal: context.signal,
      }),
    );
  } finally {
    progress.finish();
  }
  context.throwIfInterrupted();
  const run: CountRun = { ours, residentMiBAfterEpoch, peakResidentMiB: peakResidentMiB() };
  if (options.againstPytorch) {
    const threads = ours.workers;
    reporter.info(`running the PyTorch reference on ${threads} thread(s)`);
    const pytorch = await runPytorch(
      { model, epochs, limit: trainData.count, threads, dataDir: context.pytorchDataDir, seed },
      reporter,
      context.signal,
    );
    context.throwIfInterrupted();
    if (pytorch) return { ...run, pytorch, ratio: ratioOf(ours, pytorch) };
  }
  return run;
}

/** PyTorch's thread count with the most training images/s among those measured, or undefined when none ran. */
function pytorchBestOf(runs: CountRun[]): PytorchBestRecord | undefined {
  let best: PytorchBestRecord | undefined;
  for (const { ours, pytorch } of runs) {
    if (pytorch && (!best || pytorch.trainImagesPerSecond > best.trainImagesPerSecond)) {
      best = {
        threads: ours.workers,
        trainImagesPerSecond: pytorch.trainImagesPerSecond,
        inferImagesPerSecond: pytorch.inferImagesPerSecond,
      };
    }
  }
  return best;
}

function runRecordOf(run: CountRun): BenchRunRecord {
  const { ours } = run;
  return {
    workers: ours.workers,
    trainImagesPerSecond: ours.trainImagesPerSecond,
    inferImagesPerSecond: ours.inferImagesPerSecond,
    testAccuracy: ours.testAccuracy,
    trainSeconds: ours.trainSeconds,
    residentMiBAfterEpoch: run.residentMiBAfterEpoch,
    peakResidentMiB: run.peakResidentMiB,
    ...(run.pytorch && run.ratio ? { pytorch: run.pytorch, ratio: run.ratio } : {}),
  };
}

/** A count's figures as --json prints them (rounded). */
function runResultOf(run: CountRun) {
  const { ours } = run;
  return {
    workers: ours.workers,
    trainImagesPerSecond: round(ours.trainImagesPerSecond, 1),
    inferImagesPerSecond: round(ours.inferImagesPerSecond, 1),
    testAccuracy: round(ours.testAccuracy, 4),
    trainSeconds: round(ours.trainSeconds, 2),
    peakRssMiB: run.peakResidentMiB,
    ...(run.pytorch && run.ratio ? { pytorch: run.pytorch, ratio: run.ratio } : {}),
  };
}

/** The lines for people: each count's figures and PyTorch's, then the ratios to PyTorch's best thread count. */
function humanLines(
  runs: CountRun[],
  header: string,
  best: PytorchBestRecord | undefined,
  peakRssMiB: number,
): string[] {
  const lines = [header];
  for (const { ours, pytorch, ratio } of runs) {
    const tested = ours.testImages.toLocaleString('en-US');
    lines.push(
      `${ours.workers} worker(s):`,
      `  training   ${ours.trainImagesPerSecond.toFixed(0)} images/s (${round(ours.trainSeconds, 2)} s)`,
      `  inference  ${ours.inferImagesPerSecond.toFixed(0)} images/s (${tested} test images, batches of 256)`,
      `  accuracy   ${(ours.testAccuracy * 100).toFixed(2)}% on the test set`,
    );
    if (pytorch && ratio) {
      lines.push(
        `${pytorch.engine}, ${ours.workers} thread(s):`,
        `  training   ${pytorch.trainImagesPerSecond.toFixed(0)} images/s (ratio ${ratio.train})`,
        `  inference  ${pytorch.inferImagesPerSecond.toFixed(0)} images/s (ratio ${ratio.infer})`,
        `  accuracy   ${(pytorch.testAccuracy * 100).toFixed(2)}%`,
      );
    }
  }
  if (best) {
    lines.push(
      `PyTorch's best: ${best.threads} thread(s), ${best.trainImagesPerSecond.toFixed(0)} training and ` +
        `${best.inferImagesPerSecond.toFixed(0)} inference images/s; ours against it:`,
      ...runs.map(({ ours }) => {
        const ratio = ratioOf(ours, best);
        return `  ${ours.workers} worker(s)  training ratio ${ratio.train}, inference ratio ${ratio.infer}`;
      }),
    );
  }
  lines.push(`memory       ${peakRssMiB} MiB peak resident (the whole run)`);
  return lines;
}

export default defineCommand({
  meta: {
    name: 'bench',
    description: 'Train a reference model; report images/s and accuracy, optionally against PyTorch',
  },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const options = parseOptions(values);
    const { model, epochs, seed, workerCounts, initialization, outDir, dataDir } = options;
    const firstCount = workerCounts[0] ?? 'auto';
    const recorder = new RunRecorder({ command: 'bench', seed, workers: firstCount, backend: options.backend });
    const interruption = handleInterruption({ onInterrupt: () => reporter.info('stopping after the current step') });
    try {
      const selected = await selectBackend(options.backend);
      recorder.selectedBackend(selected);
      reporter.info(`backend: ${selected.reason}`);
      const variant = kernelVariant();
      reporter.info(`Node ${process.version}, kernel module: ${variant}`);
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

      const context: CountContext = {
        options,
        backendName: selected.name,
        trainData,
        testData,
        pytorchDataDir: data.train.source?.dir ?? dataDir ?? '/usr/share/datasets/fashion-mnist',
        recorder,
        reporter,
        signal: interruption.signal,
        throwIfInterrupted: () => interruption.throwIfInterrupted(),
      };
      const runs: CountRun[] = [];
      for (const [index, workers] of workerCounts.entries()) {
        // The first count keeps the `<kind>Seconds` timing of a single-count run.
        const stage = index === 0 ? model : `${model}Workers${workers}`;
        runs.push(await runCount(workers, stage, context));
      }

      const first = runs[0] as CountRun;
      const { ours } = first;
      recorder.models[model] = {
        options: { epochs, batchSize: 64, learningRate: 1e-3, seed, workers: firstCount, initialization },
        epochs: ours.epochs,
        bestEpoch: ours.epochs,
        stoppedEarly: false,
        backend: ours.backend,
        workers: ours.workers,
        trainSeconds: ours.trainSeconds,
        trainImagesPerSecond: ours.trainImagesPerSecond,
        inferImagesPerSecond: ours.inferImagesPerSecond,
        residentMiBAfterEpoch: first.residentMiBAfterEpoch,
        test: { count: ours.testImages, accuracy: ours.testAccuracy },
      };
      if (first.pytorch && first.ratio) recorder.pytorch = { ...first.pytorch, ratio: first.ratio };
      const pytorchBest = pytorchBestOf(runs);
      const ratioToPytorchBest =
        pytorchBest && runs.map((run) => ({ workers: run.ours.workers, ...ratioOf(run.ours, pytorchBest) }));
      const bench: BenchRecord = {
        kernelVariant: variant,
        runs: runs.map(runRecordOf),
        ...(pytorchBest && ratioToPytorchBest ? { pytorchBest, ratioToPytorchBest } : {}),
      };

      const peakRssMiB = peakResidentMiB();
      const result = {
        // The first count's figures, as a single-count run prints them.
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
        peakRssMiB,
        ...(first.pytorch && first.ratio ? { pytorch: first.pytorch, ratio: first.ratio } : {}),
        node: process.version,
        kernelVariant: variant,
        runs: runs.map(runResultOf),
        ...(pytorchBest && ratioToPytorchBest ? { pytorchBest, ratioToPytorchBest } : {}),
      };
      if (outDir) await writeRunRecord(outDir, { ...recorder.record('complete'), bench });
      const header =
        `${model} on ${ours.backend} (kernel module ${variant}, Node ${process.version}), ` +
        `${ours.trainImages} images x ${ours.epochs} epoch(s):`;
      reporter.result(result, () => humanLines(runs, header, pytorchBest, peakRssMiB));
    } finally {
      interruption.dispose();
    }
  },
});
