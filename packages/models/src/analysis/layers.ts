/** Walking a model's layers for the analyses: nested models opened up, kernels found, one input shape checked. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';

type Layer = tfl.LayersModel['layers'][number];

/** The model's layers in order, with the layers of any nested model in its place (names joined by '/'). */
export function leafLayers(model: tfl.LayersModel, prefix = ''): { name: string; layer: Layer }[] {
  const leaves: { name: string; layer: Layer }[] = [];
  for (const layer of model.layers) {
    const name = `${prefix}${layer.name}`;
    // A nested model (a Sequential used as a layer) holds its own layers.
    const nested = (layer as unknown as { layers?: unknown }).layers;
    if (Array.isArray(nested)) leaves.push(...leafLayers(layer as unknown as tfl.LayersModel, `${name}/`));
    else leaves.push({ name, layer });
  }
  return leaves;
}

/** The weights a layer keeps under these properties (tfjs-layers' convolution and dense layers). */
interface KernelHolder {
  kernel?: tfl.LayerVariable | null;
  depthwiseKernel?: tfl.LayerVariable | null;
  pointwiseKernel?: tfl.LayerVariable | null;
}

/** The shape of the layer's `kernel`, `depthwiseKernel` or `pointwiseKernel`, or undefined if it has none. */
export function kernelShape(layer: Layer, which: keyof KernelHolder = 'kernel'): number[] | undefined {
  const variable = (layer as unknown as KernelHolder)[which];
  // Weights always have a known shape.
  return variable ? ([...variable.shape] as number[]) : undefined;
}

/** The layer's one output shape without the batch dimension; every dimension must be known. */
export function outputShapeOf(name: string, layer: Layer): number[] {
  const shape = layer.outputShape;
  if (Array.isArray(shape[0])) {
    throw new ModelsError('E_MODELS_ARGUMENT', `layer '${name}' (${layer.getClassName()}) has several outputs`);
  }
  const dimensions = (shape as (number | null)[]).slice(1);
  if (dimensions.some((size) => size === null)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `layer '${name}' (${layer.getClassName()}) has an output of unknown size [${dimensions.join(', ')}]`,
    );
  }
  return dimensions as number[];
}

/** The model's input image size: rows and cols of its one [batch, rows, cols, 1] input. */
export function inputImageSize(model: tfl.LayersModel, caller: string): { rows: number; cols: number } {
  const shape = model.inputs.length === 1 ? model.inputs[0]?.shape : undefined;
  if (shape === undefined || shape.length !== 4 || shape[3] !== 1 || shape[1] == null || shape[2] == null) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `${caller}: the model must take one [batch, rows, cols, 1] image input, got ${model.inputs.length === 1 ? `[${shape?.join(', ')}]` : `${model.inputs.length} inputs`}`,
    );
  }
  return { rows: shape[1], cols: shape[2] };
}

/** Every value of the layer's kernel (its `kernel` or `which`), as floats, with the kernel's shape. */
export function kernelValues(
  layer: Layer,
  which: keyof KernelHolder = 'kernel',
): { shape: number[]; values: Float32Array } {
  const variable = (layer as unknown as KernelHolder)[which];
  if (!variable) {
    throw new ModelsError('E_MODELS_ARGUMENT', `layer '${layer.name}' (${layer.getClassName()}) has no ${which}`);
  }
  // read() is the variable's own tensor (no new tensor to dispose).
  return { shape: [...variable.shape] as number[], values: Float32Array.from(variable.read().dataSync()) };
}
