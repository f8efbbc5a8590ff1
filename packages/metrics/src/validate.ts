/** Argument checks shared by every metric; each failure is a MetricsError naming the argument and the index. */
import { MetricsError } from './errors.js';

/** Class labels: integers in `[0, numClasses)`, as `number[]` or any typed array. */
export type Labels = ArrayLike<number>;

/**
 * Class probabilities: one row per sample (`number[][]`, or an array of typed arrays), or a flat row-major
 * `Float32Array`/`Float64Array` (which needs `numClasses`).
 */
export type Probabilities = readonly ArrayLike<number>[] | Float32Array | Float64Array;

/** Throws unless `value` is an integer at least `minimum`. */
export function assertInteger(value: number, name: string, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new MetricsError(
      'E_METRICS_INVALID_OPTION',
      `${name} must be an integer >= ${minimum}, got ${String(value)}.`,
    );
  }
}

/** Throws unless `value` is a finite number in the open interval (0, 1). */
export function assertOpenUnitInterval(value: number, name: string): void {
  if (!(value > 0 && value < 1)) {
    throw new MetricsError(
      'E_METRICS_INVALID_OPTION',
      `${name} must be a number strictly between 0 and 1, got ${String(value)}.`,
    );
  }
}

/** Throws unless all arrays are non-empty and as long as the first one. */
export function assertSameLength(arrays: Record<string, ArrayLike<unknown>>): number {
  const entries = Object.entries(arrays);
  const [firstName, first] = entries[0]!;
  for (const [name, array] of entries.slice(1)) {
    if (array.length !== first.length) {
      throw new MetricsError(
        'E_METRICS_LENGTH_MISMATCH',
        `${name} has ${array.length} entries but ${firstName} has ${first.length}; pass one entry per sample to both.`,
      );
    }
  }
  if (first.length === 0) {
    throw new MetricsError('E_METRICS_EMPTY_INPUT', `${firstName} is empty; metrics need at least one sample.`);
  }
  return first.length;
}

/**
 * The error for `labels[index]`, which failed the fast check of a caller's hot loop. Without `numClasses`, labels
 * need only be non-negative integers.
 */
export function labelError(name: string, index: number, value: number, numClasses?: number): MetricsError {
  const range = numClasses === undefined ? 'non-negative integers' : `integers in [0, ${numClasses})`;
  if (!Number.isInteger(value)) {
    return new MetricsError(
      'E_METRICS_LABEL_NOT_INTEGER',
      `${name}[${index}] is ${String(value)}; class labels must be ${range}.`,
    );
  }
  return new MetricsError(
    'E_METRICS_LABEL_OUT_OF_RANGE',
    `${name}[${index}] is ${value}; class labels must be ${range}${numClasses === undefined ? '' : ' (check numClasses or the labels)'}.`,
  );
}

/** Throws unless every label is an integer in `[0, numClasses)`. */
export function assertLabels(labels: Labels, name: string, numClasses: number): void {
  for (let index = 0; index < labels.length; index++) {
    const value = labels[index]!;
    // `(value | 0) === value` is a fast integer check for the range that matters here.
    if (!(value >= 0 && value < numClasses && (value | 0) === value)) throw labelError(name, index, value, numClasses);
  }
}

/** Probabilities checked and laid out flat, row-major. */
export interface ProbabilityTable {
  values: ArrayLike<number>;
  rows: number;
  numClasses: number;
  /** Machine epsilon of the input's precision, as scikit-learn's `eps='auto'` picks it. */
  epsilon: number;
}

export interface ProbabilityOptions {
  /** Number of classes; required for flat typed arrays, otherwise taken from the first row. */
  numClasses?: number;
  /** How far a row's sum may be from 1. Default 1e-4. */
  rowSumTolerance?: number;
}

const FLOAT32_EPSILON = 2 ** -23;
const FLOAT64_EPSILON = Number.EPSILON;

/** Checks probabilities (finite, non-negative, rows summing to about 1) and returns them flat. */
export function readProbabilities(
  probabilities: Probabilities,
  name: string,
  options: ProbabilityOptions = {},
): ProbabilityTable {
  const tolerance = options.rowSumTolerance ?? 1e-4;
  if (!(tolerance >= 0 && tolerance < 1)) {
    throw new MetricsError(
      'E_METRICS_INVALID_OPTION',
      `rowSumTolerance must be a number in [0, 1), got ${String(tolerance)}.`,
    );
  }
  let values: ArrayLike<number>;
  let numClasses: number;
  let rows: number;
  if (probabilities instanceof Float32Array || probabilities instanceof Float64Array) {
    if (options.numClasses === undefined) {
      throw new MetricsError(
        'E_METRICS_INVALID_SHAPE',
        `${name} is a flat ${probabilities.constructor.name}; pass { numClasses } to say how long each row is.`,
      );
    }
    numClasses = options.numClasses;
    assertInteger(numClasses, 'numClasses', 1);
    if (probabilities.length % numClasses !== 0) {
      throw new MetricsError(
        'E_METRICS_INVALID_SHAPE',
        `${name} has ${probabilities.length} values, not a multiple of numClasses (${numClasses}).`,
      );
    }
    rows = probabilities.length / numClasses;
    values = probabilities;
  } else {
    rows = probabilities.length;
    numClasses = options.numClasses ?? probabilities[0]?.length ?? 0;
    const flat = new Float64Array(rows * numClasses);
    for (let row = 0; row < rows; row++) {
      const rowValues = probabilities[row];
      if (rowValues?.length !== numClasses) {
        throw new MetricsError(
          'E_METRICS_INVALID_SHAPE',
          `${name}[${row}] has ${rowValues?.length ?? 'no'} entries, expected ${numClasses} (one per class).`,
        );
      }
      for (let column = 0; column < numClasses; column++) flat[row * numClasses + column] = rowValues[column]!;
    }
    values = flat;
  }
  assertInteger(numClasses, 'numClasses', 1);
  for (let row = 0; row < rows; row++) {
    let sum = 0;
    for (let column = 0; column < numClasses; column++) {
      const value = values[row * numClasses + column]!;
      if (!(value >= 0 && value <= 1 + tolerance)) {
        throw new MetricsError(
          'E_METRICS_INVALID_PROBABILITY',
          `${name}[${row}][${column}] is ${String(value)}; probabilities must be numbers in [0, 1] (apply softmax to scores first).`,
        );
      }
      sum += value;
    }
    if (!(Math.abs(sum - 1) <= tolerance)) {
      throw new MetricsError(
        'E_METRICS_PROBABILITY_ROW_SUM',
        `${name}[${row}] sums to ${sum}, not 1 (tolerance ${tolerance}); pass normalized probabilities, e.g. softmax outputs.`,
      );
    }
  }
  // Float32 input (flat, or rows of Float32Array) gets float32's epsilon, as numpy's dtype would.
  const float32 = probabilities instanceof Float32Array || probabilities[0] instanceof Float32Array;
  const epsilon = float32 ? FLOAT32_EPSILON : FLOAT64_EPSILON;
  return { values, rows, numClasses, epsilon };
}
