import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelsError } from './errors.js';
import {
  countParameters,
  createCnnModel,
  createLinearModel,
  createMlpModel,
  createModel,
  createReferenceModel,
  MODEL_KINDS,
  summary,
} from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function layerClasses(model: ReturnType<typeof createLinearModel>): string[] {
  return model.layers.map((layer) => layer.getClassName());
}

/** All weights of a model, concatenated, as bytes (cheap to compare exactly). */
async function weightsOf(model: ReturnType<typeof createLinearModel>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const weight of model.getWeights()) {
    const values = (await weight.data()) as Float32Array;
    parts.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  return Buffer.concat(parts);
}

describe('reference models', () => {
  it.each([
    ['linear', 7_850],
    ['mlp', 235_146],
    ['cnn', 225_034],
  ] as const)('%s has the parameter count of docs/reference-models.md (%i)', (kind, parameters) => {
    const model = createReferenceModel(kind);
    expect(countParameters(model)).toBe(parameters);
    model.dispose();
  });

  it('builds the reference CNN layer by layer as docs/reference-models.md lists it', () => {
    const model = createReferenceModel('cnn');
    expect(layerClasses(model)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dense',
    ]);
    expect(model.getLayer('flatten').outputShape).toEqual([null, 1600]);
    model.dispose();
  });

  it("draws PyTorch's initial weights on request: kernels and biases uniform on ±1/√fanIn", () => {
    const model = createReferenceModel('cnn', { initialization: 'pytorch', seed: 3 });
    const fanIns: Record<string, number> = { conv1: 9, conv2: 288, dense1: 1600, output: 128 };
    for (const [name, fanIn] of Object.entries(fanIns)) {
      const bound = 1 / Math.sqrt(fanIn);
      for (const weight of model.getLayer(name).getWeights()) {
        let largest = 0;
        for (const value of weight.dataSync()) largest = Math.max(largest, Math.abs(value));
        expect(largest, `${name} ${weight.shape}`).toBeLessThanOrEqual(bound);
        // Spread over the interval (not all near zero), biases included: PyTorch does not start biases at zero.
        expect(largest, `${name} ${weight.shape}`).toBeGreaterThan(bound / 2);
      }
    }
    model.dispose();
  });

  it("keeps tfjs' defaults unless asked (zero biases) and rejects an unknown initialization", () => {
    const model = createReferenceModel('cnn', { seed: 3 });
    expect(
      model
        .getLayer('conv2')
        .getWeights()[1]!
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
    model.dispose();
    expect(() => createReferenceModel('cnn', { initialization: 'keras' as never })).toThrow(
      /initialization must be one of tfjs, pytorch, got 'keras'/,
    );
  });
});

describe('tuned models', () => {
  it.each(MODEL_KINDS)('%s takes [28, 28, 1] images and returns 10 probabilities summing to 1', (kind) => {
    const model = createModel(kind);
    expect(model.inputs[0]?.shape).toEqual([null, 28, 28, 1]);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    const output = tf.tidy(() => model.predict(tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 1)) as tf.Tensor);
    const sums = tf.sum(output, 1);
    for (const value of sums.dataSync()) expect(value).toBeCloseTo(1, 5);
    tf.dispose([output, sums]);
    model.dispose();
  });

  it('keeps the linear model linear: no convolution, pooling or hidden activation', () => {
    const model = createLinearModel();
    expect(layerClasses(model)).toEqual(['Flatten', 'Dense']);
    expect(countParameters(model)).toBe(7_850);
    model.dispose();
  });

  it('builds the CNN from its options: blocks, batch norm, dense head', () => {
    const model = createCnnModel({ blocks: [[8], [16]], batchNorm: false, denseUnits: [32], blockDropout: 0 });
    expect(layerClasses(model)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dropout',
      'Dense',
    ]);
    // 3x3x1x8+8, 3x3x8x16+16, 7*7*16*32+32, 32*10+10
    expect(countParameters(model)).toBe(80 + 1_168 + 25_120 + 330);
    model.dispose();
    const withNorm = createCnnModel({
      blocks: [
        [8, 8],
        [16, 16],
      ],
      batchNorm: true,
    });
    expect(layerClasses(withNorm).filter((name) => name === 'BatchNormalization')).toHaveLength(4);
    const byDefault = createCnnModel();
    expect(layerClasses(byDefault).filter((name) => name === 'BatchNormalization')).toHaveLength(2);
    byDefault.dispose();
    withNorm.dispose();
  });

  it("averages the last block's maps into the head with globalAveragePooling", () => {
    const model = createCnnModel({
      blocks: [[8], [16]],
      batchNorm: false,
      denseUnits: [32],
      globalAveragePooling: true,
    });
    expect(layerClasses(model)).toContain('GlobalAveragePooling2D');
    expect(layerClasses(model)).not.toContain('Flatten');
    // 3x3x1x8+8, 3x3x8x16+16, 16*32+32, 32*10+10
    expect(countParameters(model)).toBe(80 + 1_168 + 544 + 330);
    model.dispose();
  });

  it('sets the MLP hidden layers from hiddenUnits', () => {
    const model = createMlpModel({ hiddenUnits: [64], dropout: 0 });
    expect(countParameters(model)).toBe(784 * 64 + 64 + 64 * 10 + 10);
    model.dispose();
  });

  it('rejects options it cannot build, naming the option', () => {
    expect(() => createCnnModel({ dropout: 1 })).toThrow(/dropout must be a rate/);
    expect(() => createCnnModel({ blocks: [[8], [8], [8], [8], [8]], padding: 'valid' })).toThrow(/shrink a 28x28/);
    expect(() => createMlpModel({ hiddenUnits: [0] })).toThrow(ModelsError);
    expect(() => createModel('rnn' as never)).toThrow(/one of linear, mlp, cnn, got 'rnn'/);
    expect(() => createLinearModel({ seed: 1.5 })).toThrow(/seed must be a whole number/);
  });
});

describe('seeded initializers', () => {
  it.each(MODEL_KINDS)('%s: the same seed gives the same weights, another seed different ones', async (kind) => {
    const [first, second, other] = [
      createModel(kind, { seed: 7 }),
      createModel(kind, { seed: 7 }),
      createModel(kind, { seed: 8 }),
    ];
    const firstWeights = await weightsOf(first);
    expect(firstWeights.equals(await weightsOf(second))).toBe(true);
    expect(firstWeights.equals(await weightsOf(other))).toBe(false);
    for (const model of [first, second, other]) model.dispose();
  });

  it('gives layers of equal shape different weights', async () => {
    const model = createMlpModel({ hiddenUnits: [784, 784], dropout: 0 });
    const [first, , second] = model.getWeights();
    expect(Array.from(await first!.data()).slice(0, 10)).not.toEqual(Array.from(await second!.data()).slice(0, 10));
    model.dispose();
  });
});

describe('summary', () => {
  it('lists every layer and the parameter total', () => {
    const model = createReferenceModel('cnn');
    const text = summary(model);
    for (const layer of model.layers) expect(text).toContain(layer.name);
    expect(text).toContain('Total params: 225034');
    model.dispose();
  });
});
