import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelsError } from '../errors.js';
import { createLinearModel, createReferenceModel } from '../models.js';
import { firstLayerFilters, linearTemplates } from './features.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('linearTemplates', () => {
  it('returns one 784-value template per class: column c of the Dense kernel', () => {
    const model = createLinearModel();
    // kernel[pixel][class] = pixel + 1000 * class, exact in float32.
    const kernel = Float32Array.from({ length: 784 * 10 }, (_, index) => Math.floor(index / 10) + 1000 * (index % 10));
    model.setWeights([tf.tensor2d(kernel, [784, 10]), tf.zeros([10])]);
    const tensors = tf.memory().numTensors;
    const templates = linearTemplates(model);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(templates).toHaveLength(10);
    for (let label = 0; label < 10; label++) {
      expect(templates[label]).toHaveLength(784);
      expect(templates[label]![0]).toBe(1000 * label);
      expect(templates[label]![783]).toBe(783 + 1000 * label);
    }
    model.dispose();
  });

  it('equals the kernel of a seeded linear model, value for value', () => {
    const model = createLinearModel({ seed: 9 });
    const kernel = model.getWeights()[0]!.dataSync();
    const templates = linearTemplates(model);
    for (let pixel = 0; pixel < 784; pixel += 97) {
      for (let label = 0; label < 10; label++) expect(templates[label]![pixel]).toBe(kernel[pixel * 10 + label]);
    }
    model.dispose();
  });

  it('refuses a model with more than one Dense layer, naming them', () => {
    const model = createReferenceModel('mlp');
    expect(() => linearTemplates(model)).toThrow(ModelsError);
    expect(() => linearTemplates(model)).toThrow(/exactly one Dense layer .*got 3/);
    model.dispose();
  });
});

describe('firstLayerFilters', () => {
  it('returns the first convolution of the reference CNN: 32 filters of 3x3, the kernel values', () => {
    const model = createReferenceModel('cnn', { seed: 2 });
    const kernel = model.layers[0]!.getWeights()[0]!.dataSync(); // [3, 3, 1, 32]
    const { size, filters } = firstLayerFilters(model);
    expect(size).toEqual([3, 3]);
    expect(filters).toHaveLength(32);
    for (const [output, filter] of filters.entries()) {
      expect(filter).toHaveLength(9);
      for (let position = 0; position < 9; position++) expect(filter[position]).toBe(kernel[position * 32 + output]);
    }
    model.dispose();
  });

  it('averages over input channels when there are several', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [4, 4, 2], units: 2, name: 'mix' }),
        tfl.layers.conv2d({ filters: 3, kernelSize: [2, 1], name: 'conv' }),
      ],
    });
    // kernel [2, 1, 2, 3]: value = 10 * position + 100 * input + output.
    const kernel = Float32Array.from({ length: 12 }, (_, index) => {
      const output = index % 3;
      const input = Math.floor(index / 3) % 2;
      const position = Math.floor(index / 6);
      return 10 * position + 100 * input + output;
    });
    model.layers[1]!.setWeights([tf.tensor4d(kernel, [2, 1, 2, 3]), tf.zeros([3])]);
    const { size, filters } = firstLayerFilters(model);
    expect(size).toEqual([2, 1]);
    expect(filters.map((filter) => Array.from(filter))).toEqual([
      [50, 60],
      [51, 61],
      [52, 62],
    ]);
    model.dispose();
  });

  it('refuses a model without a convolution', () => {
    const model = createLinearModel();
    expect(() => firstLayerFilters(model)).toThrow(/has no Conv2D layer/);
    model.dispose();
  });
});
