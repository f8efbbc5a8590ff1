import { createRandom } from '@fmnist/internal';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { startedWorkers } from '../test/started-workers.js';
import { selectBackend } from './backend.js';
import { ModelsError } from './errors.js';
import { TrainingEngine } from './parallel/engine.js';
import { liveWorkerCount } from './parallel/pool.js';
import { Replica, readWeights, weightsDigest } from './parallel/replica.js';
import { train } from './train.js';
import type { LabeledImages } from './types.js';

/**
 * Synthetic 28x28 images: class k lights up a 7x7 block at a position of its own, on top of noise, so a tiny model
 * learns it in one or two epochs. `shuffledLabels` breaks the link (for a validation set that gets worse).
 */
function syntheticData(count: number, seed: number, shuffledLabels = false): LabeledImages {
  const random = createRandom(seed);
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  for (let index = 0; index < count; index++) {
    const label = Math.floor(random() * 10);
    labels[index] = shuffledLabels ? Math.floor(random() * 10) : label;
    const top = Math.floor(label / 4) * 9;
    const left = (label % 4) * 7;
    for (let pixel = 0; pixel < 784; pixel++) images[index * 784 + pixel] = random() - 0.5;
    for (let row = top; row < top + 7; row++) {
      for (let col = left; col < left + 7; col++) images[index * 784 + row * 28 + col]! += 1.5;
    }
  }
  return { images, labels, count };
}

function tinyCnn(seed: number, options: { batchNorm?: boolean; dropout?: number } = {}): tfl.Sequential {
  const kernelInitializer = () => tfl.initializers.glorotUniform({ seed: seed++ });
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 4,
      kernelSize: 3,
      strides: 2,
      activation: 'relu',
      kernelInitializer: kernelInitializer(),
    }),
  );
  if (options.batchNorm) model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.flatten());
  if (options.dropout) model.add(tfl.layers.dropout({ rate: options.dropout }));
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: kernelInitializer() }));
  return model;
}

function digest(model: tfl.LayersModel): string {
  return weightsDigest(readWeights(model));
}

beforeAll(async () => {
  // The cpu backend with the package's fast kernels, as the workers will use it.
  await selectBackend('cpu');
});

describe('train on the calling thread', () => {
  const data = syntheticData(512, 1);
  const validation = syntheticData(256, 2);

  it('learns a separable task: loss falls and validation accuracy is high', async () => {
    const model = tinyCnn(7);
    const history = await train(model, data, { epochs: 3, batchSize: 32, learningRate: 0.01, validation, seed: 3 });
    expect(history.epochs).toHaveLength(3);
    expect(history.epochs[2]!.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(history.epochs[2]!.validationAccuracy).toBeGreaterThan(0.9);
    expect(history).toMatchObject({ backend: 'cpu', workers: 1, cancelled: false, stoppedEarly: false, bestEpoch: 3 });
    expect(history.imagesPerSecond).toBeGreaterThan(0);
    model.dispose();
  });

  it('gives bit-identical weights for the same seed and different ones for another seed', async () => {
    const options = { epochs: 1, batchSize: 64, seed: 11, augmentation: { flip: true, maxShift: 2 } };
    const first = tinyCnn(5);
    const second = tinyCnn(5);
    const third = tinyCnn(5);
    expect(digest(first)).toBe(digest(second));
    await train(first, data, options);
    await train(second, data, options);
    await train(third, data, { ...options, seed: 12 });
    expect(digest(first)).toBe(digest(second));
    expect(digest(first)).not.toBe(digest(third));
    for (const model of [first, second, third]) model.dispose();
  });

  it('draws seeded dropout masks: the same seed gives the same weights, another seed other weights', async () => {
    const options = { epochs: 1, batchSize: 64, seed: 11, learningRate: 0.01 };
    const [first, second, third, noDropout] = [0.5, 0.5, 0.5, 0].map((dropout) => tinyCnn(5, { dropout }));
    await train(first!, data, options);
    await train(second!, data, options);
    await train(third!, data, { ...options, seed: 12 });
    await train(noDropout!, data, options);
    expect(digest(first!)).toBe(digest(second!));
    expect(digest(first!)).not.toBe(digest(third!));
    // Dropout is really active in training (the masks change the steps), and the layer's own seed is left as it was.
    expect(digest(first!)).not.toBe(digest(noDropout!));
    const layer = first!.layers.find((candidate) => candidate.getClassName() === 'Dropout') as unknown as {
      seed?: number;
    };
    expect(layer.seed).toBeUndefined();
    for (const model of [first, second, third, noDropout]) model!.dispose();
  });

  it('draws a new dropout mask for every epoch and every share of a batch, the same one for the same step', () => {
    const model = tinyCnn(9, { dropout: 0.5 });
    const config = {
      epochs: 1,
      batchSize: 64,
      learningRate: 1e-3,
      schedule: 'constant',
      warmupSteps: 0,
      labelSmoothing: 0,
      augmentation: undefined,
      seed: 4,
    } as const;
    const replica = new Replica(model, { ...data, rows: 28, cols: 28 }, config);
    const order = Uint32Array.from({ length: 128 }, (_, index) => index % 64);
    const gradientAt = (start: number, epoch: number): Float32Array => {
      const gradient = new Float32Array(replica.parameterCount);
      replica.computeGradient(order, start, start + 64, 64, undefined, 0, 4, epoch, gradient);
      return gradient;
    };
    // Images 0-63 at places 0 and 64 of the order: the same images, so only the masks can differ.
    const reference = gradientAt(0, 0);
    expect(gradientAt(0, 0)).toEqual(reference);
    expect(gradientAt(0, 1)).not.toEqual(reference);
    expect(gradientAt(64, 0)).not.toEqual(reference);
    model.dispose();
  });

  it('keeps the tensor count flat across epochs and releases everything at the end', async () => {
    const model = tinyCnn(1);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await train(model, data, {
      epochs: 3,
      batchSize: 100,
      validation,
      earlyStopping: { patience: 5, restoreBest: true },
      onEpochEnd: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('follows the cosine schedule from the learning rate down towards 0', async () => {
    const model = tinyCnn(2);
    const history = await train(model, syntheticData(64, 3), {
      epochs: 4,
      batchSize: 16,
      learningRate: 0.002,
      schedule: 'cosine',
    });
    const rates = history.epochs.map((epoch) => epoch.learningRate);
    expect(rates[0]).toBeCloseTo(0.002, 9);
    expect(rates[2]).toBeCloseTo(0.001, 9);
    expect(rates[3]).toBeLessThan(rates[2]!);
    model.dispose();
  });

  it('stops early on a worsening validation loss and restores the best weights', async () => {
    const model = tinyCnn(9);
    const weightsByEpoch = new Map<number, string>();
    const history = await train(model, data, {
      epochs: 8,
      batchSize: 32,
      learningRate: 0.02,
      validation: syntheticData(256, 4, true),
      earlyStopping: { patience: 1, restoreBest: true },
      onEpochEnd: (epoch) => {
        weightsByEpoch.set(epoch.epoch, digest(model));
      },
    });
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs.length).toBeLessThan(8);
    const losses = history.epochs.map((epoch) => epoch.validationLoss!);
    expect(history.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expect(history.bestEpoch).toBeLessThan(history.epochs.length);
    expect(digest(model)).toBe(weightsByEpoch.get(history.bestEpoch));
    model.dispose();
  });

  it('stops after the current step when the signal aborts and returns the history without throwing', async () => {
    const model = tinyCnn(4);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const batches: number[] = [];
    const history = await train(model, data, {
      epochs: 3,
      batchSize: 32,
      signal: controller.signal,
      onBatchEnd: (progress) => {
        batches.push(progress.batch);
        if (progress.batch === 3) controller.abort();
      },
    });
    expect(history.cancelled).toBe(true);
    expect(history.epochs).toHaveLength(0);
    expect(batches).toEqual([1, 2, 3]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('rejects invalid options with a ModelsError naming the option', async () => {
    const model = tinyCnn(1);
    const attempts: [Parameters<typeof train>[2], RegExp][] = [
      [{ epochs: 0 }, /epochs must be a positive integer, got 0/],
      [{ batchSize: 1.5 }, /batchSize/],
      [{ schedule: 'linear' as never }, /schedule must be 'constant' or 'cosine'/],
      [{ earlyStopping: { patience: 2 } }, /pass validation data/],
      [{ workers: 0 }, /workers must be a positive integer/],
      [{ epochs: 2, warmupEpochs: 3 }, /warmupEpochs must be a number from 0 to epochs \(2\), got 3/],
      [{ labelSmoothing: 1 }, /labelSmoothing must be a number from 0/],
      [{ labelSmoothing: -0.1 }, /labelSmoothing must be a number from 0/],
    ];
    for (const [options, message] of attempts) {
      const error = await train(model, data, options).catch((caught: unknown) => caught);
      expect(ModelsError.isInstance(error)).toBe(true);
      expect((error as ModelsError).code).toBe('E_MODELS_ARGUMENT');
      expect((error as Error).message).toMatch(message);
    }
    const short = { ...data, images: data.images.subarray(0, 100) };
    await expect(train(model, short)).rejects.toThrow(/data.images holds 100 values/);
    model.dispose();
  });
});

// Each test starts worker threads that load tfjs (through tsx from source): slow on a busy machine.
describe('data-parallel training on worker threads', { timeout: 240_000 }, () => {
  const data = syntheticData(400, 5);
  const validation = syntheticData(100, 6);

  it('keeps replicas bit-identical, hands the final weights to the model and leaves no worker behind', async () => {
    const model = tinyCnn(3, { batchNorm: true });
    const engine = await TrainingEngine.start(
      model,
      { ...data, rows: 28, cols: 28 },
      {
        workers: 2,
        backend: 'cpu',
        config: {
          epochs: 2,
          batchSize: 50,
          learningRate: 0.01,
          schedule: 'cosine',
          warmupSteps: 0,
          labelSmoothing: 0,
          augmentation: undefined,
          seed: 1,
        },
        validation: undefined,
        onStep: undefined,
      },
    );
    expect(liveWorkerCount()).toBe(2);
    try {
      const totals = await engine.runEpoch(0, undefined);
      expect(totals).toMatchObject({ images: 400, cancelled: false });
      expect(engine.lastDigests).toHaveLength(2);
      expect(engine.lastDigests[0]).toBe(engine.lastDigests[1]);
      expect(engine.lastDigests[0]).not.toBe(digest(model));
      expect(weightsDigest(await engine.readWeights())).toBe(engine.lastDigests[0]);
    } finally {
      await engine.close();
    }
    expect(liveWorkerCount()).toBe(0);
  });

  it('trains with 2 workers: learns, is reproducible for a seed, and the model ends with the replicas weights', async () => {
    const options = { epochs: 2, batchSize: 40, learningRate: 0.01, validation, seed: 8, workers: 2 } as const;
    // With dropout, whose masks the workers draw from the training seed.
    const first = tinyCnn(6, { dropout: 0.25 });
    const second = tinyCnn(6, { dropout: 0.25 });
    const batches: number[] = [];
    const history = await train(first, data, { ...options, onBatchEnd: (progress) => batches.push(progress.batch) });
    await train(second, data, options);
    expect(history.workers).toBe(2);
    expect(history.epochs[1]!.validationAccuracy).toBeGreaterThan(0.8);
    expect(batches).toHaveLength(20);
    expect(digest(first)).toBe(digest(second));
    expect(liveWorkerCount()).toBe(0);
    first.dispose();
    second.dispose();
  });

  it('computes the same steps as training on one thread, up to float rounding', async () => {
    const serial = tinyCnn(4);
    const parallel = tinyCnn(4);
    const options = { epochs: 1, batchSize: 40, learningRate: 0.001, seed: 2 } as const;
    await train(serial, data, { ...options, workers: 1 });
    await train(parallel, data, { ...options, workers: 2 });
    const serialWeights = readWeights(serial);
    const parallelWeights = readWeights(parallel);
    let maxDifference = 0;
    let maxChange = 0;
    const untrained = tinyCnn(4);
    const initial = readWeights(untrained);
    untrained.dispose();
    serialWeights.forEach((values, index) => {
      for (let element = 0; element < values.length; element++) {
        maxDifference = Math.max(maxDifference, Math.abs(values[element]! - parallelWeights[index]![element]!));
        maxChange = Math.max(maxChange, Math.abs(values[element]! - initial[index]![element]!));
      }
    });
    // 10 Adam steps of 1e-3 move weights by about 1e-2; the two paths differ only by summation order.
    expect(maxChange).toBeGreaterThan(5e-3);
    expect(maxDifference).toBeLessThan(1e-5);
    serial.dispose();
    parallel.dispose();
  });

  it('stops all workers when cancelled mid-epoch', async () => {
    const model = tinyCnn(2);
    const controller = new AbortController();
    const history = await train(model, data, {
      epochs: 2,
      batchSize: 20,
      workers: 2,
      signal: controller.signal,
      onBatchEnd: (progress) => {
        if (progress.batch === 2) controller.abort();
      },
    });
    expect(history.cancelled).toBe(true);
    expect(history.epochs).toHaveLength(0);
    expect(liveWorkerCount()).toBe(0);
    model.dispose();
  });

  it('fails the epoch with a ModelsError when a worker dies mid-epoch, and stops the other', async () => {
    const model = tinyCnn(3);
    const engine = await TrainingEngine.start(
      model,
      { ...data, rows: 28, cols: 28 },
      {
        workers: 2,
        backend: 'cpu',
        config: {
          epochs: 1,
          batchSize: 8,
          learningRate: 0.01,
          schedule: 'constant',
          warmupSteps: 0,
          labelSmoothing: 0,
          augmentation: undefined,
          seed: 1,
        },
        validation: undefined,
        onStep: (step) => {
          // White-box: kill worker 2 (the last one started) while both are in the middle of the epoch.
          if (step.batch === 3) void startedWorkers.at(-1)!.terminate();
        },
      },
    );
    try {
      const error = await engine.runEpoch(0, undefined).catch((caught: unknown) => caught);
      expect(ModelsError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/training worker 2 of 2 failed: exited unexpectedly/);
    } finally {
      await engine.close();
    }
    expect(liveWorkerCount()).toBe(0);
    model.dispose();
  });

  it('rejects with the error thrown by onBatchEnd and stops the workers', async () => {
    const model = tinyCnn(1);
    const failure = new Error('progress display broke');
    const promise = train(model, data, {
      workers: 2,
      batchSize: 20,
      onBatchEnd: (progress) => {
        if (progress.batch === 2) throw failure;
      },
    });
    await expect(promise).rejects.toBe(failure);
    expect(liveWorkerCount()).toBe(0);
    model.dispose();
  });

  it('turns a failing worker into a ModelsError and leaves no worker behind', async () => {
    // A layer class registered only on this thread: the workers cannot rebuild the model and fail at start-up.
    class LocalOnlyIdentity extends tfl.layers.Layer {
      static readonly className = 'LocalOnlyIdentity';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return Array.isArray(inputs) ? inputs[0]! : inputs;
      }
    }
    tf.serialization.registerClass(LocalOnlyIdentity);
    const model = tinyCnn(1);
    model.add(new LocalOnlyIdentity({}));
    const error = await train(model, data, { workers: 2 }).catch((caught: unknown) => caught);
    expect(ModelsError.isInstance(error)).toBe(true);
    expect((error as ModelsError).code).toBe('E_MODELS_WORKER_FAILED');
    expect((error as Error).message).toMatch(/training worker \d of 2 failed: .*LocalOnlyIdentity/);
    expect(liveWorkerCount()).toBe(0);
    model.dispose();
  });
});
