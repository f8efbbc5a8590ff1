/** Occlusion sensitivity: where covering part of an image costs the model its belief in the true class. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import { NUM_CLASSES } from '../models.js';
import { predict } from '../predict.js';
import { inputImageSize } from './layers.js';

export interface OcclusionOptions {
  /** Side of the square patch, in pixels. Default 6. */
  patch?: number;
  /** Step between patch positions, in pixels (the last position always touches the far edge). Default 2. */
  stride?: number;
  /**
   * Value the patch holds, on the normalized scale of `images`. Default: the smallest value in `images`, which for
   * normalized FashionMNIST images is the background (a 0 pixel normalized).
   */
  fill?: number;
  /** Image height; must match the model's input. Default: the model's. */
  rows?: number;
  /** Image width; must match the model's input. Default: the model's. */
  cols?: number;
}

/** Patch offsets along one side: 0, stride, 2 * stride... and `length - patch`, so every pixel is covered. */
function patchOffsets(length: number, patch: number, stride: number): number[] {
  const offsets: number[] = [];
  for (let offset = 0; offset <= length - patch; offset += stride) offsets.push(offset);
  if (offsets[offsets.length - 1] !== length - patch) offsets.push(length - patch);
  return offsets;
}

function checkWhole(name: string, value: number, least: number, most: number): number {
  if (!Number.isSafeInteger(value) || value < least || value > most) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `occlusionSensitivity: ${name} must be a whole number from ${least} to ${most}, got ${value}`,
    );
  }
  return value;
}

/**
 * Occlusion-sensitivity maps: a `patch` x `patch` square of `fill` slides over each image with `stride`; at each
 * position the map records the drop `p(true class | image) - p(true class | occluded image)`, and each pixel of the
 * `rows * cols` map is the average drop over the positions whose patch covers it. Positive: covering there hurts the
 * model's belief in the true class. `images` are normalized (`count * rows * cols` floats), `labels` their true
 * classes. Inference goes through {@link predict} on the calling thread; every tensor is disposed when it settles.
 */
export async function occlusionSensitivity(
  model: tfl.LayersModel,
  images: Float32Array,
  labels: ArrayLike<number>,
  options: OcclusionOptions = {},
): Promise<Float32Array[]> {
  const input = inputImageSize(model, 'occlusionSensitivity');
  const rows = options.rows ?? input.rows;
  const cols = options.cols ?? input.cols;
  if (rows !== input.rows || cols !== input.cols) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `occlusionSensitivity: rows and cols (${rows}x${cols}) must match the model's ${input.rows}x${input.cols} input`,
    );
  }
  const patch = checkWhole('patch', options.patch ?? 6, 1, Math.min(rows, cols));
  const stride = checkWhole('stride', options.stride ?? 2, 1, Math.max(rows, cols));
  const pixels = rows * cols;
  if (images.length % pixels !== 0 || images.length / pixels !== labels.length) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `occlusionSensitivity: images (${images.length} floats) must hold one ${rows}x${cols} image per label (${labels.length} labels)`,
    );
  }
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index] as number;
    if (!Number.isInteger(label) || label < 0 || label >= NUM_CLASSES) {
      throw new ModelsError(
        'E_MODELS_ARGUMENT',
        `occlusionSensitivity: labels[${index}] must be a class from 0 to ${NUM_CLASSES - 1}, got ${label}`,
      );
    }
  }
  let fill = options.fill;
  if (fill === undefined) {
    fill = Number.POSITIVE_INFINITY;
    for (let index = 0; index < images.length; index++) fill = Math.min(fill, images[index] as number);
  } else if (!Number.isFinite(fill)) {
    throw new ModelsError('E_MODELS_ARGUMENT', `occlusionSensitivity: fill must be a finite number, got ${fill}`);
  }

  const tops = patchOffsets(rows, patch, stride);
  const lefts = patchOffsets(cols, patch, stride);
  const positions = tops.length * lefts.length;
  // How many positions cover each pixel: the same for every image.
  const coverage = new Float32Array(pixels);
  for (const top of tops) {
    for (const left of lefts) {
      for (let row = top; row < top + patch; row++) {
        for (let col = left; col < left + patch; col++) coverage[row * cols + col]! += 1;
      }
    }
  }

  const maps: Float32Array[] = [];
  // One forward pass per image: the original first, then one occluded copy per position.
  const batch = new Float32Array((1 + positions) * pixels);
  for (let image = 0; image < labels.length; image++) {
    const original = images.subarray(image * pixels, (image + 1) * pixels);
    let position = 0;
    batch.set(original, 0);
    for (const top of tops) {
      for (const left of lefts) {
        const offset = (1 + position) * pixels;
        batch.set(original, offset);
        for (let row = top; row < top + patch; row++) {
          batch.fill(fill, offset + row * cols + left, offset + row * cols + left + patch);
        }
        position++;
      }
    }
    const { probabilities } = await predict(model, batch, { batchSize: 256 });
    const label = labels[image] as number;
    const base = probabilities[label] as number;
    const map = new Float32Array(pixels);
    position = 0;
    for (const top of tops) {
      for (const left of lefts) {
        const drop = base - (probabilities[(1 + position) * NUM_CLASSES + label] as number);
        for (let row = top; row < top + patch; row++) {
          for (let col = left; col < left + patch; col++) map[row * cols + col]! += drop;
        }
        position++;
      }
    }
    for (let pixel = 0; pixel < pixels; pixel++) map[pixel]! /= coverage[pixel] as number;
    maps.push(map);
  }
  return maps;
}
