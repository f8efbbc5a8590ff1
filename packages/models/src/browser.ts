/**
 * @fmnist/models, browser entry (picked by the `browser` export condition): everything but saving, training and the
 * benchmark. Each function here is the very one the Node entry exports; without Node, `loadModel` and
 * `createClassifier` read URLs only, and `predict` and `evaluate` run on the calling thread.
 */
export const PACKAGE_NAME = '@fmnist/models';
export {
  CLEAN_CONDITION,
  type CleanCondition,
  countMultiplyAccumulates,
  evaluateRobustness,
  firstLayerFilters,
  type InferenceTiming,
  type LayerCost,
  linearTemplates,
  measureInference,
  type OcclusionOptions,
  occlusionSensitivity,
  type RobustnessEntry,
  type RobustnessOptions,
} from './analysis/index.js';
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
export { type KernelVariant, kernelVariant } from './kernels/simd.js';
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
  REFERENCE_INITIALIZATIONS,
  type ReferenceInitialization,
  recommendedTrainOptions,
  summary,
} from './models.js';
export { type ExportOnnxOptions, exportOnnx, ONNX_ACTIVATIONS, ONNX_LAYER_CLASSES } from './onnx/export.js';
export {
  checkMetadata,
  type FileDigest,
  type LoadedModel,
  type LoadModelOptions,
  loadModel,
  loadModelFromFiles,
  METADATA_FILE,
  MODEL_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelFileReader,
  type ModelFiles,
  type ModelMetadata,
  type ModelMetadataInput,
  type ModelSource,
  openModelSource,
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
export {
  DEFAULT_PRESET,
  getPreset,
  PRESET_NAMES,
  type Preset,
  type PresetName,
  presetRecipe,
  type Recipe,
  type RecipeTrainOptions,
} from './presets.js';
export * from './types.js';
export {
  checkTestTimeAugmentation,
  type ImageView,
  MAX_TEST_TIME_SHIFT,
  type TestTimeAugmentation,
  testTimeViews,
} from './views.js';
