/**
 * @fmnist/metrics: classification metrics equal to scikit-learn's, and the statistics (McNemar, bootstrap) to compare
 * two models. Pure TypeScript on number arrays and typed arrays; no dependencies; Node and browsers.
 */
export {
  type AccuracyOptions,
  type Average,
  type AverageMetrics,
  accuracy,
  type ClassificationReport,
  type ClassificationReportOptions,
  type ClassMetrics,
  classificationReport,
  classificationReportFromConfusionMatrix,
  type PrecisionRecallF1Options,
  precisionRecallF1,
  type ZeroDivision,
} from './classification.js';
export {
  type BootstrapOptions,
  bootstrapCI,
  type ConfidenceInterval,
  type LabelMetric,
  type McNemarResult,
  mcnemar,
  type PairedBootstrapOptions,
  pairedBootstrapDifferenceCI,
} from './comparison.js';
export {
  type ConfusedPair,
  confusionMatrix,
  type MostConfusedPairsOptions,
  mostConfusedPairs,
} from './confusion.js';
export { MetricsError, type MetricsErrorCode } from './errors.js';
export { classificationReportMarkdown, type FormatReportOptions, formatClassificationReport } from './format.js';
export {
  type Calibration,
  type CalibrationBin,
  type CalibrationOptions,
  calibration,
  type LogLossOptions,
  logLoss,
  topKAccuracy,
} from './probability.js';
export { type SummaryStatistics, summaryStatistics } from './summary.js';
export type { Labels, Probabilities, ProbabilityOptions } from './validate.js';
