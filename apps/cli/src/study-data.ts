/**
 * The study's data: both splits loaded, an optional stratified subset, a stratified validation hold-out, and pixels
 * standardised with the training images' statistics only.
 * To move: this is dataset logic over @fmnist/dataset's public API and belongs in that package; it lives here until
 * the package offers it.
 */
import {
  computeNormalization,
  type FashionMnistSplit,
  loadFashionMnist,
  normalizeImages,
  selectExamples,
  stratifiedSplit,
} from '@fmnist/dataset';
import type { LabelledImages } from '@fmnist/models';

/** Share of the training images held out for early stopping and model selection (5,000 of 60,000). */
export const VALIDATION_FRACTION = 5000 / 60000;

export interface StudyDataOptions {
  dataDir?: string | undefined;
  /** Use a stratified subset of this many training images and at most this many test images. */
  limit?: number | undefined;
  seed: number;
  signal?: AbortSignal;
}

export interface StudyData {
  train: LabelledImages;
  validation: LabelledImages;
  test: LabelledImages;
  /** The test split's raw pixels, for the report's galleries. */
  testRaw: FashionMnistSplit;
  normalization: { mean: number; std: number };
  /** Where the files came from, for people: e.g. `system (/usr/share/datasets/fashion-mnist)`. */
  source: string;
}

/** A stratified subset of `count` images (the same classes in the same proportions). */
export function stratifiedSubset(split: FashionMnistSplit, count: number, seed: number): FashionMnistSplit {
  if (count >= split.count) return split;
  const { validationIndices } = stratifiedSplit(split.labels, { validationFraction: count / split.count, seed });
  return selectExamples(split, validationIndices);
}

function labelled(split: FashionMnistSplit, normalization: { mean: number; std: number }): LabelledImages {
  return {
    images: normalizeImages(split.images, normalization),
    labels: split.labels,
    count: split.count,
    rows: split.rows,
    cols: split.cols,
  };
}

/** `size` images spread evenly over `data` (every `count / size`-th), e.g. to score the fit on training data. */
export function evenSample(data: LabelledImages, size: number): LabelledImages {
  if (data.count <= size) return data;
  const pixels = data.images.length / data.count;
  const images = new Float32Array(size * pixels);
  const labels = new Uint8Array(size);
  for (let index = 0; index < size; index++) {
    const from = Math.floor((index * data.count) / size);
    images.set(data.images.subarray(from * pixels, (from + 1) * pixels), index * pixels);
    labels[index] = data.labels[from]!;
  }
  return { ...data, images, labels, count: size };
}

export async function loadStudyData(options: StudyDataOptions): Promise<StudyData> {
  const { limit, seed } = options;
  const loadOptions = {
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const [fullTrain, fullTest] = await Promise.all([
    loadFashionMnist({ split: 'train', ...loadOptions }),
    loadFashionMnist({ split: 'test', ...loadOptions }),
  ]);
  const trainSet = limit ? stratifiedSubset(fullTrain, limit, seed) : fullTrain;
  const testRaw = limit ? stratifiedSubset(fullTest, limit, seed) : fullTest;
  const split = stratifiedSplit(trainSet.labels, { validationFraction: VALIDATION_FRACTION, seed });
  const trainPart = selectExamples(trainSet, split.trainIndices);
  const normalization = computeNormalization(trainPart.images);
  const { kind, dir } = fullTrain.source ?? { kind: 'unknown' };
  return {
    train: labelled(trainPart, normalization),
    validation: labelled(selectExamples(trainSet, split.validationIndices), normalization),
    test: labelled(testRaw, normalization),
    testRaw,
    normalization,
    source: dir ? `${kind} (${dir})` : kind,
  };
}
