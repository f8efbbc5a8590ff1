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

const PIXELS = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];

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

/** Claims batches until none is left, writing each one's probabilities; returns how many batches it did. */
export async function claimBatches(
  model: tfl.LayersModel,
  shared: InferenceShared,
  onBatch: () => void,
): Promise<number> {
  const { images, probabilities, count, batchSize, progress } = shared;
  const batches = Math.ceil(count / batchSize);
  let done = 0;
  for (;;) {
    const batch = Atomics.add(progress, Progress.nextBatch, 1);
    if (batch >= batches) return done;
    const start = batch * batchSize;
    await predictBatch(model, images, probabilities, start, Math.min(batchSize, count - start));
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
): Promise<Float32Array> {
  const probabilities = new Float32Array(count * NUM_CLASSES);
  const progress = new Int32Array(PROGRESS_WORDS);
  await claimBatches(model, { images, probabilities, count, batchSize, progress }, () => {});
  return probabilities;
}
