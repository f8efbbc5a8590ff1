import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelsError } from './errors.js';
import { predict } from './predict.js';
import { checkTestTimeAugmentation, type ImageView, testTimeViews, writeView } from './views.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE = { rows: 28, cols: 28 };

/** An image with background `background` and value `value` at (row, col). */
function dot(row: number, col: number, value = 1, background = -0.5): Float32Array {
  const image = new Float32Array(784).fill(background);
  image[row * 28 + col] = value;
  return image;
}

function viewOf(image: Float32Array, view: ImageView): Float32Array {
  const out = new Float32Array(784);
  writeView(image, 0, out, 0, SIZE, view);
  return out;
}

describe('testTimeViews', () => {
  it('is the image alone without augmentation', () => {
    expect(testTimeViews(undefined)).toEqual([{ flip: false, rows: 0, cols: 0 }]);
    expect(testTimeViews({ flip: false, shift: 0 })).toEqual([{ flip: false, rows: 0, cols: 0 }]);
  });

  it('gives ten distinct views for flip and 1-pixel shifts, the image first', () => {
    const views = testTimeViews({ flip: true, shift: 1 });
    expect(views).toHaveLength(10);
    expect(views[0]).toEqual({ flip: false, rows: 0, cols: 0 });
    expect(new Set(views.map((view) => JSON.stringify(view))).size).toBe(10);
    for (const view of views) expect(Math.abs(view.rows) + Math.abs(view.cols)).toBeLessThanOrEqual(1);
    expect(testTimeViews({ flip: false, shift: 2 })).toHaveLength(5);
    expect(testTimeViews({ flip: true, shift: 0 })).toHaveLength(2);
  });
});

describe('writeView', () => {
  it('moves a pixel down and right, and mirrors left-right', () => {
    expect(viewOf(dot(5, 7), { flip: false, rows: 1, cols: 2 }).indexOf(1)).toBe(6 * 28 + 9);
    expect(viewOf(dot(5, 7), { flip: false, rows: -1, cols: -2 }).indexOf(1)).toBe(4 * 28 + 5);
    expect(viewOf(dot(5, 7), { flip: true, rows: 0, cols: 0 }).indexOf(1)).toBe(5 * 28 + 20);
  });

  it("fills pixels moved in from outside with the image's corner value, not 0", () => {
    const image = dot(0, 27, 1, -0.8);
    const moved = viewOf(image, { flip: false, rows: 0, cols: 1 });
    // The bright pixel in the last column left the image; the first column is background.
    expect(moved.indexOf(1)).toBe(-1);
    for (let row = 0; row < 28; row++) expect(moved[row * 28]).toBeCloseTo(-0.8, 6);
  });
});

describe('checkTestTimeAugmentation', () => {
  it('accepts { flip, shift } and refuses anything else with a message naming the option', () => {
    expect(checkTestTimeAugmentation({ flip: true, shift: 1 })).toEqual({ flip: true, shift: 1 });
    for (const bad of [
      null,
      3,
      { flip: 'yes', shift: 1 },
      { flip: true, shift: -1 },
      { flip: true, shift: 1.5 },
      { flip: true, shift: 8 },
      { flip: true },
    ]) {
      expect(() => checkTestTimeAugmentation(bad, 'preset.testTimeAugmentation')).toThrow(ModelsError);
      expect(() => checkTestTimeAugmentation(bad, 'preset.testTimeAugmentation')).toThrow(
        /preset\.testTimeAugmentation must be/,
      );
    }
  });
});

describe('predict with testTimeAugmentation', () => {
  /** A small CNN whose output depends on position and orientation, so each view gives different probabilities. */
  function smallCnn(): tfl.LayersModel {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 2,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 10,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    return model;
  }

  it("averages the model's probabilities over the views, batch by batch", async () => {
    const model = smallCnn();
    const count = 5;
    const images = new Float32Array(count * 784);
    for (let index = 0; index < images.length; index++) images[index] = Math.sin(index * 0.37) - 0.3;
    const augmentation = { flip: true, shift: 1 };
    const averaged = await predict(model, images, { testTimeAugmentation: augmentation, batchSize: 2 });
    const expected = new Float64Array(count * 10);
    const views = testTimeViews(augmentation);
    for (const view of views) {
      const viewed = new Float32Array(images.length);
      for (let image = 0; image < count; image++) writeView(images, image * 784, viewed, image * 784, SIZE, view);
      const { probabilities } = await predict(model, viewed);
      for (let index = 0; index < expected.length; index++) expected[index]! += probabilities[index]! / views.length;
    }
    const plain = await predict(model, images);
    let differsFromPlain = 0;
    for (let index = 0; index < expected.length; index++) {
      expect(averaged.probabilities[index]).toBeCloseTo(expected[index]!, 6);
      differsFromPlain = Math.max(
        differsFromPlain,
        Math.abs(averaged.probabilities[index]! - plain.probabilities[index]!),
      );
    }
    expect(differsFromPlain).toBeGreaterThan(1e-4);
    for (let row = 0; row < count; row++) {
      const sum = averaged.probabilities.subarray(row * 10, row * 10 + 10).reduce((total, value) => total + value, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
    model.dispose();
  });

  it('refuses a bad testTimeAugmentation before any work', async () => {
    const model = smallCnn();
    await expect(
      predict(model, new Float32Array(784), { testTimeAugmentation: { flip: true, shift: 9 } }),
    ).rejects.toThrow(/testTimeAugmentation must be \{ flip/);
    model.dispose();
  });
});
