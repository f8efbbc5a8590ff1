import { existsSync } from 'node:fs';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { describe, expect, it } from 'vitest';
import { type RgbaImage, toFashionMnistImage } from './image.js';
import { loadFashionMnist } from './node/fashion-mnist.js';

const IMAGE_SIZE = 28;

/** A width x height RGBA image of one background gray with a filled rectangle of another. */
function rectangleImage(
  width: number,
  height: number,
  background: number,
  foreground: number,
  box: { left: number; top: number; width: number; height: number },
  alpha = 255,
): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
      const value = inside ? foreground : background;
      data.set([value, value, value, inside ? 255 : alpha], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** Bounding box of the pixels above `threshold` in a 28x28 image. */
function brightBox(pixels: Uint8Array, threshold = 0) {
  let left = IMAGE_SIZE;
  let right = -1;
  let top = IMAGE_SIZE;
  let bottom = -1;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      if (pixels[y * IMAGE_SIZE + x]! > threshold) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  return { width: right - left + 1, height: bottom - top + 1, left, top };
}

describe('toFashionMnistImage', () => {
  it('inverts a dark object on a light background, fits its longer side to 28 pixels and centers it', () => {
    const photo = rectangleImage(300, 200, 250, 20, { left: 50, top: 60, width: 200, height: 100 });
    const result = toFashionMnistImage(photo);
    expect(result).toHaveLength(IMAGE_SIZE * IMAGE_SIZE);
    const box = brightBox(result);
    expect(box).toEqual({ width: 28, height: 14, left: 0, top: 7 });
    expect(Math.max(...result)).toBe(255);
    expect(result[0]).toBe(0);
  });

  it('keeps a bright object on a dark background bright, and keeps a tall object tall', () => {
    const photo = rectangleImage(64, 64, 10, 200, { left: 24, top: 4, width: 16, height: 56 });
    const result = toFashionMnistImage(photo);
    const box = brightBox(result);
    expect(box.height).toBe(28);
    expect(box.width).toBe(8);
    expect(box.left).toBe(10);
    expect(result[14 * IMAGE_SIZE + 14]).toBe(255);
    expect(result[14 * IMAGE_SIZE + 2]).toBe(0);
  });

  it('treats transparent pixels as white, so an opaque dark shape on transparency comes out bright on black', () => {
    const photo = rectangleImage(40, 40, 0, 0, { left: 10, top: 10, width: 20, height: 20 }, 0);
    const result = toFashionMnistImage(photo);
    expect(brightBox(result)).toEqual({ width: 28, height: 28, left: 0, top: 0 });
    expect(result[14 * IMAGE_SIZE + 14]).toBe(255);
  });

  it('returns a black image for a blank photo instead of dividing by zero', () => {
    const result = toFashionMnistImage(rectangleImage(10, 10, 255, 255, { left: 0, top: 0, width: 0, height: 0 }));
    expect(Math.max(...result)).toBe(0);
  });

  it('takes a browser ImageData-like Uint8ClampedArray exactly as a Uint8Array', () => {
    const photo = rectangleImage(50, 30, 240, 30, { left: 10, top: 5, width: 25, height: 20 });
    const clamped = { ...photo, data: Uint8ClampedArray.from(photo.data) };
    expect(toFashionMnistImage(clamped)).toEqual(toFashionMnistImage(photo));
  });

  it('rejects pixels that do not match the size, or an empty image, naming the numbers', () => {
    const data = new Uint8Array(10 * 10 * 4);
    expect(() => toFashionMnistImage({ width: 10, height: 9, data })).toThrow(
      expect.objectContaining({
        code: 'E_DATASET_ARGUMENT',
        message: expect.stringMatching(/10x9 image needs 360 RGBA bytes.*got 400/),
      }),
    );
    expect(() => toFashionMnistImage({ width: 0, height: 0, data: new Uint8Array(0) })).toThrow(/at least 1, got 0x0/);
  });
});

/** Pearson correlation of two equally long pixel arrays. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let meanA = 0;
  let meanB = 0;
  for (let index = 0; index < a.length; index++) {
    meanA += a[index]! / a.length;
    meanB += b[index]! / b.length;
  }
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  for (let index = 0; index < a.length; index++) {
    covariance += (a[index]! - meanA) * (b[index]! - meanB);
    varianceA += (a[index]! - meanA) ** 2;
    varianceB += (b[index]! - meanB) ** 2;
  }
  return covariance / Math.sqrt(varianceA * varianceB);
}

requirePrerequisite(existsSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz'), 'the real data')(
  'toFashionMnistImage on real test images turned into product photos',
  () => {
    it('recovers the original 28x28 image from a 10x enlarged, inverted (dark on white) copy', async () => {
      const test = await loadFashionMnist({ split: 'test' });
      const scale = 10;
      const size = 28 * scale;
      const correlations: number[] = [];
      for (let index = 0; index < 100; index++) {
        const original = test.images.subarray(index * 784, (index + 1) * 784);
        const data = new Uint8Array(size * size * 4);
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const value = 255 - original[Math.floor(y / scale) * 28 + Math.floor(x / scale)]!;
            data.set([value, value, value, 255], (y * size + x) * 4);
          }
        }
        correlations.push(correlation(toFashionMnistImage({ width: size, height: size, data }), original));
      }
      // A few originals do not span all 28 pixels, so they come back slightly larger; the rest match almost exactly.
      correlations.sort((a, b) => a - b);
      expect(correlations[50]).toBeGreaterThan(0.99);
      expect(correlations[10]).toBeGreaterThan(0.9);
    });
  },
);
