import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFashionMnist } from '@fmnist/dataset';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageFile, IMAGE_SIZE, ImageFileError, type RgbaImage, toFashionMnistImage } from './image.js';

/** A width x height RGBA image of one background grey with a filled rectangle of another. */
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
  it('inverts a dark object on a light background, fits its longer side to 28 pixels and centres it', () => {
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

describe.runIf(existsSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz'))(
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

describe('decodeImageFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fmnist-image-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const photo = rectangleImage(30, 20, 255, 0, { left: 5, top: 5, width: 10, height: 10 });

  it('reads PNG files by their signature, whatever the name', async () => {
    const png = new PNG({ width: photo.width, height: photo.height });
    png.data = Buffer.from(photo.data);
    const path = join(dir, 'shirt.jpg');
    writeFileSync(path, PNG.sync.write(png));
    const decoded = await decodeImageFile(path);
    expect(decoded.width).toBe(30);
    expect(Array.from(decoded.data)).toEqual(Array.from(photo.data));
  });

  it('reads JPEG files', async () => {
    const path = join(dir, 'shirt.jpeg');
    writeFileSync(path, jpeg.encode({ width: photo.width, height: photo.height, data: photo.data }, 95).data);
    const decoded = await decodeImageFile(path);
    expect([decoded.width, decoded.height]).toEqual([30, 20]);
    expect(decoded.data[0]).toBeGreaterThan(240);
  });

  it('rejects other files with an error naming the file', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'not an image');
    await expect(decodeImageFile(path)).rejects.toThrow(ImageFileError);
    await expect(decodeImageFile(path)).rejects.toThrow(/notes\.txt' is not a PNG or JPEG/);
    await expect(decodeImageFile(join(dir, 'missing.png'))).rejects.toThrow(/cannot read image .*missing\.png/);
  });
});
