/** Measurements of trained models for the study: cost, robustness, and what each model learned. */
export { countMultiplyAccumulates, type InferenceTiming, type LayerCost, measureInference } from './cost.js';
export { firstLayerFilters, linearTemplates } from './features.js';
export { type OcclusionOptions, occlusionSensitivity } from './occlusion.js';
export {
  CLEAN_CONDITION,
  type CleanCondition,
  evaluateRobustness,
  type RobustnessEntry,
  type RobustnessOptions,
} from './robustness.js';
