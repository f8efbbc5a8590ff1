/**
 * The orchestration compare, train and bench share: load the data (and record which files, by SHA-256), normalize
 * and split it, train a model while measuring memory, test and save it, and keep the run record (run.json).
 */
import { existsSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CLASS_NAMES,
  type DatasetSplit,
  FASHION_MNIST_FILES,
  loadFashionMnist,
  type NormalizedExamples,
  type PreparedSplits,
  prepareSplits,
} from '@fmnist/dataset';
import { removeOwnTemporaries, writeJsonAtomic } from '@fmnist/internal/node';
import {
  countParameters,
  createModel,
  evaluate,
  type ModelEvaluation,
  type ModelKind,
  type ModelOptions,
  type PredictOptions,
  saveModel,
  type TestTimeAugmentation,
  type TrainingHistory,
  type TrainOptions,
  train,
} from '@fmnist/models';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { InterruptedError } from './errors.js';
import { plural, type Reporter } from './progress.js';
import {
  type BackendRecord,
  type DataFileRecord,
  type DataRecord,
  type ModelRecord,
  type PytorchRecord,
  RUN_RECORD_FILE,
  RUN_RECORD_FORMAT_VERSION,
  type RunCommand,
  type RunRecord,
  type RunTimings,
} from './run-record.js';
import type { Interruption } from './signals.js';
import { packageVersions } from './versions.js';

/** A new folder under ./runs named for now (`<prefix>2026-01-31T12-00-00Z`, `-2` and on if taken): a run's default. */
export function defaultRunFolder(prefix = ''): string {
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  let candidate = resolve('runs', `${prefix}${stamp}`);
  for (let suffix = 2; existsSync(candidate); suffix++) candidate = resolve('runs', `${prefix}${stamp}-${suffix}`);
  return candidate;
}

/** The process's resident memory now (main thread and workers together), in MiB with one decimal. */
export function residentMiB(): number {
  return Math.round((process.memoryUsage.rss() / 2 ** 20) * 10) / 10;
}

/** The most memory the process has held so far (the kernel's high-water mark, as `time -v` reports), in MiB. */
export function peakResidentMiB(): number {
  // maxRSS is in KiB.
  return Math.round((process.resourceUsage().maxRSS / 2 ** 10) * 10) / 10;
}

/** Both splits as loaded (0-255 bytes), where they came from, and the files read with their SHA-256. */
export interface RunData {
  train: DatasetSplit;
  test: DatasetSplit;
  /** For people: e.g. `system (/usr/share/datasets/fashion-mnist)`. */
  source: string;
  files: DataFileRecord[];
}

/** Loads both FashionMNIST splits from the sources @fmnist/dataset looks at; every file's SHA-256 is checked. */
export async function loadRunData(options: { dataDir: string | undefined; signal: AbortSignal }): Promise<RunData> {
  const loadOptions = { ...(options.dataDir ? { dataDir: options.dataDir } : {}), signal: options.signal };
  const [train, test] = await Promise.all([
    loadFashionMnist({ ...loadOptions, split: 'train' }),
    loadFashionMnist({ ...loadOptions, split: 'test' }),
  ]);
  const { kind, dir } = train.source ?? { kind: 'unknown' };
  const files = (['train', 'test'] as const).flatMap((split) => {
    const read = (split === 'train' ? train : test).source?.files;
    return (['images', 'labels'] as const).map((role) => ({
      split,
      role,
      path: read?.[role] ?? FASHION_MNIST_FILES[split][role].file,
      // Loading refuses a file whose decompressed content has another hash, so this is the content read.
      sha256: FASHION_MNIST_FILES[split][role].sha256,
    }));
  });
  return { train, test, source: dir ? `${kind} (${dir})` : kind, files };
}

/** What the data record needs beyond the loaded files. */
export function dataRecord(
  data: RunData,
  prepared: Pick<DataRecord, 'limit' | 'selection' | 'validationFraction' | 'counts' | 'normalization'>,
): DataRecord {
  return { source: data.source, ...prepared, files: data.files };
}

/** Splits ready for training, with their data record. */
export interface StudyData extends PreparedSplits {
  record: DataRecord;
}

/**
 * Loads both splits and prepares them as compare and train train on them: with `limit`, a stratified subset of each;
 * a stratified validation hold-out of `validationFraction` (0: none); pixels standardized with the training images'
 * statistics (see @fmnist/dataset's prepareSplits), into shared memory so that worker threads read them without a copy.
 */
export async function loadStudyData(options: {
  dataDir: string | undefined;
  limit: number | undefined;
  seed: number;
  validationFraction: number;
  signal: AbortSignal;
  /** The files, when already loaded (e.g. once for several seeds). */
  loaded?: RunData;
}): Promise<StudyData> {
  const data = options.loaded ?? (await loadRunData(options));
  const { limit, seed, validationFraction } = options;
  const prepared = prepareSplits(data.train, data.test, { limit, seed, validationFraction, shared: true });
  const record = dataRecord(data, {
    limit: limit ?? null,
    selection: 'stratified',
    validationFraction,
    counts: { train: prepared.train.count, validation: prepared.validation.count, test: prepared.test.count },
    normalization: prepared.normalization,
  });
  return { ...prepared, record };
}

/** One model to train: its kind, settings, data, and the folder to save it to. */
export interface TrainRequest<Extra> {
  kind: ModelKind;
  /** The options of `createModel` (a preset's architecture); `options.seed` seeds the weights. */
  model: ModelOptions;
  /** The training settings (epochs, batch size, learning rate, seed, workers...), without callbacks. */
  options: TrainOptions;
  data: Pick<PreparedSplits, 'train' | 'test' | 'normalization'> & { validation?: NormalizedExamples };
  modelDir: string;
  reporter: Reporter;
  signal: AbortSignal;
  /** The views the model classifies each image through (the recipe's); the test scores average over them. */
  testTimeAugmentation?: TestTimeAugmentation;
  /**
   * Further scoring while the trained model is loaded (before it is saved and disposed), with the predict options the
   * test was scored with (its test-time augmentation).
   */
  inspect?: (model: LayersModel, scoring: PredictOptions) => Promise<Extra>;
}

/** A model trained, tested and saved: its figures, for the command and for run.json. */
export interface TrainedRun<Extra> {
  kind: ModelKind;
  parameters: number;
  history: TrainingHistory;
  test: ModelEvaluation;
  /** What `inspect` returned. */
  extra: Extra;
  /** The model's entry in run.json (without `path`, which the command knows). */
  record: ModelRecord;
}

/**
 * Trains a new model of `kind` (seeded with `options.seed`), showing progress and recording resident memory after
 * each epoch, tests it on `data.test` on `options.workers` threads, and saves it with its normalization, settings,
 * history and test metrics. Returns undefined, saving nothing, when `signal` stopped training.
 */
export async function trainEvaluateSave<Extra = undefined>(
  request: TrainRequest<Extra>,
): Promise<TrainedRun<Extra> | undefined> {
  const { kind, options, data, reporter } = request;
  // An empty hold-out (train's validationFraction 0) is no validation data.
  const validation = data.validation?.count ? data.validation : undefined;
  const epochs = options.epochs ?? 1;
  const modelOptions = { ...request.model, seed: options.seed ?? 0 };
  const model = createModel(kind, modelOptions);
  try {
    const parameters = countParameters(model);
    const upTo = options.earlyStopping ? 'up to ' : '';
    reporter.info(
      `training ${kind} (${parameters.toLocaleString('en-US')} parameters) on ${data.train.count} images ` +
        `for ${upTo}${plural(epochs, 'epoch')}`,
    );
    const progress = reporter.training(kind, epochs);
    const residentMiBAfterEpoch: number[] = [];
    let history: TrainingHistory;
    try {
      history = await train(model, data.train, {
        ...options,
        ...(validation ? { validation } : {}),
        signal: request.signal,
        onBatchEnd: progress.onBatchEnd,
        onEpochEnd: (epoch) => {
          residentMiBAfterEpoch.push(residentMiB());
          return progress.onEpochEnd(epoch);
        },
      });
    } finally {
      progress.finish();
    }
    if (history.cancelled) return undefined;
    const tta = request.testTimeAugmentation;
    // As many threads as training used: 'auto' here would read the load average that training itself just raised.
    const scoring: PredictOptions = { workers: history.workers, ...(tta ? { testTimeAugmentation: tta } : {}) };
    const test = await evaluate(model, data.test, scoring);
    const extra = (await request.inspect?.(model, scoring)) as Extra;
    const testRecord = {
      count: data.test.count,
      accuracy: test.report.accuracy,
      logLoss: test.logLoss,
      top3Accuracy: test.top3,
      ece: test.ece,
      macroF1: test.report.macro.f1,
    };
    const savedOptions = { ...options, ...(validation ? { validationImages: validation.count } : {}) };
    await saveModel(model, request.modelDir, {
      kind,
      model: modelOptions,
      normalization: data.normalization,
      classNames: CLASS_NAMES,
      training: { options: savedOptions, history },
      ...(tta ? { testTimeAugmentation: tta } : {}),
      test: testRecord,
    });
    const record: ModelRecord = {
      parameters,
      model: modelOptions,
      options: savedOptions,
      ...(tta ? { testTimeAugmentation: tta } : {}),
      epochs: history.epochs.length,
      bestEpoch: history.bestEpoch,
      stoppedEarly: history.stoppedEarly,
      backend: history.backend,
      workers: history.workers,
      trainSeconds: history.seconds,
      trainImagesPerSecond: history.imagesPerSecond,
      residentMiBAfterEpoch,
      test: testRecord,
    };
    return { kind, parameters, history, test, extra, record };
  } finally {
    model.dispose();
  }
}

/** What a run record starts from: the command and the settings every run has. */
export interface RunSettings {
  command: RunCommand;
  seed: number;
  /** `--preset`, for the commands that take one. */
  preset?: string;
  workers: 'auto' | number;
  /** `--backend` as asked for. */
  backend: string;
}

/** Collects a run's record while it runs; {@link RunRecorder.record} gives the record at any moment. */
export class RunRecorder {
  readonly startedAt = new Date();
  private readonly clock = performance.now();
  readonly timings: Omit<RunTimings, 'wallSeconds'> = {};
  readonly completed: string[] = [];
  readonly models: Record<string, ModelRecord> = {};
  backend: BackendRecord | null = null;
  data: DataRecord | null = null;
  pytorch: PytorchRecord | undefined;
  seeds: RunRecord['seeds'];

  constructor(readonly settings: RunSettings) {}

  /** Seconds since the run started. */
  seconds(): number {
    return (performance.now() - this.clock) / 1000;
  }

  /** Runs one stage and records its wall-clock seconds as `timings.<stage>Seconds`. */
  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.timings[`${stage}Seconds`] = (performance.now() - start) / 1000;
    }
  }

  /** Records the selected backend. */
  selectedBackend(selected: { name: string; reason: string }): void {
    this.backend = { requested: this.settings.backend, name: selected.name, reason: selected.reason };
  }

  record(status: RunRecord['status']): RunRecord {
    const { command, seed, preset, workers } = this.settings;
    return {
      format: 'fmnist-run',
      formatVersion: RUN_RECORD_FORMAT_VERSION,
      command,
      arguments: process.argv.slice(2),
      status,
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      seed,
      ...(preset === undefined ? {} : { preset }),
      ...(this.seeds ? { seeds: this.seeds } : {}),
      workers,
      backend: this.backend,
      data: this.data,
      models: this.models,
      completed: this.completed,
      timings: { ...this.timings, wallSeconds: this.seconds() },
      memory: { peakResidentMiB: peakResidentMiB() },
      ...(this.pytorch ? { pytorch: this.pytorch } : {}),
      versions: packageVersions(),
      platform: { node: process.version, os: process.platform, arch: process.arch },
    };
  }
}

/** Writes `record` to `dir`/run.json atomically. */
export function writeRunRecord(dir: string, record: RunRecord): Promise<void> {
  return writeJsonAtomic(join(dir, RUN_RECORD_FILE), record);
}

/**
 * Runs `work` in the run folder `outDir` (checked beforehand) and keeps it consistent whatever happens: it creates
 * the folder; a forced exit (Ctrl-C twice) removes this process's half-written files in it; when Ctrl-C stopped the
 * run, run.json says `interrupted` and lists what was kept, and an InterruptedError names it; when another error
 * stopped it, a folder this run created and left empty is removed. On success `work` writes run.json itself.
 */
export async function runInFolder<T>(
  outDir: string,
  recorder: RunRecorder,
  interruption: Interruption,
  work: () => Promise<T>,
): Promise<T> {
  const created = (await mkdir(outDir, { recursive: true })) !== undefined;
  const stopCleanup = interruption.onForcedExit(() => removeOwnTemporaries(outDir));
  try {
    return await work();
  } catch (error) {
    if (!interruption.signal.aborted) {
      // Only when empty: finished models stay for inspection.
      if (created) await rmdir(outDir).catch(() => undefined);
      throw error;
    }
    await writeRunRecord(outDir, recorder.record('interrupted'));
    if (error instanceof InterruptedError) throw error;
    throw new InterruptedError(`interrupted; kept in ${outDir}: ${recorder.completed.join(', ') || 'nothing'}`);
  } finally {
    stopCleanup();
  }
}
