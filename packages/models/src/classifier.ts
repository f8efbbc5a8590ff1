/**
 * A small inference entry for embedding a trained model: load a model saved by `saveModel` or bundled by
 * `fmnist export` (model.json, weights.bin, metadata.json) from a URL or, in Node, a folder, and classify images with
 * the same preprocessing as training. Browser-safe: folders are read through the Node entry (see `openModelSource`).
 */
import { normalizeImages } from '@fmnist/dataset';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ModelsError } from './errors.js';
import { loadModel, type ModelMetadata, type ModelSource } from './persistence.js';
import { predict } from './predict.js';
import { checkTestTimeAugmentation, type TestTimeAugmentation } from './views.js';

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;

/** One class of a top-k answer, most probable first. */
export interface Prediction {
  className: string;
  classIndex: number;
  probability: number;
}

export interface ClassifyOptions {
  /** How many classes to return, most probable first. Default 3. */
  topK?: number;
}

/** Anything with RGBA bytes and a size, like the DOM's `ImageData` (which Node lacks). */
export interface ImageDataLike {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** A canvas (`HTMLCanvasElement`, `OffscreenCanvas`, or a look-alike) whose 2D context can read its pixels. */
export interface CanvasLike {
  width: number;
  height: number;
  getContext(type: '2d'): { getImageData(x: number, y: number, width: number, height: number): ImageDataLike } | null;
}

/**
 * An image to classify: `ImageData` or a canvas of any size (turned grey, transparent as black, averaged down to
 * 28x28), a 28x28 array of grey values 0 to 255, or a `Uint8Array` / `Uint8ClampedArray` of 784 grey bytes (row-major).
 * FashionMNIST images are light objects on a black background; draw them that way.
 * Float arrays are refused: whether they are already normalized cannot be told from the values.
 */
export type ImageLike = ImageDataLike | CanvasLike | number[][] | Uint8Array | Uint8ClampedArray;

export interface Classifier {
  /** The top `topK` classes of one image. */
  classify(image: ImageLike, options?: ClassifyOptions): Promise<Prediction[]>;
  /** The top `topK` classes of each image, in batched forward passes. */
  classifyMany(images: readonly ImageLike[], options?: ClassifyOptions): Promise<Prediction[][]>;
  /**
   * Class probabilities of each image (`count * classNames.length`, row-major): averaged over the views of
   * {@link Classifier.testTimeAugmentation} when it is set (one forward pass per view).
   */
  predictProbabilities(images: readonly ImageLike[]): Promise<Float32Array>;
  /** The views each image is classified through (the model's, unless the options changed it); undefined: the image alone. */
  readonly testTimeAugmentation: TestTimeAugmentation | undefined;
  readonly classNames: readonly string[];
  /** The model's metadata.json: class names, normalization, test metrics, versions (export adds more fields). */
  readonly metadata: ModelMetadata;
  /** The underlying tfjs model, for everything else tfjs offers. */
  readonly model: LayersModel;
  /** Frees the model's weights. */
  dispose(): void;
}

export interface CreateClassifierOptions {
  /** The fetch used for URLs. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Test-time augmentation: the views whose probabilities are averaged. Default: the model's own
   * (`metadata.testTimeAugmentation`, as its test figures were measured); `false`: the image alone, one pass.
   */
  testTimeAugmentation?: TestTimeAugmentation | false;
}

function argumentError(message: string): ModelsError {
  return new ModelsError('E_MODELS_ARGUMENT', message);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as Uint8Array).length}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}

const ACCEPTED =
  'pass ImageData, a canvas, a 28x28 array of grey values 0-255, or a Uint8Array of 784 grey bytes (row-major)';

function isImageDataLike(value: object): value is ImageDataLike {
  const candidate = value as Partial<ImageDataLike>;
  return (
    (candidate.data instanceof Uint8ClampedArray || candidate.data instanceof Uint8Array) &&
    typeof candidate.width === 'number' &&
    typeof candidate.height === 'number'
  );
}

function isCanvasLike(value: object): value is CanvasLike {
  const candidate = value as Partial<CanvasLike>;
  return (
    typeof candidate.getContext === 'function' &&
    typeof candidate.width === 'number' &&
    typeof candidate.height === 'number'
  );
}

/** RGBA of any size to 28x28 grey bytes: luminance times alpha (transparent is black), then box-averaged. */
function rgbaToGrey28(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, index: number): Uint8Array {
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw argumentError(`image ${index}: width and height must be whole numbers of at least 1, got ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw argumentError(
      `image ${index}: ImageData of ${width}x${height} must hold ${width * height * 4} RGBA bytes, got ${rgba.length}`,
    );
  }
  const sums = new Float64Array(PIXELS);
  const weights = new Float64Array(PIXELS);
  for (let y = 0; y < height; y++) {
    // Each source pixel is spread over the target cells its area overlaps (exact box filter for any size).
    const top = (y * ROWS) / height;
    const bottom = ((y + 1) * ROWS) / height;
    for (let x = 0; x < width; x++) {
      const left = (x * COLS) / width;
      const right = ((x + 1) * COLS) / width;
      const offset = (y * width + x) * 4;
      const alpha = (rgba[offset + 3] as number) / 255;
      const grey =
        (0.299 * (rgba[offset] as number) +
          0.587 * (rgba[offset + 1] as number) +
          0.114 * (rgba[offset + 2] as number)) *
        alpha;
      for (let row = Math.floor(top); row < Math.min(ROWS, Math.ceil(bottom)); row++) {
        const overlapY = Math.min(bottom, row + 1) - Math.max(top, row);
        if (overlapY <= 0) continue;
        for (let col = Math.floor(left); col < Math.min(COLS, Math.ceil(right)); col++) {
          const overlap = overlapY * (Math.min(right, col + 1) - Math.max(left, col));
          if (overlap <= 0) continue;
          const cell = row * COLS + col;
          sums[cell] = (sums[cell] as number) + grey * overlap;
          weights[cell] = (weights[cell] as number) + overlap;
        }
      }
    }
  }
  const grey = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) grey[i] = Math.round((sums[i] as number) / (weights[i] as number));
  return grey;
}

function arrayToGrey(rows: unknown[], index: number): Uint8Array {
  if (rows.length !== ROWS) throw argumentError(`image ${index}: a 28x28 array must have 28 rows, got ${rows.length}`);
  const grey = new Uint8Array(PIXELS);
  rows.forEach((row, y) => {
    if (!Array.isArray(row) || row.length !== COLS) {
      throw argumentError(`image ${index}: row ${y} of a 28x28 array must hold 28 numbers, got ${describeValue(row)}`);
    }
    row.forEach((value: unknown, x) => {
      if (typeof value !== 'number' || !(value >= 0 && value <= 255)) {
        throw argumentError(
          `image ${index}: pixel [${y}][${x}] must be a grey value from 0 to 255, got ${String(value)}`,
        );
      }
      grey[y * COLS + x] = Math.round(value);
    });
  });
  return grey;
}

/** Turns any accepted image into 784 grey bytes, or throws a ModelsError saying what was wrong and what is accepted. */
export function toGreyPixels(image: unknown, index = 0): Uint8Array {
  if (image instanceof Uint8Array || image instanceof Uint8ClampedArray) {
    if (image.length !== PIXELS) {
      throw argumentError(`image ${index}: grey bytes must be 784 long (28x28), got ${image.length}; ${ACCEPTED}`);
    }
    return Uint8Array.from(image);
  }
  if (Array.isArray(image)) return arrayToGrey(image, index);
  if (typeof image === 'object' && image !== null && !ArrayBuffer.isView(image)) {
    if (isImageDataLike(image)) return rgbaToGrey28(image.data, image.width, image.height, index);
    if (isCanvasLike(image)) {
      const context = image.getContext('2d');
      if (!context) throw argumentError(`image ${index}: the canvas has no 2D context (is it used for WebGL?)`);
      const pixels = context.getImageData(0, 0, image.width, image.height);
      return rgbaToGrey28(pixels.data, pixels.width, pixels.height, index);
    }
  }
  throw argumentError(`image ${index}: cannot classify ${describeValue(image)}; ${ACCEPTED}`);
}

function checkTopK(topK: number, classCount: number): number {
  if (!Number.isSafeInteger(topK) || topK < 1 || topK > classCount) {
    throw argumentError(`topK must be a whole number from 1 to ${classCount}, got ${topK}`);
  }
  return topK;
}

function topClasses(probabilities: Float32Array, offset: number, classNames: readonly string[], topK: number) {
  const order = classNames.map((_, classIndex) => classIndex);
  order.sort((a, b) => (probabilities[offset + b] as number) - (probabilities[offset + a] as number) || a - b);
  return order.slice(0, topK).map((classIndex) => ({
    className: classNames[classIndex] as string,
    classIndex,
    probability: probabilities[offset + classIndex] as number,
  }));
}

/**
 * Loads a model bundle written by `fmnist export` (or a model saved by `saveModel`) and returns a classifier.
 * `urlOrDir` is the bundle's folder or its `model.json`, by the rules of `loadModel`: an http(s) URL (a relative one
 * in browsers), or in Node a folder path or `file:` URL; or a `ModelSource` that reads the files from anywhere
 * (@fmnist/pretrained reads them from memory).
 * Uses the active tfjs backend (the cpu backend unless you select another first).
 */
export async function createClassifier(
  urlOrDir: string | URL | ModelSource,
  options: CreateClassifierOptions = {},
): Promise<Classifier> {
  // Checked before loading, so that a bad option leaves no model behind.
  const requestedViews =
    options.testTimeAugmentation === undefined || options.testTimeAugmentation === false
      ? options.testTimeAugmentation
      : checkTestTimeAugmentation(options.testTimeAugmentation);
  await tf.ready();
  const { model, metadata } = await loadModel(urlOrDir, options.fetch === undefined ? {} : { fetch: options.fetch });
  const classNames = [...metadata.classNames];
  const normalization = metadata.normalization;
  const testTimeAugmentation =
    requestedViews === false
      ? undefined
      : requestedViews === undefined
        ? metadata.testTimeAugmentation
        : requestedViews;

  async function predictProbabilities(images: readonly ImageLike[]): Promise<Float32Array> {
    if (!Array.isArray(images)) {
      throw argumentError(`classifyMany: pass an array of images, got ${describeValue(images)}`);
    }
    const bytes = new Uint8Array(images.length * PIXELS);
    images.forEach((image, index) => {
      bytes.set(toGreyPixels(image, index), index * PIXELS);
    });
    if (images.length === 0) return new Float32Array(0);
    const normalized = normalizeImages(bytes, normalization);
    const { probabilities } = await predict(model, normalized, testTimeAugmentation ? { testTimeAugmentation } : {});
    return probabilities;
  }

  async function classifyMany(images: readonly ImageLike[], classifyOptions: ClassifyOptions = {}) {
    const topK = checkTopK(classifyOptions.topK ?? 3, classNames.length);
    const probabilities = await predictProbabilities(images);
    return images.map((_, index) => topClasses(probabilities, index * classNames.length, classNames, topK));
  }

  return {
    classNames,
    metadata,
    model,
    testTimeAugmentation,
    predictProbabilities,
    classifyMany,
    async classify(image, classifyOptions = {}) {
      const [predictions] = await classifyMany([image], classifyOptions);
      return predictions as Prediction[];
    },
    dispose() {
      model.dispose();
    },
  };
}
