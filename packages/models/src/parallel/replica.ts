/**
 * One copy of the model being trained, with its own Adam state: computes the gradient of the cross-entropy on a
 * batch, applies a gradient, evaluates a range of images. Used as is by single-threaded training and by every worker.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { FlatAdam } from './adam.js';
import { type Augmentation, fillBatch, mixSeeds, scoreProbabilities } from './batches.js';

/** Keras' clipping of probabilities before the logarithm (its `epsilon()`). */
export const PROBABILITY_EPSILON = 1e-7;
/** Images per forward pass when evaluating. */
export const EVALUATION_BATCH_SIZE = 256;

/** Training images shared by all replicas (plain or SharedArrayBuffer-backed arrays). */
export interface ReplicaData {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface StepScore {
  /** Sum of the per-image losses of the share (not the mean). */
  lossSum: number;
  correct: number;
}

export class Replica {
  readonly model: LayersModel;
  /** Trainable variables, in `model.trainableWeights` order (the same order on every replica). */
  readonly variables: tf.Variable[];
  /** Number of trainable parameters: the length of a flat gradient. */
  readonly parameterCount: number;
  /** The trainable parameters, flat in variable order; the source of truth between steps. */
  readonly parameters: Float32Array;
  private optimizer: FlatAdam | undefined;
  private readonly batch: Float32Array;
  private readonly batchLabels: Uint8Array;
  private readonly oneHot: Float32Array;
  /** The model's dropout layers, whose masks are seeded anew for every share of every step. */
  private readonly dropoutLayers: SeededLayer[];

  constructor(
    model: LayersModel,
    private readonly data: ReplicaData,
    maxBatch: number,
    sharedParameters?: Float32Array,
  ) {
    this.model = model;
    this.variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    this.parameterCount = this.variables.reduce((sum, variable) => sum + variable.size, 0);
    if (sharedParameters !== undefined) {
      // Filled and updated by the workers together (see worker.ts); the model already holds the same values.
      this.parameters = sharedParameters;
    } else {
      this.parameters = new Float32Array(this.parameterCount);
      let offset = 0;
      for (const variable of this.variables) {
        this.parameters.set(variable.dataSync() as Float32Array, offset);
        offset += variable.size;
      }
    }
    this.batch = new Float32Array(maxBatch * data.rows * data.cols);
    this.batchLabels = new Uint8Array(maxBatch);
    this.oneHot = new Float32Array(maxBatch * 10);
    this.dropoutLayers = dropoutLayersOf(model);
  }

  /**
   * Writes into `gradient` (flat, variable order) the gradient of the summed loss of images `order[start..end)`
   * divided by `lossDivisor` (the size of the whole batch, so that the shares' gradients simply add up), with the
   * model in training mode (dropout active, batch norm on batch statistics and updating its moving averages).
   */
  computeGradient(
    order: Uint32Array,
    start: number,
    end: number,
    lossDivisor: number,
    augmentation: Augmentation | undefined,
    seed: number,
    epoch: number,
    gradient: Float32Array,
  ): StepScore {
    const size = end - start;
    const { rows, cols } = this.data;
    fillBatch(
      this.data.images,
      this.data.labels,
      order,
      start,
      end,
      this.data,
      this.batch,
      this.batchLabels,
      this.oneHot,
      augmentation,
      seed,
      epoch,
    );
    // The backends may keep a reference to the array they were given (cpu does): these tensors die before the
    // buffers are refilled.
    const input = tf.tensor4d(this.batch.subarray(0, size * rows * cols), [size, rows, cols, 1]);
    const target = tf.tensor2d(this.oneHot.subarray(0, size * 10), [size, 10]);
    let probabilities: tf.Tensor | undefined;
    // Each dropout layer draws its mask from a seed of its own for this epoch and this share of the batch (its first
    // image's place in the epoch's order), so a seed and a worker count give the same masks, and the same weights,
    // run after run. The layers' own seeds (usually none) come back afterwards.
    const ownSeeds = this.dropoutLayers.map((layer) => layer.seed);
    this.dropoutLayers.forEach((layer, index) => {
      layer.seed = mixSeeds(seed, epoch, start, index, DROPOUT_SEED_TAG);
    });
    try {
      const { value, grads } = tf.variableGrads(() => {
        const output = this.model.apply(input, { training: true }) as tf.Tensor;
        probabilities = tf.keep(output);
        const clipped = tf.clipByValue(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
        return tf.mul(tf.sum(tf.mul(target, tf.log(clipped))), -1 / lossDivisor) as tf.Scalar;
      }, this.variables);
      value.dispose();
      let offset = 0;
      const heapView = heapReader();
      for (const variable of this.variables) {
        const variableGradient = grads[variable.name]!;
        gradient.set(heapView?.(variableGradient) ?? (variableGradient.dataSync() as Float32Array), offset);
        offset += variable.size;
      }
      for (const name of Object.keys(grads)) grads[name]!.dispose();
      return scoreProbabilities(
        (probabilities as unknown as tf.Tensor).dataSync() as Float32Array,
        this.batchLabels,
        0,
        size,
        PROBABILITY_EPSILON,
      );
    } finally {
      this.dropoutLayers.forEach((layer, index) => {
        layer.seed = ownSeeds[index];
      });
      input.dispose();
      target.dispose();
      probabilities?.dispose();
    }
  }

  /** One Adam step on all parameters with the flat `gradient` at `learningRate`, then `loadParameters()`. */
  applyGradient(gradient: Float32Array, learningRate: number): void {
    this.optimizer ??= new FlatAdam(this.parameterCount);
    this.optimizer.step(this.parameters, gradient, learningRate);
    this.loadParameters();
  }

  /** Sets the model's trainable variables from `parameters`. */
  loadParameters(): void {
    let offset = 0;
    // The wasm backend copies a new tensor's values into its heap at once; the cpu backend would keep a view of
    // `parameters`, which the next step overwrites, so it gets a copy.
    const copy = tf.getBackend() !== 'wasm';
    for (const variable of this.variables) {
      const values = this.parameters.subarray(offset, offset + variable.size);
      const value = tf.tensor(copy ? values.slice() : values, variable.shape);
      variable.assign(value);
      value.dispose();
      offset += variable.size;
    }
  }

  /** Loss sum and correct count over images `[start, end)` of `data`, in inference mode, batches of 256. */
  evaluate(data: ReplicaData, start: number, end: number): StepScore {
    let lossSum = 0;
    let correct = 0;
    const pixels = data.rows * data.cols;
    for (let first = start; first < end; first += EVALUATION_BATCH_SIZE) {
      const size = Math.min(EVALUATION_BATCH_SIZE, end - first);
      const probabilities = tf.tidy(() => {
        const input = tf.tensor4d(data.images.slice(first * pixels, (first + size) * pixels), [
          size,
          data.rows,
          data.cols,
          1,
        ]);
        return this.model.apply(input, { training: false }) as tf.Tensor;
      });
      const values = probabilities.dataSync() as Float32Array;
      probabilities.dispose();
      const score = scoreProbabilities(values, data.labels, first, size, PROBABILITY_EPSILON);
      lossSum += score.lossSum;
      correct += score.correct;
    }
    return { lossSum, correct };
  }
}

/** A layer that passes its `seed` to tf.dropout when called (tfjs-layers' Dropout and its subclasses). */
interface SeededLayer {
  seed?: number | undefined;
}

/** Distinguishes dropout seeds from the other uses of the training seed (epoch order, augmentation). */
const DROPOUT_SEED_TAG = 0x64726f70;

/** The dropout layers of `model`, nested models included, in layer order. */
function dropoutLayersOf(model: { layers: unknown[] }): SeededLayer[] {
  const found: SeededLayer[] = [];
  for (const layer of model.layers as Array<{ getClassName(): string; layers?: unknown[]; rate?: unknown }>) {
    if (Array.isArray(layer.layers)) found.push(...dropoutLayersOf(layer as { layers: unknown[] }));
    else if (/Dropout/.test(layer.getClassName()) && 'seed' in layer && typeof layer.rate === 'number') {
      found.push(layer as SeededLayer);
    }
  }
  return found;
}

/**
 * On the wasm backend, a function that returns a float32 tensor's values as a view of the backend's heap (valid until
 * the next allocation: read it at once), sparing dataSync()'s copy; undefined on other backends.
 */
function heapReader(): ((tensor: tf.Tensor) => Float32Array | undefined) | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (info: tf.TensorInfo) => ArrayLike<number> };
  const { typedArrayFromHeap } = backend;
  if (typeof typedArrayFromHeap !== 'function') return undefined;
  return (tensor) => {
    if (tensor.dtype !== 'float32') return undefined;
    const values = typedArrayFromHeap.call(backend, {
      dataId: tensor.dataId,
      shape: tensor.shape,
      dtype: tensor.dtype,
    });
    return values instanceof Float32Array ? values : undefined;
  };
}

/** Copies of all the model's weights (trainable and not), in `model.weights` order. */
export function readWeights(model: LayersModel): Float32Array[] {
  return model.weights.map((weight) => (weight.read().dataSync() as Float32Array).slice());
}

/** Sets all the model's weights from arrays in `model.weights` order. */
export function writeWeights(model: LayersModel, values: readonly Float32Array[]): void {
  const tensors = model.weights.map((weight, index) => tf.tensor(values[index]!, weight.shape as number[], 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    for (const tensor of tensors) tensor.dispose();
  }
}

/** FNV-1a over the bit patterns of all weights: equal digests mean (practically) bit-identical replicas. */
export function weightsDigest(values: readonly Float32Array[]): string {
  let hash = 0x811c9dc5;
  for (const array of values) {
    const words = new Uint32Array(array.buffer, array.byteOffset, array.length);
    for (let index = 0; index < words.length; index++) hash = Math.imul(hash ^ words[index]!, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
