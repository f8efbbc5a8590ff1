/** Robustness: a model's accuracy on transformed copies of the test images (shifted, rotated, noisy...). */
import {
  type Normalization,
  normalizeImages,
  ROBUSTNESS_CONDITIONS,
  type RobustnessCondition,
  transformForCondition,
} from '@fmnist/dataset';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import { type PredictOptions, predict } from '../predict.js';
import { inputImageSize } from './layers.js';

/** The untransformed test images, listed first among a robustness study's results. */
export interface CleanCondition {
  family: 'clean';
  severity: 0;
  label: 'clean';
}

export const CLEAN_CONDITION: CleanCondition = Object.freeze({ family: 'clean', severity: 0, label: 'clean' });

/** A model's accuracy on one condition. */
export interface RobustnessEntry {
  condition: RobustnessCondition | CleanCondition;
  /** Fraction of the images, over all of the condition's copies, classified right. */
  accuracy: number;
  /**
   * `correct[i]` is 1 if image i is classified right, 0 if not, over the condition's copies concatenated in the order
   * `transformForCondition` returns them (`copies * count` entries; image i is test image `i % count`).
   */
  correct: Uint8Array;
  /** How many transformed copies of the test images the condition has (4 for shift, 2 for rotation, else 1). */
  copies: number;
}

export interface RobustnessOptions {
  /** Conditions after the clean one. Default: `ROBUSTNESS_CONDITIONS` from @fmnist/dataset. */
  conditions?: readonly RobustnessCondition[];
  /** Seeds the noisy and occluded copies: every model given the same seed sees the same images. Default 0. */
  seed?: number;
  /** Images per forward pass. Default 256. */
  batchSize?: number;
  /** Threads for inference, as in `predict`. Default 1. */
  workers?: PredictOptions['workers'];
}

/**
 * Test accuracy of `model` on the clean test images and on each condition's transformed copies (made from the raw
 * bytes with `transformForCondition`, then normalized with `normalization` by `normalizeImages`, as the training data
 * were). Returns one entry per condition, the clean one first. Inference goes through {@link predict}, so `workers`
 * behaves as there; every tensor is disposed when it settles.
 */
export async function evaluateRobustness(
  model: tfl.LayersModel,
  test: { images: Uint8Array; labels: Uint8Array; rows: number; cols: number },
  normalization: Normalization,
  options: RobustnessOptions = {},
): Promise<RobustnessEntry[]> {
  const { rows, cols } = inputImageSize(model, 'evaluateRobustness');
  if (test.rows !== rows || test.cols !== cols) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `evaluateRobustness: test images are ${test.rows}x${test.cols}, the model takes ${rows}x${cols}`,
    );
  }
  const count = test.labels.length;
  if (count === 0 || test.images.length !== count * rows * cols) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `evaluateRobustness: test must hold at least one image and ${rows}x${cols} pixels per label (${count} labels), got ${test.images.length} pixels`,
    );
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) {
    throw new ModelsError('E_MODELS_ARGUMENT', `evaluateRobustness: seed must be a finite number, got ${seed}`);
  }
  const predictOptions: PredictOptions = { batchSize: options.batchSize ?? 256, workers: options.workers ?? 1 };
  const size = { rows, cols };

  const score = async (condition: RobustnessEntry['condition'], copies: Uint8Array[]): Promise<RobustnessEntry> => {
    // All copies in one pass, so workers (if any) start once per condition.
    const raw = copies.length === 1 ? (copies[0] as Uint8Array) : new Uint8Array(copies.length * test.images.length);
    if (copies.length > 1) {
      copies.forEach((copy, index) => {
        raw.set(copy, index * test.images.length);
      });
    }
    const { predictions } = await predict(model, normalizeImages(raw, normalization), predictOptions);
    const correct = new Uint8Array(predictions.length);
    let right = 0;
    for (let index = 0; index < predictions.length; index++) {
      if (predictions[index] === test.labels[index % count]) {
        correct[index] = 1;
        right++;
      }
    }
    return { condition, accuracy: right / predictions.length, correct, copies: copies.length };
  };

  const entries = [await score(CLEAN_CONDITION, [test.images])];
  for (const condition of options.conditions ?? ROBUSTNESS_CONDITIONS) {
    entries.push(await score(condition, transformForCondition(test.images, size, condition, seed)));
  }
  return entries;
}
