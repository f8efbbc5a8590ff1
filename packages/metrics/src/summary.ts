/** Summary statistics of a handful of numbers, e.g. one score over several training seeds. */
import { MetricsError } from './errors.js';

export interface SummaryStatistics {
  /** How many values were summarized. */
  count: number;
  mean: number;
  /**
   * The sample standard deviation (divided by n - 1, as numpy's `std(ddof=1)` and pandas' `std()`), or null for a
   * single value, which has none.
   */
  standardDeviation: number | null;
  min: number;
  max: number;
}

/**
 * Count, mean, sample standard deviation (n - 1), minimum and maximum of `values`. Throws E_METRICS_EMPTY_INPUT for
 * no values and E_METRICS_INVALID_OPTION naming the index of a value that is not a finite number.
 */
export function summaryStatistics(values: ArrayLike<number>): SummaryStatistics {
  const count = values.length;
  if (count === 0) {
    throw new MetricsError('E_METRICS_EMPTY_INPUT', 'values is empty; summary statistics need at least one value.');
  }
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < count; index++) {
    const value = values[index]!;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new MetricsError(
        'E_METRICS_INVALID_OPTION',
        `values[${index}] is ${String(value)}; expected a finite number.`,
      );
    }
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const mean = sum / count;
  // Two passes: the squared deviations from the mean lose no precision to a large mean, as sum-of-squares would.
  let squares = 0;
  for (let index = 0; index < count; index++) squares += (values[index]! - mean) ** 2;
  return { count, mean, standardDeviation: count > 1 ? Math.sqrt(squares / (count - 1)) : null, min, max };
}
