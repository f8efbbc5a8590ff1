/** Model factories: the tuned linear, MLP and CNN defaults and the exact reference architectures of docs/reference-models.md. */
import * as tf from '@tensorflow/tfjs-layers';
import { ModelsError } from './errors.js';
import { presetRecipe } from './presets.js';
import type { ModelKind, TrainOptions } from './types.js';

/** Every model takes one 28x28 grey image (height, width, channels) and returns 10 class probabilities. */
export const INPUT_SHAPE = [28, 28, 1] as const;
export const NUM_CLASSES = 10;
export const MODEL_KINDS: readonly ModelKind[] = ['linear', 'mlp', 'cnn'];

export interface LinearOptions {
  /** Seeds the weight initializers: the same seed gives the same weights. Default 0. */
  seed?: number;
}

export interface MlpOptions {
  /** Units of each hidden ReLU layer. Default [256, 128]. */
  hiddenUnits?: number[];
  /** Dropout rate before each dense layer after the first (0 = none). Default 0.2. */
  dropout?: number;
  /** Seeds the weight initializers. Default 0. */
  seed?: number;
}

export interface CnnOptions {
  /**
   * Convolution blocks: each lists the filters of its convolutions (each followed by ReLU and, if `batchNorm`, batch
   * normalization), and ends with a 2x2 max-pool. Default [[32], [64]].
   */
  blocks?: number[][];
  /** Square kernel size of every convolution. Default 3. */
  kernelSize?: number;
  /** Convolution padding. Default 'same'. */
  padding?: 'same' | 'valid';
  /**
   * Batch normalization after each convolution's ReLU. Default true: with the package's fused batch-norm kernels it
   * costs little per step and added 0.6 points of validation accuracy in the recipe search (RECIPES.md).
   */
  batchNorm?: boolean;
  /** Dropout rate after each block's pooling (0 = none). Default 0 (measured: better within a short schedule). */
  blockDropout?: number;
  /**
   * Average each feature map of the last block to one value (global average pooling) instead of flattening them:
   * a head with far fewer weights. Default false.
   */
  globalAveragePooling?: boolean;
  /** Units of the dense ReLU layers of the head. Default [256]. */
  denseUnits?: number[];
  /** Dropout rate before each dense layer of the head and the output (0 = none). Default 0.3. */
  dropout?: number;
  /** Seeds the weight initializers. Default 0. */
  seed?: number;
}

export type ModelOptions = LinearOptions | MlpOptions | CnnOptions;

/** Mixes the model seed with a layer's index so that layers, and models with nearby seeds, get unrelated weights. */
function layerSeed(seed: number, layerIndex: number): number {
  let x = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(layerIndex + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) % 2_147_483_647;
}

/** Hands out seeded initializers in layer order. */
class Initializers {
  private index = 0;
  constructor(private readonly seed: number) {}
  glorot() {
    return tf.initializers.glorotUniform({ seed: layerSeed(this.seed, this.index++) });
  }
  he() {
    return tf.initializers.heNormal({ seed: layerSeed(this.seed, this.index++) });
  }
  /** PyTorch's default for Linear and Conv2d weights, kaiming_uniform(a=√5): uniform on ±1/√fanIn. */
  torchKernel() {
    return tf.initializers.varianceScaling({
      scale: 1 / 3,
      mode: 'fanIn',
      distribution: 'uniform',
      seed: layerSeed(this.seed, this.index++),
    });
  }
  /** PyTorch's default bias: uniform on ±1/√fanIn. */
  torchBias(fanIn: number) {
    const bound = 1 / Math.sqrt(fanIn);
    return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: layerSeed(this.seed, this.index++) });
  }
}

/** How a reference model's weights start: tfjs' defaults (Glorot uniform, zero biases) or PyTorch's. */
export type ReferenceInitialization = 'tfjs' | 'pytorch';

export const REFERENCE_INITIALIZATIONS: readonly ReferenceInitialization[] = ['tfjs', 'pytorch'];

function checkSeed(seed: number | undefined): number {
  if (seed === undefined) return 0;
  if (!Number.isSafeInteger(seed)) {
    throw new ModelsError('E_MODELS_ARGUMENT', `seed must be a whole number, got ${seed}`);
  }
  return seed;
}

function checkRate(name: string, rate: number): number {
  if (!(rate >= 0 && rate < 1)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `${name} must be a rate from 0 (inclusive) to 1 (exclusive), got ${rate}`,
    );
  }
  return rate;
}

function checkUnits(name: string, units: readonly number[]): readonly number[] {
  for (const unit of units) {
    if (!Number.isSafeInteger(unit) || unit < 1) {
      throw new ModelsError(
        'E_MODELS_ARGUMENT',
        `${name} must hold whole numbers of at least 1, got [${units.join(', ')}]`,
      );
    }
  }
  return units;
}

function softmaxOutput(init: Initializers) {
  return tf.layers.dense({
    units: NUM_CLASSES,
    activation: 'softmax',
    kernelInitializer: init.glorot(),
    name: 'output',
  });
}

type Layer = NonNullable<tf.SequentialArgs['layers']>[number];

function sequential(name: string, layers: Layer[]): tf.LayersModel {
  return tf.sequential({ name, layers });
}

/** Flatten, then one dense softmax layer: multinomial logistic regression, no hidden non-linearity. */
export function createLinearModel(options: LinearOptions = {}): tf.LayersModel {
  const init = new Initializers(checkSeed(options.seed));
  return sequential('fmnist-linear', [
    tf.layers.flatten({ inputShape: [...INPUT_SHAPE], name: 'flatten' }),
    softmaxOutput(init),
  ]);
}

/** Flatten, dense ReLU layers (with dropout between them), dense softmax: the non-convolutional baseline. */
export function createMlpModel(options: MlpOptions = {}): tf.LayersModel {
  const init = new Initializers(checkSeed(options.seed));
  const hiddenUnits = checkUnits('hiddenUnits', options.hiddenUnits ?? [256, 128]);
  const dropout = checkRate('dropout', options.dropout ?? 0.2);
  const layers: Layer[] = [tf.layers.flatten({ inputShape: [...INPUT_SHAPE], name: 'flatten' })];
  hiddenUnits.forEach((units, i) => {
    if (i > 0 && dropout > 0) layers.push(tf.layers.dropout({ rate: dropout, name: `dropout${i}` }));
    layers.push(tf.layers.dense({ units, activation: 'relu', kernelInitializer: init.he(), name: `dense${i + 1}` }));
  });
  if (hiddenUnits.length > 0 && dropout > 0) {
    layers.push(tf.layers.dropout({ rate: dropout, name: `dropout${hiddenUnits.length}` }));
  }
  layers.push(softmaxOutput(init));
  return sequential('fmnist-mlp', layers);
}

/** Convolution blocks (conv, ReLU, optional batch norm, max-pool), dropout, a dense ReLU head and softmax. */
export function createCnnModel(options: CnnOptions = {}): tf.LayersModel {
  const init = new Initializers(checkSeed(options.seed));
  const blocks = options.blocks ?? [[32], [64]];
  if (blocks.length === 0 || blocks.some((block) => block.length === 0)) {
    throw new ModelsError('E_MODELS_ARGUMENT', 'blocks must hold at least one block of at least one convolution');
  }
  for (const block of blocks) checkUnits('blocks', block);
  const kernelSize = options.kernelSize ?? 3;
  if (!Number.isSafeInteger(kernelSize) || kernelSize < 1 || kernelSize > 28) {
    throw new ModelsError('E_MODELS_ARGUMENT', `kernelSize must be a whole number from 1 to 28, got ${kernelSize}`);
  }
  const padding = options.padding ?? 'same';
  if (padding !== 'same' && padding !== 'valid') {
    throw new ModelsError('E_MODELS_ARGUMENT', `padding must be 'same' or 'valid', got '${String(padding)}'`);
  }
  const batchNorm = options.batchNorm ?? true;
  const blockDropout = checkRate('blockDropout', options.blockDropout ?? 0);
  const denseUnits = checkUnits('denseUnits', options.denseUnits ?? [256]);
  const dropout = checkRate('dropout', options.dropout ?? 0.3);

  const layers: Layer[] = [];
  let size = INPUT_SHAPE[0] as number;
  let conv = 0;
  blocks.forEach((block, b) => {
    for (const filters of block) {
      conv++;
      layers.push(
        tf.layers.conv2d({
          ...(conv === 1 ? { inputShape: [...INPUT_SHAPE] } : {}),
          filters,
          kernelSize,
          padding,
          activation: 'relu',
          kernelInitializer: init.he(),
          name: `conv${conv}`,
        }),
      );
      if (batchNorm) layers.push(tf.layers.batchNormalization({ name: `batchnorm${conv}` }));
      if (padding === 'valid') size -= kernelSize - 1;
    }
    layers.push(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${b + 1}` }));
    size = Math.floor(size / 2);
    if (size < 1) {
      throw new ModelsError(
        'E_MODELS_ARGUMENT',
        `blocks: ${blocks.length} blocks with kernelSize ${kernelSize} and '${padding}' padding shrink a 28x28 image to nothing; use fewer blocks or 'same' padding`,
      );
    }
    if (blockDropout > 0) layers.push(tf.layers.dropout({ rate: blockDropout, name: `block_dropout${b + 1}` }));
  });
  layers.push(
    options.globalAveragePooling
      ? tf.layers.globalAveragePooling2d({ name: 'global_pool' })
      : tf.layers.flatten({ name: 'flatten' }),
  );
  denseUnits.forEach((units, i) => {
    if (dropout > 0 && i > 0) layers.push(tf.layers.dropout({ rate: dropout, name: `dropout${i}` }));
    layers.push(tf.layers.dense({ units, activation: 'relu', kernelInitializer: init.he(), name: `dense${i + 1}` }));
  });
  if (dropout > 0) layers.push(tf.layers.dropout({ rate: dropout, name: `dropout${denseUnits.length}` }));
  layers.push(softmaxOutput(init));
  return sequential('fmnist-cnn', layers);
}

/**
 * Exactly the architectures of the reference table (docs/reference-models.md), so that benchmarks compare like with
 * like: no batch norm, no dropout, seeded. `initialization` 'tfjs' (the default, as docs/reference-models.md asks: each framework's
 * default) uses Glorot uniform kernels and zero biases; 'pytorch' draws weights and biases the way PyTorch's Linear
 * and Conv2d do (uniform on ±1/√fanIn), to compare the two frameworks' training from the same kind of start.
 */
export function createReferenceModel(
  kind: ModelKind,
  options: { seed?: number; initialization?: ReferenceInitialization } = {},
): tf.LayersModel {
  const init = new Initializers(checkSeed(options.seed));
  const initialization = options.initialization ?? 'tfjs';
  if (!REFERENCE_INITIALIZATIONS.includes(initialization)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `initialization must be one of ${REFERENCE_INITIALIZATIONS.join(', ')}, got '${String(initialization)}'`,
    );
  }
  const weights = (fanIn: number) =>
    initialization === 'pytorch'
      ? { kernelInitializer: init.torchKernel(), biasInitializer: init.torchBias(fanIn) }
      : { kernelInitializer: init.glorot() };
  const flatten = () => tf.layers.flatten({ name: 'flatten' });
  const dense = (units: number, name: string, fanIn: number) =>
    tf.layers.dense({ units, activation: 'relu', ...weights(fanIn), name });
  const output = (fanIn: number) =>
    tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax', ...weights(fanIn), name: 'output' });
  const pixels = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];
  switch (kind) {
    case 'linear':
      return sequential('reference-linear', [
        tf.layers.flatten({ inputShape: [...INPUT_SHAPE], name: 'flatten' }),
        output(pixels),
      ]);
    case 'mlp':
      return sequential('reference-mlp', [
        tf.layers.flatten({ inputShape: [...INPUT_SHAPE], name: 'flatten' }),
        dense(256, 'dense1', pixels),
        dense(128, 'dense2', 256),
        output(128),
      ]);
    case 'cnn': {
      const convolution = (filters: number, name: string, inChannels: number, first: boolean) =>
        tf.layers.conv2d({
          ...(first ? { inputShape: [...INPUT_SHAPE] } : {}),
          filters,
          kernelSize: 3,
          padding: 'valid',
          activation: 'relu',
          ...weights(3 * 3 * inChannels),
          name,
        });
      return sequential('reference-cnn', [
        convolution(32, 'conv1', 1, true),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }),
        convolution(64, 'conv2', 32, false),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }),
        flatten(),
        dense(128, 'dense1', 5 * 5 * 64),
        output(128),
      ]);
    }
    default:
      throw unknownKind(kind);
  }
}

function unknownKind(kind: unknown): ModelsError {
  return new ModelsError(
    'E_MODELS_ARGUMENT',
    `model kind must be one of ${MODEL_KINDS.join(', ')}, got '${String(kind)}'`,
  );
}

/** The tuned model of a kind (the defaults above); `options` override them. */
export function createModel(kind: 'linear', options?: LinearOptions): tf.LayersModel;
export function createModel(kind: 'mlp', options?: MlpOptions): tf.LayersModel;
export function createModel(kind: 'cnn', options?: CnnOptions): tf.LayersModel;
export function createModel(kind: ModelKind, options?: ModelOptions): tf.LayersModel;
export function createModel(kind: ModelKind, options: ModelOptions = {}): tf.LayersModel {
  switch (kind) {
    case 'linear':
      return createLinearModel(options as LinearOptions);
    case 'mlp':
      return createMlpModel(options as MlpOptions);
    case 'cnn':
      return createCnnModel(options as CnnOptions);
    default:
      throw unknownKind(kind);
  }
}

/**
 * The training settings each tuned model was tuned with: the `standard` preset's (see presets.ts); pass them to
 * `train`, overriding what you like.
 */
export function recommendedTrainOptions(kind: ModelKind): TrainOptions {
  if (!MODEL_KINDS.includes(kind)) throw unknownKind(kind);
  return presetRecipe(kind, 'standard').train;
}

/** Trainable and non-trainable parameters (batch-norm statistics included), as `model.countParams()`. */
export function countParameters(model: tf.LayersModel): number {
  return model.countParams();
}

/** The Keras-style layer table of `model.summary()`, as text instead of console output. */
export function summary(model: tf.LayersModel, lineLength = 90): string {
  const lines: string[] = [];
  model.summary(lineLength, undefined, (...parts: unknown[]) => lines.push(parts.map(String).join(' ')));
  return lines.join('\n');
}
