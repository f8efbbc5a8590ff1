/**
 * Data-parallel inference (Node): the calling thread and `threads - 1` workers of the pool, each with its own copy of
 * the model, claim batches of the same shared images in turn and write their probabilities to one shared array.
 * Every worker has exited by the time the returned promise settles, whether inference succeeded or failed.
 */
import { loadavg } from 'node:os';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { INPUT_SHAPE, NUM_CLASSES } from '../models.js';
import { PARALLEL_INFERENCE_MIN_IMAGES } from '../predict.js';
import { claimBatches } from '../predict-batch.js';
import type { ImageView } from '../views.js';
import { autoWorkerLimit, WorkerPool } from './pool.js';
import { type InferenceShared, type InferenceWorkerData, PROGRESS_WORDS, Progress, toSharedArray } from './protocol.js';
import { readWeights } from './replica.js';

const PIXELS = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];

/**
 * Threads `workers: 'auto'` means: one per idle core (at most 8), counting as busy what the 1-minute load average
 * says other work keeps busy beyond this thread; 1 for fewer than PARALLEL_INFERENCE_MIN_IMAGES images or on
 * tfjs-node. Measured: a worker that finds no idle core costs its start-up and gains nothing.
 */
export function autoInferenceWorkers(count: number, backend: string, loadAverage = loadavg()[0] ?? 0): number {
  if (backend === 'tensorflow' || count < PARALLEL_INFERENCE_MIN_IMAGES) return 1;
  const cores = autoWorkerLimit();
  // The load average counts this thread too when it has been busy; a half-busy core counts as busy.
  const idleCores = Math.floor(cores - loadAverage + 1);
  return Math.max(1, Math.min(cores, idleCores));
}

/** `images` in shared memory with room for their probabilities and the batch counters. */
export function inferenceShared(
  images: Float32Array,
  count: number,
  batchSize: number,
  views?: readonly ImageView[],
): InferenceShared {
  const sharedImages = toSharedArray(images.subarray(0, count * PIXELS));
  return {
    ...(views ? { views } : {}),
    images: sharedImages,
    probabilities: new Float32Array(new SharedArrayBuffer(count * NUM_CLASSES * 4)),
    count,
    batchSize,
    progress: new Int32Array(new SharedArrayBuffer(PROGRESS_WORDS * 4)),
  };
}

/** The pool's start-up data for `workers` inference workers over `shared`, each with a copy of `model`. */
export function inferenceWorkers(
  model: LayersModel,
  shared: InferenceShared,
  workers: number,
  backend: string,
): InferenceWorkerData[] {
  const copy = { backend, topology: model.toJSON(null, false), weights: readWeights(model) };
  return Array.from({ length: workers }, () => ({ kind: 'inference', ...copy, ...shared }));
}

/** The `count * 10` probabilities of `images` computed on `threads` threads, the calling one included. */
export async function predictOnThreads(
  model: LayersModel,
  images: Float32Array,
  options: { count: number; batchSize: number; threads: number; backend: string; views?: readonly ImageView[] },
): Promise<Float32Array> {
  const { count, batchSize, threads, backend, views } = options;
  const batches = Math.ceil(count / batchSize);
  const shared = inferenceShared(images, count, batchSize, views);
  // Nobody starts another batch after a failure.
  const stop = () => Atomics.store(shared.progress, Progress.nextBatch, batches);
  let callerDone = false;
  let allWritten: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => {
    allWritten = resolve;
  });
  const check = () => {
    if (callerDone && Atomics.load(shared.progress, Progress.doneBatches) === batches) allWritten?.();
  };
  const pool = new WorkerPool({
    role: 'inference',
    workers: inferenceWorkers(model, shared, threads - 1, backend),
    advice: 'Try workers: 1 to predict on the calling thread.',
    onEvent: check,
    onFailure: stop,
  });
  try {
    // The calling thread works too, from the first batch on, while the workers start.
    await claimBatches(model, shared, () => {});
    callerDone = true;
    check();
    await Promise.race([finished, pool.failed]);
    // A fresh copy: callers may hand it to APIs that refuse shared memory.
    return shared.probabilities.slice();
  } catch (error) {
    // The caller's own batch failed (or a worker did).
    stop();
    throw error;
  } finally {
    await pool.terminate();
  }
}
