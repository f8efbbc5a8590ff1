/** Pixel preprocessing: bytes to floats in [0, 1], optionally standardized with statistics of the training split. */
import { DatasetError } from './errors.js';

export interface Normalization {
  /** Mean of the pixels scaled to [0, 1]. */
  mean: number;
  /** Population standard deviation (like numpy's default) of the pixels scaled to [0, 1]. */
  std: number;
}

/** Mean and population standard deviation of the pixels scaled to [0, 1] (exact, from a 256-bin histogram). */
export function computeNormalization(images: Uint8Array): Normalization {
  if (images.length === 0) {
    throw new DatasetError('E_DATASET_ARGUMENT', 'computeNormalization: images is empty; pass at least one pixel');
  }
  const histogram = new Float64Array(256);
  for (let index = 0; index < images.length; index++) {
    const value = images[index] as number;
    histogram[value] = (histogram[value] as number) + 1;
  }
  let sum = 0;
  for (let value = 0; value < 256; value++) sum += (histogram[value] as number) * value;
  const mean = sum / images.length / 255;
  let squares = 0;
  for (let value = 0; value < 256; value++) {
    const deviation = value / 255 - mean;
    squares += (histogram[value] as number) * deviation * deviation;
  }
  return { mean, std: Math.sqrt(squares / images.length) };
}

/** Options of {@link normalizeImages}. */
export interface NormalizeImagesOptions {
  /**
   * Put the result in a SharedArrayBuffer, so worker threads read it without a copy (`train` and `predict` of
   * @fmnist/models with `workers` > 1 use such arrays as they are; a plain array is copied once into shared memory).
   * Default false.
   */
  shared?: boolean;
}

/**
 * Pixels as floats: `x / 255`, then `(x - mean) / std` when a normalization is given (compute it on the training
 * split with {@link computeNormalization} and reuse it for the others). Returns a new Float32Array.
 */
export function normalizeImages(
  images: Uint8Array,
  normalization?: Normalization,
  options: NormalizeImagesOptions = {},
): Float32Array {
  let mean = 0;
  let std = 1;
  if (normalization !== undefined) {
    ({ mean, std } = normalization);
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std <= 0) {
      throw new DatasetError(
        'E_DATASET_ARGUMENT',
        `normalizeImages: normalization must have a finite mean and a positive std, got mean ${mean}, std ${std}`,
      );
    }
  }
  // A 256-entry table computed in double precision keeps every pixel's value exact to float32 rounding.
  const table = new Float32Array(256);
  for (let value = 0; value < 256; value++) table[value] = (value / 255 - mean) / std;
  const output = options.shared
    ? new Float32Array(new SharedArrayBuffer(images.length * Float32Array.BYTES_PER_ELEMENT))
    : new Float32Array(images.length);
  for (let index = 0; index < images.length; index++) output[index] = table[images[index] as number] as number;
  return output;
}
