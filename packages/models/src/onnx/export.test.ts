// exportOnnx checked by running its files in onnxruntime: every supported layer and activation on generated models,
// then the linear, MLP and CNN models, briefly trained, on 1,000 real test images, and the CNN with test-time
// augmentation against predict's.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeNormalization, loadFashionMnist, normalizeImages, stratifiedSubset } from '@fmnist/dataset';
import { createRandom } from '@fmnist/internal';
import { requirePrerequisite } from '@fmnist/internal/testing';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { ModelsError } from '../errors.js';
import { createCnnModel, createLinearModel, createMlpModel } from '../models.js';
import { predict } from '../predict.js';
import { train } from '../train.js';
import type { TestTimeAugmentation } from '../views.js';
import { exportOnnx } from './export.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Runs an exported model in onnxruntime on `[count, ...shape]` inputs; returns the output's name and values. */
async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: number[]) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) };
    const results = await session.run(feeds);
    const output = results[session.outputNames[0]!]!;
    return {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      session,
      data: output.data as Float32Array,
      dims: output.dims,
    };
  } finally {
    await session.release();
  }
}

/** The test-time augmentations the tests export: ten views, five with two-pixel shifts, and the mirror alone. */
const AUGMENTATIONS: TestTimeAugmentation[] = [
  { flip: true, shift: 1 },
  { flip: false, shift: 2 },
  { flip: true, shift: 0 },
];

/** Whether Debian's python3-onnx is installed, whose checker validates a file against the ONNX specification. */
const HAS_ONNX_CHECKER = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

/** Runs onnx.checker.check_model with shape inference (full_check) on the file; its exit status and errors. */
async function checkOnnxFile(bytes: Uint8Array) {
  const folder = await mkdtemp(join(tmpdir(), 'fmnist-onnx-'));
  try {
    const file = join(folder, 'model.onnx');
    await writeFile(file, bytes);
    const script = 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)';
    const { status, stderr } = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
    return { status, stderr };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function predictTfjs(model: tfl.LayersModel, input: Float32Array, dims: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(input, dims)) as tf.Tensor).dataSync() as Float32Array);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs(a[index]! - b[index]!));
  return max;
}

function randomValues(count: number, seed: number, low = -1, high = 1): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: count }, () => low + (high - low) * random());
}

/** The range of random values for a batch-norm weight: moving variance and scale positive, the others around 0. */
function batchNormRange(weightName: string): [number, number] {
  if (weightName.endsWith('moving_variance')) return [0.3, 3];
  if (weightName.endsWith('gamma')) return [0.5, 1.5];
  return [-0.5, 0.5];
}

/**
 * Gives every batch-norm layer random weights far from their initial 0 and 1: all of them, or only the moving mean
 * and variance (keeping a trained scale and offset).
 */
function randomizeBatchNorm(model: tfl.LayersModel, seed: number, which: 'all' | 'moving' = 'all'): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const current = layer.getWeights();
    const values = layer.weights.map((weight, index) => {
      const name = weight.originalName;
      if (which === 'moving' && !name.includes('moving')) return current[index]!.clone();
      const size = weight.shape.reduce((a, b) => (a as number) * (b as number), 1) as number;
      const [low, high] = batchNormRange(name);
      return tf.tensor(randomValues(size, seed + index, low, high), weight.shape as number[]);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Exports `model`, runs it in onnxruntime and tfjs on random inputs; returns the largest difference. */
async function compareOnRandomInputs(model: tfl.LayersModel, seed: number) {
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  const dims = [5, ...shape];
  const input = randomValues(
    dims.reduce((a, b) => a * b, 1),
    seed,
  );
  const onnx = await runOnnx(await exportOnnx(model), input, dims);
  const expected = predictTfjs(model, input, dims);
  return { difference: maxDifference(onnx.data, expected), onnx, expected };
}

describe('exportOnnx on generated models', () => {
  it('converts convolutions (same/valid padding, strides, dilation), both poolings and batch norm', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          activation: 'relu6',
          name: 'conv_strided',
        }),
        tfl.layers.batchNormalization({ name: 'batchnorm_conv' }),
        tfl.layers.activation({ activation: 'elu', name: 'elu' }),
        tfl.layers.conv2d({
          filters: 5,
          kernelSize: 3,
          dilationRate: 2,
          padding: 'same',
          activation: 'selu',
          name: 'conv_dilated',
        }),
        tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'max_same' }),
        tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'average_same' }),
        tfl.layers.activation({ activation: 'softmax', name: 'softmax_channels' }),
        tfl.layers.conv2d({
          filters: 6,
          kernelSize: 2,
          padding: 'valid',
          useBias: false,
          activation: 'swish',
          name: 'conv_valid',
        }),
        tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, name: 'average_valid' }),
        tfl.layers.flatten({ name: 'flatten' }),
        tfl.layers.dense({ units: 10, name: 'logits' }),
      ],
    });
    randomizeBatchNorm(model, 11);
    const { difference, onnx } = await compareOnRandomInputs(model, 1);
    expect(difference).toBeLessThan(1e-5);
    // No softmax at the end: the output is not called probabilities.
    expect(onnx.outputNames).toEqual(['output']);
    expect(onnx.dims).toEqual([5, 10]);
    model.dispose();
  });

  it('converts every supported activation and batch norm on flat values', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [28, 28, 1], name: 'flatten' }),
        tfl.layers.dense({ units: 16, activation: 'hardSigmoid', name: 'dense_hard_sigmoid' }),
        tfl.layers.batchNormalization({ center: false, name: 'batchnorm_dense' }),
        tfl.layers.dense({ units: 16, activation: 'softplus', name: 'dense_softplus' }),
        tfl.layers.dropout({ rate: 0.5, name: 'dropout' }),
        tfl.layers.activation({ activation: 'softsign', name: 'softsign' }),
        tfl.layers.dense({ units: 16, activation: 'tanh', name: 'dense_tanh' }),
        tfl.layers.dense({ units: 16, activation: 'sigmoid', name: 'dense_sigmoid' }),
        tfl.layers.dense({ units: 16, activation: 'relu6', name: 'dense_relu6' }),
        tfl.layers.dense({ units: 16, activation: 'elu', name: 'dense_elu' }),
        tfl.layers.dense({ units: 16, activation: 'selu', name: 'dense_selu' }),
        tfl.layers.dense({ units: 16, activation: 'swish', name: 'dense_swish' }),
        tfl.layers.dense({ units: 16, activation: 'relu', name: 'dense_relu' }),
        tfl.layers.dense({ units: 10, activation: 'softmax', name: 'output' }),
      ],
    });
    randomizeBatchNorm(model, 12);
    const { difference, onnx } = await compareOnRandomInputs(model, 4);
    expect(difference).toBeLessThan(1e-6);
    expect(onnx.outputNames).toEqual(['probabilities']);
    model.dispose();
  });

  it('keeps the pixel order when dense layers act on 4-D values and global pooling ends the convolutions', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [28, 28, 1], units: 3, activation: 'relu', name: 'dense_on_pixels' }),
        tfl.layers.conv2d({ filters: 4, kernelSize: 5, strides: 3, activation: 'relu', name: 'conv' }),
        tfl.layers.dense({ units: 6, name: 'dense_on_channels' }),
        tfl.layers.globalAveragePooling2d({ name: 'global_average' }),
        tfl.layers.dense({ units: 10, activation: 'softmax', name: 'output' }),
      ],
    });
    expect((await compareOnRandomInputs(model, 2)).difference).toBeLessThan(1e-5);
    model.dispose();
    const maxHead = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, name: 'conv' }),
        tfl.layers.globalMaxPooling2d({ name: 'global_max' }),
        tfl.layers.dense({ units: 10, name: 'logits' }),
      ],
    });
    const { difference, onnx } = await compareOnRandomInputs(maxHead, 3);
    expect(difference).toBeLessThan(1e-5);
    // No softmax at the end: the output is not called probabilities.
    expect(onnx.outputNames).toEqual(['output']);
    maxHead.dispose();
  });

  it('flattens inputs of other ranks, and calls the output probabilities only when a softmax comes last', async () => {
    const rows = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [28, 28], name: 'flatten' }),
        tfl.layers.dense({ units: 10, activation: 'softmax', name: 'output' }),
        tfl.layers.dropout({ rate: 0.2, name: 'dropout' }),
      ],
    });
    const flattened = await compareOnRandomInputs(rows, 5);
    expect(flattened.difference).toBeLessThan(1e-6);
    expect(flattened.onnx.outputNames).toEqual(['probabilities']);
    rows.dispose();
    const normalizedAfterSoftmax = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [12], units: 10, activation: 'softmax', name: 'softmax' }),
        tfl.layers.batchNormalization({ name: 'batchnorm' }),
      ],
    });
    randomizeBatchNorm(normalizedAfterSoftmax, 13);
    const normalized = await compareOnRandomInputs(normalizedAfterSoftmax, 6);
    expect(normalized.difference).toBeLessThan(1e-6);
    expect(normalized.onnx.outputNames).toEqual(['output']);
    normalizedAfterSoftmax.dispose();
  });

  it('builds the normalization into the graph and takes any batch size', async () => {
    const model = createLinearModel({ seed: 4 });
    const normalization = { mean: 0.286, std: 0.353 };
    const bytes = await exportOnnx(model, { normalization, metadata: { class_names: 'a,b' } });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['pixels']);
    expect(session.outputNames).toEqual(['probabilities']);
    const input = session.inputMetadata[0]!;
    expect(input.isTensor && input.shape).toEqual(['batch', 28, 28, 1]);
    for (const count of [1, 7]) {
      const pixels = new Uint8Array(count * 784).map((_, index) => (index * 37) % 256);
      const results = await session.run({
        pixels: new ort.Tensor('float32', Float32Array.from(pixels), [count, 28, 28, 1]),
      });
      const expected = predictTfjs(model, normalizeImages(pixels, normalization), [count, 28, 28, 1]);
      expect(maxDifference(results.probabilities!.data as Float32Array, expected)).toBeLessThan(1e-5);
    }
    await session.release();
    model.dispose();
  });

  it('builds the test-time views into the graph, giving the probabilities of predict with the same views', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
        tfl.layers.flatten({ name: 'flatten' }),
        tfl.layers.dense({ units: 10, activation: 'softmax', name: 'output' }),
      ],
    });
    const normalization = { mean: 0.286, std: 0.353 };
    const count = 6;
    // Each image has its own background, so a view filled with another image's corner (or with 0) would show.
    const pixels = Float32Array.from(randomValues(count * 784, 7, 0, 255), Math.round);
    for (let image = 0; image < count; image++) pixels[image * 784] = image * 40;
    const images = normalizeImages(Uint8Array.from(pixels), normalization);
    const dims = [count, 28, 28, 1];
    const single = await runOnnx(await exportOnnx(model, { normalization }), pixels, dims);
    for (const testTimeAugmentation of AUGMENTATIONS) {
      const onnx = await runOnnx(await exportOnnx(model, { normalization, testTimeAugmentation }), pixels, dims);
      expect(onnx.outputNames).toEqual(['probabilities']);
      expect(onnx.dims).toEqual([count, 10]);
      const expected = await predict(model, images, { testTimeAugmentation });
      expect(maxDifference(onnx.data, expected.probabilities)).toBeLessThan(1e-5);
      // The views change the probabilities, so the comparison above could fail.
      expect(maxDifference(onnx.data, single.data)).toBeGreaterThan(1e-3);
    }
    // Without normalization the views are taken of the input as given.
    const raw = await runOnnx(await exportOnnx(model, { testTimeAugmentation: AUGMENTATIONS[0]! }), images, dims);
    const expected = await predict(model, images, { testTimeAugmentation: AUGMENTATIONS[0]! });
    expect(maxDifference(raw.data, expected.probabilities)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('writes the single-view file for test-time augmentation with one view (no flip, shift 0)', async () => {
    const model = createLinearModel({ seed: 5 });
    const normalization = { mean: 0.3, std: 0.35 };
    const single = await exportOnnx(model, { normalization });
    const oneView = await exportOnnx(model, { normalization, testTimeAugmentation: { flip: false, shift: 0 } });
    expect(oneView).toEqual(single);
    model.dispose();
  });

  // Skipped without Debian's python3-onnx, except under CI=true, where .ci/run installs it and its absence fails.
  it.skipIf(!HAS_ONNX_CHECKER && process.env.CI !== 'true')(
    'passes the ONNX checker with shape inference, with and without the views',
    async () => {
      expect(HAS_ONNX_CHECKER, 'python3-onnx is not installed (apt-get install python3-onnx)').toBe(true);
      const model = createCnnModel({ seed: 2, batchNorm: true });
      const normalization = { mean: 0.3, std: 0.35 };
      for (const testTimeAugmentation of [undefined, ...AUGMENTATIONS]) {
        const bytes = await exportOnnx(model, { normalization, testTimeAugmentation });
        expect(await checkOnnxFile(bytes)).toEqual({ status: 0, stderr: '' });
      }
      model.dispose();
    },
  );

  it('refuses a bad testTimeAugmentation with E_MODELS_ARGUMENT naming the option, and one for non-image inputs', async () => {
    const model = createLinearModel({ seed: 6 });
    for (const bad of [{ flip: 'yes', shift: 1 }, { flip: true, shift: 8 }, { flip: true, shift: 1.5 }, null]) {
      const rejected = exportOnnx(model, { testTimeAugmentation: bad as unknown as TestTimeAugmentation });
      await expect(rejected).rejects.toSatisfy((error) => ModelsError.isInstance(error));
      await expect(rejected).rejects.toMatchObject({
        code: 'E_MODELS_ARGUMENT',
        message: expect.stringMatching(
          /^exportOnnx: testTimeAugmentation must be \{ flip: true or false, shift: a whole/,
        ),
      });
    }
    model.dispose();
    const rows = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [28, 28] }), tfl.layers.dense({ units: 10, activation: 'softmax' })],
    });
    await expect(exportOnnx(rows, { testTimeAugmentation: { flip: true, shift: 1 } })).rejects.toMatchObject({
      code: 'E_MODELS_ONNX_UNSUPPORTED',
      message: expect.stringMatching(
        /testTimeAugmentation needs a model whose input is \[batch, height, width, channels\], got \[batch, 28, 28\]/,
      ),
    });
    rows.dispose();
  });

  it('refuses a layer it cannot convert with E_MODELS_ONNX_UNSUPPORTED naming its class and name', async () => {
    const recurrent = tfl.sequential({
      layers: [
        tfl.layers.lstm({ inputShape: [28, 28], units: 4, recurrentInitializer: 'glorotUniform', name: 'rows' }),
        tfl.layers.dense({ units: 10 }),
      ],
    });
    const transposed = tfl.sequential({
      layers: [
        tfl.layers.conv2dTranspose({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3, name: 'upsample' }),
        tfl.layers.flatten(),
      ],
    });
    const gelu = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [4], units: 2, activation: 'gelu', name: 'hidden' })],
    });
    const input = tfl.input({ shape: [4] });
    const branches = tfl.model({
      inputs: input,
      outputs: tfl.layers
        .add({ name: 'sum' })
        .apply([
          tfl.layers.dense({ units: 2 }).apply(input),
          tfl.layers.dense({ units: 2 }).apply(input),
        ] as tfl.SymbolicTensor[]) as tfl.SymbolicTensor,
    });
    const cases: [tfl.LayersModel, RegExp][] = [
      [recurrent, /layer 'rows' \(LSTM\) has no ONNX conversion; supported layers: InputLayer, Flatten, Dense, Conv2D/],
      [transposed, /layer 'upsample' \(Conv2DTranspose\) has no ONNX conversion/],
      [gelu, /layer 'hidden' \(Dense\) uses the activation 'gelu', which has no ONNX conversion/],
      [branches, /layer 'sum' \(Add\) takes 2 inputs/],
    ];
    for (const [model, message] of cases) {
      let thrown: unknown;
      try {
        await exportOnnx(model);
      } catch (error) {
        thrown = error;
      }
      expect(ModelsError.isInstance(thrown)).toBe(true);
      expect((thrown as ModelsError).code).toBe('E_MODELS_ONNX_UNSUPPORTED');
      expect((thrown as ModelsError).message).toMatch(message);
      model.dispose();
    }
  });

  it('creates no tensors it leaves behind', async () => {
    const model = createCnnModel({ batchNorm: true });
    const before = tf.memory().numTensors;
    await exportOnnx(model, { normalization: { mean: 0.3, std: 0.35 } });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

const REAL_TEST_IMAGES = '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';

requirePrerequisite(existsSync(REAL_TEST_IMAGES), 'the real data')('exportOnnx on the real test images', () => {
  const testCount = 1000;
  let trainSet: { images: Float32Array; labels: Uint8Array; count: number };
  let testPixels: Uint8Array;
  let normalization: { mean: number; std: number };

  beforeAll(async () => {
    const [trainSplit, testSplit] = await Promise.all([
      loadFashionMnist({ split: 'train' }),
      loadFashionMnist({ split: 'test' }),
    ]);
    const subset = stratifiedSubset(trainSplit, { size: 320, seed: 0 });
    normalization = computeNormalization(subset.images);
    trainSet = { images: normalizeImages(subset.images, normalization), labels: subset.labels, count: subset.count };
    testPixels = testSplit.images.subarray(0, testCount * 784);
  });

  const kinds = {
    linear: () => createLinearModel({ seed: 1 }),
    mlp: () => createMlpModel({ seed: 1 }),
    cnn: () => createCnnModel({ seed: 1, batchNorm: true, blockDropout: 0.1 }),
  };

  for (const [kind, create] of Object.entries(kinds)) {
    it(`gives the ${kind} model's probabilities within 1e-4 of tfjs on ${testCount} test images`, async () => {
      const model = create();
      await train(model, trainSet, { epochs: 1, batchSize: 32, workers: 1, seed: 1 });
      if (kind === 'cnn') {
        // Ten steps move the batch-norm statistics only a little from their initial 0 and 1; give them values as far
        // from those as a longer training would.
        randomizeBatchNorm(model, 21, 'moving');
      }
      const bytes = await exportOnnx(model, { normalization });
      const dims = [testCount, 28, 28, 1];
      const onnx = await runOnnx(bytes, Float32Array.from(testPixels), dims);
      const expected = predictTfjs(model, normalizeImages(testPixels, normalization), dims);
      expect(maxDifference(onnx.data, expected)).toBeLessThan(1e-4);
      model.dispose();
    }, 180_000);
  }

  it("gives the CNN's test-time-augmented probabilities within 1e-4 of predict's on 300 test images", async () => {
    const model = kinds.cnn();
    await train(model, trainSet, { epochs: 1, batchSize: 32, workers: 1, seed: 1 });
    randomizeBatchNorm(model, 21, 'moving');
    const count = 300;
    const pixels = Float32Array.from(testPixels.subarray(0, count * 784));
    const images = normalizeImages(testPixels.subarray(0, count * 784), normalization);
    const dims = [count, 28, 28, 1];
    const single = await runOnnx(await exportOnnx(model, { normalization }), pixels, dims);
    for (const testTimeAugmentation of AUGMENTATIONS) {
      const bytes = await exportOnnx(model, { normalization, testTimeAugmentation });
      const onnx = await runOnnx(bytes, pixels, dims);
      const expected = await predict(model, images, { testTimeAugmentation });
      expect(maxDifference(onnx.data, expected.probabilities)).toBeLessThan(1e-4);
      expect(maxDifference(onnx.data, single.data)).toBeGreaterThan(1e-3);
    }
    model.dispose();
    // Seventeen views of each image in tfjs' plain JavaScript backend: several minutes on a busy machine.
  }, 600_000);
});
