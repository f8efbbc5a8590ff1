/**
 * Data-parallel inference for the Node entry: the calling thread and `threads - 1` worker threads, each with its own
 * copy of the model, claim batches of the same shared images in turn and write their probabilities to one shared
 * array. Every worker has exited by the time the returned promise settles, whether inference succeeded or failed.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import { INPUT_SHAPE, NUM_CLASSES } from '../models.js';
import { PARALLEL_INFERENCE_MIN_IMAGES } from '../predict.js';
import { workerEntry } from './entry.js';
import {
  claimBatches,
  type InferenceWorkerInit,
  type InferenceWorkerMessage,
  PROGRESS_WORDS,
  Progress,
} from './inference-protocol.js';
import { readWeights } from './replica.js';

const PIXELS = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];
/** Upper bound for `workers: 'auto'`. */
const MAX_AUTO_THREADS = 8;

let liveWorkers = 0;

/** Inference worker threads started by this module that have not exited yet (0 whenever no inference runs). */
export function liveInferenceWorkers(): number {
  return liveWorkers;
}

/**
 * Threads `workers: 'auto'` means: one per idle core (at most 8), counting as busy what the 1-minute load average
 * says other work keeps busy beyond this thread; 1 for fewer than PARALLEL_INFERENCE_MIN_IMAGES images or on
 * tfjs-node. Measured: a worker that finds no idle core costs its start-up and gains nothing.
 */
export function autoInferenceWorkers(count: number, backend: string, loadAverage = loadavg()[0] ?? 0): number {
  if (backend === 'tensorflow' || count < PARALLEL_INFERENCE_MIN_IMAGES) return 1;
  const cores = Math.min(availableParallelism(), MAX_AUTO_THREADS);
  // The load average counts this thread too when it has been busy; a half-busy core counts as busy.
  const idleCores = Math.floor(cores - loadAverage + 1);
  return Math.max(1, Math.min(cores, idleCores));
}

export interface ThreadsOptions {
  count: number;
  batchSize: number;
  /** Threads in all, the calling one included: `threads - 1` workers start. */
  threads: number;
  backend: string;
  /** Whether the calling thread claims batches too (tests turn it off to make the workers do every batch). */
  callerClaims?: boolean;
}

export interface ThreadsResult {
  /** `count * 10` probabilities, row-major. */
  probabilities: Float32Array;
  /** Batches each thread did: `[calling thread, worker 1, ...]`. */
  batchesPerThread: number[];
}

/** The probabilities of `images` computed on `threads` threads. */
export async function predictOnThreads(
  model: LayersModel,
  images: Float32Array,
  options: ThreadsOptions,
): Promise<ThreadsResult> {
  const { count, batchSize, threads, backend } = options;
  const batches = Math.ceil(count / batchSize);
  const sharedImages = new Float32Array(new SharedArrayBuffer(count * PIXELS * 4));
  sharedImages.set(images.subarray(0, count * PIXELS));
  const shared = {
    images: sharedImages,
    probabilities: new Float32Array(new SharedArrayBuffer(count * NUM_CLASSES * 4)),
    count,
    batchSize,
    progress: new Int32Array(new SharedArrayBuffer(PROGRESS_WORDS * 4)),
  };
  const batchesPerThread = new Array<number>(threads).fill(0);
  const workerCount = threads - 1;
  const topology = model.toJSON(null, false);
  const weights = readWeights(model);
  const entry = workerEntry('inference-worker');

  const workers: Worker[] = [];
  const exits: Promise<void>[] = [];
  let failure: unknown;
  let closing = false;
  let callerDone = false;
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Settled as soon as every batch is written, or on the first failure (then no thread starts another batch).
  const check = () => {
    if (failure !== undefined) settle?.reject(failure);
    else if (callerDone && Atomics.load(shared.progress, Progress.doneBatches) === batches) settle?.resolve();
  };
  const fail = (workerIndex: number, cause: unknown) => {
    if (failure !== undefined || closing) return;
    const reason = cause instanceof Error ? cause.message : String(cause);
    failure = new ModelsError(
      'E_MODELS_WORKER_FAILED',
      `inference worker ${workerIndex + 1} of ${workerCount} failed: ${reason}. Try workers: 1 to predict on the calling thread.`,
      { cause },
    );
    Atomics.store(shared.progress, Progress.nextBatch, batches);
    check();
  };

  try {
    for (let workerIndex = 0; workerIndex < workerCount; workerIndex++) {
      const init: InferenceWorkerInit = { workerIndex, workerCount, backend, topology, weights, ...shared };
      const thread = new Worker(entry.script, { workerData: init, eval: entry.eval, execArgv: entry.execArgv });
      liveWorkers++;
      workers.push(thread);
      exits.push(
        new Promise<void>((resolve) => {
          thread.once('exit', (code) => {
            liveWorkers--;
            // Code 0 before termination: the worker ran out of batches and ended by itself, its work all written.
            if (code !== 0) fail(workerIndex, new Error(`exited unexpectedly with code ${code}`));
            resolve();
          });
        }),
      );
      thread.on('error', (error) => fail(workerIndex, error));
      thread.on('messageerror', (error) => fail(workerIndex, error));
      thread.on('message', (message: InferenceWorkerMessage) => {
        if (message.type === 'batch') batchesPerThread[workerIndex + 1]!++;
        check();
      });
    }
    // The calling thread works too, from the first batch on, while the workers start.
    if (options.callerClaims !== false) batchesPerThread[0] = await claimBatches(model, shared, () => {});
    callerDone = true;
    check();
    await finished;
    // A fresh copy: callers may hand it to APIs that refuse shared memory.
    return { probabilities: shared.probabilities.slice(), batchesPerThread };
  } catch (error) {
    // The caller's own batch failed (or a worker did): nobody starts another batch.
    Atomics.store(shared.progress, Progress.nextBatch, batches);
    throw error;
  } finally {
    closing = true;
    await Promise.all(workers.map((thread) => thread.terminate()));
    await Promise.all(exits);
  }
}
