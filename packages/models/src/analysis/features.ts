/** What a model learned, read from its weights: the linear model's class templates and a CNN's first filters. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import { kernelValues, leafLayers } from './layers.js';

/**
 * The weight template of each class of a linear model: the kernel of its one Dense layer, column `c` (one weight per
 * input pixel, `rows * cols` values for an image model) for class `c`. Positive weights are pixels whose brightness
 * speaks for the class. Throws a ModelsError E_MODELS_ARGUMENT unless the model has exactly one Dense layer.
 */
export function linearTemplates(model: tfl.LayersModel): Float32Array[] {
  const dense = leafLayers(model).filter(({ layer }) => layer.getClassName() === 'Dense');
  if (dense.length !== 1) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `linearTemplates: the model must have exactly one Dense layer (a linear model), got ${dense.length}${dense.length > 0 ? ` (${dense.map(({ name }) => name).join(', ')})` : ''}`,
    );
  }
  const { shape, values } = kernelValues((dense[0] as (typeof dense)[number]).layer);
  const [inputs, classes] = shape as [number, number];
  return Array.from({ length: classes }, (_, column) => {
    const template = new Float32Array(inputs);
    for (let input = 0; input < inputs; input++) template[input] = values[input * classes + column] as number;
    return template;
  });
}

/**
 * The filters of the model's first Conv2D layer: for each output channel, its `kH * kW` weights row-major (averaged
 * over the input channels when there are several). Throws a ModelsError E_MODELS_ARGUMENT if the model has none.
 */
export function firstLayerFilters(model: tfl.LayersModel): { size: [number, number]; filters: Float32Array[] } {
  const conv = leafLayers(model).find(({ layer }) => layer.getClassName() === 'Conv2D');
  if (conv === undefined) {
    throw new ModelsError('E_MODELS_ARGUMENT', `firstLayerFilters: the model '${model.name}' has no Conv2D layer`);
  }
  // Kernel [kH, kW, inC, outC], row-major.
  const { shape, values } = kernelValues(conv.layer);
  const [height, width, inputs, outputs] = shape as [number, number, number, number];
  const filters = Array.from({ length: outputs }, (_, output) => {
    const filter = new Float32Array(height * width);
    for (let position = 0; position < height * width; position++) {
      let sum = 0;
      for (let input = 0; input < inputs; input++)
        sum += values[(position * inputs + input) * outputs + output] as number;
      filter[position] = sum / inputs;
    }
    return filter;
  });
  return { size: [height, width], filters };
}
