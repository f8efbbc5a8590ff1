/**
 * The deterministic parts of a training step that need no tensors: seeded epoch order, batch boundaries, each worker's
 * share of a batch, the learning-rate schedule, and augmentation of a Float32 batch in place. The seeded generator is
 * the project's one mulberry32 (`createRandom` in @fmnist/internal), so a seed gives the same stream on every thread.
 */
import { createRandom, mixSeeds, shuffleInPlace } from '@fmnist/internal';
import type { LearningRateSchedule } from '../types.js';
import { writeView } from '../views.js';

/** The order in which epoch `epoch` (0-based) visits the `count` training images: a seeded Fisher-Yates shuffle. */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let index = 0; index < count; index++) order[index] = index;
  return shuffleInPlace(order, createRandom(mixSeeds(seed, epoch, 0x5eed)));
}

/** Optimiser steps in one epoch (the last batch may be smaller). */
export function stepsPerEpoch(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/** `[start, end)` of worker `worker`'s share of a batch of `size` images: contiguous, sizes differ by at most one. */
export function workerShare(size: number, workers: number, worker: number): { start: number; end: number } {
  const base = Math.floor(size / workers);
  const extra = size % workers;
  const start = worker * base + Math.min(worker, extra);
  return { start, end: start + base + (worker < extra ? 1 : 0) };
}

/**
 * Learning rate of global step `step` (0-based) out of `totalSteps`. The first `warmupSteps` steps rise linearly to
 * `learningRate` (step s takes (s + 1) / warmupSteps of it); after them 'cosine' decays to 0 over the remaining steps.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  learningRate: number,
  schedule: LearningRateSchedule,
  warmupSteps = 0,
): number {
  if (step < warmupSteps) return (learningRate * (step + 1)) / warmupSteps;
  const remaining = totalSteps - warmupSteps;
  if (schedule === 'constant' || remaining <= 0) return learningRate;
  return 0.5 * learningRate * (1 + Math.cos((Math.PI * (step - warmupSteps)) / remaining));
}

/** Replaces one-hot targets `oneHot[0, rows * 10)` with smoothed ones: (1 - ε) on the label, ε / 10 everywhere. */
export function smoothLabels(oneHot: Float32Array, rows: number, epsilon: number): void {
  if (epsilon <= 0) return;
  const floor = epsilon / 10;
  for (let index = 0; index < rows * 10; index++) oneHot[index] = oneHot[index]! * (1 - epsilon) + floor;
}

export interface Augmentation {
  flip: boolean;
  maxShift: number;
}

/**
 * Copies images `order[start..end)` into `batch` (NHWC, one channel), their labels into `batchLabels` and the
 * one-hot labels into `oneHot`.
 * With augmentation, each image is flipped and shifted by draws that depend only on (seed, epoch, position in the
 * epoch), so an image gets the same augmentation whichever worker handles it. Shifted-in pixels take the image's
 * corner value (the normalized background), not 0, since 0 is not black after standardization.
 */
export function fillBatch(
  images: Float32Array,
  labels: Uint8Array,
  order: Uint32Array,
  start: number,
  end: number,
  imageSize: { rows: number; cols: number },
  batch: Float32Array,
  batchLabels: Uint8Array,
  oneHot: Float32Array,
  augmentation: Augmentation | undefined,
  seed: number,
  epoch: number,
): void {
  const pixels = imageSize.rows * imageSize.cols;
  oneHot.fill(0, 0, (end - start) * 10);
  for (let position = start; position < end; position++) {
    const image = order[position]!;
    const target = (position - start) * pixels;
    const label = labels[image]!;
    batchLabels[position - start] = label;
    oneHot[(position - start) * 10 + label] = 1;
    const source = image * pixels;
    if (augmentation === undefined || (!augmentation.flip && augmentation.maxShift <= 0)) {
      batch.set(images.subarray(source, source + pixels), target);
      continue;
    }
    const random = createRandom(mixSeeds(seed, epoch, position, 0xa097));
    const flip = augmentation.flip && random() < 0.5;
    const span = 2 * augmentation.maxShift + 1;
    const shiftRows = augmentation.maxShift > 0 ? Math.floor(random() * span) - augmentation.maxShift : 0;
    const shiftCols = augmentation.maxShift > 0 ? Math.floor(random() * span) - augmentation.maxShift : 0;
    writeView(images, source, batch, target, imageSize, { flip, rows: shiftRows, cols: shiftCols });
  }
}

/** Sum of clipped cross-entropy and count of correct top-1 predictions, from softmax probabilities (float64 in JS). */
export function scoreProbabilities(
  probabilities: Float32Array,
  labels: Uint8Array,
  start: number,
  count: number,
  epsilon: number,
): { lossSum: number; correct: number } {
  let lossSum = 0;
  let correct = 0;
  for (let row = 0; row < count; row++) {
    const offset = row * 10;
    const label = labels[start + row]!;
    let best = 0;
    for (let klass = 1; klass < 10; klass++) {
      if (probabilities[offset + klass]! > probabilities[offset + best]!) best = klass;
    }
    if (best === label) correct++;
    const probability = Math.min(Math.max(probabilities[offset + label]!, epsilon), 1 - epsilon);
    lossSum -= Math.log(probability);
  }
  return { lossSum, correct };
}
