/** @fmnist/models: Linear, MLP and CNN models for FashionMNIST on TensorFlow.js: train, evaluate, save, load; fast on CPU without tfjs-node. */
export const PACKAGE_NAME = '@fmnist/models';
export {
  BACKEND_PREFERENCES,
  type BackendName,
  type BackendPreference,
  type SelectBackendOptions,
  type SelectedBackend,
  selectBackend,
} from './backend.js';
export {
  type CanvasLike,
  type Classifier,
  type ClassifyOptions,
  type CreateClassifierOptions,
  createClassifier,
  type ImageDataLike,
  type ImageLike,
  type Prediction,
} from './classifier.js';
export { ModelsError, type ModelsErrorCode } from './errors.js';
export {
  type CnnOptions,
  countParameters,
  createCnnModel,
  createLinearModel,
  createMlpModel,
  createModel,
  createReferenceModel,
  INPUT_SHAPE,
  type LinearOptions,
  type MlpOptions,
  MODEL_KINDS,
  type ModelOptions,
  NUM_CLASSES,
  recommendedTrainOptions,
  summary,
} from './models.js';
export {
  checkMetadata,
  type FileDigest,
  type LoadedModel,
  loadModelFromFiles,
  loadModelFromUrl,
  METADATA_FILE,
  MODEL_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelFileReader,
  type ModelFiles,
  type ModelMetadata,
  type ModelMetadataInput,
  serializeModel,
  type TestMetrics,
  type TrainingConfig,
  WEIGHTS_FILE,
} from './persistence.js';
export { loadModel, saveModel } from './persistence-node.js';
export { train } from './train.js';
export { type BenchmarkOptions, type BenchmarkResult, benchmarkReferenceModel } from './kernels/benchmark.js';
export { evaluate, type ModelEvaluation, type Predictions, type PredictOptions, predict } from './predict.js';
export * from './types.js';
