/** Batched inference and evaluation: class probabilities, predictions and the @fmnist/metrics report. */
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
import type { LabelledImages } from './types.js';

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
   * worker threads (Node only), each with its own copy of the model on the caller's backend; 'auto' = one per idle
   * core (by the load average, at most 8) for at least {@link PARALLEL_INFERENCE_MIN_IMAGES} images unless the backend
   * is tfjs-node (multi-threaded itself), else 1. The results equal the single-thread ones. Default 1: a worker takes
   * 0.6-0.7 s of CPU to start, which pays off only on thousands of images and only on an idle core.
   */
  workers?: 'auto' | number;
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

/** The Node entry's worker pool (parallel/inference.ts) as predict uses it; the browser entry has none. */
export interface ParallelInference {
  /** How many threads `workers: 'auto'` means for `count` images. */
  autoInferenceWorkers(count: number, backend: string): number;
  /** The `count * 10` probabilities of `images`, computed on `threads` threads (the calling one included). */
  predictOnThreads(
    model: tfl.LayersModel,
    images: Float32Array,
    options: { count: number; batchSize: number; threads: number; backend: string },
  ): Promise<{ probabilities: Float32Array }>;
}

/** Loads the worker pool on demand, so that single-thread inference never loads worker_threads. */
export type ParallelInferenceLoader = () => Promise<ParallelInference>;

/**
 * Runs the model on images `[start, start + size)` of `images` and writes their probabilities to the same rows of
 * `probabilities`; every tensor is disposed before it returns.
 */
export async function predictBatch(
  model: tfl.LayersModel,
  images: Float32Array,
  probabilities: Float32Array,
  start: number,
  size: number,
): Promise<void> {
  const output = tf.tidy(() => {
    const batch = tf.tensor4d(images.subarray(start * PIXELS, (start + size) * PIXELS), [size, ...INPUT_SHAPE]);
    return model.predict(batch) as tf.Tensor;
  });
  try {
    if (output.shape.length !== 2 || output.shape[1] !== NUM_CLASSES) {
      throw new ModelsError(
        'E_MODELS_ARGUMENT',
        `the model outputs shape [${output.shape.join(', ')}], expected [batch, ${NUM_CLASSES}]`,
      );
    }
    probabilities.set((await output.data()) as Float32Array, start * NUM_CLASSES);
  } finally {
    output.dispose();
  }
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

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** `predict` with the worker pool the entry offers (the Node entry's, or none in the browser entry). */
export async function predictWith(
  parallel: ParallelInferenceLoader | undefined,
  model: tfl.LayersModel,
  images: Float32Array,
  options: PredictOptions = {},
): Promise<Predictions> {
  const batchSize = checkBatchSize(options.batchSize ?? 256);
  const requestedWorkers = checkWorkers(options.workers ?? 1);
  if (images.length % PIXELS !== 0) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `images must hold 28x28 images (a multiple of ${PIXELS} floats), got ${images.length} floats`,
    );
  }
  const count = images.length / PIXELS;
  let threads = 1;
  if (requestedWorkers !== 1 && count > 0) {
    if (parallel === undefined || !isNode) {
      if (requestedWorkers !== 'auto') {
        throw new ModelsError(
          'E_MODELS_ARGUMENT',
          `workers: ${requestedWorkers} needs Node.js worker threads (and the package's Node entry); use workers: 1 here`,
        );
      }
    } else {
      await tf.ready();
      const backend = tf.getBackend();
      const pool = await parallel();
      threads = requestedWorkers === 'auto' ? pool.autoInferenceWorkers(count, backend) : requestedWorkers;
      // More threads than batches would start workers with nothing to do.
      threads = Math.min(threads, Math.ceil(count / batchSize));
      if (threads > 1) {
        const { probabilities } = await pool.predictOnThreads(model, images, { count, batchSize, threads, backend });
        return { probabilities, predictions: argmaxRows(probabilities, count) };
      }
    }
  }
  const probabilities = new Float32Array(count * NUM_CLASSES);
  for (let start = 0; start < count; start += batchSize) {
    await predictBatch(model, images, probabilities, start, Math.min(batchSize, count - start));
  }
  return { probabilities, predictions: argmaxRows(probabilities, count) };
}

/**
 * Class probabilities and predictions for normalised 28x28 images (`count * 784` floats), one batch of tensors at a
 * time; every tensor is disposed before it returns. This entry runs on the calling thread (`workers` other than 1 and
 * 'auto' are rejected); the Node entry's `predict` can also share the batches with worker threads.
 */
export function predict(
  model: tfl.LayersModel,
  images: Float32Array,
  options: PredictOptions = {},
): Promise<Predictions> {
  return predictWith(undefined, model, images, options);
}

/** Predicts `data` and scores it: the classification report, confusion matrix, log loss, top-3 accuracy and ECE. */
export function evaluate(
  model: tfl.LayersModel,
  data: LabelledImages,
  options: PredictOptions = {},
): Promise<ModelEvaluation> {
  return evaluateWith(undefined, model, data, options);
}

/** `evaluate` with the worker pool the entry offers (see {@link predictWith}). */
export async function evaluateWith(
  parallel: ParallelInferenceLoader | undefined,
  model: tfl.LayersModel,
  data: LabelledImages,
  options: PredictOptions = {},
): Promise<ModelEvaluation> {
  if (data.labels.length !== data.count || data.images.length !== data.count * PIXELS) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `data must hold count (${data.count}) labels and count * ${PIXELS} pixels, got ${data.labels.length} labels and ${data.images.length} pixels`,
    );
  }
  const { probabilities, predictions } = await predictWith(parallel, model, data.images, options);
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
