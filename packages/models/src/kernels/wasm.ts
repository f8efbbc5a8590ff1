/**
 * Kernels for @tensorflow/tfjs-backend-wasm: the missing Conv2DBackpropFilter and faster versions of the kernels a
 * convolutional network needs. Where the engine has WebAssembly SIMD, our own module (wasm/kernels.ts) does the heavy
 * work in place on the wasm heap: 3x3 stride-1 convolutions and their gradients by Winograd, one-channel first layers,
 * the other filter gradients, col2im, the max-pool gradient, the bias sum and small-batch dense products. Otherwise
 * every heavy product is lowered to the backend's own un-transposed BatchMatMul or Conv2D (XNNPACK), which run about
 * ten times faster than its transposed paths, with JavaScript glue writing straight into the wasm heap.
 */
import {
  type backend_util,
  type DataType,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { ModelsError } from '../errors.js';
import {
  BATCH_NORM_TRAINING,
  BATCH_NORM_TRAINING_GRAD,
  type BatchNormAttrs,
  batchNormApply,
  batchNormTrainingBackward,
  batchNormTrainingForward,
  combinedStatisticGradients,
  updateMovingStatistics,
} from './batch-norm.js';
import {
  type ConvGeometry,
  dilate,
  flipFilter,
  im2col,
  im2colTransposed,
  maxPoolBackprop,
  padImages,
  sumLeadingAxes,
  transposeMatrices,
} from './conv-math.js';
import { type ConvAttrs, convInfo, type KernelArgs, leadingReduction, poolGeometry, toConvGeometry } from './shared.js';
import { type SimdKernels, simdKernels, winogradTileFor } from './simd.js';

/** The part of tfjs-backend-wasm's BackendWasm these kernels use (all public members). */
interface WasmBackend {
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type WasmArgs = KernelArgs<WasmBackend>;

/** The byte address of a tensor in the wasm heap (stable: growing the heap moves no tensor). */
function address(backend: WasmBackend, info: TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}

/** A float32 view of a tensor in the wasm heap. Take views only after the last allocation: growth detaches them. */
function heap(backend: WasmBackend, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

function reshaped(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** The backend's stock kernel functions, captured before ours replace any of them. */
interface Stock {
  batchMatMul: KernelFunc;
  fusedMatMul: KernelFunc | undefined;
  conv2D: KernelFunc;
  fusedConv2D: KernelFunc | undefined;
  conv2DBackpropInput: KernelFunc | undefined;
  sum: KernelFunc;
  maxPoolGrad: KernelFunc | undefined;
}

function call(kernel: KernelFunc, backend: WasmBackend, inputs: Record<string, TensorInfo>, attrs: object) {
  return kernel({ inputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

/** `a · b` on XNNPACK's fast path: un-transposed operands, `a` [m, k] and `b` [k, n], result [m, n]. */
function product(stock: Stock, backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return call(stock.batchMatMul, backend, { a, b }, { transposeA: false, transposeB: false });
}

function conv2DBackpropFilter(stock: Stock, { inputs, backend, attrs }: WasmArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, ...convAttrs } = attrs as unknown as ConvAttrs & { filterShape: number[] };
  const info = convInfo(x.shape, filterShape, convAttrs);
  if (info.dataFormat !== 'channelsLast') {
    throw new ModelsError(
      'E_MODELS_KERNEL',
      `Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got dataFormat '${convAttrs.dataFormat}'; use channels-last layers`,
    );
  }
  const g = toConvGeometry(info);
  const simd = simdKernels(backend);
  if (simd && winogradFits(info, g.inChannels, g.outChannels)) {
    const variant = winogradVariant(simd, g.outHeight, g.outWidth);
    const dw = backend.makeOutput(filterShape, 'float32');
    const scratch = backend.makeOutput([variant.scratchFloats(g.inChannels, g.outChannels)], 'float32');
    variant.filterGradient(
      address(backend, x),
      address(backend, dy),
      address(backend, dw),
      address(backend, scratch),
      g.batchSize,
      g.inHeight,
      g.inWidth,
      g.inChannels,
      g.outHeight,
      g.outWidth,
      g.outChannels,
      g.padTop,
      g.padLeft,
    );
    backend.disposeData(scratch.dataId);
    return dw;
  }
  if (simd && g.outChannels % 8 === 0 && info.dilationHeight === 1 && info.dilationWidth === 1) {
    return simdFilterGradient(simd, backend, x, dy, g, filterShape);
  }
  const patch = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = g.batchSize * g.outHeight * g.outWidth;
  if (patch >= g.outChannels) {
    // columnsᵀ [patch, positions] · dy [positions, outChannels]: XNNPACK packs dy, the narrower operand.
    const columns = backend.makeOutput([patch, positions], 'float32');
    im2colTransposed(heap(backend, x), g, heap(backend, columns));
    const out = product(stock, backend, columns, reshaped(dy, [positions, g.outChannels]));
    backend.disposeData(columns.dataId);
    return reshaped(out, filterShape);
  }
  // Few input taps (a first layer): dyᵀ [outChannels, positions] · columns [positions, patch], so XNNPACK packs the
  // narrower patch matrix; the small [outChannels, patch] result is transposed into the filter's layout.
  const columns = backend.makeOutput([positions, patch], 'float32');
  const dyT = backend.makeOutput([g.outChannels, positions], 'float32');
  im2col(heap(backend, x), g, heap(backend, columns));
  transposeMatrices(heap(backend, dy), heap(backend, dyT), 1, positions, g.outChannels);
  const transposed = product(stock, backend, dyT, columns);
  backend.disposeData(columns.dataId);
  backend.disposeData(dyT.dataId);
  const out = backend.makeOutput(filterShape, 'float32');
  transposeMatrices(heap(backend, transposed), heap(backend, out), 1, g.outChannels, patch);
  backend.disposeData(transposed.dataId);
  return out;
}

/**
 * The filter gradient by the SIMD module, straight from x and dy (no im2col): padding, if any, is made explicit in a
 * zero-filled copy of x first, so the module only ever sees a 'valid' convolution.
 */
function simdFilterGradient(
  simd: SimdKernels,
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
  filterShape: number[],
): TensorInfo {
  const paddedHeight = Math.max(g.inHeight + g.padTop, (g.outHeight - 1) * g.strideHeight + g.filterHeight);
  const paddedWidth = Math.max(g.inWidth + g.padLeft, (g.outWidth - 1) * g.strideWidth + g.filterWidth);
  const padded = paddedHeight !== g.inHeight || paddedWidth !== g.inWidth;
  const source = padded ? backend.makeOutput([g.batchSize, paddedHeight, paddedWidth, g.inChannels], 'float32') : x;
  const out = backend.makeOutput(filterShape, 'float32');
  if (padded) {
    padImages(heap(backend, x), heap(backend, source), g, paddedHeight, paddedWidth);
  }
  simd.convFilterGradient(
    address(backend, source),
    address(backend, dy),
    address(backend, out),
    g.batchSize,
    paddedHeight,
    paddedWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.outChannels,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
  );
  if (padded) backend.disposeData(source.dataId);
  return out;
}

/**
 * The input gradient as one un-transposed XNNPACK product, dy [positions, outC] · filterᵀ [outC, patch], whose rows
 * (one patch per output position) the SIMD module adds back onto the image (col2im). Unlike the convolution of the
 * padded gradient below, it does no work on padding, and it serves every stride.
 */
function simdInputGradient(
  simd: SimdKernels,
  stock: Stock,
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  inputShape: number[],
): TensorInfo {
  const patch = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = g.batchSize * g.outHeight * g.outWidth;
  const filterT = backend.makeOutput([g.outChannels, patch], 'float32');
  transposeMatrices(heap(backend, filter), heap(backend, filterT), 1, patch, g.outChannels);
  const columns = product(stock, backend, reshaped(dy, [positions, g.outChannels]), filterT);
  backend.disposeData(filterT.dataId);
  const dx = backend.makeOutput(inputShape, 'float32');
  simd.col2im(
    address(backend, columns),
    address(backend, dx),
    g.batchSize,
    g.inHeight,
    g.inWidth,
    g.inChannels,
    g.outHeight,
    g.outWidth,
    g.filterHeight,
    g.filterWidth,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
  );
  backend.disposeData(columns.dataId);
  return dx;
}

/** Stride 1, no dilation, NHWC: the geometry every convolution kernel of the SIMD module assumes. */
function unitStrideChannelsLast(info: backend_util.Conv2DInfo): boolean {
  return (
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.dataFormat === 'channelsLast'
  );
}

/**
 * Whether a convolution suits the Winograd kernels of the SIMD module: 3x3, stride 1, undilated, NHWC, and channel
 * counts that fill whole vectors (the convolution's own input and output channels, which for an input gradient are
 * the layer's output and input channels).
 */
function winogradFits(info: backend_util.Conv2DInfo, inChannels: number, outChannels: number): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    unitStrideChannelsLast(info) &&
    inChannels % 4 === 0 &&
    outChannels % 8 === 0
  );
}

/** Whether a convolution suits the SIMD module's one-input-channel kernel (a first layer): stride 1, undilated, NHWC. */
function singleChannelFits(info: backend_util.Conv2DInfo): boolean {
  return info.inChannels === 1 && unitStrideChannelsLast(info) && info.outChannels % 8 === 0;
}

/** The SIMD module's Winograd functions for an output of outH x outW: F(4x4, 3x3) or F(2x2, 3x3) (winogradTileFor). */
function winogradVariant(simd: SimdKernels, outH: number, outW: number) {
  return winogradTileFor(outH, outW) === 4
    ? {
        scratchFloats: simd.winograd4ScratchFloats,
        convolution: simd.winograd4Convolution,
        filterGradient: simd.winograd4FilterGradient,
      }
    : {
        scratchFloats: simd.winogradScratchFloats,
        convolution: simd.winogradConvolution,
        filterGradient: simd.winogradFilterGradient,
      };
}

interface WinogradCall {
  x: TensorInfo;
  filter: TensorInfo;
  outShape: number[];
  padTop: number;
  padLeft: number;
  /** The filter of an input gradient: rotated by 180° and with its channel roles swapped. */
  flipped: boolean;
  bias?: TensorInfo | undefined;
  relu?: boolean;
}

/** A 3x3 stride-1 convolution by the SIMD module's Winograd kernels, F(2x2, 3x3) or F(4x4, 3x3) (see wasm/kernels.ts). */
function winograd(simd: SimdKernels, backend: WasmBackend, call: WinogradCall): TensorInfo {
  const [batch, inH, inW, inC] = call.x.shape as [number, number, number, number];
  const [, outH, outW, outC] = call.outShape as [number, number, number, number];
  const variant = winogradVariant(simd, outH, outW);
  const y = backend.makeOutput(call.outShape, 'float32');
  const scratch = backend.makeOutput([variant.scratchFloats(inC, outC)], 'float32');
  variant.convolution(
    address(backend, call.x),
    address(backend, call.filter),
    address(backend, y),
    address(backend, scratch),
    batch,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    call.padTop,
    call.padLeft,
    call.flipped ? 1 : 0,
    call.bias ? address(backend, call.bias) : 0,
    call.relu ? 1 : 0,
  );
  backend.disposeData(scratch.dataId);
  return y;
}

/**
 * Conv2D, and FusedConv2D with an optional per-channel bias and ReLU or no activation: one-channel inputs by the
 * SIMD module's direct kernel, 3x3 stride-1 convolutions by Winograd, the rest by the stock (XNNPACK) kernel.
 */
function conv2DKernel(stock: KernelFunc, fused: boolean) {
  return (args: WasmArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined> & {
      x: TensorInfo;
      filter: TensorInfo;
    };
    const { activation = 'linear' } = attrs as { activation?: string };
    const info = convInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs);
    const simd = simdKernels(backend);
    const fusable =
      !fused ||
      ((activation === 'linear' || activation === 'relu') &&
        !preluActivationWeights &&
        (!bias || (bias.dtype === 'float32' && sizeOf(bias.shape) === info.outChannels)));
    if (!simd || !fusable || x.dtype !== 'float32' || filter.dtype !== 'float32') {
      return stock(args as never) as TensorInfo;
    }
    if (singleChannelFits(info)) {
      const y = backend.makeOutput(info.outShape as number[], 'float32');
      simd.convSingleChannel(
        address(backend, x),
        address(backend, filter),
        address(backend, y),
        info.batchSize,
        info.inHeight,
        info.inWidth,
        info.outHeight,
        info.outWidth,
        info.outChannels,
        info.filterHeight,
        info.filterWidth,
        info.padInfo.top,
        info.padInfo.left,
        fused && bias ? address(backend, bias) : 0,
        fused && activation === 'relu' ? 1 : 0,
      );
      return y;
    }
    if (!winogradFits(info, info.inChannels, info.outChannels)) return stock(args as never) as TensorInfo;
    return winograd(simd, backend, {
      x,
      filter,
      outShape: info.outShape as number[],
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
      flipped: false,
      bias: fused ? bias : undefined,
      relu: fused && activation === 'relu',
    });
  };
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * The input gradient as a stride-1 convolution of the (dilated, padded) output gradient with the flipped filter,
 * run by the backend's XNNPACK Conv2D.
 */
function conv2DBackpropInput(stock: Stock, args: WasmArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape, ...convAttrs } = attrs as unknown as ConvAttrs & { inputShape: number[] };
  const info = convInfo(inputShape, filter.shape, convAttrs);
  const g = toConvGeometry(info);
  const simd = simdKernels(backend);
  // The input gradient is itself a 3x3 stride-1 convolution: of dy with the rotated, transposed filter.
  if (simd && winogradFits(info, g.outChannels, g.inChannels)) {
    return winograd(simd, backend, {
      x: dy,
      filter,
      outShape: inputShape,
      padTop: g.filterHeight - 1 - g.padTop,
      padLeft: g.filterWidth - 1 - g.padLeft,
      flipped: true,
    });
  }
  // The convolution below multiplies at every input position, the product at every output position: the product
  // wins where the convolution is padded to more positions than the output has ('valid'), or strided.
  const strided = g.strideHeight > 1 || g.strideWidth > 1;
  const convolutionWastes = g.inHeight * g.inWidth > g.outHeight * g.outWidth;
  if (
    simd &&
    (strided || convolutionWastes) &&
    info.dataFormat === 'channelsLast' &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  ) {
    return simdInputGradient(simd, stock, backend, dy, filter, g, inputShape);
  }
  const dilatedHeight = (g.outHeight - 1) * g.strideHeight + 1;
  const dilatedWidth = (g.outWidth - 1) * g.strideWidth + 1;
  const padTop = g.filterHeight - 1 - g.padTop;
  const padLeft = g.filterWidth - 1 - g.padLeft;
  const padBottom = g.inHeight + g.padTop - dilatedHeight;
  const padRight = g.inWidth + g.padLeft - dilatedWidth;
  if (info.dataFormat !== 'channelsLast' || Math.min(padTop, padLeft, padBottom, padRight) < 0) {
    if (!stock.conv2DBackpropInput) {
      throw new ModelsError(
        'E_MODELS_KERNEL',
        `Conv2DBackpropInput on wasm: unsupported geometry (dataFormat '${convAttrs.dataFormat}', input [${inputShape}], filter [${filter.shape}], padding ${padTop}/${padLeft}/${padBottom}/${padRight}) and the backend has no stock kernel for it`,
      );
    }
    return stock.conv2DBackpropInput(args as never) as TensorInfo;
  }
  const flipped = backend.makeOutput([g.filterHeight, g.filterWidth, g.outChannels, g.inChannels], 'float32');
  const source = strided
    ? backend.makeOutput([g.batchSize, dilatedHeight, dilatedWidth, g.outChannels], 'float32')
    : dy;
  flipFilter(heap(backend, filter), heap(backend, flipped), g.filterHeight, g.filterWidth, g.inChannels, g.outChannels);
  if (strided) {
    dilate(
      heap(backend, dy),
      heap(backend, source),
      g.batchSize,
      g.outHeight,
      g.outWidth,
      g.outChannels,
      g.strideHeight,
      g.strideWidth,
    );
  }
  const out = call(
    stock.conv2D,
    backend,
    { x: source, filter: flipped },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ],
      dilations: [1, 1],
      dataFormat: 'NHWC',
    },
  );
  backend.disposeData(flipped.dataId);
  if (strided) backend.disposeData(source.dataId);
  return out;
}

/** Copies of the transposed operands, so the product runs un-transposed; the copies cost O(size), the product more. */
function untransposed(
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): { a: TensorInfo; b: TensorInfo; temporary: TensorInfo[] } {
  const temporary: TensorInfo[] = [];
  const flip = (t: TensorInfo): TensorInfo => {
    const rank = t.shape.length;
    const rows = t.shape[rank - 2]!;
    const cols = t.shape[rank - 1]!;
    const out = backend.makeOutput([...t.shape.slice(0, -2), cols, rows], 'float32');
    temporary.push(out);
    return out;
  };
  const newA = transposeA ? flip(a) : a;
  const newB = transposeB ? flip(b) : b;
  for (const [from, to, flag] of [
    [a, newA, transposeA],
    [b, newB, transposeB],
  ] as const) {
    if (!flag) continue;
    const rank = from.shape.length;
    const rows = from.shape[rank - 2]!;
    const cols = from.shape[rank - 1]!;
    const batches = from.shape.slice(0, -2).reduce((p, d) => p * d, 1);
    transposeMatrices(heap(backend, from), heap(backend, to), batches, rows, cols);
  }
  return { a: newA, b: newB, temporary };
}

/** Rows of `a` up to which the SIMD products beat XNNPACK's (which packs b on every call with new weights). */
const SIMD_MATMUL_MAX_ROWS = 64;

/**
 * A single (unbatched) float32 product by the SIMD module, when its shape suits one of the three kernels: the dense
 * layers of a training step (a forward product, the weight gradient xᵀ · dy, the input gradient dy · Wᵀ). Returns
 * undefined to let the caller take XNNPACK's path.
 */
function simdMatMul(
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | undefined {
  const simd = simdKernels(backend);
  if (!simd || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  if (rankA < 2 || rankB < 2 || batchA !== 1 || batchB !== 1) return undefined;
  const m = transposeA ? a.shape[rankA - 1]! : a.shape[rankA - 2]!;
  const k = transposeA ? a.shape[rankA - 2]! : a.shape[rankA - 1]!;
  const n = transposeB ? b.shape[rankB - 2]! : b.shape[rankB - 1]!;
  const outShape = [...a.shape.slice(0, -2), m, n];
  if (!transposeA && !transposeB && m <= SIMD_MATMUL_MAX_ROWS && n % 8 === 0) {
    const c = backend.makeOutput(outShape, 'float32');
    simd.matMulNN(address(backend, a), address(backend, b), address(backend, c), m, k, n);
    return c;
  }
  if (!transposeA && transposeB && m <= SIMD_MATMUL_MAX_ROWS && k % 4 === 0) {
    const c = backend.makeOutput(outShape, 'float32');
    simd.matMulNT(address(backend, a), address(backend, b), address(backend, c), m, k, n);
    return c;
  }
  if (transposeA && !transposeB && k <= SIMD_MATMUL_MAX_ROWS && n % 8 === 0) {
    const c = backend.makeOutput(outShape, 'float32');
    simd.matMulTN(address(backend, a), address(backend, b), address(backend, c), m, k, n);
    return c;
  }
  return undefined;
}

function matMulKernel(stock: KernelFunc, fused: boolean) {
  return ({ inputs, backend, attrs }: WasmArgs): TensorInfo => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!fused) {
      const product = simdMatMul(backend, a, b, transposeA, transposeB);
      if (product) return product;
    }
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock({ inputs, backend, attrs }) as TensorInfo;
    }
    const operands = untransposed(backend, a, b, transposeA, transposeB);
    const out = stock({
      inputs: { ...inputs, a: operands.a, b: operands.b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    for (const t of operands.temporary) backend.disposeData(t.dataId);
    return out;
  };
}

/** Sum over leading axes (the bias gradient) without the stock kernel's transpose; other sums go to the stock one. */
function sumKernel(stock: KernelFunc) {
  return ({ inputs, backend, attrs }: WasmArgs): TensorInfo => {
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const reduction = x.dtype === 'float32' ? leadingReduction(x.shape, axis, keepDims) : undefined;
    if (!reduction) return stock({ inputs, backend, attrs }) as TensorInfo;
    const out = backend.makeOutput(reduction.outShape, 'float32');
    const simd = simdKernels(backend);
    if (simd && reduction.inner % 4 === 0) {
      simd.sumRows(address(backend, x), address(backend, out), reduction.outer, reduction.inner);
      return out;
    }
    sumLeadingAxes(heap(backend, x), heap(backend, out), reduction.outer, reduction.inner);
    return out;
  };
}

function maxPoolGrad(stock: KernelFunc | undefined, { inputs, backend, attrs }: WasmArgs): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const g = poolGeometry(input.shape, attrs);
  if (!g) {
    if (!stock) {
      throw new ModelsError(
        'E_MODELS_KERNEL',
        `MaxPoolGrad on wasm: unsupported geometry for input [${input.shape}] (filterSize ${String(attrs.filterSize)}, strides ${String(attrs.strides)}, pad ${JSON.stringify(attrs.pad)}) and the backend has no stock kernel for it`,
      );
    }
    return stock({ inputs, backend, attrs }) as TensorInfo;
  }
  const dx = backend.makeOutput(input.shape, 'float32');
  const simd = simdKernels(backend);
  if (
    simd &&
    g.filterHeight === 2 &&
    g.filterWidth === 2 &&
    g.strideHeight === 2 &&
    g.strideWidth === 2 &&
    g.padTop === 0 &&
    g.padLeft === 0 &&
    g.outHeight * 2 <= g.inHeight &&
    g.outWidth * 2 <= g.inWidth &&
    g.channels % 4 === 0
  ) {
    simd.maxPool2x2Gradient(
      address(backend, input),
      address(backend, dy),
      address(backend, dx),
      g.batchSize,
      g.inHeight,
      g.inWidth,
      g.channels,
      g.outHeight,
      g.outWidth,
    );
    return dx;
  }
  maxPoolBackprop(heap(backend, input), heap(backend, dy), g, heap(backend, dx));
  return dx;
}

/** The channel count (last axis) of x when every per-channel input has exactly that many floats, else undefined. */
function perChannel(x: TensorInfo, ...perChannelInputs: (TensorInfo | undefined)[]): number | undefined {
  const channels = x.shape[x.shape.length - 1];
  if (channels === undefined || x.dtype !== 'float32') return undefined;
  for (const t of perChannelInputs) {
    if (t && (t.dtype !== 'float32' || sizeOf(t.shape) !== channels)) return undefined;
  }
  return channels;
}

/** The scratch the SIMD batch-norm kernels need, or undefined where they do not apply (whole vectors of channels). */
function batchNormSimd(backend: WasmBackend, channels: number): { simd: SimdKernels; scratch: TensorInfo } | undefined {
  const simd = simdKernels(backend);
  if (!simd || channels % 4 !== 0) return undefined;
  return { simd, scratch: backend.makeOutput([simd.batchNormScratchFloats(channels)], 'float32') };
}

/** FmnistBatchNormTraining (see batch-norm.ts): statistics, normalization and moving averages in two passes over x. */
function batchNormTraining({ inputs, backend, attrs }: WasmArgs): TensorInfo[] {
  const { x, scale, offset, movingMean, movingVariance } = inputs as Record<string, TensorInfo>;
  const { varianceEpsilon, momentum } = attrs as unknown as BatchNormAttrs;
  const channels = perChannel(x!, scale, offset, movingMean, movingVariance);
  if (channels === undefined) {
    throw new ModelsError(
      'E_MODELS_KERNEL',
      `${BATCH_NORM_TRAINING} on wasm: scale, offset and moving statistics must be float32 with one value per channel of x [${x!.shape}] (got ${[scale, offset, movingMean, movingVariance].map((t) => `[${t?.shape}] ${t?.dtype}`).join(', ')})`,
    );
  }
  const y = backend.makeOutput(x!.shape, 'float32');
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  const newMovingMean = backend.makeOutput([channels], 'float32');
  const newMovingVariance = backend.makeOutput([channels], 'float32');
  const fast = batchNormSimd(backend, channels);
  if (fast) {
    const rows = sizeOf(x!.shape) / channels;
    fast.simd.batchNormStatistics(
      address(backend, x!),
      address(backend, mean),
      address(backend, variance),
      address(backend, fast.scratch),
      rows,
      channels,
    );
    fast.simd.batchNormApply(
      address(backend, x!),
      address(backend, y),
      address(backend, mean),
      address(backend, variance),
      address(backend, scale!),
      address(backend, offset!),
      address(backend, fast.scratch),
      rows,
      channels,
      varianceEpsilon,
    );
    backend.disposeData(fast.scratch.dataId);
    updateMovingStatistics(
      {
        mean: heap(backend, mean),
        variance: heap(backend, variance),
        movingMean: heap(backend, movingMean!),
        movingVariance: heap(backend, movingVariance!),
        newMovingMean: heap(backend, newMovingMean),
        newMovingVariance: heap(backend, newMovingVariance),
      },
      momentum,
    );
  } else {
    batchNormTrainingForward(
      {
        x: heap(backend, x!),
        scale: heap(backend, scale!),
        offset: heap(backend, offset!),
        movingMean: heap(backend, movingMean!),
        movingVariance: heap(backend, movingVariance!),
        y: heap(backend, y),
        mean: heap(backend, mean),
        variance: heap(backend, variance),
        newMovingMean: heap(backend, newMovingMean),
        newMovingVariance: heap(backend, newMovingVariance),
      },
      { varianceEpsilon, momentum },
    );
  }
  return [y, mean, variance, newMovingMean, newMovingVariance];
}

/** FmnistBatchNormTrainingGrad: dx, dScale, dOffset in two passes over dy and x. */
function batchNormTrainingGrad({ inputs, backend, attrs }: WasmArgs): TensorInfo[] {
  const t = inputs as Record<string, TensorInfo>;
  const { varianceEpsilon, momentum } = attrs as unknown as BatchNormAttrs;
  const x = t.x!;
  const channels = perChannel(x, t.scale, t.mean, t.variance, t.dMean, t.dVariance, t.dMovingMean, t.dMovingVariance);
  if (channels === undefined || t.dy!.dtype !== 'float32' || sizeOf(t.dy!.shape) !== sizeOf(x.shape)) {
    throw new ModelsError(
      'E_MODELS_KERNEL',
      `${BATCH_NORM_TRAINING_GRAD} on wasm: dy [${t.dy?.shape}] must match x [${x.shape}] and every statistic have one float32 per channel`,
    );
  }
  const dx = backend.makeOutput(x.shape, 'float32');
  const dScale = backend.makeOutput([channels], 'float32');
  const dOffset = backend.makeOutput([channels], 'float32');
  const dMean = backend.makeOutput([channels], 'float32');
  const dVariance = backend.makeOutput([channels], 'float32');
  const fast = batchNormSimd(backend, channels);
  combinedStatisticGradients(
    heap(backend, t.dMean!),
    heap(backend, t.dVariance!),
    heap(backend, t.dMovingMean!),
    heap(backend, t.dMovingVariance!),
    momentum,
    heap(backend, dMean),
    heap(backend, dVariance),
  );
  if (fast) {
    fast.simd.batchNormBackward(
      address(backend, t.dy!),
      address(backend, x),
      address(backend, t.scale!),
      address(backend, t.mean!),
      address(backend, t.variance!),
      address(backend, dMean),
      address(backend, dVariance),
      address(backend, dx),
      address(backend, dScale),
      address(backend, dOffset),
      address(backend, fast.scratch),
      sizeOf(x.shape) / channels,
      channels,
      varianceEpsilon,
    );
    backend.disposeData(fast.scratch.dataId);
  } else {
    batchNormTrainingBackward(
      {
        dy: heap(backend, t.dy!),
        x: heap(backend, x),
        scale: heap(backend, t.scale!),
        mean: heap(backend, t.mean!),
        variance: heap(backend, t.variance!),
        dMean: heap(backend, dMean),
        dVariance: heap(backend, dVariance),
        dx: heap(backend, dx),
        dScale: heap(backend, dScale),
        dOffset: heap(backend, dOffset),
      },
      varianceEpsilon,
    );
  }
  backend.disposeData(dMean.dataId);
  backend.disposeData(dVariance.dataId);
  return [dx, dScale, dOffset];
}

/**
 * FusedBatchNorm (batch norm in inference, with the moving statistics): one SIMD pass y = x · a + b where mean,
 * variance, scale and offset hold one float per channel of x; other shapes go to the stock kernel.
 */
function fusedBatchNorm(stock: KernelFunc, args: WasmArgs): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  const channels = x && mean && variance ? perChannel(x, mean, variance, offset, scale) : undefined;
  if (channels === undefined || x!.shape.length < 2) return stock(args as never) as TensorInfo;
  const y = backend.makeOutput(x!.shape, 'float32');
  const fast = batchNormSimd(backend, channels);
  if (fast) {
    fast.simd.batchNormApply(
      address(backend, x!),
      address(backend, y),
      address(backend, mean!),
      address(backend, variance!),
      scale ? address(backend, scale) : 0,
      offset ? address(backend, offset) : 0,
      address(backend, fast.scratch),
      sizeOf(x!.shape) / channels,
      channels,
      varianceEpsilon,
    );
    backend.disposeData(fast.scratch.dataId);
    return y;
  }
  batchNormApply(
    heap(backend, x!),
    heap(backend, mean!),
    heap(backend, variance!),
    scale ? heap(backend, scale) : undefined,
    offset ? heap(backend, offset) : undefined,
    varianceEpsilon,
    heap(backend, y),
  );
  return y;
}

/** Identity shares the input's memory, as the cpu backend's does (tensors are immutable); the stock one copies. */
function identity({ inputs, backend }: WasmArgs): TensorInfo {
  const { x } = inputs as { x: TensorInfo };
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** The kernel configs for backend 'wasm'; reads the stock kernels they delegate to from the registry now. */
export function wasmKernelConfigs(): KernelConfig[] {
  const stockKernel = (name: string) => getKernel(name, 'wasm')?.kernelFunc;
  const batchMatMul = stockKernel('BatchMatMul');
  const conv2D = stockKernel('Conv2D');
  const sum = stockKernel('Sum');
  if (!batchMatMul || !conv2D || !sum) return [];
  const stock: Stock = {
    batchMatMul,
    fusedMatMul: stockKernel('_FusedMatMul'),
    conv2D,
    fusedConv2D: stockKernel('FusedConv2D'),
    conv2DBackpropInput: stockKernel('Conv2DBackpropInput'),
    sum,
    maxPoolGrad: stockKernel('MaxPoolGrad'),
  };
  // A replaced kernel keeps the stock one's setup (which binds its wasm function), so that registering before the
  // backend starts still sets up the stock kernel ours delegates to.
  const config = (kernelName: string, kernelFunc: (args: WasmArgs) => TensorInfo): KernelConfig => {
    const setupFunc = getKernel(kernelName, 'wasm')?.setupFunc;
    return {
      kernelName,
      backendName: 'wasm',
      kernelFunc: kernelFunc as unknown as KernelFunc,
      ...(setupFunc ? { setupFunc } : {}),
    };
  };
  const configs = [
    config('Conv2DBackpropFilter', (args) => conv2DBackpropFilter(stock, args)),
    config('Conv2DBackpropInput', (args) => conv2DBackpropInput(stock, args)),
    config('Conv2D', conv2DKernel(conv2D, false)),
    config('BatchMatMul', matMulKernel(batchMatMul, false)),
    config('Sum', sumKernel(sum)),
    config('MaxPoolGrad', (args) => maxPoolGrad(stock.maxPoolGrad, args)),
    config('Identity', identity),
  ];
  if (stock.fusedMatMul) configs.push(config('_FusedMatMul', matMulKernel(stock.fusedMatMul, true)));
  if (stock.fusedConv2D) configs.push(config('FusedConv2D', conv2DKernel(stock.fusedConv2D, true)));
  const stockBatchNorm = stockKernel('FusedBatchNorm');
  if (stockBatchNorm) configs.push(config('FusedBatchNorm', (args) => fusedBatchNorm(stockBatchNorm, args)));
  configs.push(
    config(BATCH_NORM_TRAINING, batchNormTraining as unknown as (args: WasmArgs) => TensorInfo),
    config(BATCH_NORM_TRAINING_GRAD, batchNormTrainingGrad as unknown as (args: WasmArgs) => TensorInfo),
  );
  return configs;
}
