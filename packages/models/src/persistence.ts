/**
 * Model files, browser-safe part: turning a model into `model.json` + `weights.bin` + `metadata.json`, and loading
 * those files back (from any reader, e.g. `fetch`) with checks that name the missing, truncated or mismatched file.
 * Writing to disk lives in persistence-node.ts.
 */
import { sha256Hex } from '@fmnist/internal';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { version as packageVersion } from '../package.json';
import { ModelsError } from './errors.js';
import { INPUT_SHAPE, MODEL_KINDS, type ModelOptions, NUM_CLASSES } from './models.js';
import type { ModelKind, TrainingHistory, TrainOptions } from './types.js';
import { checkTestTimeAugmentation, MAX_TEST_TIME_SHIFT, type TestTimeAugmentation } from './views.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const METADATA_FILE = 'metadata.json';
export const MODEL_FORMAT = 'fmnist-model';
export const MODEL_FORMAT_VERSION = 1;

/** The JSON-safe part of the training options (no callbacks, signal or data; the validation set as its size). */
export type TrainingConfig = Omit<TrainOptions, 'validation' | 'onEpochEnd' | 'onBatchEnd' | 'signal'> & {
  validationImages?: number;
};

/** Figures measured on the test set. */
export interface TestMetrics {
  accuracy: number;
  /** Number of test images. */
  count: number;
  logLoss?: number;
  top3Accuracy?: number;
  /** Expected calibration error. */
  ece?: number;
  macroF1?: number;
}

/** What the caller supplies to `saveModel`; the rest of the metadata is filled in. */
export interface ModelMetadataInput {
  kind: ModelKind;
  /** The statistics the training images were standardized with; inputs must be standardized the same way. */
  normalization: { mean: number; std: number };
  /** Class names, indexed by label. */
  classNames: readonly string[];
  /** The options the model was created with (`createModel(kind, model)`), when known. */
  model?: ModelOptions;
  training?: { options: TrainOptions | TrainingConfig; history: TrainingHistory };
  /** How the model is meant to be used: the views to average (see `TestTimeAugmentation`); absent: the image alone. */
  testTimeAugmentation?: TestTimeAugmentation;
  /** Test-set figures, measured with `testTimeAugmentation` when it is given. */
  test?: TestMetrics;
}

export interface FileDigest {
  bytes: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

export interface ModelMetadata {
  format: typeof MODEL_FORMAT;
  formatVersion: typeof MODEL_FORMAT_VERSION;
  kind: ModelKind;
  inputShape: [28, 28, 1];
  normalization: { mean: number; std: number };
  classNames: string[];
  parameters: number;
  /** The options of `createModel` it was built with (architecture and seed); absent when not given on saving. */
  model?: ModelOptions;
  training?: { options: TrainingConfig; history: TrainingHistory };
  /**
   * The views `createClassifier` (and the CLI's evaluate and predict) average over, as the model was tested; absent:
   * the image alone. Pass it to `predict` and `evaluate` to score the model as its metadata says.
   */
  testTimeAugmentation?: TestTimeAugmentation;
  test?: TestMetrics;
  packageVersion: string;
  tfjsVersion: string;
  /** The backend the model was saved from. */
  backend: string;
  /** ISO 8601 time of saving. */
  createdAt: string;
  /** Size and hash of the two model files, so that a truncated or swapped file is caught on loading. */
  files: { [MODEL_FILE]: FileDigest; [WEIGHTS_FILE]: FileDigest };
}

/** The three files of a saved model, ready to be written anywhere. */
export interface ModelFiles {
  [MODEL_FILE]: Uint8Array;
  [WEIGHTS_FILE]: Uint8Array;
  [METADATA_FILE]: Uint8Array;
}

export interface LoadedModel {
  model: tfl.LayersModel;
  metadata: ModelMetadata;
}

/**
 * Reads one file of a saved model by name: its bytes, or `undefined` when it does not exist. Other failures throw.
 */
export type ModelFileReader = (name: string) => Promise<Uint8Array | undefined>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function trainingConfig(options: TrainOptions | TrainingConfig): TrainingConfig {
  const { validation, onEpochEnd, onBatchEnd, signal, ...rest } = options as TrainOptions & TrainingConfig;
  const config: TrainingConfig = JSON.parse(JSON.stringify(rest));
  if (validation) config.validationImages = validation.count;
  return config;
}

function checkMetadataInput(input: ModelMetadataInput): void {
  if (!MODEL_KINDS.includes(input.kind)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `metadata.kind must be one of ${MODEL_KINDS.join(', ')}, got '${input.kind}'`,
    );
  }
  const { mean, std } = input.normalization ?? {};
  if (!Number.isFinite(mean) || !(std > 0)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `metadata.normalization must be { mean, std } with a finite mean and a positive std, got ${JSON.stringify(input.normalization)}`,
    );
  }
  if (!Array.isArray(input.classNames) || input.classNames.length !== NUM_CLASSES) {
    throw new ModelsError('E_MODELS_ARGUMENT', `metadata.classNames must list ${NUM_CLASSES} names, one per label`);
  }
  if (input.testTimeAugmentation !== undefined) {
    checkTestTimeAugmentation(input.testTimeAugmentation, 'metadata.testTimeAugmentation');
  }
}

/** Serializes a model and its metadata into the three files `saveModel` writes (tfjs layers-model format). */
export async function serializeModel(model: tfl.LayersModel, input: ModelMetadataInput): Promise<ModelFiles> {
  checkMetadataInput(input);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (modelArtifacts) => {
      artifacts = modelArtifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(modelArtifacts) };
    }),
  );
  if (!artifacts?.weightSpecs || artifacts.weightData === undefined) {
    throw new ModelsError('E_MODELS_SAVE_FAILED', 'tfjs returned no weights for the model; is it built?');
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
  };
  const modelBytes = encoder.encode(JSON.stringify(modelJson));
  const digest = (bytes: Uint8Array): FileDigest => ({
    bytes: bytes.byteLength,
    sha256: sha256Hex(bytes),
  });
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    kind: input.kind,
    inputShape: [...INPUT_SHAPE],
    normalization: { mean: input.normalization.mean, std: input.normalization.std },
    classNames: [...input.classNames],
    parameters: model.countParams(),
    ...(input.model ? { model: JSON.parse(JSON.stringify(input.model)) as ModelOptions } : {}),
    ...(input.training
      ? { training: { options: trainingConfig(input.training.options), history: input.training.history } }
      : {}),
    ...(input.testTimeAugmentation
      ? { testTimeAugmentation: checkTestTimeAugmentation(input.testTimeAugmentation) }
      : {}),
    ...(input.test ? { test: input.test } : {}),
    packageVersion,
    tfjsVersion: tf.version_core,
    backend: tf.getBackend(),
    createdAt: new Date().toISOString(),
    files: { [MODEL_FILE]: digest(modelBytes), [WEIGHTS_FILE]: digest(weights) },
  };
  return {
    [MODEL_FILE]: modelBytes,
    [WEIGHTS_FILE]: weights,
    [METADATA_FILE]: encoder.encode(`${JSON.stringify(metadata, null, 2)}\n`),
  };
}

function fileError(
  code: 'E_MODELS_FILE_MISSING' | 'E_MODELS_FILE_TRUNCATED' | 'E_MODELS_FILE_MISMATCH' | 'E_MODELS_FILE_INVALID',
  where: string,
  name: string,
  problem: string,
  cause?: unknown,
): ModelsError {
  const advice =
    code === 'E_MODELS_FILE_MISSING'
      ? `a saved model is a directory holding ${MODEL_FILE}, ${WEIGHTS_FILE} and ${METADATA_FILE}`
      : 'save or export the model again';
  return new ModelsError(code, `${where}${name}: ${problem}; ${advice}`, { file: `${where}${name}`, cause });
}

function parseJson(bytes: Uint8Array, where: string, name: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (error) {
    // A JSON file cut short (an interrupted copy or download) is the usual cause, so it is reported as truncated.
    const reason = error instanceof Error ? error.message : String(error);
    throw fileError('E_MODELS_FILE_TRUNCATED', where, name, `is not valid JSON (${reason}): truncated?`, error);
  }
}

/** Checks the metadata's fields; returns it typed. */
export function checkMetadata(value: unknown, where = ''): ModelMetadata {
  const invalid = (problem: string) => fileError('E_MODELS_FILE_INVALID', where, METADATA_FILE, problem);
  if (typeof value !== 'object' || value === null) throw invalid('is not a JSON object');
  const metadata = value as Partial<ModelMetadata>;
  if (metadata.format !== MODEL_FORMAT) {
    throw invalid(`has format ${JSON.stringify(metadata.format)}, expected '${MODEL_FORMAT}'`);
  }
  if (metadata.formatVersion !== MODEL_FORMAT_VERSION) {
    throw invalid(
      `has formatVersion ${JSON.stringify(metadata.formatVersion)}; this version of @fmnist/models (${packageVersion}) reads version ${MODEL_FORMAT_VERSION} (update @fmnist/models)`,
    );
  }
  if (!MODEL_KINDS.includes(metadata.kind as ModelKind)) {
    throw invalid(`has kind ${JSON.stringify(metadata.kind)}, expected one of ${MODEL_KINDS.join(', ')}`);
  }
  if (JSON.stringify(metadata.inputShape) !== JSON.stringify(INPUT_SHAPE)) {
    throw invalid(`has inputShape ${JSON.stringify(metadata.inputShape)}, expected ${JSON.stringify(INPUT_SHAPE)}`);
  }
  const normalization = metadata.normalization;
  if (!normalization || !Number.isFinite(normalization.mean) || !(normalization.std > 0)) {
    throw invalid(`has normalization ${JSON.stringify(normalization)}, expected { mean, std } with std > 0`);
  }
  if (
    !Array.isArray(metadata.classNames) ||
    metadata.classNames.length !== NUM_CLASSES ||
    metadata.classNames.some((name) => typeof name !== 'string')
  ) {
    throw invalid(`must list ${NUM_CLASSES} classNames`);
  }
  if (metadata.testTimeAugmentation !== undefined) {
    try {
      checkTestTimeAugmentation(metadata.testTimeAugmentation);
    } catch {
      throw invalid(
        `has testTimeAugmentation ${JSON.stringify(metadata.testTimeAugmentation)}, expected { flip: boolean, shift: 0-${MAX_TEST_TIME_SHIFT} }`,
      );
    }
  }
  for (const file of [MODEL_FILE, WEIGHTS_FILE] as const) {
    const digest = metadata.files?.[file];
    if (!digest || !Number.isSafeInteger(digest.bytes) || typeof digest.sha256 !== 'string') {
      throw invalid(`lacks the size and sha256 of ${file} (files.${file})`);
    }
  }
  return metadata as ModelMetadata;
}

async function checkDigest(bytes: Uint8Array, expected: FileDigest, where: string, name: string): Promise<void> {
  if (bytes.byteLength < expected.bytes) {
    throw fileError(
      'E_MODELS_FILE_TRUNCATED',
      where,
      name,
      `has ${bytes.byteLength} bytes, ${METADATA_FILE} records ${expected.bytes}: the file is truncated`,
    );
  }
  // The one SHA-256 of the packages (@fmnist/internal, plain JavaScript), so files are checked in every runtime, also
  // where crypto.subtle is missing (pages served over plain http). A file saved without a hash has only its size checked.
  const actual = expected.sha256 ? sha256Hex(bytes) : undefined;
  if (bytes.byteLength !== expected.bytes || (actual !== undefined && actual !== expected.sha256)) {
    throw fileError(
      'E_MODELS_FILE_MISMATCH',
      where,
      name,
      `does not match ${METADATA_FILE} (${bytes.byteLength} bytes, sha256 ${actual ?? 'unchecked'}; expected ${expected.bytes} bytes, sha256 ${expected.sha256}): the files come from different saves`,
    );
  }
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const elements = spec.shape.reduce((product, size) => product * size, 1);
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    total += elements * (DTYPE_BYTES[dtype] ?? 4);
  }
  return total;
}

/**
 * Loads a saved model through `read` (one call per file) and checks it: metadata format and fields, each file's size
 * and hash against the metadata, the weights against model.json's manifest, and the model's input and output shapes.
 * `where` prefixes file names in error messages (a directory or URL ending in `/`).
 */
export async function loadModelFromFiles(read: ModelFileReader, where = ''): Promise<LoadedModel> {
  const readRequired = async (name: string) => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await read(name);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw fileError('E_MODELS_FILE_MISSING', where, name, `could not be read (${reason})`, error);
    }
    if (bytes === undefined) throw fileError('E_MODELS_FILE_MISSING', where, name, 'does not exist');
    return bytes;
  };
  const metadata = checkMetadata(parseJson(await readRequired(METADATA_FILE), where, METADATA_FILE), where);

  const modelBytes = await readRequired(MODEL_FILE);
  await checkDigest(modelBytes, metadata.files[MODEL_FILE], where, MODEL_FILE);
  const modelJson = parseJson(modelBytes, where, MODEL_FILE) as Partial<tf.io.ModelJSON>;
  const manifest = modelJson.weightsManifest;
  if (
    !modelJson.modelTopology ||
    !Array.isArray(manifest) ||
    manifest.length !== 1 ||
    JSON.stringify(manifest[0]?.paths) !== JSON.stringify([WEIGHTS_FILE])
  ) {
    throw fileError(
      'E_MODELS_FILE_INVALID',
      where,
      MODEL_FILE,
      `is not a tfjs layers model whose weights are all in ${WEIGHTS_FILE}`,
    );
  }
  const weightSpecs = manifest[0]!.weights;

  const weights = await readRequired(WEIGHTS_FILE);
  const expectedBytes = expectedWeightBytes(weightSpecs);
  if (weights.byteLength < expectedBytes) {
    throw fileError(
      'E_MODELS_FILE_TRUNCATED',
      where,
      WEIGHTS_FILE,
      `has ${weights.byteLength} bytes, ${MODEL_FILE} describes ${expectedBytes}: the file is truncated`,
    );
  }
  if (weights.byteLength !== expectedBytes) {
    throw fileError(
      'E_MODELS_FILE_MISMATCH',
      where,
      WEIGHTS_FILE,
      `has ${weights.byteLength} bytes, ${MODEL_FILE} describes ${expectedBytes}: the weights belong to another model`,
    );
  }
  await checkDigest(weights, metadata.files[WEIGHTS_FILE], where, WEIGHTS_FILE);

  let model: tfl.LayersModel;
  try {
    // Copy into an ArrayBuffer of its own: the bytes may be a view into a larger (e.g. Node Buffer pool) buffer.
    const weightData = weights.slice().buffer;
    model = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData,
        ...(modelJson.trainingConfig ? { trainingConfig: modelJson.trainingConfig } : {}),
      }),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw fileError('E_MODELS_FILE_INVALID', where, MODEL_FILE, `tfjs could not build the model (${reason})`, error);
  }
  const inputShape = model.inputs[0]?.shape.slice(1);
  const outputShape = model.outputs[0]?.shape.slice(1);
  if (
    JSON.stringify(inputShape) !== JSON.stringify(INPUT_SHAPE) ||
    JSON.stringify(outputShape) !== `[${NUM_CLASSES}]`
  ) {
    model.dispose();
    throw fileError(
      'E_MODELS_FILE_MISMATCH',
      where,
      MODEL_FILE,
      `describes a model from ${JSON.stringify(inputShape)} to ${JSON.stringify(outputShape)}, expected ${JSON.stringify(INPUT_SHAPE)} to [${NUM_CLASSES}]`,
    );
  }
  return { model, metadata };
}

/** Where a model's files are read from: one reader for its files, and the prefix error messages give file names. */
export interface ModelSource {
  read: ModelFileReader;
  /** The folder (ending in a path separator) or URL (ending in `/`) the files are in. */
  where: string;
}

export interface LoadModelOptions {
  /** The fetch used for http(s) URLs. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Passed to every fetch (headers, credentials, a signal...). */
  init?: RequestInit;
}

function isModelSource(source: unknown): source is ModelSource {
  const candidate = source as Partial<ModelSource> | null;
  return typeof candidate === 'object' && typeof candidate?.read === 'function' && typeof candidate.where === 'string';
}

/** Opens a model folder, given as a path or a `file:` URL; the Node entry provides it (persistence-node.ts). */
export type ModelFolderOpener = (pathOrFileUrl: string) => Promise<ModelSource>;

let openModelFolder: ModelFolderOpener | undefined;

/** Called once by the Node entry (src/index.ts), so that the browser entry never meets `fs`. */
export function provideModelFolders(opener: ModelFolderOpener): void {
  openModelFolder = opener;
}

/** The folder URL (ending in `/`) of a model given as its folder or one of its files. */
export function modelBaseUrl(url: string | URL, base?: string): URL {
  const resolved = new URL(url, base ?? globalThis.location?.href);
  if (/\/(model|metadata)\.json$/.test(resolved.pathname)) return new URL('.', resolved);
  if (!resolved.pathname.endsWith('/')) resolved.pathname += '/';
  return resolved;
}

function fetchReader(base: URL, options: LoadModelOptions): ModelFileReader {
  const fetchImpl = options.fetch ?? (typeof fetch === 'function' ? fetch.bind(globalThis) : undefined);
  if (fetchImpl === undefined) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `no fetch is available to read ${base.href}; pass one as the fetch option`,
    );
  }
  return async (name) => {
    const response = await fetchImpl(new URL(name, base).href, options.init);
    if (response.status === 404 || response.status === 410) return undefined;
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    return new Uint8Array(await response.arrayBuffer());
  };
}

/**
 * Where the files of the model at `source` are, by one set of rules for every loader (`loadModel`,
 * `createClassifier`):
 * - a `ModelSource` (`{ read, where }`, e.g. files held in memory) is used as it is;
 * - an `http:` or `https:` URL, of the model's folder or of its model.json or metadata.json, is read with `fetch`;
 * - in Node (the package's Node entry), a `file:` URL or a path without a scheme is a folder (or the model.json or
 *   metadata.json in it);
 * - elsewhere, a string without a scheme is a URL relative to the page.
 * Any other scheme is refused with a ModelsError E_MODELS_ARGUMENT naming the source.
 */
export async function openModelSource(
  source: string | URL | ModelSource,
  options: LoadModelOptions = {},
): Promise<ModelSource> {
  if (isModelSource(source)) return source;
  const text = String(source);
  if (text.trim() === '') throw new ModelsError('E_MODELS_ARGUMENT', `pass a model's folder or URL, got ''`);
  // A scheme, unless it is a Windows drive letter (C:\models).
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  const hasScheme = scheme !== undefined && !/^[a-z]:[\\/]/i.test(text);
  if (openModelFolder !== undefined && (!hasScheme || scheme === 'file')) return openModelFolder(text);
  if (!hasScheme || scheme === 'http' || scheme === 'https') {
    let base: URL;
    try {
      base = modelBaseUrl(text);
    } catch (error) {
      throw new ModelsError('E_MODELS_ARGUMENT', `cannot read a model from ${text}: it is not a URL`, { cause: error });
    }
    if (base.protocol === 'http:' || base.protocol === 'https:')
      return { read: fetchReader(base, options), where: base.href };
  }
  const accepted = openModelFolder === undefined ? 'an http(s) URL' : 'an http(s) URL, a file: URL or a folder';
  throw new ModelsError('E_MODELS_ARGUMENT', `cannot read a model from ${text}; pass ${accepted}`);
}

/**
 * Loads a model saved by `saveModel` or exported by `fmnist export`, and checks it (see `loadModelFromFiles`): from
 * an http(s) URL with `fetch` (in browsers, Node and workers), in Node from a folder path or `file:` URL, or through
 * any `ModelSource` (see {@link openModelSource} for the rules). A missing, truncated or mismatched file is a
 * ModelsError naming the file.
 */
export async function loadModel(
  source: string | URL | ModelSource,
  options: LoadModelOptions = {},
): Promise<LoadedModel> {
  const { read, where } = await openModelSource(source, options);
  return loadModelFromFiles(read, where);
}
