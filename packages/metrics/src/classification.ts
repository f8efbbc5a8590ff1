/**
 * Label metrics with scikit-learn's semantics: accuracy, and precision, recall and F1 per class or averaged, all
 * computed by one core function from the confusion counts.
 */
import { confusionCounts } from './confusion.js';
import { MetricsError } from './errors.js';
import { assertSameLength, type Labels, labelError } from './validate.js';

/** How per-class scores are combined, as scikit-learn's `average` (`'none'` is its `None`). */
export type Average = 'none' | 'macro' | 'micro' | 'weighted';

/**
 * The score given where a ratio is 0/0 (a class never predicted, or never present), as scikit-learn's
 * `zero_division`. With `'nan'`, averages ignore the undefined scores (scikit-learn >= 1.3).
 */
export type ZeroDivision = 0 | 1 | 'nan';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of samples whose true class is this one. */
  support: number;
}

export interface AverageMetrics {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassificationReport {
  accuracy: number;
  /** One entry per class, indexed by class. */
  perClass: ClassMetrics[];
  macro: AverageMetrics;
  weighted: AverageMetrics;
  micro: AverageMetrics;
  numClasses: number;
  /** Number of samples. */
  support: number;
}

export interface ClassificationReportOptions {
  numClasses: number;
  /** Score for 0/0 ratios. Default 0. */
  zeroDivision?: ZeroDivision;
}

export interface PrecisionRecallF1Options<A extends Average = Average> extends ClassificationReportOptions {
  average: A;
}

const AVERAGES: readonly Average[] = ['none', 'macro', 'micro', 'weighted'];

function zeroDivisionValue(zeroDivision: ZeroDivision | undefined): number {
  if (zeroDivision === undefined || zeroDivision === 0) return 0;
  if (zeroDivision === 1) return 1;
  if (zeroDivision === 'nan') return Number.NaN;
  throw new MetricsError(
    'E_METRICS_INVALID_OPTION',
    `zeroDivision must be 0, 1 or 'nan', got ${String(zeroDivision)}.`,
  );
}

/** Precision, recall and F1 from true positives, predicted count and true count; `undefined` is 0/0. */
function scoresFromCounts(truePositives: number, predicted: number, support: number, undefinedValue: number) {
  return {
    precision: predicted === 0 ? undefinedValue : truePositives / predicted,
    recall: support === 0 ? undefinedValue : truePositives / support,
    // 2tp / (2tp + fp + fn), defined unless the class is neither present nor predicted.
    f1: predicted + support === 0 ? undefinedValue : (2 * truePositives) / (predicted + support),
  };
}

/** Mean of `values` weighted by `weights` (all 1 if absent), skipping NaNs, as scikit-learn's `_nanaverage`. */
function nanAverage(values: number[], weights?: number[]): number {
  let weightedSum = 0;
  let weightSum = 0;
  let plainSum = 0;
  let count = 0;
  values.forEach((value, index) => {
    if (Number.isNaN(value)) return;
    const weight = weights === undefined ? 1 : weights[index]!;
    weightedSum += value * weight;
    weightSum += weight;
    plainSum += value;
    count++;
  });
  if (count === 0) return Number.NaN;
  // All remaining weights zero: scikit-learn falls back to the unweighted mean.
  return weightSum === 0 ? plainSum / count : weightedSum / weightSum;
}

function averageOf(perClass: ClassMetrics[], weights?: number[]): AverageMetrics {
  return {
    precision: nanAverage(
      perClass.map((metrics) => metrics.precision),
      weights,
    ),
    recall: nanAverage(
      perClass.map((metrics) => metrics.recall),
      weights,
    ),
    f1: nanAverage(
      perClass.map((metrics) => metrics.f1),
      weights,
    ),
  };
}

/**
 * The core: per-class scores and every average from a flat confusion matrix. All public label metrics are views of
 * this function.
 */
export function reportFromConfusionCounts(
  counts: ArrayLike<number>,
  numClasses: number,
  zeroDivision?: ZeroDivision,
): ClassificationReport {
  const undefinedValue = zeroDivisionValue(zeroDivision);
  const perClass: ClassMetrics[] = [];
  let total = 0;
  let correct = 0;
  for (let classIndex = 0; classIndex < numClasses; classIndex++) {
    let predicted = 0;
    let support = 0;
    for (let other = 0; other < numClasses; other++) {
      predicted += counts[other * numClasses + classIndex]!;
      support += counts[classIndex * numClasses + other]!;
    }
    const truePositives = counts[classIndex * numClasses + classIndex]!;
    perClass.push({ ...scoresFromCounts(truePositives, predicted, support, undefinedValue), support });
    total += support;
    correct += truePositives;
  }
  return {
    accuracy: correct / total,
    perClass,
    macro: averageOf(perClass),
    weighted: averageOf(
      perClass,
      perClass.map((metrics) => metrics.support),
    ),
    // Summed over classes, predicted and true counts both equal the number of samples.
    micro: scoresFromCounts(correct, total, total, undefinedValue),
    numClasses,
    support: total,
  };
}

/** Precision, recall, F1 and support per class, with every average: scikit-learn's `classification_report` as data. */
export function classificationReport(
  yTrue: Labels,
  yPred: Labels,
  options: ClassificationReportOptions,
): ClassificationReport {
  const counts = confusionCounts(yTrue, yPred, options.numClasses);
  return reportFromConfusionCounts(counts, options.numClasses, options.zeroDivision);
}

/**
 * Precision, recall and F1 as scikit-learn's `precision_recall_fscore_support` with `labels = 0..numClasses-1`:
 * per class for `average: 'none'`, otherwise one averaged triple.
 */
export function precisionRecallF1(
  yTrue: Labels,
  yPred: Labels,
  options: PrecisionRecallF1Options<'none'>,
): ClassMetrics[];
export function precisionRecallF1(
  yTrue: Labels,
  yPred: Labels,
  options: PrecisionRecallF1Options<'macro' | 'micro' | 'weighted'>,
): AverageMetrics;
export function precisionRecallF1(
  yTrue: Labels,
  yPred: Labels,
  options: PrecisionRecallF1Options,
): ClassMetrics[] | AverageMetrics;
export function precisionRecallF1(
  yTrue: Labels,
  yPred: Labels,
  options: PrecisionRecallF1Options,
): ClassMetrics[] | AverageMetrics {
  if (!AVERAGES.includes(options.average)) {
    throw new MetricsError(
      'E_METRICS_INVALID_OPTION',
      `average must be one of ${AVERAGES.map((name) => `'${name}'`).join(', ')}, got ${String(options.average)}.`,
    );
  }
  const report = classificationReport(yTrue, yPred, options);
  return options.average === 'none' ? report.perClass : report[options.average];
}

export interface AccuracyOptions {
  /** If given, labels must also lie in `[0, numClasses)`. */
  numClasses?: number;
}

/** Fraction of samples whose predicted label equals the true label. Labels must be non-negative integers. */
export function accuracy(yTrue: Labels, yPred: Labels, options: AccuracyOptions = {}): number {
  const length = assertSameLength({ yTrue, yPred });
  const { numClasses } = options;
  const limit = numClasses ?? Number.MAX_SAFE_INTEGER;
  let correct = 0;
  for (let index = 0; index < length; index++) {
    const trueClass = yTrue[index]!;
    const predictedClass = yPred[index]!;
    if (!(trueClass >= 0 && trueClass < limit && Number.isInteger(trueClass))) {
      throw labelError('yTrue', index, trueClass, numClasses);
    }
    if (!(predictedClass >= 0 && predictedClass < limit && Number.isInteger(predictedClass))) {
      throw labelError('yPred', index, predictedClass, numClasses);
    }
    if (trueClass === predictedClass) correct++;
  }
  return correct / length;
}

/**
 * The same report from a confusion matrix (`matrix[t][p]`, rows true), e.g. one accumulated batch by batch. Entries
 * must be non-negative counts.
 */
export function classificationReportFromConfusionMatrix(
  matrix: readonly (readonly number[])[],
  options: { zeroDivision?: ZeroDivision } = {},
): ClassificationReport {
  const numClasses = matrix.length;
  const counts = new Float64Array(numClasses * numClasses);
  matrix.forEach((row, trueClass) => {
    if (row.length !== numClasses) {
      throw new MetricsError(
        'E_METRICS_INVALID_SHAPE',
        `matrix[${trueClass}] has ${row.length} entries but the matrix has ${numClasses} rows; pass a square confusion matrix.`,
      );
    }
    row.forEach((count, predictedClass) => {
      if (!(count >= 0 && Number.isFinite(count))) {
        throw new MetricsError(
          'E_METRICS_INVALID_OPTION',
          `matrix[${trueClass}][${predictedClass}] is ${String(count)}; confusion counts must be non-negative numbers.`,
        );
      }
      counts[trueClass * numClasses + predictedClass] = count;
    });
  });
  if (numClasses === 0 || counts.every((count) => count === 0)) {
    throw new MetricsError('E_METRICS_EMPTY_INPUT', 'matrix counts no samples; metrics need at least one sample.');
  }
  return reportFromConfusionCounts(counts, numClasses, options.zeroDivision);
}
