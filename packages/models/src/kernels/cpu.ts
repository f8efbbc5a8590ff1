/**
 * Kernels for @tensorflow/tfjs-backend-cpu: convolutions and their gradients lowered to im2col plus one blocked matrix
 * product over Float32Arrays (the stock ones walk TensorBuffers element by element), a direct max-pool gradient and a
 * direct bias-gradient sum.
 */
import {
  type backend_util,
  type DataType,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { ModelsError } from '../errors.js';
import {
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
  type BatchNormAttrs,
  batchNormTrainingBackward,
  batchNormTrainingForward,
  combinedStatisticGradients,
} from './batch-norm.js';
import {
  type ConvGeometry,
  col2imAdd,
  im2col,
  im2colTransposed,
  matMul,
  maxPoolBackprop,
  sumLeadingAxes,
  transposeMatrices,
} from './conv-math.js';
import { type ConvAttrs, convInfo, type KernelArgs, leadingReduction, poolGeometry, toConvGeometry } from './shared.js';

/** The part of tfjs-backend-cpu's MathBackendCPU these kernels use (all public members). */
interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array): TensorInfo;
}

type CpuArgs = KernelArgs<CpuBackend>;

/** Most patch-matrix elements held at once; larger batches are lowered in slices of images. */
const MAX_COLUMN_ELEMENTS = 1 << 22;

function values(backend: CpuBackend, info: TensorInfo): Float32Array {
  return backend.data.get(info.dataId).values as Float32Array;
}

/** True when this lowering applies: NHWC, float32, dilation 1. */
function supported(info: backend_util.Conv2DInfo, ...tensors: TensorInfo[]): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    tensors.every((t) => t.dtype === 'float32')
  );
}

/** Forward convolution, in slices of images so the patch matrix stays bounded. */
function convolve(x: Float32Array, filter: Float32Array, g: ConvGeometry): Float32Array {
  const patch = g.filterHeight * g.filterWidth * g.inChannels;
  const perImage = g.outHeight * g.outWidth;
  const sliceImages = Math.max(1, Math.min(g.batchSize, Math.floor(MAX_COLUMN_ELEMENTS / (perImage * patch))));
  const out = new Float32Array(g.batchSize * perImage * g.outChannels);
  const columns = new Float32Array(sliceImages * perImage * patch);
  const imageSize = g.inHeight * g.inWidth * g.inChannels;
  for (let first = 0; first < g.batchSize; first += sliceImages) {
    const count = Math.min(sliceImages, g.batchSize - first);
    const slice: ConvGeometry = { ...g, batchSize: count };
    im2col(x.subarray(first * imageSize, (first + count) * imageSize), slice, columns);
    const rows = count * perImage;
    const target = out.subarray(first * perImage * g.outChannels, (first + count) * perImage * g.outChannels);
    matMul(columns, filter, target, rows, patch, g.outChannels);
  }
  return out;
}

function conv2D(stock: KernelFunc, args: CpuArgs): TensorInfo {
  const { inputs, backend } = args;
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const info = convInfo(x.shape, filter.shape, args.attrs as unknown as ConvAttrs);
  if (!supported(info, x, filter)) return stock(args as never) as TensorInfo;
  const out = convolve(values(backend, x), values(backend, filter), toConvGeometry(info));
  return backend.makeTensorInfo(info.outShape, 'float32', out);
}

/** Conv2D plus bias plus a linear or relu activation; other activations go to the stock kernel. */
function fusedConv2D(stock: KernelFunc, args: CpuArgs): TensorInfo {
  const { inputs, backend } = args;
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
  const { activation } = args.attrs as unknown as { activation: string };
  const info = convInfo(x!.shape, filter!.shape, args.attrs as unknown as ConvAttrs);
  const biasFits = !bias || (bias.shape.length === 1 && bias.shape[0] === info.outChannels);
  if (
    !supported(info, x!, filter!) ||
    preluActivationWeights ||
    !biasFits ||
    (activation !== 'linear' && activation !== 'relu')
  ) {
    return stock(args as never) as TensorInfo;
  }
  const out = convolve(values(backend, x!), values(backend, filter!), toConvGeometry(info));
  const biasValues = bias ? values(backend, bias) : undefined;
  const channels = info.outChannels;
  for (let i = 0; i < out.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      let v = out[i + c]! + (biasValues ? biasValues[c]! : 0);
      if (activation === 'relu' && v < 0) v = 0;
      out[i + c] = v;
    }
  }
  return backend.makeTensorInfo(info.outShape, 'float32', out);
}

function conv2DBackpropFilter(stock: KernelFunc, args: CpuArgs): TensorInfo {
  const { inputs, backend } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  if (!supported(info, x, dy)) return stock(args as never) as TensorInfo;
  const g = toConvGeometry(info);
  const patch = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = g.batchSize * g.outHeight * g.outWidth;
  const columns = new Float32Array(patch * positions);
  im2colTransposed(values(backend, x), g, columns);
  const out = new Float32Array(patch * g.outChannels);
  matMul(columns, values(backend, dy), out, patch, positions, g.outChannels);
  return backend.makeTensorInfo(attrs.filterShape, 'float32', out);
}

/** dy · filterᵀ gives each patch's gradient; col2im adds the patches back into the image. */
function conv2DBackpropInput(stock: KernelFunc, args: CpuArgs): TensorInfo {
  const { inputs, backend } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  if (!supported(info, dy, filter)) return stock(args as never) as TensorInfo;
  const g = toConvGeometry(info);
  const patch = g.filterHeight * g.filterWidth * g.inChannels;
  const filterT = new Float32Array(patch * g.outChannels);
  transposeMatrices(values(backend, filter), filterT, 1, patch, g.outChannels);
  const perImage = g.outHeight * g.outWidth;
  const sliceImages = Math.max(1, Math.min(g.batchSize, Math.floor(MAX_COLUMN_ELEMENTS / (perImage * patch))));
  const columns = new Float32Array(sliceImages * perImage * patch);
  const dx = new Float32Array(g.batchSize * g.inHeight * g.inWidth * g.inChannels);
  const dyValues = values(backend, dy);
  const imageSize = g.inHeight * g.inWidth * g.inChannels;
  const dyImageSize = perImage * g.outChannels;
  for (let first = 0; first < g.batchSize; first += sliceImages) {
    const count = Math.min(sliceImages, g.batchSize - first);
    matMul(
      dyValues.subarray(first * dyImageSize, (first + count) * dyImageSize),
      filterT,
      columns,
      count * perImage,
      g.outChannels,
      patch,
    );
    col2imAdd(columns, { ...g, batchSize: count }, dx.subarray(first * imageSize, (first + count) * imageSize));
  }
  return backend.makeTensorInfo(attrs.inputShape, 'float32', dx);
}

function maxPoolGrad(stock: KernelFunc, args: CpuArgs): TensorInfo {
  const { inputs, backend } = args;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const g = input.dtype === 'float32' ? poolGeometry(input.shape, args.attrs) : undefined;
  if (!g) return stock(args as never) as TensorInfo;
  const dx = new Float32Array(input.shape.reduce((p, d) => p * d, 1));
  maxPoolBackprop(values(backend, input), values(backend, dy), g, dx);
  return backend.makeTensorInfo(input.shape, 'float32', dx);
}

function sum(stock: KernelFunc, args: CpuArgs): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const reduction = x.dtype === 'float32' ? leadingReduction(x.shape, axis, keepDims) : undefined;
  if (!reduction) return stock(args as never) as TensorInfo;
  const out = new Float32Array(reduction.inner);
  sumLeadingAxes(values(args.backend, x), out, reduction.outer, reduction.inner);
  return args.backend.makeTensorInfo(reduction.outShape, 'float32', out);
}

/** x's channel count (last axis) after checking that every per-channel tensor has one float32 per channel. */
function checkedChannels(kernel: string, x: TensorInfo, perChannel: Record<string, TensorInfo | undefined>): number {
  const channels = x.shape[x.shape.length - 1] ?? 0;
  for (const [name, t] of Object.entries(perChannel)) {
    if (t?.dtype !== 'float32' || t.shape.reduce((p, d) => p * d, 1) !== channels) {
      throw new ModelsError(
        'E_MODELS_KERNEL',
        `${kernel} on cpu: ${name} must be float32 with one value per channel of x [${x.shape}], got ${t ? `[${t.shape}] ${t.dtype}` : 'none'}`,
      );
    }
  }
  if (x.dtype !== 'float32') {
    throw new ModelsError('E_MODELS_KERNEL', `${kernel} on cpu: x must be float32, got ${x.dtype}`);
  }
  return channels;
}

/** FmnistBatchNormTraining (see batch-norm.ts) on Float32Arrays. */
function batchNormTraining({ inputs, backend, attrs }: CpuArgs): TensorInfo[] {
  const { x, scale, offset, movingMean, movingVariance } = inputs as Record<string, TensorInfo>;
  const channels = checkedChannels(BATCH_NORM_TRAINING, x!, { scale, offset, movingMean, movingVariance });
  const forward = {
    x: values(backend, x!),
    scale: values(backend, scale!),
    offset: values(backend, offset!),
    movingMean: values(backend, movingMean!),
    movingVariance: values(backend, movingVariance!),
    y: new Float32Array(values(backend, x!).length),
    mean: new Float32Array(channels),
    variance: new Float32Array(channels),
    newMovingMean: new Float32Array(channels),
    newMovingVariance: new Float32Array(channels),
  };
  batchNormTrainingForward(forward, attrs as unknown as BatchNormAttrs);
  return [
    backend.makeTensorInfo(x!.shape, 'float32', forward.y),
    ...[forward.mean, forward.variance, forward.newMovingMean, forward.newMovingVariance].map((v) =>
      backend.makeTensorInfo([channels], 'float32', v),
    ),
  ];
}

/** FmnistBatchNormTrainingGrad on Float32Arrays. */
function batchNormTrainingGrad({ inputs, backend, attrs }: CpuArgs): TensorInfo[] {
  const t = inputs as Record<string, TensorInfo>;
  const { varianceEpsilon, momentum } = attrs as unknown as BatchNormAttrs;
  const { scale, mean, variance, dMean, dVariance, dMovingMean, dMovingVariance } = t;
  const channels = checkedChannels(BATCH_NORM_TRAINING_GRAD, t.x!, {
    scale,
    mean,
    variance,
    dMean,
    dVariance,
    dMovingMean,
    dMovingVariance,
  });
  const dy = values(backend, t.dy!);
  if (t.dy!.dtype !== 'float32' || dy.length !== values(backend, t.x!).length) {
    throw new ModelsError(
      'E_MODELS_KERNEL',
      `${BATCH_NORM_TRAINING_GRAD} on cpu: dy [${t.dy!.shape}] ${t.dy!.dtype} must be float32 of the shape of x [${t.x!.shape}]`,
    );
  }
  const combinedMean = new Float32Array(channels);
  const combinedVariance = new Float32Array(channels);
  combinedStatisticGradients(
    values(backend, dMean!),
    values(backend, dVariance!),
    values(backend, dMovingMean!),
    values(backend, dMovingVariance!),
    momentum,
    combinedMean,
    combinedVariance,
  );
  const backward = {
    dy,
    x: values(backend, t.x!),
    scale: values(backend, scale!),
    mean: values(backend, mean!),
    variance: values(backend, variance!),
    dMean: combinedMean,
    dVariance: combinedVariance,
    dx: new Float32Array(dy.length),
    dScale: new Float32Array(channels),
    dOffset: new Float32Array(channels),
  };
  batchNormTrainingBackward(backward, varianceEpsilon);
  return [
    backend.makeTensorInfo(t.x!.shape, 'float32', backward.dx),
    backend.makeTensorInfo([channels], 'float32', backward.dScale),
    backend.makeTensorInfo([channels], 'float32', backward.dOffset),
  ];
}

/** The kernel configs for backend 'cpu'; each falls back to the stock kernel outside its fast case. */
export function cpuKernelConfigs(): KernelConfig[] {
  const kernels: [string, (stock: KernelFunc, args: CpuArgs) => TensorInfo][] = [
    ['Conv2D', conv2D],
    ['FusedConv2D', fusedConv2D],
    ['Conv2DBackpropFilter', conv2DBackpropFilter],
    ['Conv2DBackpropInput', conv2DBackpropInput],
    ['MaxPoolGrad', maxPoolGrad],
    ['Sum', sum],
  ];
  const configs: KernelConfig[] = [];
  for (const [kernelName, implementation] of kernels) {
    const stock = getKernel(kernelName, 'cpu')?.kernelFunc;
    if (!stock) continue;
    configs.push({
      kernelName,
      backendName: 'cpu',
      kernelFunc: ((args: CpuArgs) => implementation(stock, args)) as unknown as KernelFunc,
    });
  }
  configs.push(
    { kernelName: BATCH_NORM_TRAINING, backendName: 'cpu', kernelFunc: batchNormTraining as unknown as KernelFunc },
    {
      kernelName: BATCH_NORM_TRAINING_GRAD,
      backendName: 'cpu',
      kernelFunc: batchNormTrainingGrad as unknown as KernelFunc,
    },
  );
  return configs;
}
