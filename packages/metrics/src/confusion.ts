/** Confusion matrices: the counts every label metric is computed from, and the pairs of classes most often confused. */
import { MetricsError } from './errors.js';
import { assertInteger, assertSameLength, type Labels, labelError } from './validate.js';

/**
 * Counts of (true, predicted) pairs, flat and row-major: `counts[t * numClasses + p]`. Validates both label arrays in
 * the same pass, since this loop is the hot path of every label metric.
 */
export function confusionCounts(yTrue: Labels, yPred: Labels, numClasses: number): Float64Array {
  assertInteger(numClasses, 'numClasses', 1);
  const length = assertSameLength({ yTrue, yPred });
  const counts = new Float64Array(numClasses * numClasses);
  for (let index = 0; index < length; index++) {
    const trueClass = yTrue[index]!;
    const predictedClass = yPred[index]!;
    // `(x | 0) === x` is a fast integer check for the range that matters here.
    if (!(trueClass >= 0 && trueClass < numClasses && (trueClass | 0) === trueClass)) {
      throw labelError('yTrue', index, trueClass, numClasses);
    }
    if (!(predictedClass >= 0 && predictedClass < numClasses && (predictedClass | 0) === predictedClass)) {
      throw labelError('yPred', index, predictedClass, numClasses);
    }
    counts[trueClass * numClasses + predictedClass]!++;
  }
  return counts;
}

/** The confusion matrix: `matrix[t][p]` counts samples of true class `t` predicted as `p` (scikit-learn's layout). */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses: number): number[][] {
  const counts = confusionCounts(yTrue, yPred, numClasses);
  return Array.from({ length: numClasses }, (_, row) =>
    Array.from(counts.subarray(row * numClasses, (row + 1) * numClasses)),
  );
}

export interface ConfusedPair {
  trueClass: number;
  predictedClass: number;
  count: number;
}

export interface MostConfusedPairsOptions {
  /** How many pairs to return at most. Default 10. */
  top?: number;
}

/**
 * The off-diagonal cells of a confusion matrix with a non-zero count, largest first (ties by true, then predicted
 * class), at most `top` of them.
 */
export function mostConfusedPairs(matrix: number[][], options: MostConfusedPairsOptions = {}): ConfusedPair[] {
  const top = options.top ?? 10;
  assertInteger(top, 'top', 0);
  const pairs: ConfusedPair[] = [];
  matrix.forEach((row, trueClass) => {
    if (row.length !== matrix.length) {
      throw new MetricsError(
        'E_METRICS_INVALID_SHAPE',
        `matrix[${trueClass}] has ${row.length} entries but the matrix has ${matrix.length} rows; pass a square confusion matrix.`,
      );
    }
    row.forEach((count, predictedClass) => {
      if (predictedClass !== trueClass && count > 0) pairs.push({ trueClass, predictedClass, count });
    });
  });
  pairs.sort((a, b) => b.count - a.count || a.trueClass - b.trueClass || a.predictedClass - b.predictedClass);
  return pairs.slice(0, top);
}
