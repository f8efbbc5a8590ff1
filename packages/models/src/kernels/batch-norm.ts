/**
 * Batch normalization in training as one kernel forward and one backward, instead of the ~40 tensor operations
 * tfjs-layers' BatchNormalization runs for it (tf.moments, tf.batchNorm, the moving averages, and the autodiff of all
 * of them, including a Tile the size of the input that the wasm backend runs very slowly).
 *
 * - `FmnistBatchNormTraining` (inputs x, scale, offset, movingMean, movingVariance; attrs varianceEpsilon, momentum)
 *   normalizes x over all axes but the last with the batch's mean and biased variance and returns
 *   [y, mean, variance, new moving mean, new moving variance], the moving ones as the layer updates them:
 *   moving − (moving − batch statistic) · (1 − momentum).
 * - `FmnistBatchNormTrainingGrad` returns [dx, dScale, dOffset] from the upstream gradients of all five outputs.
 *
 * wasm.ts and cpu.ts register the kernels (SIMD module on wasm where the channels fill whole vectors, the functions
 * below otherwise); registerFastKernels also registers the gradient and has BatchNormalization layers use the fused
 * kernel in training where the backend has it (their inference already runs one FusedBatchNorm kernel).
 */
import {
  engine,
  getBackend,
  getKernel,
  mul,
  type NamedAttrMap,
  type NamedTensorMap,
  ones,
  registerGradient,
  serialization,
  type Tensor,
  tidy,
  zeros,
} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

export const BATCH_NORM_TRAINING = 'FmnistBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'FmnistBatchNormTrainingGrad';

/** Attributes of both kernels. */
export interface BatchNormAttrs {
  varianceEpsilon: number;
  momentum: number;
}

/** Per-channel arrays of the forward pass; scale and offset undefined mean ones and zeros. */
export interface BatchNormForward {
  x: Float32Array;
  scale: Float32Array | undefined;
  offset: Float32Array | undefined;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  /** Outputs, written. */
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  newMovingMean: Float32Array;
  newMovingVariance: Float32Array;
}

/** The moving averages as tfjs-layers' BatchNormalization updates them: moving − (moving − value) · (1 − momentum). */
export function updateMovingStatistics(
  forward: Pick<BatchNormForward, 'mean' | 'variance' | 'movingMean' | 'movingVariance'> &
    Pick<BatchNormForward, 'newMovingMean' | 'newMovingVariance'>,
  momentum: number,
): void {
  const decay = Math.fround(1 - momentum);
  for (let c = 0; c < forward.mean.length; c++) {
    const mm = forward.movingMean[c]!;
    const mv = forward.movingVariance[c]!;
    forward.newMovingMean[c] = mm - Math.fround(mm - forward.mean[c]!) * decay;
    forward.newMovingVariance[c] = mv - Math.fround(mv - forward.variance[c]!) * decay;
  }
}

/** Mean and biased variance over the rows of x [rows, channels], in float64 (the JavaScript paths' reference). */
export function batchNormStatistics(
  x: Float32Array,
  channels: number,
  mean: Float32Array,
  variance: Float32Array,
): void {
  const rows = x.length / channels;
  const sum = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) sum[c]! += x[i + c]!;
  }
  for (let c = 0; c < channels; c++) sum[c]! /= rows;
  const squares = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = x[i + c]! - sum[c]!;
      squares[c]! += d * d;
    }
  }
  for (let c = 0; c < channels; c++) {
    mean[c] = sum[c]!;
    variance[c] = squares[c]! / rows;
  }
}

/** y = (x − mean) · scale / √(variance + ε) + offset per channel. */
export function batchNormApply(
  x: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  scale: Float32Array | undefined,
  offset: Float32Array | undefined,
  epsilon: number,
  y: Float32Array,
): void {
  const channels = mean.length;
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    a[c] = (scale ? scale[c]! : 1) / Math.sqrt(variance[c]! + epsilon);
    b[c] = (offset ? offset[c]! : 0) - mean[c]! * a[c]!;
  }
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) y[i + c] = x[i + c]! * a[c]! + b[c]!;
  }
}

/** The whole forward kernel on Float32Arrays. */
export function batchNormTrainingForward(f: BatchNormForward, attrs: BatchNormAttrs): void {
  batchNormStatistics(f.x, f.mean.length, f.mean, f.variance);
  batchNormApply(f.x, f.mean, f.variance, f.scale, f.offset, attrs.varianceEpsilon, f.y);
  updateMovingStatistics(f, attrs.momentum);
}

/** Inputs and outputs of the backward kernel. */
export interface BatchNormBackward {
  dy: Float32Array;
  x: Float32Array;
  scale: Float32Array | undefined;
  mean: Float32Array;
  variance: Float32Array;
  /** Upstream gradients of the statistics, the moving ones already folded in (combinedStatisticGradients). */
  dMean: Float32Array;
  dVariance: Float32Array;
  dx: Float32Array;
  dScale: Float32Array;
  dOffset: Float32Array;
}

/**
 * The gradients of mean and variance including what reaches them through the new moving statistics (each of which
 * is momentum · moving + (1 − momentum) · statistic).
 */
export function combinedStatisticGradients(
  dMean: Float32Array,
  dVariance: Float32Array,
  dMovingMean: Float32Array,
  dMovingVariance: Float32Array,
  momentum: number,
  outMean: Float32Array,
  outVariance: Float32Array,
): void {
  const decay = 1 - momentum;
  for (let c = 0; c < dMean.length; c++) {
    outMean[c] = dMean[c]! + decay * dMovingMean[c]!;
    outVariance[c] = dVariance[c]! + decay * dMovingVariance[c]!;
  }
}

/**
 * With r = 1/√(variance + ε), n rows, S = Σ dy and T = Σ dy·(x − mean) per channel: dOffset = S, dScale = T·r,
 * dx = scale·r·(dy − S/n − (x − mean)·r²·T/n) + dMean/n + 2·dVariance·(x − mean)/n.
 */
export function batchNormTrainingBackward(g: BatchNormBackward, epsilon: number): void {
  const channels = g.mean.length;
  const rows = g.x.length / channels;
  const s = new Float64Array(channels);
  const t = new Float64Array(channels);
  for (let i = 0; i < g.x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = g.dy[i + c]!;
      s[c]! += d;
      t[c]! += d * (g.x[i + c]! - g.mean[c]!);
    }
  }
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const k = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const r = 1 / Math.sqrt(g.variance[c]! + epsilon);
    g.dOffset[c] = s[c]!;
    g.dScale[c] = t[c]! * r;
    a[c] = (g.scale ? g.scale[c]! : 1) * r;
    b[c] = (2 * g.dVariance[c]! - a[c]! * r * r * t[c]!) / rows;
    k[c] = (g.dMean[c]! - a[c]! * s[c]!) / rows;
  }
  for (let i = 0; i < g.x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      g.dx[i + c] = g.dy[i + c]! * a[c]! + (g.x[i + c]! - g.mean[c]!) * b[c]! + k[c]!;
    }
  }
}

let gradientRegistered = false;

/** Registers the gradient of FmnistBatchNormTraining (once; the kernels themselves are per backend). */
export function registerBatchNormGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  registerGradient({
    kernelName: BATCH_NORM_TRAINING,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true, false, false],
    gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [dy, dMean, dVariance, dMovingMean, dMovingVariance] = dys as Tensor[];
      const [x, scale, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor];
      const { momentum } = attrs as unknown as BatchNormAttrs;
      // One kernel gives all three; run it here, not in the closures, which tfjs calls each inside its own tidy (that
      // would dispose the two outputs a closure does not return).
      const [dx, dScale, dOffset] = engine().runKernel(
        BATCH_NORM_TRAINING_GRAD,
        { dy, x, scale, mean, variance, dMean, dVariance, dMovingMean, dMovingVariance } as NamedTensorMap,
        attrs,
      ) as Tensor[];
      return {
        x: () => dx!,
        scale: () => dScale!,
        offset: () => dOffset!,
        movingMean: () => mul(dMovingMean as Tensor, momentum),
        movingVariance: () => mul(dMovingVariance as Tensor, momentum),
      };
    },
  });
}

/**
 * Batch normalization in training over all axes of x but the last: [y, mean, variance, new moving mean, new moving
 * variance]. Differentiable with respect to x, scale and offset (and the moving statistics).
 */
export function batchNormTraining(
  x: Tensor,
  scale: Tensor,
  offset: Tensor,
  movingMean: Tensor,
  movingVariance: Tensor,
  attrs: BatchNormAttrs,
): [Tensor, Tensor, Tensor, Tensor, Tensor] {
  return engine().runKernel(
    BATCH_NORM_TRAINING,
    { x, scale, offset, movingMean, movingVariance } as NamedTensorMap,
    attrs as unknown as NamedAttrMap,
  ) as [Tensor, Tensor, Tensor, Tensor, Tensor];
}

let fusedEnabled = true;

/** Has BatchNormalization layers use the fused kernel in training (the default) or tfjs-layers' own ops: for A/B. */
export function setFusedBatchNormEnabled(value: boolean): void {
  fusedEnabled = value;
}

/** The members of tfjs-layers' BatchNormalization the fused training path reads (all set by its constructor/build). */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: LayerVariable | null;
  beta?: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

interface LayerVariable {
  read(): Tensor;
  write(value: Tensor): void;
}

type Call = (this: BatchNormLayer, inputs: Tensor | Tensor[], kwargs: { training?: boolean }) => Tensor | Tensor[];

let installed = false;

/**
 * Has tfjs-layers' BatchNormalization (created by tf.layers.batchNormalization or loaded from a model file) run the
 * fused kernel in training when the active backend has it, the input is float32 and the axis is the last; anything
 * else, and inference, takes the layer's own path. Installed once per process, on the class tfjs-layers registers for
 * deserialization.
 */
export function installFusedBatchNorm(): void {
  if (installed) return;
  const entry = serialization.SerializationMap.getMap().classNameMap.BatchNormalization;
  const layerClass = entry?.[0] as unknown as { prototype: { call: Call } } | undefined;
  if (!layerClass) return;
  installed = true;
  const original = layerClass.prototype.call;
  layerClass.prototype.call = function call(this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const fused =
      fusedEnabled &&
      kwargs?.training === true &&
      input !== undefined &&
      (!Array.isArray(inputs) || inputs.length === 1) &&
      input.dtype === 'float32' &&
      input.rank >= 2 &&
      (this.axis === -1 || this.axis === input.rank - 1) &&
      getKernel(BATCH_NORM_TRAINING, getBackend()) !== undefined;
    if (!fused) return original.call(this, inputs, kwargs);
    return tidy(() => {
      const channels = input.shape[input.rank - 1]!;
      const scale = this.scale && this.gamma ? this.gamma.read() : ones([channels]);
      const offset = this.center && this.beta ? this.beta.read() : zeros([channels]);
      const [y, , , newMovingMean, newMovingVariance] = batchNormTraining(
        input,
        scale as Tensor,
        offset as Tensor,
        this.movingMean.read(),
        this.movingVariance.read(),
        { varianceEpsilon: this.epsilon, momentum: this.momentum },
      );
      this.movingMean.write(newMovingMean);
      this.movingVariance.write(newMovingVariance);
      return y;
    });
  };
}
