/** Metrics of predicted class probabilities: top-k accuracy, log loss (as scikit-learn) and calibration. */
import { MetricsError } from './errors.js';
import {
  assertInteger,
  assertLabels,
  assertSameLength,
  type Labels,
  type Probabilities,
  type ProbabilityOptions,
  type ProbabilityTable,
  readProbabilities,
} from './validate.js';

/** Reads probabilities and checks them against the true labels (one row per label, labels in range). */
function readWithLabels(yTrue: Labels, probabilities: Probabilities, options: ProbabilityOptions): ProbabilityTable {
  const table = readProbabilities(probabilities, 'proba', options);
  assertSameLength({ yTrue, proba: { length: table.rows } });
  assertLabels(yTrue, 'yTrue', table.numClasses);
  return table;
}

/**
 * Fraction of samples whose true class is among the `k` most probable, as scikit-learn's `top_k_accuracy_score`
 * (ties between equal probabilities go to the higher class index, as its stable sort does).
 */
export function topKAccuracy(
  yTrue: Labels,
  probabilities: Probabilities,
  k: number,
  options: ProbabilityOptions = {},
): number {
  assertInteger(k, 'k', 1);
  const { values, rows, numClasses } = readWithLabels(yTrue, probabilities, options);
  let hits = 0;
  for (let row = 0; row < rows; row++) {
    const offset = row * numClasses;
    const trueClass = yTrue[row]!;
    const trueScore = values[offset + trueClass]!;
    let rank = 0;
    for (let column = 0; column < numClasses; column++) {
      const score = values[offset + column]!;
      if (score > trueScore || (score === trueScore && column > trueClass)) rank++;
    }
    if (rank < k) hits++;
  }
  return hits / rows;
}

export interface LogLossOptions extends ProbabilityOptions {
  /**
   * Probabilities are clipped to `[eps, 1 - eps]` and each row renormalized, as scikit-learn's `log_loss`. Default
   * `'auto'`: the machine epsilon of the input (2^-23 for a Float32Array, 2^-52 otherwise).
   */
  eps?: number | 'auto';
}

/** Mean negative log-likelihood of the true classes (cross-entropy), equal to scikit-learn's `log_loss`. */
export function logLoss(yTrue: Labels, probabilities: Probabilities, options: LogLossOptions = {}): number {
  const { values, rows, numClasses, epsilon } = readWithLabels(yTrue, probabilities, options);
  const eps = options.eps === undefined || options.eps === 'auto' ? epsilon : options.eps;
  if (!(eps >= 0 && eps < 0.5)) {
    throw new MetricsError(
      'E_METRICS_INVALID_OPTION',
      `eps must be 'auto' or a number in [0, 0.5), got ${String(eps)}.`,
    );
  }
  const clip = (value: number) => Math.min(Math.max(value, eps), 1 - eps);
  let total = 0;
  for (let row = 0; row < rows; row++) {
    const offset = row * numClasses;
    let rowSum = 0;
    for (let column = 0; column < numClasses; column++) rowSum += clip(values[offset + column]!);
    total -= Math.log(clip(values[offset + yTrue[row]!]!) / rowSum);
  }
  return total / rows;
}

export interface CalibrationOptions extends ProbabilityOptions {
  /** Number of equal-width confidence bins on [0, 1]. Default 15. */
  bins?: number;
}

export interface CalibrationBin {
  /** Bin `i` holds confidences in `(lower, upper]` (the first bin also holds 0). */
  lower: number;
  upper: number;
  /** Samples whose confidence falls in the bin. */
  count: number;
  /** Mean confidence (top probability) in the bin; NaN when `count` is 0. */
  confidence: number;
  /** Fraction of the bin's samples whose most probable class is the true one; NaN when `count` is 0. */
  accuracy: number;
}

export interface Calibration {
  bins: CalibrationBin[];
  /** Expected calibration error: the count-weighted mean of `|accuracy - confidence|` over the bins. */
  ece: number;
}

/**
 * Reliability bins of the top-class confidence and the expected calibration error (Guo et al. 2017). The predicted
 * class is the first most probable one, as `argmax` picks it.
 */
export function calibration(
  yTrue: Labels,
  probabilities: Probabilities,
  options: CalibrationOptions = {},
): Calibration {
  const binCount = options.bins ?? 15;
  assertInteger(binCount, 'bins', 1);
  const { values, rows, numClasses } = readWithLabels(yTrue, probabilities, options);
  const counts = new Float64Array(binCount);
  const confidenceSums = new Float64Array(binCount);
  const correctCounts = new Float64Array(binCount);
  for (let row = 0; row < rows; row++) {
    const offset = row * numClasses;
    let predictedClass = 0;
    for (let column = 1; column < numClasses; column++) {
      if (values[offset + column]! > values[offset + predictedClass]!) predictedClass = column;
    }
    const confidence = values[offset + predictedClass]!;
    const bin = Math.min(binCount - 1, Math.max(0, Math.ceil(confidence * binCount) - 1));
    counts[bin]!++;
    confidenceSums[bin]! += confidence;
    if (predictedClass === yTrue[row]) correctCounts[bin]!++;
  }
  let ece = 0;
  const bins = Array.from(counts, (count, bin): CalibrationBin => {
    const confidence = count === 0 ? Number.NaN : confidenceSums[bin]! / count;
    const accuracy = count === 0 ? Number.NaN : correctCounts[bin]! / count;
    if (count > 0) ece += (count / rows) * Math.abs(accuracy - confidence);
    return { lower: bin / binCount, upper: (bin + 1) / binCount, count, confidence, accuracy };
  });
  return { bins, ece };
}
