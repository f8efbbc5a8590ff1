/**
 * The batch loop of inference, the same on every thread: claim the next batch of the images, run the model on it, write
 * its probabilities. One thread claims every batch; with workers, the threads claim them in turn from shared counters,
 * so a thread that starts late simply does fewer batches. Imports no other @fmnist package (workers load it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from './errors.js';
import { INPUT_SHAPE, NUM_CLASSES } from './models.js';
import { type InferenceShared, PROGRESS_WORDS, Progress } from './parallel/protocol.js';
import { type ImageView, writeView } from './views.js';

const PIXELS = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];
const IMAGE_SIZE = { rows: INPUT_SHAPE[0], cols: INPUT_SHAPE[1] };
const IMAGE_ONLY: readonly ImageView[] = [{ flip: false, rows: 0, cols: 0 }];

/**
 * Runs the model on images `[start, start + size)` of `images` and writes their probabilities to the same rows of
 * `probabilities`: with several `views` (test-time augmentation), the mean of the model's probabilities over the views,
 * one forward pass per view. Every tensor is disposed before it returns.
 */
export async function predictBatch(
  model: tfl.LayersModel,
  images: Float32Array,
  probabilities: Float32Array,
  start: number,
  size: number,
  views: readonly ImageView[] = IMAGE_ONLY,
): Promise<void> {
  const own = images.subarray(start * PIXELS, (start + size) * PIXELS);
  const sum = views.length > 1 ? new Float32Array(size * NUM_CLASSES) : undefined;
  const viewed = views.length > 1 ? new Float32Array(size * PIXELS) : undefined;
  for (const view of views) {
    let pixels = own;
    if (viewed !== undefined) {
      for (let image = 0; image < size; image++)
        writeView(own, image * PIXELS, viewed, image * PIXELS, IMAGE_SIZE, view);
      pixels = viewed;
    }
    const output = tf.tidy(() => model.predict(tf.tensor4d(pixels, [size, ...INPUT_SHAPE])) as tf.Tensor);
    try {
      if (output.shape.length !== 2 || output.shape[1] !== NUM_CLASSES) {
        throw new ModelsError(
          'E_MODELS_ARGUMENT',
          `the model outputs shape [${output.shape.join(', ')}], expected [batch, ${NUM_CLASSES}]`,
        );
      }
      const rows = (await output.data()) as Float32Array;
      if (sum === undefined) {
        probabilities.set(rows, start * NUM_CLASSES);
      } else {
        for (let index = 0; index < rows.length; index++) sum[index]! += rows[index]!;
      }
    } finally {
      output.dispose();
    }
  }
  if (sum !== undefined) {
    for (let index = 0; index < sum.length; index++) sum[index]! /= views.length;
    probabilities.set(sum, start * NUM_CLASSES);
  }
}

/** Claims batches until none is left, writing each one's probabilities; returns how many batches it did. */
export async function claimBatches(
  model: tfl.LayersModel,
  shared: InferenceShared,
  onBatch: () => void,
): Promise<number> {
  const { images, probabilities, count, batchSize, progress, views } = shared;
  const batches = Math.ceil(count / batchSize);
  let done = 0;
  for (;;) {
    const batch = Atomics.add(progress, Progress.nextBatch, 1);
    if (batch >= batches) return done;
    const start = batch * batchSize;
    await predictBatch(model, images, probabilities, start, Math.min(batchSize, count - start), views);
    Atomics.add(progress, Progress.doneBatches, 1);
    done++;
    onBatch();
  }
}

/** The probabilities of `count` images on the calling thread alone: the one-thread case of {@link claimBatches}. */
export async function predictOnCallingThread(
  model: tfl.LayersModel,
  images: Float32Array,
  count: number,
  batchSize: number,
  views?: readonly ImageView[],
): Promise<Float32Array> {
  const probabilities = new Float32Array(count * NUM_CLASSES);
  const progress = new Int32Array(PROGRESS_WORDS);
  await claimBatches(
    model,
    { images, probabilities, count, batchSize, progress, ...(views ? { views } : {}) },
    () => {},
  );
  return probabilities;
}
