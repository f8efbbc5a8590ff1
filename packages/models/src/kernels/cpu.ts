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
  return configs;
}
