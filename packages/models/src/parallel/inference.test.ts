import { availableParallelism } from 'node:os';
import { createRandom } from '@fmnist/internal';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { ModelsError } from '../errors.js';
// The Node entry, which lends predict and evaluate the worker threads.
import { evaluate, predict } from '../index.js';
import { PARALLEL_INFERENCE_MIN_IMAGES } from '../predict.js';
import { autoInferenceWorkers, inferenceShared, inferenceWorkers } from './inference.js';
import { liveWorkerCount, WorkerPool } from './pool.js';
import { Progress } from './protocol.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/**
 * A tiny CNN (convolution, pooling, dense softmax) with seeded weights that differ from what its initializers give, so
 * a worker that rebuilt the model from its topology alone would compute something else.
 */
function tinyCnn(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  const weights = model.weights.map((weight, index) =>
    tf.randomNormal(weight.shape as number[], 0, 0.2, 'float32', index + 1),
  );
  model.setWeights(weights);
  for (const weight of weights) weight.dispose();
  return model;
}

function syntheticImages(count: number, seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: count * 784 }, () => 2 * random() - 1);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs(a[index]! - b[index]!));
  return max;
}

describe('inference on worker threads', { timeout: 120_000 }, () => {
  const count = 300;
  const images = syntheticImages(count, 3);

  it('gives the single-thread probabilities and predictions with workers: 2, and leaves no worker behind', async () => {
    const model = tinyCnn();
    const single = await predict(model, images, { batchSize: 32 });
    const parallel = await predict(model, images, { batchSize: 32, workers: 2 });
    expect(liveWorkerCount()).toBe(0);
    expect(parallel.probabilities).toHaveLength(count * 10);
    expect(maxDifference(parallel.probabilities, single.probabilities)).toBeLessThanOrEqual(1e-5);
    expect(Array.from(parallel.predictions)).toEqual(Array.from(single.predictions));
    // Not a shared-memory view: safe to hand to APIs that refuse SharedArrayBuffer.
    expect(parallel.probabilities.buffer).toBeInstanceOf(ArrayBuffer);
    model.dispose();
  });

  it('averages the same test-time views on worker threads as on one thread', async () => {
    const model = tinyCnn();
    const testTimeAugmentation = { flip: true, shift: 1 };
    const single = await predict(model, images, { batchSize: 32, testTimeAugmentation });
    const parallel = await predict(model, images, { batchSize: 32, workers: 2, testTimeAugmentation });
    const plain = await predict(model, images, { batchSize: 32 });
    expect(maxDifference(parallel.probabilities, single.probabilities)).toBeLessThanOrEqual(1e-5);
    expect(maxDifference(single.probabilities, plain.probabilities)).toBeGreaterThan(1e-4);
    expect(liveWorkerCount()).toBe(0);
    model.dispose();
  });

  it('lets workers of the pool do every batch when the calling thread claims none, with the same results', async () => {
    const model = tinyCnn();
    const single = await predict(model, images, { batchSize: 25 });
    const shared = inferenceShared(images, count, 25);
    const batches = [0, 0];
    let finished = 0;
    let allDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const pool = new WorkerPool({
      role: 'inference',
      workers: inferenceWorkers(model, shared, 2, 'cpu'),
      advice: '',
      onEvent: (workerIndex, message) => {
        if (message.type === 'batch') batches[workerIndex]!++;
        if (message.type === 'done' && ++finished === 2) allDone();
      },
    });
    try {
      expect(liveWorkerCount()).toBe(2);
      await Promise.race([done, pool.failed]);
    } finally {
      await pool.terminate();
    }
    expect(liveWorkerCount()).toBe(0);
    expect(batches[0]! + batches[1]!).toBe(12);
    expect(Atomics.load(shared.progress, Progress.doneBatches)).toBe(12);
    expect(maxDifference(shared.probabilities, single.probabilities)).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it('evaluates with workers exactly as on one thread', async () => {
    const model = tinyCnn();
    const labels = Uint8Array.from({ length: count }, (_, index) => index % 10);
    const data = { images, labels, count };
    const single = await evaluate(model, data, { batchSize: 64 });
    const parallel = await evaluate(model, data, { batchSize: 64, workers: 2 });
    expect(parallel.confusionMatrix).toEqual(single.confusionMatrix);
    expect(parallel.logLoss).toBeCloseTo(single.logLoss, 5);
    expect(liveWorkerCount()).toBe(0);
    model.dispose();
  });

  it('fails the pool with a ModelsError naming the worker when a worker fails, and every worker exits', async () => {
    const model = tinyCnn();
    // A backend no worker can start: each worker throws while setting up.
    const pool = new WorkerPool({
      role: 'inference',
      workers: inferenceWorkers(model, inferenceShared(images, count, 25), 1, 'no-such-backend'),
      advice: 'Try workers: 1.',
    });
    try {
      await expect(pool.failed).rejects.toSatisfy(
        (error) =>
          ModelsError.isInstance(error) &&
          error.code === 'E_MODELS_WORKER_FAILED' &&
          /inference worker 1 of 1 failed: backend must be one of .*Try workers: 1\./.test(error.message),
      );
    } finally {
      await pool.terminate();
    }
    expect(liveWorkerCount()).toBe(0);
    model.dispose();
  });

  it('stops the workers when the calling thread fails on its own batch', async () => {
    // Outputs 5 values per image, not 10: the calling thread's first batch rejects.
    const wrongShape = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [28, 28, 1] }), tfl.layers.dense({ units: 5 })],
    });
    await expect(predict(wrongShape, images, { batchSize: 50, workers: 2 })).rejects.toThrow(/outputs shape \[50, 5\]/);
    expect(liveWorkerCount()).toBe(0);
    wrongShape.dispose();
  });
});

describe('workers option', () => {
  it("'auto' uses one thread per idle core, only from PARALLEL_INFERENCE_MIN_IMAGES images on and not on tfjs-node", () => {
    const cores = Math.min(availableParallelism(), 8);
    expect(autoInferenceWorkers(PARALLEL_INFERENCE_MIN_IMAGES - 1, 'wasm', 0)).toBe(1);
    expect(autoInferenceWorkers(10_000, 'tensorflow', 0)).toBe(1);
    // An idle machine, or only this thread busy: every core.
    expect(autoInferenceWorkers(10_000, 'wasm', 0)).toBe(cores);
    expect(autoInferenceWorkers(10_000, 'wasm', 1)).toBe(cores);
    // Other work keeps every core busy: the calling thread alone.
    expect(autoInferenceWorkers(10_000, 'wasm', cores + 0.5)).toBe(1);
    expect(autoInferenceWorkers(10_000, 'wasm', cores - 0.5)).toBe(1);
  });

  it('rejects workers that are not a whole number of at least 1', async () => {
    const model = tinyCnn();
    const one = new Float32Array(784);
    await expect(predict(model, one, { workers: 0 })).rejects.toThrow(/workers must be 'auto' or a whole number/);
    await expect(predict(model, one, { workers: 1.5 })).rejects.toThrow(/got 1.5/);
    model.dispose();
  });
});
