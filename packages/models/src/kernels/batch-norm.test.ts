import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelsError } from '../errors.js';
import {
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
  batchNormTraining,
  setFusedBatchNormEnabled,
} from './batch-norm.js';
import { registerFastKernels } from './index.js';
import { relaxedSimdSupported, setRelaxedSimdEnabled, setSimdKernelsEnabled, simdVariant } from './simd.js';

const EPSILON = 1e-3;
const MOMENTUM = 0.9;

/** Odd sizes; channels that fill whole vectors (SIMD path, 32 takes its unrolled loop) and channels that do not. */
const shapes: number[][] = [
  [3, 5, 7, 8],
  [2, 9, 3, 5],
  [5, 3, 3, 32],
  [7, 12],
  [1, 1, 3, 4],
];

function random(shape: number[], seed: number, mean = 0, scale = 1): tf.Tensor {
  return tf.randomNormal(shape, mean, scale, 'float32', seed);
}

interface Case {
  x: tf.Tensor;
  scale: tf.Tensor;
  offset: tf.Tensor;
  movingMean: tf.Tensor;
  movingVariance: tf.Tensor;
  /** Weights of the loss on each of the five outputs, so that every upstream gradient is non-zero. */
  weights: tf.Tensor[];
}

function makeCase(shape: number[], seed: number): Case {
  const channels = shape[shape.length - 1]!;
  // A common offset far from zero, as after a ReLU with a large bias: the statistics must not lose it.
  const x = random(shape, seed, 3, 2);
  return {
    x,
    scale: random([channels], seed + 1, 1, 0.5),
    offset: random([channels], seed + 2),
    movingMean: random([channels], seed + 3),
    movingVariance: tf.abs(random([channels], seed + 4, 1)),
    weights: [random(shape, seed + 5), ...[6, 7, 8, 9].map((k) => random([channels], seed + k))],
  };
}

/** What tfjs-layers' BatchNormalization computes in training, from tfjs-core ops (moments, batchNorm, moving averages). */
function reference(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, c: Case): tf.Tensor[] {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.batchNorm(x, mean, variance, offset, scale, EPSILON);
  const decay = 1 - MOMENTUM;
  const newMean = tf.sub(c.movingMean, tf.mul(tf.sub(c.movingMean, mean), decay));
  const newVariance = tf.sub(c.movingVariance, tf.mul(tf.sub(c.movingVariance, variance), decay));
  return [y, mean, variance, newMean, newVariance];
}

function fused(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, c: Case): tf.Tensor[] {
  return batchNormTraining(x, scale, offset, c.movingMean, c.movingVariance, {
    varianceEpsilon: EPSILON,
    momentum: MOMENTUM,
  });
}

type Forward = typeof reference;

/** The five outputs, then the gradients of Σ weights·outputs with respect to x, scale and offset. */
function outputsAndGradients(forward: Forward, shape: number[], seed: number): Float32Array[] {
  return tf.tidy(() => {
    const c = makeCase(shape, seed);
    const loss = (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
      forward(x, scale, offset, c)
        .map((out, i) => tf.sum(tf.mul(out, c.weights[i]!)))
        .reduce((a, b) => tf.add(a, b));
    const outputs = forward(c.x, c.scale, c.offset, c);
    const gradients = tf.grads(loss)([c.x, c.scale, c.offset]);
    return [...outputs, ...gradients].map((t) => t.dataSync() as Float32Array);
  });
}

function expectClose(actual: Float32Array[], expected: Float32Array[], what: string): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((values, i) => {
    const want = expected[i]!;
    expect(values.length, `${what}, output ${i}`).toBe(want.length);
    let worst = 0;
    for (let j = 0; j < values.length; j++) {
      worst = Math.max(worst, Math.abs(values[j]! - want[j]!) / Math.max(1, Math.abs(want[j]!)));
    }
    expect(worst, `${what}, output ${i}`).toBeLessThanOrEqual(1e-4);
  });
}

/** References from the stock cpu kernels, before any fast kernel is registered. */
const expected = new Map<string, Float32Array[]>();
let layerReference: Float32Array[];

/** A small network as the CNN uses batch norm (conv + ReLU, then batch norm), its output and weight gradients. */
function layerRun(seed: number): Float32Array[] {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [7, 5, 3],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
      tfl.layers.batchNormalization({ momentum: MOMENTUM }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  const result = tf.tidy(() => {
    const x = random([3, 7, 5, 3], seed + 2);
    const target = random([3, 4], seed + 3);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(tf.sub(model.apply(x, { training: true }) as tf.Tensor, target))) as tf.Scalar,
      variables,
    );
    const moving = model.layers[1]!.getWeights().slice(2);
    const inference = model.predict(x) as tf.Tensor;
    return [value, ...variables.map((v) => grads[v.name]!), ...moving, inference].map(
      (t) => t.dataSync() as Float32Array,
    );
  });
  model.dispose();
  return result;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  shapes.forEach((shape, i) => {
    expected.set(shape.join('x'), outputsAndGradients(reference, shape, 10 * i + 1));
  });
  layerReference = layerRun(7);
  registerFastKernels('cpu');
  await tf.setBackend('wasm');
  registerFastKernels('wasm');
}, 120_000);

afterEach(() => {
  setSimdKernelsEnabled(true);
  setRelaxedSimdEnabled(true);
  setFusedBatchNormEnabled(true);
});

const settings: [string, string, () => void][] = [
  ['wasm', 'SIMD module, the best build this engine runs', () => {}],
  ['wasm', 'SIMD128 build forced', () => setRelaxedSimdEnabled(false)],
  ['wasm', 'JavaScript paths', () => setSimdKernelsEnabled(false)],
  ['cpu', 'JavaScript', () => {}],
];

describe.each(settings)('the fused batch-norm kernels on %s (%s)', (backend, _how, set) => {
  it.each(shapes.map((s) => s.join('x')))(
    'x %s: y, mean, variance, moving statistics and the gradients of x, scale, offset equal tfjs within 1e-4',
    async (name) => {
      await tf.setBackend(backend);
      set();
      const i = shapes.findIndex((s) => s.join('x') === name);
      expectClose(outputsAndGradients(fused, shapes[i]!, 10 * i + 1), expected.get(name)!, name);
    },
  );

  it("BatchNormalization in a model: loss, every weight's gradient, moving statistics, inference", async () => {
    await tf.setBackend(backend);
    set();
    const before = tf.memory().numTensors;
    expectClose(layerRun(7), layerReference, 'layer');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the fused batch-norm layer path', () => {
  it('runs the fused kernel in training, and no tfjs moments, once registerFastKernels ran', async () => {
    await tf.setBackend('wasm');
    const run = async () => {
      const profile = await tf.profile(() => {
        layerRun(3);
      });
      return profile.kernelNames;
    };
    const names = await run();
    expect(names).toContain(BATCH_NORM_TRAINING);
    expect(names).toContain(BATCH_NORM_TRAINING_GRAD);
    expect(names).not.toContain('Mean');
    setFusedBatchNormEnabled(false);
    const stock = await run();
    expect(stock).not.toContain(BATCH_NORM_TRAINING);
    expect(stock).toContain('Mean');
  });

  it('throws E_MODELS_KERNEL naming the kernel and the shapes when a statistic does not match the channels', async () => {
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const x = tf.zeros([2, 3, 4]);
      const good = tf.ones([4]);
      const bad = tf.ones([3]);
      const attempt = () =>
        batchNormTraining(x, bad, good, good, good, { varianceEpsilon: EPSILON, momentum: MOMENTUM });
      expect(attempt).toThrow(ModelsError);
      try {
        attempt();
      } catch (error) {
        expect((error as ModelsError).code).toBe('E_MODELS_KERNEL');
        expect((error as Error).message).toContain(BATCH_NORM_TRAINING);
        expect((error as Error).message).toContain('[3]');
      }
      tf.dispose([x, good, bad]);
    }
  });
});

describe('the relaxed-SIMD build', () => {
  it('is chosen exactly where the engine validates it (Node 22 and later), and can be turned off', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(relaxedSimdSupported()).toBe(major >= 22);
    expect(simdVariant()).toBe(major >= 22 ? 'relaxed-simd' : 'simd128');
    setRelaxedSimdEnabled(false);
    expect(simdVariant()).toBe('simd128');
  });
});
