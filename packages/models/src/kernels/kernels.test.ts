import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelsError } from '../errors.js';
import { fastKernelNames, registerFastKernels } from './index.js';
import {
  relaxedSimdSupported,
  setRelaxedSimdEnabled,
  setSimdKernelsEnabled,
  setWinogradTile,
  simdKernels,
} from './simd.js';

/** Results of every case computed by the stock cpu kernels, before any fast kernel is registered. */
type Results = Record<string, Float32Array[]>;

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filter: number;
  stride: 1 | 2;
  pad: 'valid' | 'same';
}

const convCases: ConvCase[] = [
  { batch: 1, height: 7, width: 9, inChannels: 1, outChannels: 4, filter: 3, stride: 1, pad: 'valid' },
  { batch: 1, height: 7, width: 9, inChannels: 3, outChannels: 5, filter: 3, stride: 2, pad: 'same' },
  { batch: 2, height: 8, width: 8, inChannels: 2, outChannels: 3, filter: 2, stride: 2, pad: 'valid' },
  { batch: 3, height: 11, width: 5, inChannels: 8, outChannels: 6, filter: 5, stride: 1, pad: 'same' },
  { batch: 2, height: 13, width: 13, inChannels: 32, outChannels: 64, filter: 3, stride: 1, pad: 'valid' },
  { batch: 64, height: 9, width: 9, inChannels: 3, outChannels: 8, filter: 3, stride: 2, pad: 'valid' },
  { batch: 64, height: 10, width: 10, inChannels: 1, outChannels: 8, filter: 3, stride: 1, pad: 'same' },
  // Fewer filter taps than output channels: the filter gradient takes the dyᵀ · columns orientation.
  { batch: 2, height: 9, width: 7, inChannels: 1, outChannels: 16, filter: 3, stride: 2, pad: 'same' },
  { batch: 64, height: 28, width: 28, inChannels: 1, outChannels: 32, filter: 3, stride: 1, pad: 'valid' },
  // Shapes for the SIMD filter gradient (output channels a multiple of 8): patch rows of 3, 10, 15 and 96 floats,
  // padding on every side, stride 2 with a partial last window.
  { batch: 3, height: 11, width: 5, inChannels: 3, outChannels: 16, filter: 5, stride: 1, pad: 'same' },
  { batch: 1, height: 7, width: 9, inChannels: 5, outChannels: 24, filter: 2, stride: 2, pad: 'same' },
  { batch: 2, height: 14, width: 14, inChannels: 32, outChannels: 64, filter: 3, stride: 1, pad: 'same' },
  { batch: 2, height: 10, width: 9, inChannels: 2, outChannels: 8, filter: 3, stride: 2, pad: 'valid' },
  // Shapes for the Winograd F(2x2, 3x3) kernels (3x3, stride 1, channels in whole vectors): odd sizes (partial
  // tiles), an output one pixel wide, tile counts that end mid-chunk, and a channel split whose input gradient does
  // not fit (4 output channels) and takes the other path.
  { batch: 1, height: 5, width: 7, inChannels: 8, outChannels: 8, filter: 3, stride: 1, pad: 'same' },
  { batch: 3, height: 6, width: 3, inChannels: 16, outChannels: 24, filter: 3, stride: 1, pad: 'valid' },
  { batch: 5, height: 9, width: 8, inChannels: 4, outChannels: 16, filter: 3, stride: 1, pad: 'same' },
  { batch: 17, height: 11, width: 11, inChannels: 8, outChannels: 16, filter: 3, stride: 1, pad: 'valid' },
  // The one-input-channel kernel (a first layer) with a 5x5 filter: two rows and columns of padding on each side.
  { batch: 2, height: 9, width: 6, inChannels: 1, outChannels: 16, filter: 5, stride: 1, pad: 'same' },
];

interface PoolCase {
  shape: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'valid' | 'same';
  /** Inputs from {0, 1, 2} only, as after a relu: windows with several maxima (the first one must get the gradient). */
  ties?: boolean;
}

const poolCases: PoolCase[] = [
  { shape: [2, 26, 26, 4], size: 2, stride: 2, pad: 'valid' },
  { shape: [64, 11, 11, 3], size: 2, stride: 2, pad: 'valid' },
  { shape: [1, 7, 9, 2], size: 3, stride: 2, pad: 'same' },
  { shape: [3, 6, 5, 2], size: 2, stride: 1, pad: 'same' },
  // The SIMD 2x2 path (channels a multiple of 4): even and odd sizes, ties.
  { shape: [4, 11, 11, 8], size: 2, stride: 2, pad: 'valid' },
  { shape: [3, 8, 6, 12], size: 2, stride: 2, pad: 'valid', ties: true },
  { shape: [2, 9, 10, 4], size: 2, stride: 2, pad: 'valid', ties: true },
  { shape: [2, 9, 7, 2], size: 2, stride: 2, pad: 'valid', ties: true },
];

/** Seeded inputs, created on the current backend. */
function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

function convGradients(c: ConvCase, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = randomTensor([c.batch, c.height, c.width, c.inChannels], seed);
    const w = randomTensor([c.filter, c.filter, c.inChannels, c.outChannels], seed + 1);
    const bias = randomTensor([c.outChannels], seed + 2);
    const forward = (xs: tf.Tensor4D, ws: tf.Tensor4D) => tf.conv2d(xs, ws, c.stride, c.pad);
    const y = forward(x as tf.Tensor4D, w as tf.Tensor4D);
    // Weights of a mean over the batch, as in a real loss: gradients stay O(1), so 1e-4 is far above float32 rounding.
    const weights = tf.div(randomTensor(y.shape, seed + 3), c.batch);
    const [dx, dw] = tf.grads((xs: tf.Tensor, ws: tf.Tensor) =>
      tf.sum(tf.mul(forward(xs as tf.Tensor4D, ws as tf.Tensor4D), weights)),
    )([x, w]);
    // The fused op as tfjs-layers uses it: conv, bias and relu in one kernel; its gradient sums dy for the bias.
    const [fdx, fdw, fdb] = tf.grads((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.fused.conv2d({
            x: xs as tf.Tensor4D,
            filter: ws as tf.Tensor4D,
            strides: c.stride,
            pad: c.pad,
            bias: bs,
            activation: 'relu',
          }),
          weights,
        ),
      ),
    )([x, w, bias]);
    const fused = tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: w as tf.Tensor4D,
      strides: c.stride,
      pad: c.pad,
      bias,
      activation: 'relu',
    });
    return [y, dx!, dw!, fused, fdx!, fdw!, fdb!].map((t) => t.dataSync() as Float32Array);
  });
}

function poolGradient(c: PoolCase, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const uniform = randomTensor(c.shape, seed);
    const x = c.ties ? tf.relu(tf.round(tf.mul(uniform, 2))) : uniform;
    const y = tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad);
    const weights = randomTensor(y.shape, seed + 1);
    const dx = tf.grad((xs: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(xs as tf.Tensor4D, c.size, c.stride, c.pad), weights)),
    )(x);
    return [dx.dataSync() as Float32Array];
  });
}

function matMulAndSums(seed: number): Float32Array[] {
  return tf.tidy(() => {
    const a = randomTensor([37, 23], seed);
    const b = randomTensor([23, 19], seed + 1);
    const batchedA = randomTensor([3, 5, 7], seed + 2);
    const batchedB = randomTensor([3, 6, 7], seed + 3);
    const x = randomTensor([4, 5, 6, 7], seed + 4);
    const wide = randomTensor([6, 3, 40], seed + 5);
    // Shapes for the SIMD products (n % 8 or k % 4), with leftover rows and columns.
    const rows = randomTensor([5, 36], seed + 6);
    const columns = randomTensor([36, 24], seed + 7);
    const other = randomTensor([11, 36], seed + 8);
    const tall = randomTensor([7, 9], seed + 9);
    const tallB = randomTensor([7, 16], seed + 10);
    return [
      tf.matMul(a, b),
      tf.matMul(tf.transpose(a), b, true, false),
      tf.matMul(a, tf.transpose(b), false, true),
      tf.matMul(tf.transpose(a), tf.transpose(b), true, true),
      tf.matMul(batchedA, batchedB, false, true),
      tf.sum(x, [0, 1, 2]),
      tf.sum(x, 0, true),
      tf.sum(x, [1, 0]),
      tf.sum(x, [1, 2]),
      tf.sum(x, -1),
      tf.sum(wide, [0, 1]),
      tf.sum(wide, 0),
      tf.matMul(rows, columns),
      tf.matMul(rows, other, false, true),
      tf.matMul(tall, tallB, true, false),
      tf.matMul(tf.reshape(rows, [1, 5, 36]), tf.reshape(columns, [1, 36, 24])),
    ].map((t) => t.dataSync() as Float32Array);
  });
}

/** The reference CNN of docs/reference-models.md, weights from a fixed seed. */
function referenceCnn(): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 32,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}

function cnnGradients(): Float32Array[] {
  const model = referenceCnn();
  const result = tf.tidy(() => {
    const x = tf.mul(randomTensor([8, 28, 28, 1], 11), 2);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 9], 'int32'), 10);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.predict(x) as tf.Tensor) as tf.Scalar,
      variables,
    );
    return variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
  });
  model.dispose();
  return result;
}

function computeAll(): Results {
  const results: Results = {};
  convCases.forEach((c, i) => {
    results[`conv ${JSON.stringify(c)}`] = convGradients(c, 100 + 10 * i);
  });
  poolCases.forEach((c, i) => {
    results[`pool ${JSON.stringify(c)}`] = poolGradient(c, 500 + 10 * i);
  });
  results['matmul and sums'] = matMulAndSums(900);
  results['reference cnn'] = cnnGradients();
  return results;
}

function maxScaledDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return max;
}

/**
 * Every output within 1e-4 of the expected one, relative to the expected value where that exceeds 1 in magnitude
 * (a 3x3 convolution over 32 channels gives outputs near 10, whose float32 rounding alone is ~1e-6 each).
 */
function expectClose(actual: Results, expected: Results, name: string): void {
  const got = actual[name]!;
  const want = expected[name]!;
  expect(got.length).toBe(want.length);
  got.forEach((values, i) => {
    const difference = maxScaledDifference(values, want[i]!);
    expect(difference, `${name}, output ${i}`).toBeLessThanOrEqual(1e-4);
  });
}

let stockCpu: Results;
let fastWasm: Results;
let fastCpu: Results;
let fastWasmWithoutSimd: Results;
let fastWasmSmallTiles: Results;
let fastWasmSimd128: Results;

beforeAll(async () => {
  await tf.setBackend('cpu');
  stockCpu = computeAll();
  await tf.setBackend('wasm');
  registerFastKernels('wasm');
  // The automatic choice takes F(4x4, 3x3) for every Winograd case but the one-pixel-wide output; forcing 2x2 tiles
  // covers F(2x2, 3x3) on all of them.
  fastWasm = computeAll();
  setWinogradTile(2);
  try {
    fastWasmSmallTiles = computeAll();
  } finally {
    setWinogradTile(undefined);
  }
  // Where the engine runs the relaxed-SIMD build (Node 22 and later), the SIMD128 fallback forced.
  setRelaxedSimdEnabled(false);
  try {
    fastWasmSimd128 = relaxedSimdSupported() ? computeAll() : fastWasm;
  } finally {
    setRelaxedSimdEnabled(true);
  }
  setSimdKernelsEnabled(false);
  try {
    fastWasmWithoutSimd = computeAll();
  } finally {
    setSimdKernelsEnabled(true);
  }
  await tf.setBackend('cpu');
  registerFastKernels('cpu');
  fastCpu = computeAll();
}, 240_000);

describe('registerFastKernels', () => {
  it('replaces the convolution gradients on wasm and cpu, and nothing on other backends', () => {
    expect(fastKernelNames('wasm')).toEqual(
      expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'BatchMatMul']),
    );
    expect(fastKernelNames('cpu')).toEqual(
      expect.arrayContaining(['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']),
    );
    registerFastKernels('tensorflow');
    expect(fastKernelNames('tensorflow')).toEqual([]);
  });

  it('is idempotent', async () => {
    const before = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    registerFastKernels('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(before);
  });

  it("binds the SIMD module to the wasm backend's memory (Node 20 has WebAssembly SIMD)", async () => {
    await tf.setBackend('wasm');
    expect(simdKernels(tf.backend())).toBeDefined();
    setSimdKernelsEnabled(false);
    expect(simdKernels(tf.backend())).toBeUndefined();
    setSimdKernelsEnabled(true);
  });

  it('adds the Conv2DBackpropFilter kernel that stock wasm lacks', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });
});

describe.each([
  ['wasm', () => fastWasm],
  ['wasm (Winograd F(2x2, 3x3) only)', () => fastWasmSmallTiles],
  ['wasm (SIMD128 build forced)', () => fastWasmSimd128],
  ['wasm (JavaScript paths, SIMD module off)', () => fastWasmWithoutSimd],
  ['cpu', () => fastCpu],
])('fast %s kernels match the stock cpu kernels within 1e-4', (_backend, results) => {
  it.each(convCases.map((c) => `conv ${JSON.stringify(c)}`))('%s: output, dx, dw, fused dx/dw/bias', (name) => {
    expectClose(results(), stockCpu, name);
  });

  it.each(poolCases.map((c) => `pool ${JSON.stringify(c)}`))('%s: max-pool gradient', (name) => {
    expectClose(results(), stockCpu, name);
  });

  it('matmul with every transpose combination and sums over leading and other axes', () => {
    expectClose(results(), stockCpu, 'matmul and sums');
  });

  it("gradients of every weight of the reference CNN's softmax cross-entropy", () => {
    const gradients = results()['reference cnn']!;
    expect(gradients).toHaveLength(8);
    expect(gradients.some((g) => g.some((v) => v !== 0))).toBe(true);
    expectClose(results(), stockCpu, 'reference cnn');
  });
});

describe('errors', () => {
  it('a wasm kernel given an unsupported layout throws E_MODELS_KERNEL naming the kernel and the value', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 4, 3, 3]);
    const attempt = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 4] },
        );
    expect(attempt).toThrow(ModelsError);
    expect(attempt).toThrow(/Conv2DBackpropFilter.*'NCHW'/);
    try {
      attempt();
    } catch (error) {
      expect((error as ModelsError).code).toBe('E_MODELS_KERNEL');
    }
    tf.dispose([x, dy]);
  });
});

describe('the relaxed-SIMD build', () => {
  it.runIf(relaxedSimdSupported())('gives the results of the SIMD128 build within 1e-4 on every case', () => {
    for (const name of Object.keys(fastWasm)) expectClose(fastWasm, fastWasmSimd128, name);
  });
});

describe('memory', () => {
  it('keeps a wasm clone valid after its source is disposed (Identity shares memory)', async () => {
    await tf.setBackend('wasm');
    const source = tf.tensor1d([1, 2, 3]);
    const copy = tf.clone(source);
    source.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    copy.dispose();
  });

  it('leaves no tensors behind on wasm', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    convGradients(convCases[1]!, 1);
    poolGradient(poolCases[0]!, 1);
    matMulAndSums(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  });
});
