/** What a model costs: multiply-accumulates per image counted from its layers, and measured inference speed. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import { INPUT_SHAPE } from '../models.js';
import { predict } from '../predict.js';
import { kernelShape, leafLayers, outputShapeOf } from './layers.js';

/** One layer's share of a model's cost. */
export interface LayerCost {
  /** The layer's name (`outer/inner` for a layer of a nested model). */
  name: string;
  /** tfjs-layers' class name: 'Dense', 'Conv2D', 'MaxPooling2D'... */
  className: string;
  /** Weights of the layer, trainable or not (as `countParams`). */
  parameters: number;
  /** Multiply-accumulates for one image. */
  multiplyAccumulates: number;
}

/** Layers with weights that cost no multiply-accumulates (element-wise scaling, look-ups). */
const NO_MAC_WEIGHTED = new Set(['BatchNormalization', 'LayerNormalization', 'Embedding', 'PReLU']);

function product(values: readonly number[]): number {
  return values.reduce((total, value) => total * value, 1);
}

/** Multiply-accumulates of one layer for one image; throws for a layer with weights this does not know. */
function layerMultiplyAccumulates(name: string, layer: tfl.LayersModel['layers'][number]): number {
  const className = layer.getClassName();
  if (layer.countParams() === 0 || NO_MAC_WEIGHTED.has(className)) return 0;
  const output = () => outputShapeOf(name, layer);
  const kernel = kernelShape(layer);
  switch (className) {
    // Each output value is a dot product over the kernel's input side: Dense [in, out] → in; ConvND [k..., in, out]
    // → k... * in (tfjs has no groups), so outH * outW * kH * kW * inC * outC for Conv2D.
    case 'Dense':
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
      if (kernel) return product(output()) * product(kernel.slice(0, -1));
      break;
    case 'DepthwiseConv2D': {
      // Kernel [kH, kW, inC, multiplier]: each of the inC * multiplier output channels sums kH * kW inputs.
      const depthwise = kernelShape(layer, 'depthwiseKernel');
      if (depthwise) return product(output()) * product(depthwise.slice(0, 2));
      break;
    }
    case 'SeparableConv2D': {
      // A depthwise pass at the output's resolution (inC * multiplier channels), then a 1x1 convolution to outC.
      const depthwise = kernelShape(layer, 'depthwiseKernel');
      const pointwise = kernelShape(layer, 'pointwiseKernel');
      if (depthwise && pointwise) {
        const shape = output();
        const positions = product(shape.slice(0, -1));
        const middle = (depthwise[2] as number) * (depthwise[3] as number);
        return positions * middle * product(depthwise.slice(0, 2)) + positions * middle * (pointwise[3] as number);
      }
      break;
    }
    case 'Conv2DTranspose': {
      // Kernel [kH, kW, outC, inC]: every input value is scattered over kH * kW * outC outputs.
      const spatial = (layer.input as { shape: (number | null)[] }).shape.slice(1, -1);
      if (kernel && spatial.every((size) => size !== null)) {
        return product(spatial as number[]) * product(kernel);
      }
      break;
    }
  }
  throw new ModelsError(
    'E_MODELS_ARGUMENT',
    `countMultiplyAccumulates: layer '${name}' (${className}) has weights but no known multiply-accumulate count; supported: Dense, Conv1D, Conv2D, Conv3D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose`,
  );
}

/**
 * Multiply-accumulates (MACs) per image, counted from the layers: Dense `in * out`; Conv2D
 * `outH * outW * kH * kW * inC * outC`; DepthwiseConv2D `outH * outW * kH * kW * inC * multiplier`; batch
 * normalization, pooling, activations, dropout and flatten 0. Bias additions are not counted. The reference CNN
 * (docs/reference-models.md) gives 2,631,040 and the linear model 7,840. Throws a ModelsError E_MODELS_ARGUMENT for
 * a layer with weights of another kind (recurrent layers, for example), naming it.
 */
export function countMultiplyAccumulates(model: tfl.LayersModel): { total: number; layers: LayerCost[] } {
  const layers = leafLayers(model).map(({ name, layer }) => ({
    name,
    className: layer.getClassName(),
    parameters: layer.countParams(),
    multiplyAccumulates: layerMultiplyAccumulates(name, layer),
  }));
  return { total: layers.reduce((sum, layer) => sum + layer.multiplyAccumulates, 0), layers };
}

/** Measured inference speed on the calling thread. */
export interface InferenceTiming {
  /** Images per forward pass in the throughput measurement. */
  batchSize: number;
  /** Images per second over one pass through all the images, in batches of `batchSize`. */
  imagesPerSecond: number;
  /** Milliseconds to classify one image (one call of `predict` with one image), median and 95th percentile. */
  latencyMs: { p50: number; p95: number };
  /** How many single-image calls the latency percentiles come from. */
  repeats: number;
  /** Images in the throughput pass. */
  images: number;
}

/** The `fraction` quantile of sorted values, interpolated linearly between neighbors (numpy's default). */
function quantile(sorted: readonly number[], fraction: number): number {
  const position = (sorted.length - 1) * fraction;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return (sorted[below] as number) + ((sorted[above] as number) - (sorted[below] as number)) * (position - below);
}

const PIXELS = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2];

/**
 * Inference speed of `model` on the calling thread, with {@link predict}: throughput over one pass through `images`
 * (normalized, `count * 784` floats) in batches of `batchSize` (default 256), after a warm-up batch; and the latency
 * of classifying one image, p50 and p95 over `latencyRepeats` (default 200) calls after 10 warm-up calls, cycling
 * through the images. Every tensor is disposed when it settles.
 */
export async function measureInference(
  model: tfl.LayersModel,
  images: Float32Array,
  options: { batchSize?: number; latencyRepeats?: number } = {},
): Promise<InferenceTiming> {
  const batchSize = options.batchSize ?? 256;
  const repeats = options.latencyRepeats ?? 200;
  for (const [name, value] of [
    ['batchSize', batchSize],
    ['latencyRepeats', repeats],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ModelsError(
        'E_MODELS_ARGUMENT',
        `measureInference: ${name} must be a whole number of at least 1, got ${value}`,
      );
    }
  }
  if (images.length === 0 || images.length % PIXELS !== 0) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `measureInference: images must hold at least one 28x28 image (a multiple of ${PIXELS} floats), got ${images.length} floats`,
    );
  }
  const count = images.length / PIXELS;
  const image = (index: number) => images.subarray((index % count) * PIXELS, ((index % count) + 1) * PIXELS);
  // Warm-up: the first calls compile kernels and allocate buffers.
  await predict(model, images.subarray(0, Math.min(count, batchSize) * PIXELS), { batchSize });
  const start = performance.now();
  await predict(model, images, { batchSize });
  const seconds = (performance.now() - start) / 1000;
  for (let call = 0; call < 10; call++) await predict(model, image(call), { batchSize: 1 });
  const latencies: number[] = [];
  for (let call = 0; call < repeats; call++) {
    const single = image(call);
    const callStart = performance.now();
    await predict(model, single, { batchSize: 1 });
    latencies.push(performance.now() - callStart);
  }
  latencies.sort((a, b) => a - b);
  return {
    batchSize,
    imagesPerSecond: count / Math.max(seconds, 1e-9),
    latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) },
    repeats,
    images: count,
  };
}
