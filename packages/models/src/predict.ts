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

export interface PredictOptions {
  /** Images per forward pass. Default 256. */
  batchSize?: number;
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

/**
 * Class probabilities and predictions for normalised 28x28 images (`count * 784` floats), one batch of tensors at a
 * time; every tensor is disposed before it returns.
 */
export async function predict(
  model: tfl.LayersModel,
  images: Float32Array,
  options: PredictOptions = {},
): Promise<Predictions> {
  const batchSize = checkBatchSize(options.batchSize ?? 256);
  if (images.length % PIXELS !== 0) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `images must hold 28x28 images (a multiple of ${PIXELS} floats), got ${images.length} floats`,
    );
  }
  const count = images.length / PIXELS;
  const probabilities = new Float32Array(count * NUM_CLASSES);
  const predictions = new Uint8Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const output = tf.tidy(() => {
      const batch = tf.tensor4d(images.subarray(start * PIXELS, (start + size) * PIXELS), [size, ...INPUT_SHAPE]);
      return model.predict(batch) as tf.Tensor;
    });
    let values: Float32Array;
    try {
      if (output.shape.length !== 2 || output.shape[1] !== NUM_CLASSES) {
        throw new ModelsError(
          'E_MODELS_ARGUMENT',
          `the model outputs shape [${output.shape.join(', ')}], expected [batch, ${NUM_CLASSES}]`,
        );
      }
      values = (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
    probabilities.set(values, start * NUM_CLASSES);
    for (let row = 0; row < size; row++) {
      const offset = row * NUM_CLASSES;
      let best = 0;
      for (let column = 1; column < NUM_CLASSES; column++) {
        if (values[offset + column]! > values[offset + best]!) best = column;
      }
      predictions[start + row] = best;
    }
  }
  return { probabilities, predictions };
}

/** Predicts `data` and scores it: the classification report, confusion matrix, log loss, top-3 accuracy and ECE. */
export async function evaluate(
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
