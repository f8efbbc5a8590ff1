/** Loaded splits made ready for training: an optional subset, a stratified validation hold-out, standardized pixels. */
import type { DataSource, DatasetSplit } from './descriptor.js';
import { DatasetError } from './errors.js';
import { computeNormalization, type Normalization, normalizeImages } from './preprocess.js';
import { type LabeledExamples, selectExamples, stratifiedSplit, stratifiedSubset } from './split.js';

/** The share of the training images held out for validation by default: 5,000 of FashionMNIST's 60,000. */
export const DEFAULT_VALIDATION_FRACTION = 5000 / 60000;

export interface PrepareOptions {
  /**
   * Keep a stratified subset of this many training images (before the validation hold-out) and at most this many test
   * images, for quick runs. Default: all images.
   */
  limit?: number | undefined;
  /** Share of the training images held out, per class, for early stopping and model selection. Default 5000/60000. */
  validationFraction?: number | undefined;
  /** Seeds the subsets and the validation split; the same seed always gives the same images. */
  seed: number;
  /**
   * Standardize into SharedArrayBuffers (see `normalizeImages`' `shared`), so training and inference on worker
   * threads read the images without copying them. Default false.
   */
  shared?: boolean | undefined;
}

/** Standardized images with their labels and shape, as models train on them. */
export interface NormalizedExamples extends LabeledExamples<Float32Array> {
  rows: number;
  cols: number;
}

export interface PreparedSplits {
  /** The training images left after the validation hold-out. */
  train: NormalizedExamples;
  validation: NormalizedExamples;
  test: NormalizedExamples;
  /** The test images as loaded (0-255 bytes, after `limit`), e.g. for galleries in a report. */
  testRaw: DatasetSplit;
  /** Computed on `train` only (no validation or test pixels), and applied to all three. */
  normalization: Normalization;
  /** Where the training files came from, for people: e.g. `system (/usr/share/datasets/fashion-mnist)`. */
  source: string;
}

function describeSource(source: DataSource | undefined): string {
  const { kind, dir } = source ?? { kind: 'unknown' };
  return dir ? `${kind} (${dir})` : kind;
}

function normalized(split: DatasetSplit, normalization: Normalization, shared: boolean): NormalizedExamples {
  return {
    images: normalizeImages(split.images, normalization, { shared }),
    labels: split.labels,
    count: split.count,
    rows: split.rows,
    cols: split.cols,
  };
}

/**
 * Prepares loaded training and test splits the way a careful study uses them: with `limit`, a stratified subset of
 * each (see {@link stratifiedSubset}); then a stratified validation hold-out of `validationFraction` of the training
 * images (see {@link stratifiedSplit}); then every split standardized with the mean and standard deviation of the
 * remaining training pixels only (see {@link computeNormalization}), so nothing about validation or test leaks in.
 */
export function prepareSplits(train: DatasetSplit, test: DatasetSplit, options: PrepareOptions): PreparedSplits {
  const { limit, seed, validationFraction = DEFAULT_VALIDATION_FRACTION, shared = false } = options;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `prepareSplits: limit must be a whole number of at least 1, got ${limit}`,
    );
  }
  const trainSet = limit ? stratifiedSubset(train, { size: limit, seed }) : train;
  const testRaw = limit ? stratifiedSubset(test, { size: limit, seed }) : test;
  const split = stratifiedSplit(trainSet.labels, { validationFraction, seed });
  const trainPart = selectExamples(trainSet, split.trainIndices);
  const normalization = computeNormalization(trainPart.images);
  return {
    train: normalized(trainPart, normalization, shared),
    validation: normalized(selectExamples(trainSet, split.validationIndices), normalization, shared),
    test: normalized(testRaw, normalization, shared),
    testRaw,
    normalization,
    source: describeSource(train.source),
  };
}
