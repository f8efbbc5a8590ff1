/**
 * @fmnist/viz: figures (Vega-Lite specs rendered to SVG) and the HTML/Markdown report of a FashionMNIST model study,
 * and the study itself assembled from trained models' evaluations. This entry is browser-safe; PNG rasterizing and
 * file reading and writing live in `@fmnist/viz/node`.
 */

export {
  accuracyDrop,
  type ConfusedPairShare,
  classesByF1,
  classSamples,
  confusedPairs,
  type Disagreement,
  type Disagreements,
  disagreements,
  findCondition,
  generalizationGap,
  largestMagnitude,
  type Mistake,
  mostConfidentMistakes,
  type RobustnessFamilyRows,
  reliability,
  robustnessFamilies,
} from './analysis.js';
export {
  type AnalysisInput,
  type AnalysisMetrics,
  buildAnalysis,
  buildStudy,
  type ComparisonStudy,
  type ModelMetrics,
  type ModelScores,
  metricsFromStudy,
  type RobustnessScore,
  type StudyInput,
  type StudyMetrics,
  type TrainedModel,
  type TrainingSummary,
} from './assemble.js';
export { VizError, type VizErrorCode } from './errors.js';
export { crc32, dataUri, encodeGrayPng, encodeRgbPng, type GrayPngOptions, toBase64 } from './png.js';
export { renderSvg, type SvgSize, svgSize } from './render.js';
export {
  type MarkdownReportOptions,
  type ReportFigure,
  type ReportOptions,
  reportHtml,
  reportMarkdown,
  studyConclusion,
} from './report.js';
export {
  type AggregateSeedsOptions,
  aggregateSeeds,
  SEED_SCORES,
  type SeedModelScores,
  type SeedRun,
  type SeedScore,
  type SeedStudy,
  type SeedsAggregate,
  type SeedsMetrics,
  type SeedsReportOptions,
  seedsConclusion,
  seedsFigureSpecs,
  seedsReportHtml,
  seedsReportMarkdown,
} from './seeds.js';
export { type FigureOptions, type FigureSpec, figureSpecs, type VegaLiteSpec } from './specs.js';
export {
  type ConfidenceInterval,
  type Study,
  type StudyAnalysis,
  type StudyComparison,
  type StudyDataEfficiencyPoint,
  type StudyEpoch,
  type StudyLearned,
  type StudyModel,
  type StudyModelCost,
  type StudyRobustness,
  type StudyRobustnessCondition,
  type StudyTestTimeAugmentation,
  type StudyWeightImages,
  validateStudy,
} from './study.js';
export { DIVERGING_PALETTE, divergingColor, FONT_FAMILY, OKABE_ITO, VEGA_LITE_CONFIG } from './theme.js';

/** The package name, for messages and version reports. */
export const PACKAGE_NAME = '@fmnist/viz';
