/**
 * The shape of run.json, the record `fmnist compare`, `fmnist train` and `fmnist bench --out` write beside their
 * results: what was run, on which data and software, how long it took, how much memory it held and what it scored.
 * apps/cli/README.md documents it for users; change both together and bump {@link RUN_RECORD_FORMAT_VERSION} when a
 * field changes meaning or goes.
 */

/** The file name of the record in a run's folder. */
export const RUN_RECORD_FILE = 'run.json';

/** Version of the shape below. 2: one shape for compare, train and bench (1 was compare's alone). */
export const RUN_RECORD_FORMAT_VERSION = 2;

/** The commands that write a run record. */
export type RunCommand = 'compare' | 'train' | 'bench';

export interface RunRecord {
  /** Always `fmnist-run`: tells this file from the other JSON files of a run. */
  format: 'fmnist-run';
  /** {@link RUN_RECORD_FORMAT_VERSION}. */
  formatVersion: typeof RUN_RECORD_FORMAT_VERSION;
  /** The command that wrote the record. */
  command: RunCommand;
  /** The command line after `fmnist`, as typed (e.g. `["compare", "--limit", "2000"]`). */
  arguments: string[];
  /** `complete`, or `interrupted` when Ctrl-C stopped the run (then `completed` lists what was kept). */
  status: 'complete' | 'interrupted';
  /** ISO 8601 time the command started. */
  startedAt: string;
  /** ISO 8601 time the record was written. */
  finishedAt: string;
  /** The seed of every random choice (`--seed`, 0 to 2^32-1); with `compare --seeds`, the first seed. */
  seed: number;
  /** compare and train: the preset (`--preset`) whose recipes the models were built and trained with. */
  preset?: string;
  /**
   * `compare --seeds` only: the seeds asked for and those finished, in order. Each seed's own record (with its data
   * and models) is `seed-<S>/run.json`; this one's `data` is null and its `models` empty.
   */
  seeds?: { requested: number[]; finished: number[] };
  /**
   * Worker threads as asked for (`--workers`: `auto` or a number; for `bench --workers 1,2`, the first count, with
   * every count in `bench.runs`); what each model used is in `models`.
   */
  workers: 'auto' | number;
  /** The TensorFlow.js backend asked for (`--backend`) and the one selected; null if the run stopped before. */
  backend: BackendRecord | null;
  /** The images trained and tested on; null if the run stopped before they were loaded. */
  data: DataRecord | null;
  /** One entry per model trained, keyed by its kind (`linear`, `mlp`, `cnn`), in training order. */
  models: Record<string, ModelRecord>;
  /** Paths (relative to the run folder) of the outputs finished, in the order they were written. */
  completed: string[];
  /** Wall-clock seconds of the stages. */
  timings: RunTimings;
  /** The process's resident memory. */
  memory: MemoryRecord;
  /** `bench --against-pytorch` only: the PyTorch reference's figures and ours divided by them (the first count's). */
  pytorch?: PytorchRecord;
  /** `bench` only: the kernel module that ran and the figures of each worker count. */
  bench?: BenchRecord;
  /** Versions of the CLI, Node and each @fmnist and TensorFlow.js package that was installed. */
  versions: Record<string, string>;
  /** Where it ran: `process.version`, `process.platform`, `process.arch`. */
  platform: { node: string; os: string; arch: string };
}

export interface BackendRecord {
  /** `--backend`: auto, tensorflow, wasm or cpu. */
  requested: string;
  /** The backend selected (tensorflow, wasm or cpu). */
  name: string;
  /** Why it was selected, for people. */
  reason: string;
}

export interface DataRecord {
  /** Where the files were read from, e.g. `system (/usr/share/datasets/fashion-mnist)`. */
  source: string;
  /** `--limit`, or null for every image. */
  limit: number | null;
  /** How `--limit` picks images: a stratified subset (compare, train) or the first N (bench, as PyTorch does). */
  selection: 'stratified' | 'first';
  /** Share of the training images held out for validation (0 when none is). */
  validationFraction: number;
  /** Images in each part after `--limit` and the hold-out. */
  counts: { train: number; validation: number; test: number };
  /** Mean and standard deviation that standardized the pixels (0-1 scale), computed on the training images. */
  normalization: { mean: number; std: number };
  /** The four IDX files read, each with the SHA-256 of its decompressed content, checked when it was loaded. */
  files: DataFileRecord[];
}

export interface DataFileRecord {
  /** `train` or `test`. */
  split: string;
  /** `images` or `labels`. */
  role: string;
  /** The path or URL read. */
  path: string;
  /** SHA-256 of the decompressed bytes, in hex. */
  sha256: string;
}

export interface ModelRecord {
  /** Trainable and fixed weights of the model; absent for bench, whose reference model stays inside @fmnist/models. */
  parameters?: number;
  /** Where the model was saved, relative to the run folder (`.` for train); absent when it was not saved (bench). */
  path?: string;
  /** The options the model was created with (`createModel`): the preset's architecture and the seed. */
  model?: Record<string, unknown>;
  /** The training settings: epochs, batch size, learning rate, schedule, augmentation, early stopping, seed. */
  options: Record<string, unknown>;
  /** The views whose probabilities the test (and validation and training) scores average; absent: the image alone. */
  testTimeAugmentation?: { flip: boolean; shift: number };
  /** Epochs trained (fewer than asked for when early stopping ended training). */
  epochs: number;
  /** The epoch whose weights the model keeps. */
  bestEpoch: number;
  /** Whether early stopping ended training. */
  stoppedEarly: boolean;
  /** The backend it trained on and the worker threads it used. */
  backend: string;
  workers: number;
  /** Seconds of training (validation included) and training images per second (validation excluded). */
  trainSeconds: number;
  trainImagesPerSecond: number;
  /** bench only: test images classified per second (batches of 256). */
  inferImagesPerSecond?: number;
  /** Resident memory in MiB after each epoch: flat when training frees what it allocates. */
  residentMiBAfterEpoch: number[];
  /** Scores on the test images (`count` of them); absent when training was interrupted. */
  test?: TestRecord;
}

export interface TestRecord {
  count: number;
  accuracy: number;
  /** Absent in bench records, which measure accuracy only. */
  logLoss?: number;
  top3Accuracy?: number;
  /** Expected calibration error. */
  ece?: number;
  macroF1?: number;
}

export interface RunTimings {
  /** From the start of the command to the record. */
  wallSeconds: number;
  /** Finding, verifying and preparing the data. */
  loadSeconds?: number;
  /**
   * Per model: training, testing and saving it (`<kind>Seconds`), e.g. `cnnSeconds`; `bench --workers 1,2` times the
   * counts after the first as `<kind>Workers<N>Seconds`, e.g. `cnnWorkers2Seconds`; `compare --seeds` times each
   * seed's whole study as `seed<S>Seconds`, e.g. `seed0Seconds`.
   */
  [stage: `${string}Seconds`]: number | undefined;
  /** compare: building the study and writing metrics.json and study/. */
  metricsSeconds?: number;
  /** compare: rendering report.html, report.md and figures/. */
  reportSeconds?: number;
  /** compare: measuring robustness, cost and learned features after training (absent with `--no-analysis`). */
  analysisSeconds?: number;
  /** compare `--data-efficiency`: training and testing both models on the smaller training sets. */
  dataEfficiencySeconds?: number;
}

export interface MemoryRecord {
  /** The most resident memory (main thread and workers) the process held, in MiB: the kernel's high-water mark. */
  peakResidentMiB: number;
}

export interface PytorchRecord {
  /** The PyTorch build and device, e.g. `torch 2.x cpu`. */
  engine: string;
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  testAccuracy: number;
  /** Ours divided by PyTorch's, for training and inference images per second. */
  ratio: { train: number; infer: number };
}

/**
 * What `fmnist bench` measured, one entry per `--workers` count (`models.<kind>` and `pytorch` hold the first count's,
 * as before lists were accepted).
 */
export interface BenchRecord {
  /**
   * The build of @fmnist/models' WebAssembly kernel module that ran: `relaxed-simd` (fused multiply-add, Node 22 and
   * later), `simd128`, or `none` (JavaScript paths). Node's version is `platform.node`.
   */
  kernelVariant: 'relaxed-simd' | 'simd128' | 'none';
  /** One entry per worker count, in the order run. */
  runs: BenchRunRecord[];
  /** `--against-pytorch`: PyTorch's fastest thread count for training among those measured; absent when none ran. */
  pytorchBest?: PytorchBestRecord;
  /** `--against-pytorch`: each count's images/s divided by {@link BenchRecord.pytorchBest}'s. */
  ratioToPytorchBest?: { workers: number; train: number; infer: number }[];
}

export interface BenchRunRecord {
  /** Worker threads used (`auto` resolved), for training and inference; PyTorch ran on as many threads. */
  workers: number;
  trainImagesPerSecond: number;
  /** Test images classified per second (batches of 256). */
  inferImagesPerSecond: number;
  testAccuracy: number;
  /** Seconds of training. */
  trainSeconds: number;
  /** Resident memory in MiB after each epoch. */
  residentMiBAfterEpoch: number[];
  /** The process's resident high-water mark when this count finished, in MiB (so it includes earlier counts). */
  peakResidentMiB: number;
  /** `--against-pytorch`: PyTorch on as many threads; absent when it could not run. */
  pytorch?: Omit<PytorchRecord, 'ratio'>;
  /** Ours divided by PyTorch's at this thread count. */
  ratio?: { train: number; infer: number };
}

export interface PytorchBestRecord {
  threads: number;
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
}
