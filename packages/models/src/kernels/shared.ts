/** Helpers shared by the wasm and cpu kernels: argument types and geometry from tfjs' attribute objects. */
import { backend_util, type NamedAttrMap, type NamedTensorInfoMap } from '@tensorflow/tfjs-core';
import type { ConvGeometry, PoolGeometry } from './conv-math.js';

/** What tfjs passes to a kernel function. */
export interface KernelArgs<Backend> {
  inputs: NamedTensorInfoMap;
  backend: Backend;
  attrs: NamedAttrMap;
}

/** The attributes tfjs passes to Conv2D, FusedConv2D and the two convolution gradients. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: backend_util.ExplicitPadding | 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
}

export function toConvGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** The geometry of a MaxPoolGrad call, or undefined where it is not a plain NHWC pool with dilation 1. */
export function poolGeometry(inputShape: number[], attrs: NamedAttrMap): PoolGeometry | undefined {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  if (inputShape.length !== 4) return undefined;
  const info = backend_util.computePool2DInfo(
    inputShape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * When `axis` names exactly the leading axes 0..r-1 of `shape` (the bias gradient's reduction), the sum's output shape
 * and the [outer, inner] view of the input; otherwise undefined.
 */
export function leadingReduction(
  shape: number[],
  axis: number | number[],
  keepDims: boolean,
): { outShape: number[]; outer: number; inner: number } | undefined {
  const rank = shape.length;
  const axes = [axis]
    .flat()
    .map((a) => (a < 0 ? a + rank : a))
    .sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank || axes.some((a, i) => a !== i)) return undefined;
  const outer = shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
  const kept = shape.slice(axes.length);
  const inner = kept.reduce((p, d) => p * d, 1);
  return { outShape: keepDims ? [...axes.map(() => 1), ...kept] : kept, outer, inner };
}
