/** Batched inference and evaluation: class probabilities, predictions and the @fmnist/metrics report. */

import { isNode } from '@fmnist/internal';
import {
  type ClassificationReport,
  calibration,
  classificationReport,
  confusionMatrix,
  logLoss,
  topKAccuracy,
} from '@fmnist/metrics';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from './errors.js';
import { INPUT_SHAPE, NUM_CLASSES } from './models.js';
import { predictOnCallingThread } from './predict-batch.js';
import type { LabeledImages } from './types.js';
import { checkTestTimeAugmentation, type ImageView, type TestTimeAugmentation, testTimeViews } from './views.js';

const PIXELS = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];

/**
 * The fewest images for which `workers: 'auto'` uses more than the calling thread (measured on 2 idle cores, reference
 * CNN on wasm: 2 threads gained about 7% on 4,096 images and lost 8% on 2,048).
 */
export const PARALLEL_INFERENCE_MIN_IMAGES = 4096;

export interface PredictOptions {
  /** Images per forward pass. Default 256. */
  batchSize?: number;
  /**
   * Threads that share the images, batch by batch: 1 = the calling thread only; n > 1 = the calling thread and n - 1
   * worker threads (Node only; the browser entry refuses it), each with its own copy of the model on the caller's backend; 'auto' = one per idle
   * core (by the load average, at most 8) for at least {@link PARALLEL_INFERENCE_MIN_IMAGES} images unless the backend
   * is tfjs-node (multi-threaded itself), else 1. The results equal the single-thread ones. Default 1: a worker takes
   * 0.6-0.7 s of CPU to start, which pays off only on thousands of images and only on an idle core.
   */
  workers?: 'auto' | number;
  /**
   * Classify several views of each image and average their probabilities (see {@link TestTimeAugmentation}); each
   * view costs one more forward pass. Default: none, the image alone.
   */
  testTimeAugmentation?: TestTimeAugmentation;
}

export interface Predictions {
  /** `count * 10` probabilities, row-major (one row per image). */
  probabilities: Float32Array;
  /** The most probable class of each image (the first one on ties). */
  predictions: Uint8Array;
}

export interface ModelEvaluation extends Predictions {
  report: ClassificationReport;
  /** `confusionMatrix[trueClass][predictedClass]` counts. */
  confusionMatrix: number[][];
  logLoss: number;
  /** Fraction of images whose true class is among the three most probable. */
  top3: number;
  /** Expected calibration error of the top-class confidence (15 bins). */
  ece: number;
}

function checkBatchSize(batchSize: number): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new ModelsError('E_MODELS_ARGUMENT', `batchSize must be a whole number of at least 1, got ${batchSize}`);
  }
  return batchSize;
}

function checkWorkers(workers: 'auto' | number): 'auto' | number {
  if (workers !== 'auto' && (!Number.isSafeInteger(workers) || workers < 1)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `workers must be 'auto' or a whole number of at least 1, got ${String(workers)}`,
    );
  }
  return workers;
}

/** Data-parallel inference (parallel/inference.ts), as the Node entry lends it to {@link predict}. */
export interface ParallelInference {
  /** How many threads `workers: 'auto'` means for `count` images. */
  autoInferenceWorkers(count: number, backend: string): number;
  /** The `count * 10` probabilities of `images`, computed on `threads` threads (the calling one included). */
  predictOnThreads(
    model: tfl.LayersModel,
    images: Float32Array,
    options: { count: number; batchSize: number; threads: number; backend: string; views?: readonly ImageView[] },
  ): Promise<Float32Array>;
}

let loadParallelInference: (() => Promise<ParallelInference>) | undefined;

/**
 * Lends `predict` and `evaluate` the worker threads: called once by the Node entry (src/index.ts) with a loader of
 * parallel/inference.ts, so that the browser entry never meets `worker_threads`, and single-thread inference never
 * loads it.
 */
export function provideParallelInference(loader: () => Promise<ParallelInference>): void {
  loadParallelInference = loader;
}

/** The most probable class of each row (the first one on ties). */
function argmaxRows(probabilities: Float32Array, count: number): Uint8Array {
  const predictions = new Uint8Array(count);
  for (let row = 0; row < count; row++) {
    const offset = row * NUM_CLASSES;
    let best = 0;
    for (let column = 1; column < NUM_CLASSES; column++) {
      if (probabilities[offset + column]! > probabilities[offset + best]!) best = column;
    }
    predictions[row] = best;
  }
  return predictions;
}

/**
 * Class probabilities and predictions for normalized 28x28 images (`count * 784` floats), in batches of `batchSize`
 * (256), on the calling thread or, with `workers` 'auto' or n > 1 in Node, shared with worker threads: the results are
 * the same (see PredictOptions). Every tensor is disposed and every worker has exited when it settles; a failed worker
 * rejects it with a ModelsError E_MODELS_WORKER_FAILED naming the worker. Outside Node (the browser entry), `workers`
 * n > 1 is refused and 'auto' means the calling thread.
 */
export async function predict(
  model: tfl.LayersModel,
  images: Float32Array,
  options: PredictOptions = {},
): Promise<Predictions> {
  const batchSize = checkBatchSize(options.batchSize ?? 256);
  const requestedWorkers = checkWorkers(options.workers ?? 1);
  const views =
    options.testTimeAugmentation === undefined
      ? undefined
      : testTimeViews(checkTestTimeAugmentation(options.testTimeAugmentation));
  if (images.length % PIXELS !== 0) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `images must hold 28x28 images (a multiple of ${PIXELS} floats), got ${images.length} floats`,
    );
  }
  const count = images.length / PIXELS;
  if (requestedWorkers !== 1 && count > 0) {
    if (loadParallelInference === undefined || !isNode) {
      if (requestedWorkers !== 'auto') {
        throw new ModelsError(
          'E_MODELS_ARGUMENT',
          `workers: ${requestedWorkers} needs Node.js worker threads (and the package's Node entry); use workers: 1 here`,
        );
      }
    } else {
      await tf.ready();
      const backend = tf.getBackend();
      const parallel = await loadParallelInference();
      let threads = requestedWorkers === 'auto' ? parallel.autoInferenceWorkers(count, backend) : requestedWorkers;
      // More threads than batches would start workers with nothing to do.
      threads = Math.min(threads, Math.ceil(count / batchSize));
      if (threads > 1) {
        const probabilities = await parallel.predictOnThreads(model, images, {
          count,
          batchSize,
          threads,
          backend,
          ...(views ? { views } : {}),
        });
        return { probabilities, predictions: argmaxRows(probabilities, count) };
      }
    }
  }
  const probabilities = await predictOnCallingThread(model, images, count, batchSize, views);
  return { probabilities, predictions: argmaxRows(probabilities, count) };
}

/**
 * Predicts `data` (as {@link predict}, on worker threads too) and scores it: the classification report, confusion
 * matrix, log loss, top-3 accuracy and ECE.
 */
export async function evaluate(
  model: tfl.LayersModel,
  data: LabeledImages,
  options: PredictOptions = {},
): Promise<ModelEvaluation> {
  if (data.labels.length !== data.count || data.images.length !== data.count * PIXELS) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `data must hold count (${data.count}) labels and count * ${PIXELS} pixels, got ${data.labels.length} labels and ${data.images.length} pixels`,
    );
  }
  const { probabilities, predictions } = await predict(model, data.images, options);
  // Float32 softmax rows can sum to 1 within a few ulps only; metrics check sums against this tolerance.
  const probabilityOptions = { numClasses: NUM_CLASSES, rowSumTolerance: 1e-3 };
  return {
    report: classificationReport(data.labels, predictions, { numClasses: NUM_CLASSES }),
    confusionMatrix: confusionMatrix(data.labels, predictions, NUM_CLASSES),
    logLoss: logLoss(data.labels, probabilities, probabilityOptions),
    top3: topKAccuracy(data.labels, probabilities, 3, probabilityOptions),
    ece: calibration(data.labels, probabilities, probabilityOptions).ece,
    predictions,
    probabilities,
  };
}
