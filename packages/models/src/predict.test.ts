import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLinearModel } from './models.js';
import { evaluate, predict } from './predict.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A linear model whose class is decided by which of the first ten pixels is brightest. */
function pixelPickerModel(): tfl.LayersModel {
  const model = createLinearModel();
  const kernel = new Float32Array(784 * 10);
  for (let label = 0; label < 10; label++) kernel[label * 10 + label] = 10;
  model.setWeights([tf.tensor2d(kernel, [784, 10]), tf.zeros([10])]);
  return model;
}

function imagesOfClasses(labels: number[]): Float32Array {
  const images = new Float32Array(labels.length * 784);
  labels.forEach((label, index) => {
    images[index * 784 + label] = 1;
  });
  return images;
}

describe('predict', () => {
  it('returns row-major probabilities and the most probable class, across batch boundaries', async () => {
    const model = pixelPickerModel();
    const labels = [3, 0, 9, 9, 5, 1, 2];
    const { probabilities, predictions } = await predict(model, imagesOfClasses(labels), { batchSize: 3 });
    expect(Array.from(predictions)).toEqual(labels);
    expect(probabilities).toHaveLength(labels.length * 10);
    for (let row = 0; row < labels.length; row++) {
      const rowValues = probabilities.subarray(row * 10, row * 10 + 10);
      expect(rowValues.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 5);
      expect(rowValues[labels[row]!]).toBeGreaterThan(0.99);
    }
    model.dispose();
  });

  it('gives the same answer whatever the batch size, and disposes every tensor', async () => {
    const model = createLinearModel({ seed: 4 });
    const images = tf.tidy(() => tf.randomNormal([10, 28, 28, 1], 0, 1, 'float32', 2).dataSync() as Float32Array);
    await predict(model, images); // warm-up: kernels may cache tensors on first use
    const tensorsBefore = tf.memory().numTensors;
    const whole = await predict(model, images, { batchSize: 256 });
    const pieces = await predict(model, images, { batchSize: 4 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(Array.from(pieces.probabilities)).toEqual(Array.from(whole.probabilities));
    model.dispose();
  });

  it('rejects images that are not whole 28x28 images and bad batch sizes', async () => {
    const model = createLinearModel();
    await expect(predict(model, new Float32Array(100))).rejects.toThrow(/a multiple of 784 floats\), got 100 floats/);
    await expect(predict(model, new Float32Array(784), { batchSize: 0 })).rejects.toThrow(/batchSize/);
    model.dispose();
  });
});

describe('evaluate', () => {
  it('scores predictions with the metrics report, confusion matrix, log loss, top-3 and ECE', async () => {
    const model = pixelPickerModel();
    const truth = [0, 1, 2, 3, 4, 5, 6, 7];
    const shown = [0, 1, 2, 3, 4, 5, 9, 9]; // the last two images look like class 9
    const data = { images: imagesOfClasses(shown), labels: Uint8Array.from(truth), count: truth.length };
    const tensorsBefore = tf.memory().numTensors;
    const evaluation = await evaluate(model, data, { batchSize: 5 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(Array.from(evaluation.predictions)).toEqual(shown);
    expect(evaluation.report.accuracy).toBe(6 / 8);
    expect(evaluation.report.perClass[6]).toMatchObject({ recall: 0, support: 1 });
    expect(evaluation.confusionMatrix[6]![9]).toBe(1);
    expect(evaluation.confusionMatrix[7]![9]).toBe(1);
    // Confident and right on 6 images, confident and wrong on 2: the log loss is dominated by the two mistakes.
    const wrongProbability = evaluation.probabilities[6 * 10 + 6]!;
    expect(evaluation.logLoss).toBeGreaterThan((-2 / 8) * Math.log(wrongProbability) - 1e-3);
    // The other nine classes tie; as in scikit-learn, ties rank the higher class first, so the image of a 7 has
    // 7 in its top 3 (9, 8, 7) and the image of a 6 does not.
    expect(evaluation.top3).toBe(7 / 8);
    expect(evaluation.ece).toBeGreaterThan(0.2);
    model.dispose();
  });

  it('rejects data whose count, labels and pixels disagree', async () => {
    const model = createLinearModel();
    const data = { images: new Float32Array(784 * 2), labels: new Uint8Array(3), count: 2 };
    await expect(evaluate(model, data)).rejects.toThrow(/count \(2\) labels/);
    model.dispose();
  });
});

describe('predict without the Node entry (as in the browser entry)', () => {
  it('runs on the calling thread: refuses workers > 1 and takes workers: auto as one thread', async () => {
    const model = createLinearModel({ seed: 1 });
    const one = new Float32Array(784);
    await expect(predict(model, one, { workers: 2 })).rejects.toThrow(/workers: 2 needs Node.js worker threads/);
    expect((await predict(model, one, { workers: 'auto' })).predictions).toHaveLength(1);
    model.dispose();
  });
});
