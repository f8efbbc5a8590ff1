/**
 * What the calling thread and its inference workers share: the start-up data, and the two counters through which every
 * thread claims the next batch and reports it done, so that a thread that starts late simply does fewer batches.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { predictBatch } from '../predict.js';

/** Int32 words of `InferenceWorkerInit.progress`. */
export const Progress = {
  /** Index of the next batch to claim; at or past the batch count, no thread starts another (also how to stop). */
  nextBatch: 0,
  /** Batches whose probabilities are written. */
  doneBatches: 1,
} as const;
export const PROGRESS_WORDS = 2;

export interface InferenceWorkerInit {
  workerIndex: number;
  workerCount: number;
  backend: string;
  /** `model.toJSON(null, false)`: the topology, from which each worker builds its copy. */
  topology: unknown;
  /** Values of `model.weights`, in order. */
  weights: Float32Array[];
  /** SharedArrayBuffer-backed: `count * 784` normalised pixels, read by every thread. */
  images: Float32Array;
  /** SharedArrayBuffer-backed: `count * 10` probabilities, each batch's rows written by the thread that claimed it. */
  probabilities: Float32Array;
  count: number;
  batchSize: number;
  /** SharedArrayBuffer-backed Int32 words, see `Progress`. */
  progress: Int32Array;
}

/** Sent by a worker after each batch it wrote, and once when no batch is left. */
export type InferenceWorkerMessage = { type: 'batch' } | { type: 'done' };

/** Claims batches until none is left, writing each one's probabilities; returns how many batches it did. */
export async function claimBatches(
  model: LayersModel,
  shared: Pick<InferenceWorkerInit, 'images' | 'probabilities' | 'count' | 'batchSize' | 'progress'>,
  onBatch: () => void,
): Promise<number> {
  const { images, probabilities, count, batchSize, progress } = shared;
  const batches = Math.ceil(count / batchSize);
  let done = 0;
  for (;;) {
    const batch = Atomics.add(progress, Progress.nextBatch, 1);
    if (batch >= batches) return done;
    const start = batch * batchSize;
    await predictBatch(model, images, probabilities, start, Math.min(batchSize, count - start));
    Atomics.add(progress, Progress.doneBatches, 1);
    done++;
    onBatch();
  }
}
