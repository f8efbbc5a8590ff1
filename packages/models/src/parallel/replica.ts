/**
 * The training step, once for every caller. A replica is one copy of the model being trained with its own Adam state;
 * `runEpoch` runs its steps: forward and backward on its share of the batch, the shares' gradients added up in
 * replica order, Adam on its slice of the parameters, and the updated parameters loaded. Replicas on worker threads
 * meet at barriers in shared memory; one replica on the calling thread is the one-worker case of the same loop, its
 * barriers passed at once. Either way a seed and a replica count give the same weights, bit for bit, run after run.
 */
import { mixSeeds } from '@fmnist/internal';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import { FlatAdam } from './adam.js';
import {
  type Augmentation,
  epochOrder,
  fillBatch,
  learningRateAt,
  scoreProbabilities,
  smoothLabels,
  stepsPerEpoch,
  workerShare,
} from './batches.js';
import {
  CONTROL_WORDS,
  Control,
  type CoordinatorMessage,
  type EpochReport,
  type GroupMemory,
  type ReplicaData,
  type StepConfig,
  type StepReport,
  type WorkerMessage,
} from './protocol.js';

/** Keras' clipping of probabilities before the logarithm (its `epsilon()`). */
export const PROBABILITY_EPSILON = 1e-7;
/** Images per forward pass when evaluating. */
export const EVALUATION_BATCH_SIZE = 256;
/** How long a barrier wait sleeps before re-checking the abort word (the calling thread also notifies). */
const BARRIER_POLL_MS = 1000;

export interface StepScore {
  /** Sum of the per-image losses of the share (not the mean). */
  lossSum: number;
  correct: number;
}

/** Thrown in a replica waiting at a barrier when the calling thread gave up on training (a failure elsewhere). */
export class AbortedByCoordinator extends Error {}

export interface EpochOptions {
  /** Called after every step with the step's mean loss over the whole batch. */
  onStep?: ((step: StepReport) => void) | undefined;
  /** Lets the event loop run (timers, signal handlers, abort listeners) every this many milliseconds. */
  yieldEveryMs?: number | undefined;
}

/**
 * The memory of a group of `workerCount` replicas of `model`, its parameters filled from the model: in
 * SharedArrayBuffers for workers, in plain arrays for one replica on the calling thread.
 */
export function groupMemory(model: LayersModel, workerCount: number, shared: boolean): GroupMemory {
  const buffer = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const floats = (length: number) => new Float32Array(buffer(length * 4));
  const parameterCount = model.trainableWeights.reduce((sum, weight) => sum + weight.read().size, 0);
  const nonTrainableCount = model.nonTrainableWeights.reduce((sum, weight) => sum + weight.read().size, 0);
  const parameters = floats(parameterCount);
  let offset = 0;
  for (const weight of model.trainableWeights) {
    const values = weight.read().dataSync() as Float32Array;
    parameters.set(values, offset);
    offset += values.length;
  }
  return {
    workerIndex: 0,
    workerCount,
    control: new Int32Array(buffer(CONTROL_WORDS * 4)),
    parameters,
    exchange: floats(2 * workerCount * (parameterCount + nonTrainableCount)),
    scores: new Float64Array(buffer(2 * workerCount * 2 * 8)),
  };
}

export class Replica {
  readonly model: LayersModel;
  /** Trainable variables, in `model.trainableWeights` order (the same order on every replica). */
  readonly variables: tf.Variable[];
  /** Number of trainable parameters: the length of a flat gradient. */
  readonly parameterCount: number;
  /** The trainable parameters, flat in variable order (the group's); the source of truth between steps. */
  readonly parameters: Float32Array;
  private readonly batch: Float32Array;
  private readonly batchLabels: Uint8Array;
  private readonly oneHot: Float32Array;
  /** The model's dropout layers, whose masks are seeded anew for every share of every step. */
  private readonly dropoutLayers: SeededLayer[];
  private readonly nonTrainable: LayersModel['nonTrainableWeights'];
  private readonly nonTrainableSizes: number[];
  private readonly nonTrainableMean: Float32Array;
  private readonly slotSize: number;
  /** This replica's slice of the flat parameters: it adds up their gradients and runs Adam on them. */
  private readonly partition: { start: number; end: number };
  /** The summed gradient of the partition (with one replica, its own gradient is the sum: no copy). */
  private readonly partitionGradient: Float32Array;
  private readonly optimizer: FlatAdam;

  constructor(
    model: LayersModel,
    private readonly data: ReplicaData,
    private readonly config: StepConfig,
    private readonly group: GroupMemory = groupMemory(model, 1, false),
  ) {
    this.model = model;
    this.variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    this.parameterCount = this.variables.reduce((sum, variable) => sum + variable.size, 0);
    this.parameters = group.parameters;
    this.nonTrainable = model.nonTrainableWeights.slice();
    this.nonTrainableSizes = this.nonTrainable.map((weight) => weight.read().size);
    const nonTrainableCount = this.nonTrainableSizes.reduce((sum, size) => sum + size, 0);
    this.nonTrainableMean = new Float32Array(nonTrainableCount);
    this.slotSize = this.parameterCount + nonTrainableCount;
    if (
      group.parameters.length !== this.parameterCount ||
      group.exchange.length !== 2 * group.workerCount * this.slotSize ||
      group.control.length !== CONTROL_WORDS
    ) {
      throw new ModelsError(
        'E_MODELS_WORKER_FAILED',
        `the group memory does not fit this model (${group.parameters.length} parameters for ${this.parameterCount}, ` +
          `${group.exchange.length} exchange values for ${2 * group.workerCount * this.slotSize})`,
      );
    }
    this.partition = workerShare(this.parameterCount, group.workerCount, group.workerIndex);
    this.partitionGradient = new Float32Array(group.workerCount > 1 ? this.partition.end - this.partition.start : 0);
    this.optimizer = new FlatAdam(this.partition.end - this.partition.start);
    const maxBatch = config.batchSize;
    this.batch = new Float32Array(maxBatch * data.rows * data.cols);
    this.batchLabels = new Uint8Array(maxBatch);
    this.oneHot = new Float32Array(maxBatch * 10);
    this.dropoutLayers = dropoutLayersOf(model);
  }

  /** Replica `worker`'s exchange slot for steps of parity `parity`. */
  private slot(parity: number, worker: number): Float32Array {
    const offset = (parity * this.group.workerCount + worker) * this.slotSize;
    return this.group.exchange.subarray(offset, offset + this.slotSize);
  }

  /**
   * Waits until every replica has arrived. Returns whether the caller asked to stop, as read by the last replica to
   * arrive, so that all replicas see the same answer. One replica is always the last: it never waits.
   */
  private barrier(): boolean {
    const { control, workerCount } = this.group;
    const generation = Atomics.load(control, Control.generation);
    if (Atomics.add(control, Control.arrived, 1) + 1 === workerCount) {
      Atomics.store(control, Control.arrived, 0);
      Atomics.store(control, Control.stopAfterStep, Atomics.load(control, Control.cancelRequested));
      Atomics.add(control, Control.generation, 1);
      Atomics.notify(control, Control.generation);
    } else {
      while (Atomics.load(control, Control.generation) === generation) {
        if (Atomics.load(control, Control.abort) !== 0) throw new AbortedByCoordinator();
        Atomics.wait(control, Control.generation, generation, BARRIER_POLL_MS);
      }
    }
    if (Atomics.load(control, Control.abort) !== 0) throw new AbortedByCoordinator();
    return Atomics.load(control, Control.stopAfterStep) !== 0;
  }

  /**
   * Runs epoch `epoch` (0-based) to its end, or to the end of the step in progress when the group's cancel word is
   * set. Each step: this replica's share of the batch (forward, loss, gradient), a barrier, the shares' gradients
   * added up in replica order for this replica's slice of the parameters and Adam on it, a barrier, the updated
   * parameters loaded (and, with several replicas, batch-norm statistics averaged).
   */
  async runEpoch(epoch: number, options: EpochOptions = {}): Promise<EpochReport> {
    const { config, data } = this;
    const { workerIndex, workerCount, scores } = this.group;
    const order = epochOrder(data.count, config.seed, epoch);
    const steps = stepsPerEpoch(data.count, config.batchSize);
    const totalSteps = steps * config.epochs;
    const { start, end } = this.partition;
    let lossSum = 0;
    let correct = 0;
    let images = 0;
    let lastYield = Date.now();
    for (let step = 0; step < steps; step++) {
      const globalStep = epoch * steps + step;
      const parity = globalStep & 1;
      const batchStart = step * config.batchSize;
      const batchSize = Math.min(config.batchSize, data.count - batchStart);
      const share = workerShare(batchSize, workerCount, workerIndex);
      const slot = this.slot(parity, workerIndex);
      const scoreOffset = (parity * workerCount + workerIndex) * 2;
      if (share.end > share.start) {
        const score = this.computeGradient(
          order,
          batchStart + share.start,
          batchStart + share.end,
          batchSize,
          config.augmentation,
          config.labelSmoothing,
          config.seed,
          epoch,
          slot,
        );
        scores[scoreOffset] = score.lossSum;
        scores[scoreOffset + 1] = score.correct;
      } else {
        slot.fill(0, 0, this.parameterCount);
        scores[scoreOffset] = 0;
        scores[scoreOffset + 1] = 0;
      }
      if (workerCount > 1) this.publishNonTrainable(slot);

      this.barrier();

      let stepLoss = 0;
      for (let worker = 0; worker < workerCount; worker++) {
        stepLoss += scores[(parity * workerCount + worker) * 2]!;
        correct += scores[(parity * workerCount + worker) * 2 + 1]!;
      }
      lossSum += stepLoss;
      images += batchSize;
      options.onStep?.({ epoch, batch: step + 1, batches: steps, loss: stepLoss / batchSize });

      // Reduce-scatter then all-gather: each replica adds up the shares' gradients (in replica order) for its slice
      // of the parameters and updates that slice of the group's parameters; after the second barrier every replica
      // loads the same parameters, so the replicas stay bit-identical.
      let gradient: Float32Array;
      if (workerCount === 1) {
        gradient = slot.subarray(start, end);
      } else {
        gradient = this.partitionGradient;
        gradient.set(this.slot(parity, 0).subarray(start, end));
        for (let worker = 1; worker < workerCount; worker++) {
          const other = this.slot(parity, worker);
          for (let index = start; index < end; index++) gradient[index - start]! += other[index]!;
        }
      }
      this.optimizer.step(
        this.parameters.subarray(start, end),
        gradient,
        learningRateAt(globalStep, totalSteps, config.learningRate, config.schedule, config.warmupSteps),
      );
      // The caller's cancel request is read here, after onStep, so that aborting from onBatchEnd stops this step.
      const stop = this.barrier();
      this.loadParameters();
      if (workerCount > 1 && this.nonTrainable.length > 0) this.averageNonTrainable(parity, batchSize);

      if (stop) return this.epochReport(lossSum, correct, images, step + 1 < steps);
      if (options.yieldEveryMs !== undefined && Date.now() - lastYield >= options.yieldEveryMs) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    return this.epochReport(lossSum, correct, images, false);
  }

  private epochReport(lossSum: number, correct: number, images: number, cancelled: boolean): EpochReport {
    return { lossSum, correct, images, cancelled, digest: weightsDigest(readWeights(this.model)) };
  }

  /** Copies this replica's non-trainable weights (batch-norm moving statistics) behind its gradient in `slot`. */
  private publishNonTrainable(slot: Float32Array): void {
    let offset = this.parameterCount;
    for (const weight of this.nonTrainable) {
      const values = weight.read().dataSync() as Float32Array;
      slot.set(values, offset);
      offset += values.length;
    }
  }

  /** Batch-norm moving statistics (and any other non-trainable state): the share-size-weighted mean of all replicas. */
  private averageNonTrainable(parity: number, batchSize: number): void {
    const { workerCount } = this.group;
    this.nonTrainableMean.fill(0);
    for (let worker = 0; worker < workerCount; worker++) {
      const share = workerShare(batchSize, workerCount, worker);
      const weight = (share.end - share.start) / batchSize;
      if (weight === 0) continue;
      const values = this.slot(parity, worker).subarray(this.parameterCount);
      for (let index = 0; index < values.length; index++) this.nonTrainableMean[index]! += weight * values[index]!;
    }
    let offset = 0;
    this.nonTrainable.forEach((weight, index) => {
      const size = this.nonTrainableSizes[index]!;
      const value = tf.tensor(this.nonTrainableMean.slice(offset, offset + size), weight.shape as number[]);
      weight.write(value);
      value.dispose();
      offset += size;
    });
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
    labelSmoothing: number,
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
    smoothLabels(this.oneHot, size, labelSmoothing);
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

  /** Loss sum and correct count over this replica's share of `validation`, in inference mode. */
  evaluateShare(validation: ReplicaData): StepScore {
    const share = workerShare(validation.count, this.group.workerCount, this.group.workerIndex);
    return this.evaluate(validation, share.start, share.end);
  }
}

/**
 * A replica's answer to the calling thread's request: the same on the calling thread (one replica) and in a worker.
 * `close` is the host's business and gets no answer here.
 */
export async function answer(
  replica: Replica,
  validation: ReplicaData | undefined,
  message: Exclude<CoordinatorMessage, { type: 'close' }>,
  options: EpochOptions = {},
): Promise<WorkerMessage> {
  switch (message.type) {
    case 'epoch':
      return { type: 'epochDone', epoch: message.epoch, ...(await replica.runEpoch(message.epoch, options)) };
    case 'evaluate':
      if (validation === undefined) return { type: 'evaluated', lossSum: 0, correct: 0 };
      return { type: 'evaluated', ...replica.evaluateShare(validation) };
    case 'weights':
      return { type: 'weights', values: readWeights(replica.model) };
  }
}

/** A layer that passes its `seed` to tf.dropout when called (tfjs-layers' Dropout and its subclasses). */
interface SeededLayer {
  seed?: number | undefined;
}

/** Lets timers and signal handlers (Ctrl-C) run during a long synchronous epoch on the calling thread. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
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
