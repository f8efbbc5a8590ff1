import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLASS_NAMES, normalizeImages } from '@fmnist/dataset';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Classifier, createClassifier, type ImageDataLike, toGreyPixels } from './classifier.js';
import { ModelsError } from './errors.js';
// The Node entry, which lets createClassifier read folders.
import { saveModel } from './index.js';
import { createModel } from './models.js';
import { predict } from './predict.js';

const normalization = { mean: 0.286, std: 0.353 };
let directory: string;
let classifier: Classifier;
let reference: LayersModel;

/** A deterministic grey image with structure in it (not uniform, so the classes get distinct scores). */
function greyImage(seed: number): Uint8Array {
  const pixels = new Uint8Array(784);
  for (let i = 0; i < 784; i++) pixels[i] = (i * 37 + seed * 101 + ((i * i) % 13) * 17) % 256;
  return pixels;
}

function asRows(pixels: Uint8Array): number[][] {
  return Array.from({ length: 28 }, (_, y) => Array.from(pixels.subarray(y * 28, y * 28 + 28)));
}

/** RGBA ImageData of the grey image, each pixel repeated `scale` times in both directions. */
function asImageData(pixels: Uint8Array, scale = 1): ImageDataLike {
  const size = 28 * scale;
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const grey = pixels[Math.floor(y / scale) * 28 + Math.floor(x / scale)] as number;
      data.set([grey, grey, grey, 255], (y * size + x) * 4);
    }
  }
  return { data, width: size, height: size };
}

function expectedProbabilities(pixels: Uint8Array): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor4d(normalizeImages(pixels, normalization), [1, 28, 28, 1]);
    return (reference.predict(input) as tf.Tensor).dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  directory = await mkdtemp(join(tmpdir(), 'fmnist-classifier-'));
  reference = createModel('linear', { seed: 7 });
  await saveModel(reference, directory, { kind: 'linear', normalization, classNames: CLASS_NAMES });
  classifier = await createClassifier(directory);
});

afterAll(async () => {
  classifier?.dispose();
  reference?.dispose();
  await rm(directory, { recursive: true, force: true });
});

describe('createClassifier', () => {
  it('returns the top 3 classes, most probable first, with the probabilities of the model itself', async () => {
    const pixels = greyImage(1);
    const predictions = await classifier.classify(pixels);
    const expected = expectedProbabilities(pixels);
    const order = Array.from(expected.keys()).sort((a, b) => (expected[b] as number) - (expected[a] as number));
    expect(predictions.map((p) => p.classIndex)).toEqual(order.slice(0, 3));
    for (const prediction of predictions) {
      expect(prediction.className).toBe(CLASS_NAMES[prediction.classIndex]);
      expect(prediction.probability).toBeCloseTo(expected[prediction.classIndex] as number, 6);
    }
  });

  it('gives the same answer for bytes, a 28x28 array, ImageData, a larger ImageData and a canvas', async () => {
    const pixels = greyImage(2);
    const canvas = {
      width: 84,
      height: 84,
      getContext: () => ({ getImageData: () => asImageData(pixels, 3) }),
    };
    const inputs = [pixels, asRows(pixels), asImageData(pixels), asImageData(pixels, 2), canvas];
    const answers = await classifier.classifyMany(inputs, { topK: 10 });
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  });

  it('treats transparent pixels as black background', () => {
    const image = asImageData(greyImage(3));
    for (let i = 3; i < image.data.length; i += 4) image.data[i] = 0;
    expect(Array.from(toGreyPixels(image))).toEqual(new Array(784).fill(0));
  });

  it('honors topK and rejects a topK outside 1 to 10', async () => {
    expect(await classifier.classify(greyImage(4), { topK: 10 })).toHaveLength(10);
    expect(await classifier.classify(greyImage(4), { topK: 1 })).toHaveLength(1);
    await expect(classifier.classify(greyImage(4), { topK: 0 })).rejects.toThrow(
      /topK must be a whole number from 1 to 10/,
    );
    await expect(classifier.classify(greyImage(4), { topK: 11 })).rejects.toThrow(/got 11/);
  });

  it.each([
    ['a Float32Array', new Float32Array(784), /Float32Array of length 784/],
    ['too few bytes', new Uint8Array(100), /784 long \(28x28\), got 100/],
    ['a string', 'shoe.png', /cannot classify string shoe\.png/],
    ['27 rows', asRows(greyImage(5)).slice(1), /must have 28 rows, got 27/],
    [
      'a pixel above 255',
      asRows(greyImage(5)).map((row, y) => (y === 3 ? row.map(() => 300) : row)),
      /\[3\]\[0\].*300/,
    ],
    ['null', null, /cannot classify null/],
    ['ImageData with too few bytes', { data: new Uint8ClampedArray(10), width: 28, height: 28 }, /3136 RGBA bytes/],
  ])('rejects %s with a ModelsError naming what it accepts', async (_, image, message) => {
    const error = await classifier.classify(image as never).catch((caught: unknown) => caught);
    expect(ModelsError.isInstance(error)).toBe(true);
    expect((error as ModelsError).code).toBe('E_MODELS_ARGUMENT');
    expect((error as ModelsError).message).toMatch(message);
  });

  it('frees every tensor it creates', async () => {
    await classifier.classify(greyImage(6));
    const before = tf.memory().numTensors;
    await classifier.classifyMany([greyImage(6), greyImage(7)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('loads the same model from a file: URL, from model.json, through fetch from an http URL and from a ModelSource', async () => {
    const pixels = greyImage(8);
    const expected = await classifier.predictProbabilities([pixels]);
    const served: string[] = [];
    const fakeFetch = (async (url: string) => {
      served.push(url);
      const name = new URL(url).pathname.split('/').pop() ?? '';
      const bytes = await readFile(join(directory, name)).catch(() => undefined);
      return bytes ? new Response(bytes) : new Response('not found', { status: 404 });
    }) as typeof fetch;
    const loaded = await Promise.all([
      createClassifier(pathToFileURL(directory)),
      createClassifier(join(directory, 'model.json')),
      createClassifier('https://models.example/fmnist/linear', { fetch: fakeFetch }),
      createClassifier({
        read: async (name) => {
          const bytes = await readFile(join(directory, name)).catch(() => undefined);
          return bytes && new Uint8Array(bytes);
        },
        where: 'memory:',
      }),
    ]);
    for (const other of loaded) {
      expect(Array.from(await other.predictProbabilities([pixels]))).toEqual(Array.from(expected));
      other.dispose();
    }
    expect(served).toContain('https://models.example/fmnist/linear/metadata.json');
  });

  it('says which file is missing when the folder or URL holds no model', async () => {
    const error = await createClassifier(join(directory, 'nowhere')).catch((caught: unknown) => caught);
    expect(ModelsError.isInstance(error)).toBe(true);
    expect((error as ModelsError).code).toBe('E_MODELS_FILE_MISSING');
    expect((error as ModelsError).message).toMatch(/nowhere.*metadata\.json/);
    const notFound = (async () => new Response('', { status: 404 })) as unknown as typeof fetch;
    await expect(createClassifier('https://example.invalid/model/', { fetch: notFound })).rejects.toThrow(
      /https:\/\/example\.invalid\/model\/metadata\.json: does not exist/,
    );
  });
});

describe('createClassifier with test-time augmentation', () => {
  const views = { flip: true, shift: 1 };
  let viewsDirectory: string;

  beforeAll(async () => {
    viewsDirectory = await mkdtemp(join(tmpdir(), 'fmnist-classifier-views-'));
    await saveModel(reference, viewsDirectory, {
      kind: 'linear',
      normalization,
      classNames: CLASS_NAMES,
      testTimeAugmentation: views,
    });
  });

  afterAll(async () => {
    await rm(viewsDirectory, { recursive: true, force: true });
  });

  it("averages the model's own views by default, and the image alone with testTimeAugmentation: false", async () => {
    const images = [greyImage(3), greyImage(4)];
    const bytes = new Uint8Array(2 * 784);
    for (const [index, image] of images.entries()) bytes.set(image, index * 784);
    const normalized = normalizeImages(bytes, normalization);
    const averaged = (await predict(reference, normalized, { testTimeAugmentation: views })).probabilities;
    const plain = (await predict(reference, normalized)).probabilities;

    const withViews = await createClassifier(viewsDirectory);
    expect(withViews.testTimeAugmentation).toEqual(views);
    const got = await withViews.predictProbabilities(images);
    for (let index = 0; index < got.length; index++) expect(got[index]).toBeCloseTo(averaged[index]!, 6);
    withViews.dispose();

    const without = await createClassifier(viewsDirectory, { testTimeAugmentation: false });
    expect(without.testTimeAugmentation).toBeUndefined();
    const single = await without.predictProbabilities(images);
    for (let index = 0; index < single.length; index++) expect(single[index]).toBeCloseTo(plain[index]!, 6);
    without.dispose();

    let largest = 0;
    for (let index = 0; index < got.length; index++)
      largest = Math.max(largest, Math.abs(got[index]! - single[index]!));
    expect(largest).toBeGreaterThan(1e-4);
  });

  it('refuses a bad testTimeAugmentation option with E_MODELS_ARGUMENT, before loading anything', async () => {
    const missing = join(viewsDirectory, 'no-such-model');
    await expect(createClassifier(missing, { testTimeAugmentation: { flip: true, shift: 9 } })).rejects.toMatchObject({
      code: 'E_MODELS_ARGUMENT',
      message: expect.stringMatching(/testTimeAugmentation must be/),
    });
  });
});
