/**
 * What the calling thread and its worker threads share: the start-up data of each kind of worker, the messages, and
 * the layout of the shared memory through which training replicas exchange gradients every step and inference threads
 * claim batches, without involving the calling thread.
 */
import type { LearningRateSchedule } from '../types.js';
import type { ImageView } from '../views.js';
import type { Augmentation } from './batches.js';

/** Everything a replica needs to run the same steps as every other replica. */
export interface StepConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: LearningRateSchedule;
  /** Steps of linear warm-up at the start of the run (0: none). */
  warmupSteps: number;
  /** Label smoothing of the targets (0: none). */
  labelSmoothing: number;
  augmentation: Augmentation | undefined;
  seed: number;
}

/** Images and labels of a training or validation set (in SharedArrayBuffers when workers read them). */
export interface ReplicaData {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/**
 * The memory through which the replicas of one training run meet every step (see replica.ts). Workers share it
 * (SharedArrayBuffers); one replica on the calling thread has a group of its own, in plain arrays.
 */
export interface GroupMemory {
  workerIndex: number;
  workerCount: number;
  /** Int32 words, see `Control`. */
  control: Int32Array;
  /** The trainable parameters, flat in `model.trainableWeights` order; each replica updates its slice every step. */
  parameters: Float32Array;
  /** Per step parity and replica: the summed-loss gradient of its share, then its non-trainable weights. */
  exchange: Float32Array;
  /** Per step parity and replica: loss sum and correct count of its share. */
  scores: Float64Array;
}

/** Indices into the control words of a group. */
export const Control = {
  /** Replicas arrived at the current barrier. */
  arrived: 0,
  /** Barrier generation; waiters sleep on it. */
  generation: 1,
  /** Set to 1 by the calling thread when the caller's signal aborts. */
  cancelRequested: 2,
  /** Written by the last replica at each barrier: 1 = every replica stops after this step. */
  stopAfterStep: 3,
  /** Set to 1 by the calling thread when training failed: waiting replicas give up. */
  abort: 4,
} as const;
export const CONTROL_WORDS = 5;

/** Int32 words of `InferenceShared.progress`. */
export const Progress = {
  /** Index of the next batch to claim; at or past the batch count, no thread starts another (also how to stop). */
  nextBatch: 0,
  /** Batches whose probabilities are written. */
  doneBatches: 1,
} as const;
export const PROGRESS_WORDS = 2;

/** What every thread of a parallel inference reads and writes. */
export interface InferenceShared {
  /** `count * 784` normalized pixels, read by every thread. */
  images: Float32Array;
  /** `count * 10` probabilities, each batch's rows written by the thread that claimed it. */
  probabilities: Float32Array;
  count: number;
  batchSize: number;
  /** Int32 words, see `Progress`. */
  progress: Int32Array;
  /** Test-time augmentation's views (see views.ts); absent: the images alone. */
  views?: readonly ImageView[];
}

/** How a worker rebuilds the caller's model: the same backend, topology and weights. */
export interface ModelCopy {
  backend: string;
  /** `model.toJSON(null, false)`. */
  topology: unknown;
  /** Values of `model.weights`, in order. */
  weights: Float32Array[];
}

export interface TrainingWorkerData extends ModelCopy, GroupMemory {
  kind: 'training';
  train: ReplicaData;
  validation: ReplicaData | undefined;
  config: StepConfig;
  /** Whether this worker posts a `step` message after every step (worker 0, when the caller listens to batches). */
  reportSteps: boolean;
}

export interface InferenceWorkerData extends ModelCopy, InferenceShared {
  kind: 'inference';
}

/** The `workerData` of the one worker script (worker.ts). */
export type WorkerData = TrainingWorkerData | InferenceWorkerData;

export type CoordinatorMessage =
  | { type: 'epoch'; epoch: number }
  | { type: 'evaluate' }
  | { type: 'weights' }
  | { type: 'close' };

/** What one step reports to the caller's `onBatchEnd`. */
export interface StepReport {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

/** A replica's figures for one epoch. */
export interface EpochReport {
  lossSum: number;
  correct: number;
  images: number;
  /** The caller's signal aborted: training stopped after the step in progress, before the epoch's end. */
  cancelled: boolean;
  /** FNV-1a digest of the replica's weights at the end (all replicas agree unless something is badly wrong). */
  digest: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | ({ type: 'step' } & StepReport)
  | ({ type: 'epochDone'; epoch: number } & EpochReport)
  | { type: 'evaluated'; lossSum: number; correct: number }
  | { type: 'weights'; values: Float32Array[] }
  | { type: 'batch' }
  | { type: 'done' };

/** Messages a worker sends on its own, answering no request. */
export const EVENT_MESSAGES: ReadonlySet<WorkerMessage['type']> = new Set(['step', 'batch', 'done']);

/** Training figures of one epoch, summed over all replicas. */
export type EpochTotals = Omit<EpochReport, 'digest'>;

/**
 * `array` itself when it already lies in a SharedArrayBuffer (for example from `normalizeImages(..., { shared: true })`
 * of @fmnist/dataset), else a copy in one: the form worker threads read without copying. Workers only read it.
 */
export function toSharedArray<T extends Float32Array | Uint8Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Constructor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Constructor(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}
