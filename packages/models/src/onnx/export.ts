/**
 * `exportOnnx`: a trained tfjs model as an ONNX file (opset 13, dynamic batch), for onnxruntime and other runtimes.
 * Each tfjs layer becomes a few ONNX operators; tfjs' channels-last images are transposed to ONNX's channels-first
 * layout only around the operators that need it (Conv, pooling, batch norm) and back before Flatten and Dense, so
 * the dense weights see the pixels in tfjs' order. With test-time augmentation the graph builds the views itself,
 * stacks them on the batch axis for one pass through the network and averages the outputs, as `predict` does.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type * as tf from '@tensorflow/tfjs-layers';
import { version as packageVersion } from '../../package.json';
import { ModelsError } from '../errors.js';
import { checkTestTimeAugmentation, type ImageView, type TestTimeAugmentation, testTimeViews } from '../views.js';
import {
  AttributeType,
  type OnnxAttribute,
  type OnnxDimension,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
  TensorDataType,
} from './messages.js';

/** The ONNX operator set the exported graph uses; onnxruntime has run it since version 1.7. */
const ONNX_OPSET = 13;
/** The ONNX IR version that goes with opset 13. */
const IR_VERSION = 7;

export interface ExportOnnxOptions {
  /**
   * The model's input normalization (`metadata.normalization` of a saved model). Given, it is built into the graph:
   * the input `pixels` takes raw pixel values from 0 to 255, as in the FashionMNIST files (light garment on black),
   * and the graph computes `(pixels / 255 - mean) / std` before the first layer. Omitted, the input `input` takes
   * exactly what the tfjs model takes. Default: omitted.
   */
  normalization?: { mean: number; std: number };
  /**
   * Test-time augmentation (`metadata.testTimeAugmentation` of a saved model). Given, the graph classifies every view
   * of {@link testTimeViews} (mirror images and shifted copies, the pixels moved in taking the value of the image's
   * top-left pixel after normalization) and outputs the mean of the model's outputs over the views: the
   * probabilities `predict(model, images, { testTimeAugmentation })` gives. Each view costs one more pass through
   * the network. Default: omitted (or undefined, as a saved model without it has), the image alone.
   */
  testTimeAugmentation?: TestTimeAugmentation | undefined;
  /** Text entries stored in the file's `metadata_props` (class names, accuracy, ...). Default: none. */
  metadata?: Record<string, string>;
}

/** The layer classes `exportOnnx` converts. */
export const ONNX_LAYER_CLASSES = [
  'InputLayer',
  'Flatten',
  'Dense',
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'BatchNormalization',
  'Dropout',
  'Activation',
] as const;

/** The activations `exportOnnx` converts, fused into a layer or as an Activation layer. */
export const ONNX_ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softmax',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'swish',
] as const;

/**
 * Where a 4-D value keeps its channels: last (tfjs, NHWC) or second (ONNX Conv and pooling, NCHW); `flat` for a value
 * of another rank, which needs no transposing.
 */
type Layout = 'channelsLast' | 'channelsFirst' | 'flat';

interface Value {
  name: string;
  layout: Layout;
}

type Layer = tf.layers.Layer;
type LayerConfig = ReturnType<Layer['getConfig']>;

/**
 * Resolves to the ONNX file (opset 13) of a tfjs model whose layers form one chain of the
 * {@link ONNX_LAYER_CLASSES} (the linear, MLP and CNN models of this package, batch norm and dropout included). Its
 * input is `[batch, ...inputShape]` float32 (named `pixels` or `input`, see `options.normalization`), `batch` a dynamic
 * dimension; its output is named `probabilities` when the model ends in a softmax (else `output`). Dropout is left
 * out (inference), batch normalization uses the moving mean and variance. Rejects with `ModelsError`
 * `E_MODELS_ONNX_UNSUPPORTED` naming the first layer (or activation) it cannot convert, `E_MODELS_ARGUMENT` for a bad
 * option.
 */
export async function exportOnnx(model: tf.LayersModel, options: ExportOnnxOptions = {}): Promise<Uint8Array> {
  const views =
    options.testTimeAugmentation === undefined
      ? undefined
      : testTimeViews(checkTestTimeAugmentation(options.testTimeAugmentation, 'exportOnnx: testTimeAugmentation'));
  const chain = layerChain(model);
  const graph = new GraphBuilder();
  const modelInput = model.inputs[0]!;
  const inputName = options.normalization ? 'pixels' : 'input';
  let value: Value = { name: inputName, layout: modelInput.shape.length === 4 ? 'channelsLast' : 'flat' };
  if (options.normalization) value = normalize(graph, value, options.normalization);
  const averaged = views !== undefined && views.length > 1;
  if (averaged) value = stackViews(graph, value, modelInput.shape, views);
  let lastActivation = 'linear';
  for (const layer of chain) {
    const converted = convertLayer(graph, layer, value);
    value = converted.value;
    if (converted.activation !== undefined) lastActivation = converted.activation;
  }
  value = toChannelsLast(graph, value, 'output');
  const outputName = lastActivation === 'softmax' ? 'probabilities' : 'output';
  if (averaged) averageViews(graph, value, model.outputs[0]!.shape, views.length, outputName);
  else graph.node('Identity', 'output', [value.name], [], outputName);

  // Loaded on first use, so a page that never exports does not download the protobuf library.
  const { encodeOnnxModel } = await import('./schema.js');
  return encodeOnnxModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: '@fmnist/models',
    producerVersion: packageVersion,
    docString: `${model.name}, exported from TensorFlow.js by @fmnist/models`,
    graph: {
      name: model.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [
        valueInfo(
          inputName,
          modelInput.shape,
          options.normalization
            ? 'pixel values from 0 to 255 (light garment on black), batch x height x width x channels'
            : 'the tfjs model input, batch x height x width x channels',
        ),
      ],
      output: [
        valueInfo(
          outputName,
          model.outputs[0]!.shape,
          averaged ? `one row per image: the mean over ${views.length} views of it` : 'one row per image',
        ),
      ],
    },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, text]) => ({ key, value: text })),
  });
}

function unsupported(message: string): ModelsError {
  return new ModelsError('E_MODELS_ONNX_UNSUPPORTED', `exportOnnx: ${message}`);
}

/** A tfjs shape as text, the unknown batch dimension as `batch`. */
function describeShape(shape: (number | null)[]): string {
  return `[${shape.map((size) => size ?? 'batch').join(', ')}]`;
}

function describeLayer(layer: Layer): string {
  return `layer '${layer.name}' (${layer.getClassName()})`;
}

/** The model's layers from input to output, checking that each takes the one before it. */
function layerChain(model: tf.LayersModel): Layer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw unsupported(
      `model '${model.name}' has ${model.inputs.length} inputs and ${model.outputs.length} outputs; only models with one of each convert`,
    );
  }
  const input = model.inputs[0]!;
  const chain: Layer[] = [];
  let tensor = model.outputs[0]!;
  while (tensor.id !== input.id) {
    const layer = tensor.sourceLayer as Layer;
    const node = layer.inboundNodes[tensor.nodeIndex];
    const inputs = node?.inputTensors ?? [];
    if (inputs.length !== 1) {
      throw unsupported(
        `${describeLayer(layer)} takes ${inputs.length} inputs; only chains of one-input layers convert (supported: ${ONNX_LAYER_CLASSES.join(', ')})`,
      );
    }
    chain.unshift(layer);
    tensor = inputs[0]!;
  }
  return chain;
}

/** Collects nodes and initializers under unique names. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  private unique(name: string): string {
    let candidate = name;
    for (let suffix = 1; this.used.has(candidate); suffix++) candidate = `${name}_${suffix}`;
    this.used.add(candidate);
    return candidate;
  }

  /** Adds a node; returns the name of its output. */
  node(opType: string, scope: string, input: string[], attribute: OnnxAttribute[] = [], output?: string): string {
    const outputName = output ?? this.unique(`${scope}/${opType}`);
    this.nodes.push({ name: this.unique(`${scope}/${opType}:node`), opType, input, output: [outputName], attribute });
    return outputName;
  }

  /** Adds a float32 constant; returns its name. */
  constant(name: string, values: ArrayLike<number>, dims: number[]): string {
    const rawData = new Uint8Array(values.length * 4);
    const view = new DataView(rawData.buffer);
    for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index]!, true);
    return this.initializer(name, TensorDataType.FLOAT, rawData, dims);
  }

  /** Adds a 1-D int64 constant (the starts, ends and pads operators such as Slice take); returns its name. */
  integers(name: string, values: number[]): string {
    const rawData = new Uint8Array(values.length * 8);
    const view = new DataView(rawData.buffer);
    for (let index = 0; index < values.length; index++) view.setBigInt64(index * 8, BigInt(values[index]!), true);
    return this.initializer(name, TensorDataType.INT64, rawData, [values.length]);
  }

  /** Adds a boolean constant; returns its name. */
  booleans(name: string, values: boolean[], dims: number[]): string {
    return this.initializer(name, TensorDataType.BOOL, Uint8Array.from(values, Number), dims);
  }

  private initializer(name: string, dataType: OnnxTensor['dataType'], rawData: Uint8Array, dims: number[]): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dataType, dims, rawData });
    return unique;
  }
}

const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: AttributeType.INTS, ints: values });
const int = (name: string, value: number): OnnxAttribute => ({ name, type: AttributeType.INT, i: value });
const float = (name: string, value: number): OnnxAttribute => ({ name, type: AttributeType.FLOAT, f: value });

function valueInfo(name: string, shape: (number | null)[], docString: string): OnnxValueInfo {
  if (shape.slice(1).some((size) => size === null)) {
    throw unsupported(`'${name}' has shape [${shape.join(', ')}]; only the batch dimension may be unknown`);
  }
  const dim: OnnxDimension[] = shape.map((size, index) =>
    index === 0 ? { dimParam: 'batch' } : { dimValue: size as number },
  );
  return { name, docString, type: { tensorType: { elemType: TensorDataType.FLOAT, shape: { dim } } } };
}

function normalize(graph: GraphBuilder, value: Value, { mean, std }: { mean: number; std: number }): Value {
  if (!Number.isFinite(mean) || !(std > 0) || !Number.isFinite(std)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `exportOnnx: normalization must be { mean, std } with a finite mean and a positive std, got ${JSON.stringify({ mean, std })}`,
    );
  }
  // The same steps as normalizeImages of @fmnist/dataset: scale to [0, 1], then standardize.
  const scope = 'normalize';
  const scaled = graph.node('Div', scope, [value.name, graph.constant(`${scope}/255`, [255], [])]);
  const centered = graph.node('Sub', scope, [scaled, graph.constant(`${scope}/mean`, [mean], [])]);
  const name = graph.node('Div', scope, [centered, graph.constant(`${scope}/std`, [std], [])]);
  return { name, layout: value.layout };
}

/**
 * The views of each image in `value` ([batch, height, width, channels]), stacked on the batch axis in the order of
 * `views`: [views x batch, height, width, channels], view 0 of every image first. Each view is writeView's of
 * ../views.ts: mirrored (columns reversed), then shifted, the pixels moved in from outside taking the value of the
 * image's own top-left pixel (its background after normalization).
 */
function stackViews(graph: GraphBuilder, value: Value, inputShape: (number | null)[], views: ImageView[]): Value {
  const scope = 'views';
  const [, height, width] = inputShape;
  if (inputShape.length !== 4 || typeof height !== 'number' || typeof width !== 'number') {
    throw unsupported(
      `testTimeAugmentation needs a model whose input is [batch, height, width, channels], got ${describeShape(inputShape)}`,
    );
  }
  const spatialAxes = graph.integers(`${scope}/axes`, [1, 2]);
  const corner = graph.node('Slice', scope, [
    value.name,
    graph.integers(`${scope}/corner_starts`, [0, 0]),
    graph.integers(`${scope}/corner_ends`, [1, 1]),
    spatialAxes,
  ]);
  // Slice backwards over the columns: from the last (-1) past the first (an end before -width clamps to -1).
  const mirrored = views.some((view) => view.flip)
    ? graph.node('Slice', scope, [
        value.name,
        graph.integers(`${scope}/mirror_starts`, [-1]),
        graph.integers(`${scope}/mirror_ends`, [-(width + 1)]),
        graph.integers(`${scope}/mirror_axes`, [2]),
        graph.integers(`${scope}/mirror_steps`, [-1]),
      ])
    : undefined;
  // Each image (and mirror image) zero-padded by the largest shift, once.
  const margin = Math.max(...views.map((view) => Math.max(Math.abs(view.rows), Math.abs(view.cols))));
  const pads = margin > 0 ? graph.integers(`${scope}/pads`, [0, margin, margin, 0, 0, margin, margin, 0]) : undefined;
  const padded = new Map<string, string>();
  const pad = (image: string) => {
    if (!padded.has(image)) padded.set(image, graph.node('Pad', scope, [image, pads!]));
    return padded.get(image)!;
  };
  // Which output pixels come from inside the image, per shift: the same with or without the mirror.
  const masks = new Map<string, string>();
  const maskOf = ({ rows, cols }: ImageView) => {
    const key = `${rows},${cols}`;
    if (!masks.has(key)) {
      const inside: boolean[] = [];
      for (let row = 0; row < height; row++) {
        for (let col = 0; col < width; col++) {
          inside.push(row - rows >= 0 && row - rows < height && col - cols >= 0 && col - cols < width);
        }
      }
      masks.set(key, graph.booleans(`${scope}/inside`, inside, [1, height, width, 1]));
    }
    return masks.get(key)!;
  };
  const stacked = views.map((view) => {
    const image = view.flip ? mirrored! : value.name;
    if (view.rows === 0 && view.cols === 0) return image;
    // The window of the zero-padded image that moves it `rows` down and `cols` right...
    const top = margin - view.rows;
    const left = margin - view.cols;
    const shifted = graph.node('Slice', scope, [
      pad(image),
      graph.integers(`${scope}/shift_starts`, [top, left]),
      graph.integers(`${scope}/shift_ends`, [top + height, left + width]),
      spatialAxes,
    ]);
    // ...where the pixels from outside the image take its corner value (Where keeps the others exact).
    return graph.node('Where', scope, [maskOf(view), shifted, corner]);
  });
  return { name: graph.node('Concat', scope, stacked, [int('axis', 0)]), layout: value.layout };
}

/** The mean over the views of the network's output ([views x batch, ...]), as the graph output `outputName`. */
function averageViews(
  graph: GraphBuilder,
  value: Value,
  outputShape: (number | null)[],
  viewCount: number,
  outputName: string,
): void {
  const scope = 'average_views';
  const rowShape = outputShape.slice(1);
  if (rowShape.some((size) => size === null)) {
    throw unsupported(`the output has shape ${describeShape(outputShape)}; only the batch dimension may be unknown`);
  }
  const perView = graph.node('Reshape', scope, [
    value.name,
    graph.integers(`${scope}/shape`, [viewCount, -1, ...(rowShape as number[])]),
  ]);
  graph.node('ReduceMean', scope, [perView], [ints('axes', [0]), int('keepdims', 0)], outputName);
}

function toChannelsFirst(graph: GraphBuilder, value: Value, scope: string): Value {
  if (value.layout !== 'channelsLast') return value;
  return { name: graph.node('Transpose', scope, [value.name], [ints('perm', [0, 3, 1, 2])]), layout: 'channelsFirst' };
}

function toChannelsLast(graph: GraphBuilder, value: Value, scope: string): Value {
  if (value.layout !== 'channelsFirst') return value;
  return { name: graph.node('Transpose', scope, [value.name], [ints('perm', [0, 2, 3, 1])]), layout: 'channelsLast' };
}

/** The one input tensor's shape of a layer in the chain (batch first). */
function inputShapeOf(layer: Layer): (number | null)[] {
  return layer.inboundNodes[0]!.inputTensors[0]!.shape;
}

function weightsOf(layer: Layer): Map<string, Tensor> {
  const values = layer.getWeights();
  // Keyed by the part after the layer's name: 'kernel', 'bias', 'gamma', 'moving_mean', ...
  return new Map(layer.weights.map((weight, index) => [weight.originalName.split('/').pop()!, values[index]!]));
}

function floatData(tensor: Tensor | undefined, what: string): Float32Array {
  if (!tensor) throw new ModelsError('E_MODELS_ARGUMENT', `exportOnnx: the model has no ${what}`);
  return tensor.dataSync() as Float32Array;
}

function requireChannelsLast(layer: Layer, config: LayerConfig): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
    throw unsupported(
      `${describeLayer(layer)} has dataFormat '${String(config.dataFormat)}'; only 'channelsLast' converts`,
    );
  }
}

function requireRank4(layer: Layer, value: Value): void {
  if (value.layout === 'flat') throw unsupported(`${describeLayer(layer)} follows a flat (not 4-D) value`);
}

/**
 * Converts one layer. `activation` is the last function it applies ('linear' for a layer that computes something
 * else last, such as pooling); absent for a layer that passes its values on unchanged (Dropout, Flatten).
 */
function convertLayer(graph: GraphBuilder, layer: Layer, value: Value): { value: Value; activation?: string } {
  const config = layer.getConfig();
  const scope = layer.name;
  switch (layer.getClassName()) {
    case 'InputLayer':
    case 'Dropout':
      return { value };
    case 'Activation': {
      const activation = String(config.activation);
      return { value: activate(graph, layer, activation, value), activation };
    }
    case 'Flatten': {
      requireChannelsLast(layer, config);
      if (inputShapeOf(layer).length === 2) return { value };
      const last = toChannelsLast(graph, value, scope);
      return { value: { name: graph.node('Flatten', scope, [last.name], [int('axis', 1)]), layout: 'flat' } };
    }
    case 'Dense':
      return convertDense(graph, layer, config, value);
    case 'Conv2D':
      return convertConv2d(graph, layer, config, value);
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return { value: convertPooling(graph, layer, config, value), activation: 'linear' };
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      requireChannelsLast(layer, config);
      requireRank4(layer, value);
      const opType = layer.getClassName() === 'GlobalAveragePooling2D' ? 'ReduceMean' : 'ReduceMax';
      const axes = value.layout === 'channelsFirst' ? [2, 3] : [1, 2];
      const name = graph.node(opType, scope, [value.name], [ints('axes', axes), int('keepdims', 0)]);
      return { value: { name, layout: 'flat' }, activation: 'linear' };
    }
    case 'BatchNormalization':
      return { value: convertBatchNormalization(graph, layer, config, value), activation: 'linear' };
    default:
      throw unsupported(
        `${describeLayer(layer)} has no ONNX conversion; supported layers: ${ONNX_LAYER_CLASSES.join(', ')}`,
      );
  }
}

function convertDense(graph: GraphBuilder, layer: Layer, config: LayerConfig, value: Value) {
  // tfjs applies a dense layer to the last axis; MatMul does the same for any rank.
  const input = toChannelsLast(graph, value, layer.name);
  const weights = weightsOf(layer);
  const kernel = weights.get('kernel');
  const kernelName = graph.constant(`${layer.name}/kernel`, floatData(kernel, `kernel in ${describeLayer(layer)}`), [
    ...kernel!.shape,
  ]);
  let name = graph.node('MatMul', layer.name, [input.name, kernelName]);
  const bias = weights.get('bias');
  if (config.useBias !== false && bias) {
    name = graph.node('Add', layer.name, [
      name,
      graph.constant(`${layer.name}/bias`, floatData(bias, 'bias'), [...bias.shape]),
    ]);
  }
  const activation = String(config.activation ?? 'linear');
  return { value: activate(graph, layer, activation, { name, layout: input.layout }), activation };
}

/** ONNX `pads` (begins, then ends) for tfjs' 'valid' or 'same' padding over the spatial sizes. */
function padsFor(
  layer: Layer,
  padding: unknown,
  sizes: number[],
  kernel: number[],
  strides: number[],
  dilations: number[],
): number[] {
  if (padding === 'valid') return [...sizes, ...sizes].map(() => 0);
  if (padding !== 'same') throw unsupported(`${describeLayer(layer)} has padding '${String(padding)}'`);
  // TensorFlow's 'same': the output has ceil(size / stride) positions, the extra padding goes after.
  const begins: number[] = [];
  const ends: number[] = [];
  sizes.forEach((size, axis) => {
    const stride = strides[axis]!;
    const extent = (kernel[axis]! - 1) * dilations[axis]! + 1;
    const total = Math.max((Math.ceil(size / stride) - 1) * stride + extent - size, 0);
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  });
  return [...begins, ...ends];
}

function pair(value: unknown): number[] {
  return Array.isArray(value) ? value.map(Number) : [Number(value), Number(value)];
}

function spatialSizes(layer: Layer): number[] {
  const shape = inputShapeOf(layer);
  if (shape.length !== 4 || shape[1] === null || shape[2] === null) {
    throw unsupported(
      `${describeLayer(layer)} has input shape [${shape.join(', ')}]; it needs [batch, height, width, channels]`,
    );
  }
  return [shape[1] as number, shape[2] as number];
}

function convertConv2d(graph: GraphBuilder, layer: Layer, config: LayerConfig, value: Value) {
  requireChannelsLast(layer, config);
  requireRank4(layer, value);
  const input = toChannelsFirst(graph, value, layer.name);
  const weights = weightsOf(layer);
  const kernel = weights.get('kernel');
  const data = floatData(kernel, `kernel in ${describeLayer(layer)}`);
  // tfjs keeps [height, width, in, out]; ONNX wants [out, in, height, width].
  const [height, width, inChannels, outChannels] = kernel!.shape as [number, number, number, number];
  const transposed = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let i = 0; i < inChannels; i++) {
        for (let o = 0; o < outChannels; o++) {
          transposed[((o * inChannels + i) * height + y) * width + x] =
            data[((y * width + x) * inChannels + i) * outChannels + o]!;
        }
      }
    }
  }
  const inputs = [
    input.name,
    graph.constant(`${layer.name}/kernel`, transposed, [outChannels, inChannels, height, width]),
  ];
  const bias = weights.get('bias');
  if (config.useBias !== false && bias)
    inputs.push(graph.constant(`${layer.name}/bias`, floatData(bias, 'bias'), [outChannels]));
  const strides = pair(config.strides);
  const dilations = pair(config.dilationRate ?? 1);
  const pads = padsFor(layer, config.padding, spatialSizes(layer), [height, width], strides, dilations);
  const name = graph.node('Conv', layer.name, inputs, [
    ints('kernel_shape', [height, width]),
    ints('strides', strides),
    ints('dilations', dilations),
    ints('pads', pads),
  ]);
  const activation = String(config.activation ?? 'linear');
  return { value: activate(graph, layer, activation, { name, layout: 'channelsFirst' }), activation };
}

function convertPooling(graph: GraphBuilder, layer: Layer, config: LayerConfig, value: Value): Value {
  requireChannelsLast(layer, config);
  requireRank4(layer, value);
  const input = toChannelsFirst(graph, value, layer.name);
  const kernel = pair(config.poolSize);
  const strides = pair(config.strides ?? config.poolSize);
  const pads = padsFor(layer, config.padding, spatialSizes(layer), kernel, strides, [1, 1]);
  const attributes = [ints('kernel_shape', kernel), ints('strides', strides), ints('pads', pads)];
  // tfjs averages over the pixels inside the image only, as ONNX's count_include_pad = 0 (its default).
  const opType = layer.getClassName() === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
  return { name: graph.node(opType, layer.name, [input.name], attributes), layout: 'channelsFirst' };
}

function convertBatchNormalization(graph: GraphBuilder, layer: Layer, config: LayerConfig, value: Value): Value {
  const rank = inputShapeOf(layer).length;
  const axis = Number(config.axis ?? -1);
  if (axis !== -1 && axis !== rank - 1) {
    throw unsupported(`${describeLayer(layer)} normalizes axis ${axis}; only the last (channel) axis converts`);
  }
  const input = rank === 4 ? toChannelsFirst(graph, value, layer.name) : value;
  const weights = weightsOf(layer);
  const movingMean = floatData(weights.get('moving_mean'), `moving mean in ${describeLayer(layer)}`);
  const movingVariance = floatData(weights.get('moving_variance'), `moving variance in ${describeLayer(layer)}`);
  const channels = movingMean.length;
  // Without `scale` or `center`, tfjs multiplies by 1 and adds 0.
  const gamma = weights.get('gamma')?.dataSync() ?? new Float32Array(channels).fill(1);
  const beta = weights.get('beta')?.dataSync() ?? new Float32Array(channels);
  const name = graph.node(
    'BatchNormalization',
    layer.name,
    [
      input.name,
      graph.constant(`${layer.name}/gamma`, gamma, [channels]),
      graph.constant(`${layer.name}/beta`, beta, [channels]),
      graph.constant(`${layer.name}/moving_mean`, movingMean, [channels]),
      graph.constant(`${layer.name}/moving_variance`, movingVariance, [channels]),
    ],
    [float('epsilon', Number(config.epsilon ?? 1e-3))],
  );
  return { name, layout: input.layout };
}

/** Applies a tfjs activation (by its serialized name) to `value`. */
function activate(graph: GraphBuilder, layer: Layer, activation: string, value: Value): Value {
  const scope = layer.name;
  const unary = (opType: string, attributes: OnnxAttribute[] = []) => ({
    name: graph.node(opType, scope, [value.name], attributes),
    layout: value.layout,
  });
  switch (activation) {
    case 'linear':
      return value;
    case 'relu':
      return unary('Relu');
    case 'relu6':
      return {
        name: graph.node('Clip', scope, [
          value.name,
          graph.constant(`${scope}/clip_min`, [0], []),
          graph.constant(`${scope}/clip_max`, [6], []),
        ]),
        layout: value.layout,
      };
    case 'sigmoid':
      return unary('Sigmoid');
    case 'hardSigmoid':
      // tfjs: clip(0.2 x + 0.5, 0, 1), ONNX's HardSigmoid with these factors.
      return unary('HardSigmoid', [float('alpha', 0.2), float('beta', 0.5)]);
    case 'tanh':
      return unary('Tanh');
    case 'softmax':
      // Over the channels, wherever the layout keeps them.
      return unary('Softmax', [int('axis', value.layout === 'channelsFirst' ? 1 : -1)]);
    case 'elu':
      return unary('Elu', [float('alpha', 1)]);
    case 'selu':
      return unary('Selu');
    case 'softplus':
      return unary('Softplus');
    case 'softsign':
      return unary('Softsign');
    case 'swish':
      return { name: graph.node('Mul', scope, [value.name, unary('Sigmoid').name]), layout: value.layout };
    default:
      throw unsupported(
        `${describeLayer(layer)} uses the activation '${activation}', which has no ONNX conversion; supported activations: ${ONNX_ACTIVATIONS.join(', ')}`,
      );
  }
}
