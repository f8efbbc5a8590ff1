/** Statistics for comparing models on one test set: McNemar's exact test and seeded percentile bootstrap intervals. */

import { createRandom } from '@fmnist/internal';
import { binomialTwoSidedPValue } from './binomial.js';
import { accuracy } from './classification.js';
import { MetricsError } from './errors.js';
import { assertInteger, assertOpenUnitInterval, assertSameLength, type Labels, labelError } from './validate.js';

export interface McNemarResult {
  /** Samples model A got right and model B got wrong. */
  b: number;
  /** Samples model A got wrong and model B got right. */
  c: number;
  /** Exact two-sided p-value of b successes in b + c fair trials (1 when b + c is 0). */
  pValue: number;
}

/** McNemar's exact test of whether two models' error rates on the same samples differ. */
export function mcnemar(yTrue: Labels, predA: Labels, predB: Labels): McNemarResult {
  const length = assertSameLength({ yTrue, predA, predB });
  let b = 0;
  let c = 0;
  for (let index = 0; index < length; index++) {
    const label = yTrue[index]!;
    const a = predA[index]!;
    const other = predB[index]!;
    if (!Number.isInteger(label) || label < 0) throw labelError('yTrue', index, label);
    if (!Number.isInteger(a) || a < 0) throw labelError('predA', index, a);
    if (!Number.isInteger(other) || other < 0) throw labelError('predB', index, other);
    const aRight = a === label;
    const bRight = other === label;
    if (aRight && !bRight) b++;
    else if (bRight && !aRight) c++;
  }
  return { b, c, pValue: binomialTwoSidedPValue(b, b + c) };
}

/** A metric of true and predicted labels, such as {@link accuracy} or a closure over {@link precisionRecallF1}. */
export type LabelMetric = (yTrue: Labels, yPred: Labels) => number;

export interface ConfidenceInterval {
  /** The metric on the full sample. */
  estimate: number;
  lower: number;
  upper: number;
  confidence: number;
  resamples: number;
}

export interface BootstrapOptions {
  /** Number of resamples. Default 1000. */
  resamples?: number;
  /** Coverage of the interval, in (0, 1). Default 0.95. */
  confidence?: number;
  /** Seed of the resampling; the same seed gives the same interval. Default 0. */
  seed?: number;
}

export interface PairedBootstrapOptions extends BootstrapOptions {
  /** Metric whose difference (A minus B) is estimated. Default {@link accuracy}. */
  metric?: LabelMetric;
}

/** Percentile of sorted values with linear interpolation, as numpy's default `percentile`. */
function percentile(sorted: Float64Array, fraction: number): number {
  const position = (sorted.length - 1) * fraction;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * Resamples sample indices with replacement and returns the percentile interval of `statistic` over the resamples.
 * `statistic` receives the resampled index list.
 */
function percentileBootstrap(
  length: number,
  estimate: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions,
): ConfidenceInterval {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 0;
  assertInteger(resamples, 'resamples', 1);
  assertOpenUnitInterval(confidence, 'confidence');
  assertInteger(seed, 'seed', 0);
  const random = createRandom(seed);
  const indices = new Int32Array(length);
  const values = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample++) {
    for (let index = 0; index < length; index++) indices[index] = Math.floor(random() * length);
    const value = statistic(indices);
    if (Number.isNaN(value)) {
      throw new MetricsError(
        'E_METRICS_INVALID_OPTION',
        `metric returned NaN on bootstrap resample ${resample}; use a metric defined on every resample (e.g. zeroDivision 0).`,
      );
    }
    values[resample] = value;
  }
  values.sort();
  const tail = (1 - confidence) / 2;
  return { estimate, lower: percentile(values, tail), upper: percentile(values, 1 - tail), confidence, resamples };
}

function gather(labels: Labels, indices: Int32Array, into: Float64Array): Float64Array {
  for (let index = 0; index < indices.length; index++) into[index] = labels[indices[index]!]!;
  return into;
}

/** 1 where the prediction is right, else 0; validates the labels as {@link accuracy} does. */
function correctness(yTrue: Labels, yPred: Labels, name: string): Uint8Array {
  const correct = new Uint8Array(yTrue.length);
  for (let index = 0; index < correct.length; index++) {
    const label = yTrue[index]!;
    const predicted = yPred[index]!;
    if (!Number.isInteger(label) || label < 0) throw labelError('yTrue', index, label);
    if (!Number.isInteger(predicted) || predicted < 0) throw labelError(name, index, predicted);
    correct[index] = label === predicted ? 1 : 0;
  }
  return correct;
}

/** Number of right predictions among the resampled indices. */
function countCorrect(correct: Uint8Array, indices: Int32Array): number {
  let count = 0;
  for (let index = 0; index < indices.length; index++) count += correct[indices[index]!]!;
  return count;
}

/**
 * Seeded percentile bootstrap confidence interval of `metric(yTrue, yPred)`. The arrays passed to `metric` are reused
 * between resamples. For {@link accuracy} itself, resamples count precomputed hits instead of calling it (same values).
 */
export function bootstrapCI(
  metric: LabelMetric,
  yTrue: Labels,
  yPred: Labels,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const length = assertSameLength({ yTrue, yPred });
  if (metric === accuracy) {
    const correct = correctness(yTrue, yPred, 'yPred');
    return percentileBootstrap(
      length,
      accuracy(yTrue, yPred),
      (indices) => countCorrect(correct, indices) / length,
      options,
    );
  }
  const trueSample = new Float64Array(length);
  const predictedSample = new Float64Array(length);
  return percentileBootstrap(
    length,
    metric(yTrue, yPred),
    (indices) => metric(gather(yTrue, indices, trueSample), gather(yPred, indices, predictedSample)),
    options,
  );
}

/**
 * Seeded paired percentile bootstrap interval of `metric(yTrue, predA) - metric(yTrue, predB)`: both models are
 * scored on the same resampled samples, so an interval excluding 0 says A and B differ on this test set.
 */
export function pairedBootstrapDifferenceCI(
  yTrue: Labels,
  predA: Labels,
  predB: Labels,
  options: PairedBootstrapOptions = {},
): ConfidenceInterval {
  const length = assertSameLength({ yTrue, predA, predB });
  const metric = options.metric ?? accuracy;
  if (metric === accuracy) {
    const correctA = correctness(yTrue, predA, 'predA');
    const correctB = correctness(yTrue, predB, 'predB');
    return percentileBootstrap(
      length,
      accuracy(yTrue, predA) - accuracy(yTrue, predB),
      (indices) => countCorrect(correctA, indices) / length - countCorrect(correctB, indices) / length,
      options,
    );
  }
  const trueSample = new Float64Array(length);
  const sampleA = new Float64Array(length);
  const sampleB = new Float64Array(length);
  return percentileBootstrap(
    length,
    metric(yTrue, predA) - metric(yTrue, predB),
    (indices) => {
      const truth = gather(yTrue, indices, trueSample);
      return metric(truth, gather(predA, indices, sampleA)) - metric(truth, gather(predB, indices, sampleB));
    },
    options,
  );
}
