import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelsError } from '../errors.js';
import { createCnnModel, createLinearModel, createReferenceModel } from '../models.js';
import { countMultiplyAccumulates, measureInference } from './cost.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('countMultiplyAccumulates', () => {
  it('counts the reference CNN by hand: 2,631,040 per image, layer by layer', () => {
    const model = createReferenceModel('cnn');
    const { total, layers } = countMultiplyAccumulates(model);
    // conv1 26*26*3*3*1*32, conv2 11*11*3*3*32*64, dense 1600*128, output 128*10; pooling and flatten cost nothing.
    expect(layers.map(({ className, multiplyAccumulates }) => [className, multiplyAccumulates])).toEqual([
      ['Conv2D', 194_688],
      ['MaxPooling2D', 0],
      ['Conv2D', 2_230_272],
      ['MaxPooling2D', 0],
      ['Flatten', 0],
      ['Dense', 204_800],
      ['Dense', 1_280],
    ]);
    expect(total).toBe(2_631_040);
    expect(layers.reduce((sum, layer) => sum + layer.parameters, 0)).toBe(model.countParams());
    expect(layers.map(({ name }) => name)).toEqual(model.layers.map((layer) => layer.name));
    model.dispose();
  });

  it('counts the linear model (784 * 10 = 7,840) and the reference MLP (784*256 + 256*128 + 128*10)', () => {
    for (const model of [createReferenceModel('linear'), createLinearModel()]) {
      expect(countMultiplyAccumulates(model).total).toBe(7_840);
      model.dispose();
    }
    const mlp = createReferenceModel('mlp');
    expect(countMultiplyAccumulates(mlp).total).toBe(784 * 256 + 256 * 128 + 128 * 10);
    mlp.dispose();
  });

  it('counts same-padded, depthwise and separable convolutions, gives batch norm and dropout 0, and opens nested models', () => {
    const inner = tfl.sequential({
      name: 'inner',
      layers: [
        // 8*8 outputs * 3*3*2 inputs * 5 filters
        tfl.layers.conv2d({ inputShape: [8, 8, 2], filters: 5, kernelSize: 3, padding: 'same', name: 'conv' }),
        tfl.layers.batchNormalization({ name: 'norm' }),
      ],
    });
    const model = tfl.sequential({
      layers: [
        inner,
        // valid 3x3, multiplier 2: 6*6*10 outputs * 3*3
        tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'depthwise' }),
        // valid 3x3 on 10 channels, multiplier 1, then 1x1 to 4: 4*4*10*9 + 4*4*10*4
        tfl.layers.separableConv2d({ kernelSize: 3, filters: 4, name: 'separable' }),
        tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
        tfl.layers.dropout({ rate: 0.5, name: 'dropout' }),
        tfl.layers.flatten({ name: 'flatten' }),
        // 2*2*4 = 16 inputs * 7
        tfl.layers.dense({ units: 7, activation: 'relu', name: 'dense' }),
      ],
    });
    const { total, layers } = countMultiplyAccumulates(model);
    expect(layers.map(({ name, multiplyAccumulates }) => [name, multiplyAccumulates])).toEqual([
      ['inner/conv', 5_760],
      ['inner/norm', 0],
      ['depthwise', 3_240],
      ['separable', 1_440 + 640],
      ['pool', 0],
      ['dropout', 0],
      ['flatten', 0],
      ['dense', 112],
    ]);
    expect(total).toBe(5_760 + 3_240 + 1_440 + 640 + 112);
    expect(layers.find(({ name }) => name === 'inner/norm')?.parameters).toBe(4 * 5);
    model.dispose();
  });

  it('counts the tuned CNN with batch norm', () => {
    const model = createCnnModel({ blocks: [[8]], batchNorm: true, denseUnits: [16] });
    // conv 28*28*9*8, dense 14*14*8*16, output 16*10
    expect(countMultiplyAccumulates(model).total).toBe(28 * 28 * 9 * 8 + 14 * 14 * 8 * 16 + 16 * 10);
    model.dispose();
  });

  it('refuses a layer with weights it cannot count, naming it', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.lstm({ units: 4, inputShape: [5, 3], recurrentInitializer: 'glorotUniform', name: 'memory' }),
      ],
    });
    expect(() => countMultiplyAccumulates(model)).toThrow(ModelsError);
    expect(() => countMultiplyAccumulates(model)).toThrow(/layer 'memory' \(LSTM\)/);
    model.dispose();
  });
});

describe('measureInference', () => {
  it('reports throughput and single-image latency percentiles, leaving no tensor behind', async () => {
    const model = createLinearModel({ seed: 3 });
    const images = tf.tidy(() => tf.randomNormal([20, 28, 28, 1], 0, 1, 'float32', 5).dataSync() as Float32Array);
    await measureInference(model, images, { batchSize: 8, latencyRepeats: 3 });
    const tensors = tf.memory().numTensors;
    const timing = await measureInference(model, images, { batchSize: 8, latencyRepeats: 7 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(timing.batchSize).toBe(8);
    expect(timing.repeats).toBe(7);
    expect(timing.images).toBe(20);
    expect(Number.isFinite(timing.imagesPerSecond) && timing.imagesPerSecond > 0).toBe(true);
    expect(timing.latencyMs.p50).toBeGreaterThan(0);
    expect(timing.latencyMs.p95).toBeGreaterThanOrEqual(timing.latencyMs.p50);
    model.dispose();
  });

  it('rejects no images, partial images and bad counts, naming them', async () => {
    const model = createLinearModel();
    await expect(measureInference(model, new Float32Array(0))).rejects.toThrow(/images must hold at least one/);
    await expect(measureInference(model, new Float32Array(785))).rejects.toThrow(/got 785 floats/);
    await expect(measureInference(model, new Float32Array(784), { batchSize: 0 })).rejects.toThrow(/batchSize .*got 0/);
    await expect(measureInference(model, new Float32Array(784), { latencyRepeats: 1.5 })).rejects.toThrow(
      /latencyRepeats .*got 1\.5/,
    );
    model.dispose();
  });
});
