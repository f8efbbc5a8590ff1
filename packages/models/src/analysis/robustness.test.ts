import { ROBUSTNESS_CONDITIONS, type RobustnessCondition } from '@fmnist/dataset';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLinearModel } from '../models.js';
import { evaluateRobustness } from './robustness.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const IDENTITY = { mean: 0, std: 1 };

/** A linear model whose class is the brightest of the first ten pixels of row 0 (class 0 when all are dark). */
function pixelPickerModel(): tfl.LayersModel {
  const model = createLinearModel();
  const kernel = new Float32Array(784 * 10);
  for (let label = 0; label < 10; label++) kernel[label * 10 + label] = 10;
  model.setWeights([tf.tensor2d(kernel, [784, 10]), tf.zeros([10])]);
  return model;
}

/** One 28x28 image per class 0..9, dark but for pixel (0, class). */
function pickerTest() {
  const labels = Uint8Array.from({ length: 10 }, (_, label) => label);
  const images = new Uint8Array(10 * 784);
  for (const label of labels) images[label * 784 + label] = 255;
  return { images, labels, rows: 28, cols: 28 };
}

function byLabel(label: string): RobustnessCondition {
  return ROBUSTNESS_CONDITIONS.find((condition) => condition.label === label)!;
}

describe('evaluateRobustness', () => {
  it('scores each condition on its copies: exact accuracies on a model whose answers are known', async () => {
    const model = pixelPickerModel();
    const conditions = ['shift 1 px', 'flip', 'contrast 50%', 'invert'].map(byLabel);
    const entries = await evaluateRobustness(model, pickerTest(), IDENTITY, { conditions });
    expect(entries.map(({ condition }) => condition.label)).toEqual(['clean', ...conditions.map(({ label }) => label)]);
    expect(entries.map(({ copies }) => copies)).toEqual([1, 4, 1, 1, 1]);
    const [clean, shift, flip, contrast, invert] = entries;
    expect(clean!.accuracy).toBe(1);
    // Right: every lit pixel moves to the next class (or off the first ten); left: only class 0 (then all dark) is
    // right; down and up: all dark, class 0 right. 3 of 40.
    expect(shift!.accuracy).toBe(3 / 40);
    expect(Array.from(shift!.correct)).toEqual([
      ...new Array(10).fill(0),
      1,
      ...new Array(9).fill(0),
      1,
      ...new Array(9).fill(0),
      1,
      ...new Array(9).fill(0),
    ]);
    // Flipped, the lit pixel is at column 27 - class, outside the first ten: all read as class 0.
    expect(flip!.accuracy).toBe(1 / 10);
    // Half contrast keeps the lit pixel the brightest.
    expect(contrast!.accuracy).toBe(1);
    // Inverted, the class's own pixel is the one dark pixel.
    expect(invert!.accuracy).toBe(0);
    model.dispose();
  });

  it('returns clean plus every standard condition, with `correct` consistent with `accuracy`', async () => {
    const model = createLinearModel({ seed: 5 });
    const count = 12;
    const test = {
      images: Uint8Array.from({ length: count * 784 }, (_, index) => (index * 2654435761) >>> 24),
      labels: Uint8Array.from({ length: count }, (_, index) => index % 10),
      rows: 28,
      cols: 28,
    };
    const original = test.images.slice();
    const normalization = { mean: 0.3, std: 0.35 };
    await evaluateRobustness(model, test, normalization, { seed: 1, conditions: [byLabel('noise 0.1')] }); // warm-up
    const tensors = tf.memory().numTensors;
    const first = await evaluateRobustness(model, test, normalization, { seed: 1, batchSize: 5 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(first).toHaveLength(ROBUSTNESS_CONDITIONS.length + 1);
    expect(first[0]!.condition).toEqual({ family: 'clean', severity: 0, label: 'clean' });
    expect(first.slice(1).map(({ condition }) => condition)).toEqual([...ROBUSTNESS_CONDITIONS]);
    for (const entry of first) {
      const copies = entry.condition.family === 'shift' ? 4 : entry.condition.family === 'rotation' ? 2 : 1;
      expect(entry.copies).toBe(copies);
      expect(entry.correct).toHaveLength(copies * count);
      expect(entry.correct.every((value) => value === 0 || value === 1)).toBe(true);
      expect(entry.accuracy).toBe(entry.correct.reduce((sum, value) => sum + value, 0) / entry.correct.length);
    }
    const again = await evaluateRobustness(model, test, normalization, { seed: 1 });
    expect(again.map(({ accuracy, correct }) => [accuracy, Array.from(correct)])).toEqual(
      first.map(({ accuracy, correct }) => [accuracy, Array.from(correct)]),
    );
    expect(Array.from(test.images)).toEqual(Array.from(original));
    model.dispose();
  });

  it('rejects test images of another size or count, naming them', async () => {
    const model = createLinearModel();
    const labels = new Uint8Array(2);
    await expect(
      evaluateRobustness(model, { images: new Uint8Array(2 * 196), labels, rows: 14, cols: 14 }, IDENTITY),
    ).rejects.toThrow(/14x14, the model takes 28x28/);
    await expect(
      evaluateRobustness(model, { images: new Uint8Array(784), labels, rows: 28, cols: 28 }, IDENTITY),
    ).rejects.toThrow(/\(2 labels\), got 784 pixels/);
    await expect(
      evaluateRobustness(model, { images: new Uint8Array(2 * 784), labels, rows: 28, cols: 28 }, { mean: 0, std: 0 }),
    ).rejects.toThrow(/normalization/);
    model.dispose();
  });
});
