/**
 * What the training coordinator (caller's thread) and its workers share: the start-up data, the messages, and the
 * layout of the shared memory through which workers exchange gradients every step without involving the caller.
 */
import type { LearningRateSchedule } from '../types.js';
import type { Augmentation } from './batches.js';

/** Everything a replica needs to run the same steps as every other replica. */
export interface StepConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: LearningRateSchedule;
  augmentation: Augmentation | undefined;
  seed: number;
}

/** Images and labels in SharedArrayBuffers, sent once at start-up. */
export interface SharedImages {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface WorkerInit {
  workerIndex: number;
  workerCount: number;
  backend: string;
  /** `model.toJSON(null, false)`: the topology, from which each worker builds its replica. */
  topology: unknown;
  /** Initial values of `model.weights`, in order. */
  weights: Float32Array[];
  train: SharedImages;
  validation: SharedImages | undefined;
  config: StepConfig;
  /** Int32 words, see `Control`. */
  control: Int32Array;
  /** The trainable parameters, flat in `model.trainableWeights` order; each worker updates its slice every step. */
  parameters: Float32Array;
  /** Per step parity and worker: the summed-loss gradient of its share, then its non-trainable weights. */
  exchange: Float32Array;
  /** Per step parity and worker: loss sum and correct count of its share. */
  scores: Float64Array;
  /** Whether worker 0 posts a `step` message after every step (only when the caller listens to batches). */
  reportSteps: boolean;
}

/** Indices into the shared control words. */
export const Control = {
  /** Workers arrived at the current barrier. */
  arrived: 0,
  /** Barrier generation; waiters sleep on it. */
  generation: 1,
  /** Set to 1 by the coordinator when the caller's signal aborts. */
  cancelRequested: 2,
  /** Written by the last worker at each barrier: 1 = every replica stops after this step. */
  stopAfterStep: 3,
  /** Set to 1 by the coordinator when training failed: waiting workers give up. */
  abort: 4,
} as const;
export const CONTROL_WORDS = 5;

export type CoordinatorMessage =
  | { type: 'epoch'; epoch: number }
  | { type: 'evaluate' }
  | { type: 'weights' }
  | { type: 'close' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'step'; epoch: number; batch: number; batches: number; loss: number }
  | {
      type: 'epochDone';
      epoch: number;
      lossSum: number;
      correct: number;
      images: number;
      cancelled: boolean;
      digest: string;
    }
  | { type: 'evaluated'; lossSum: number; correct: number }
  | { type: 'weights'; values: Float32Array[] };

/** Training figures of one epoch, summed over all replicas. */
export interface EpochTotals {
  lossSum: number;
  correct: number;
  images: number;
  /** The caller's signal aborted: training stopped after the step in progress, before the epoch's end. */
  cancelled: boolean;
}

/** What train() drives: the calling thread's own replica, or a pool of worker replicas. */
export interface TrainingEngine {
  readonly workers: number;
  /** Runs epoch `epoch` (0-based) to its end or until `signal` aborts. */
  runEpoch(epoch: number, signal: AbortSignal | undefined): Promise<EpochTotals>;
  /** Loss sum and correct count over the validation data, in inference mode. */
  evaluate(): Promise<{ lossSum: number; correct: number }>;
  /** Current values of `model.weights`, in order. */
  readWeights(): Promise<Float32Array[]>;
  /** Releases everything (workers, optimiser state); the engine is unusable afterwards. */
  close(): Promise<void>;
}
