import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLinearModel } from '../models.js';
import { occlusionSensitivity } from './occlusion.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ROW = 10;
const COL = 15;
const PIXEL = ROW * 28 + COL;

/** A linear model that only sees pixel (10, 15): its brightness speaks for class 3. */
function onePixelModel(): tfl.LayersModel {
  const model = createLinearModel();
  const kernel = new Float32Array(784 * 10);
  kernel[PIXEL * 10 + 3] = 5;
  model.setWeights([tf.tensor2d(kernel, [784, 10]), tf.zeros([10])]);
  return model;
}

function imageWithPixel(value: number): Float32Array {
  const image = new Float32Array(784);
  image[PIXEL] = value;
  return image;
}

describe('occlusionSensitivity', () => {
  it("is nonzero only where a patch covering the model's one pixel reaches, and there the drop is exact", async () => {
    const model = onePixelModel();
    const images = new Float32Array(2 * 784);
    images.set(imageWithPixel(1), 0);
    images.set(imageWithPixel(1), 784);
    await occlusionSensitivity(model, images.subarray(0, 784), [3]); // warm-up
    const tensors = tf.memory().numTensors;
    const [asThree, asFive] = await occlusionSensitivity(model, images, [3, 5], { patch: 6, stride: 2 });
    expect(tf.memory().numTensors).toBe(tensors);
    // p(3 | image) = e^5 / (e^5 + 9); covered (fill 0, the smallest value), every logit is 0: p = 0.1.
    const drop = Math.exp(5) / (Math.exp(5) + 9) - 0.1;
    expect(asThree![PIXEL]).toBeCloseTo(drop, 5);
    expect(asThree![PIXEL + 1]).toBeGreaterThan(0);
    for (let index = 0; index < 784; index++) {
      const row = Math.floor(index / 28);
      const col = index % 28;
      if (Math.abs(row - ROW) >= 6 || Math.abs(col - COL) >= 6) expect(asThree![index], `pixel ${row},${col}`).toBe(0);
      expect(asThree![index]).toBeGreaterThanOrEqual(0);
      expect(asThree![index]).toBeLessThanOrEqual(drop + 1e-6);
    }
    // For class 5 the pixel is evidence against: covering it raises p(5) from 1 / (e^5 + 9) to 0.1.
    expect(asFive![PIXEL]).toBeCloseTo(1 / (Math.exp(5) + 9) - 0.1, 5);
    model.dispose();
  });

  it('averages the drops of the patches covering each pixel, and uses the given fill', async () => {
    const model = onePixelModel();
    // Fill 1 equals the pixel's value: covering changes nothing, so the map is 0 everywhere.
    const [flat] = await occlusionSensitivity(model, imageWithPixel(1), [3], { fill: 1, patch: 3, stride: 3 });
    expect(Array.from(flat!).every((value) => Math.abs(value) < 1e-7)).toBe(true);
    // patch 1, stride 1: exactly one position covers each pixel, so the map is the drop at that pixel alone.
    const [single] = await occlusionSensitivity(model, imageWithPixel(1), [3], { patch: 1, stride: 1 });
    const drop = Math.exp(5) / (Math.exp(5) + 9) - 0.1;
    expect(single![PIXEL]).toBeCloseTo(drop, 5);
    expect(Array.from(single!).filter((value) => value !== 0)).toHaveLength(1);
    model.dispose();
  });

  it('rejects bad patches, strides, sizes and labels, naming them', async () => {
    const model = onePixelModel();
    const image = imageWithPixel(1);
    await expect(occlusionSensitivity(model, image, [3], { patch: 0 })).rejects.toThrow(/patch .*1 to 28, got 0/);
    await expect(occlusionSensitivity(model, image, [3], { patch: 29 })).rejects.toThrow(/patch .*got 29/);
    await expect(occlusionSensitivity(model, image, [3], { stride: 1.5 })).rejects.toThrow(/stride .*got 1\.5/);
    await expect(occlusionSensitivity(model, image, [3, 4])).rejects.toThrow(/one 28x28 image per label \(2 labels\)/);
    await expect(occlusionSensitivity(model, image, [10])).rejects.toThrow(/labels\[0\] .*got 10/);
    await expect(occlusionSensitivity(model, image, [3], { rows: 14 })).rejects.toThrow(/must match the model's 28x28/);
    await expect(occlusionSensitivity(model, image, [3], { fill: Number.NaN })).rejects.toThrow(/fill .*NaN/);
    model.dispose();
  });
});
