/**
 * @fmnist/models, browser entry (picked by the `browser` export condition): everything but the Node-only file
 * persistence. `loadModel` here reads a saved or exported model from a URL with `fetch`.
 */
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
  REFERENCE_INITIALISATIONS,
  type ReferenceInitialisation,
  recommendedTrainOptions,
  summary,
} from './models.js';
export {
  checkMetadata,
  type FileDigest,
  type LoadedModel,
  loadModelFromFiles,
  loadModelFromUrl,
  loadModelFromUrl as loadModel,
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
export {
  evaluate,
  type ModelEvaluation,
  PARALLEL_INFERENCE_MIN_IMAGES,
  type Predictions,
  type PredictOptions,
  predict,
} from './predict.js';
export * from './types.js';
