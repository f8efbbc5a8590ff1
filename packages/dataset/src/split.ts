/** Choosing examples: class counts, a seeded stratified train/validation split, and copying a subset. */
import { DatasetError } from './errors.js';
import { createRandom, shuffleInPlace } from './random.js';

/** Images as bytes (as loaded) or as floats (after {@link normalizeImages}). */
export type ImageArray = Uint8Array | Float32Array;

/** Anything with row-major images and one label per image, such as a loaded split. */
export interface LabeledExamples<Images extends ImageArray = ImageArray> {
  images: Images;
  labels: Uint8Array;
  count: number;
}

/** Number of examples of each class: `counts[c]` for c in 0..classCount-1 (labels at or past classCount are ignored). */
export function countClasses(labels: ArrayLike<number>, classCount = 10): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index] as number;
    if (label < classCount) counts[label] = (counts[label] as number) + 1;
  }
  return counts;
}

export interface StratifiedSplitOptions {
  /** Share of each class held out for validation, from 0 to 1. */
  validationFraction: number;
  /** Seed of the generator that picks which examples are held out. */
  seed: number;
}

/**
 * Splits example indices into train and validation so that each class keeps its share. The validation set has
 * `round(n * validationFraction)` examples, shared between classes by largest remainder. Both index arrays are sorted;
 * the same labels, fraction and seed always give the same split.
 */
export function stratifiedSplit(
  labels: Uint8Array,
  options: StratifiedSplitOptions,
): { trainIndices: Uint32Array; validationIndices: Uint32Array } {
  const { validationFraction, seed } = options;
  if (!Number.isFinite(validationFraction) || validationFraction < 0 || validationFraction > 1) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `stratifiedSplit: validationFraction must be a number from 0 to 1, got ${validationFraction}`,
    );
  }
  if (!Number.isFinite(seed)) {
    throw new DatasetError('E_DATASET_ARGUMENT', `stratifiedSplit: seed must be a finite number, got ${seed}`);
  }
  const byClass = new Map<number, number[]>();
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index] as number;
    const members = byClass.get(label);
    if (members) members.push(index);
    else byClass.set(label, [index]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  // Largest-remainder allocation: each class gets floor(share), the leftover goes to the largest remainders.
  const target = Math.round(labels.length * validationFraction);
  const shares = classes.map((label) => (byClass.get(label) as number[]).length * validationFraction);
  const taken = shares.map(Math.floor);
  let leftover = target - taken.reduce((sum, value) => sum + value, 0);
  const byRemainder = classes.map((_, position) => position);
  byRemainder.sort(
    (a, b) => (shares[b] as number) - (taken[b] as number) - ((shares[a] as number) - (taken[a] as number)) || a - b,
  );
  for (const position of byRemainder) {
    if (leftover <= 0) break;
    taken[position] = (taken[position] as number) + 1;
    leftover--;
  }
  const random = createRandom(seed);
  const validation: number[] = [];
  const train: number[] = [];
  classes.forEach((label, position) => {
    const members = shuffleInPlace(byClass.get(label) as number[], random);
    const held = taken[position] as number;
    for (let index = 0; index < members.length; index++)
      (index < held ? validation : train).push(members[index] as number);
  });
  return {
    trainIndices: Uint32Array.from(train).sort(),
    validationIndices: Uint32Array.from(validation).sort(),
  };
}

/** Checks that every index is a whole number below `count`, naming the first bad one. */
export function checkIndices(indices: ArrayLike<number>, count: number, caller: string): void {
  for (let position = 0; position < indices.length; position++) {
    const index = indices[position] as number;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new DatasetError(
        'E_DATASET_ARGUMENT',
        `${caller}: index ${index} at position ${position} is not an example index (0 to ${count - 1})`,
      );
    }
  }
}

/** Pixels per example, checking that the images array holds a whole number of them. */
export function pixelsPerExample(examples: LabeledExamples, caller: string): number {
  const { images, labels, count } = examples;
  if (labels.length !== count || (count === 0 ? images.length !== 0 : images.length % count !== 0)) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `${caller}: ${images.length} pixels and ${labels.length} labels do not make ${count} examples`,
    );
  }
  return count === 0 ? 0 : images.length / count;
}

/**
 * Copies the chosen examples (in the order of `indices`, repeats allowed) into new arrays; every other field of
 * `split` (rows, cols, source) is kept.
 */
export function selectExamples<Split extends LabeledExamples>(split: Split, indices: ArrayLike<number>): Split {
  const pixels = pixelsPerExample(split, 'selectExamples');
  checkIndices(indices, split.count, 'selectExamples');
  const images = copyExamples(split.images, pixels, indices);
  const labels = new Uint8Array(indices.length);
  for (let position = 0; position < indices.length; position++)
    labels[position] = split.labels[indices[position] as number] as number;
  return { ...split, images, labels, count: indices.length };
}

/** Copies the pixels of the given examples into a new array of the same type. */
export function copyExamples<Images extends ImageArray>(
  images: Images,
  pixels: number,
  indices: ArrayLike<number>,
): Images {
  const output = (
    images instanceof Float32Array ? new Float32Array(indices.length * pixels) : new Uint8Array(indices.length * pixels)
  ) as Images;
  for (let position = 0; position < indices.length; position++) {
    const start = (indices[position] as number) * pixels;
    output.set(images.subarray(start, start + pixels), position * pixels);
  }
  return output;
}

/**
 * A stratified subset of `size` examples: each class keeps its share (by largest remainder, as in
 * {@link stratifiedSplit}), the examples keep their original order, and the same `seed` always picks the same ones.
 * Returns `examples` itself when `size` is at least its count; otherwise copies (see {@link selectExamples}).
 */
export function stratifiedSubset<Split extends LabeledExamples>(
  examples: Split,
  options: { size: number; seed: number },
): Split {
  const { size, seed } = options;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `stratifiedSubset: size must be a whole number of at least 0, got ${size}`,
    );
  }
  if (size >= examples.count) return examples;
  const { validationIndices } = stratifiedSplit(examples.labels, { validationFraction: size / examples.count, seed });
  return selectExamples(examples, validationIndices);
}

/**
 * `size` examples spread evenly over `examples`: example `floor(i * count / size)` for i in 0..size-1, in order (for
 * instance to score the fit on part of the training set without the cost of all of it). Returns `examples` itself when
 * it holds at most `size`; otherwise copies (see {@link selectExamples}).
 */
export function evenSample<Split extends LabeledExamples>(examples: Split, size: number): Split {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new DatasetError('E_DATASET_ARGUMENT', `evenSample: size must be a whole number of at least 0, got ${size}`);
  }
  if (examples.count <= size) return examples;
  const indices = new Uint32Array(size);
  for (let position = 0; position < size; position++)
    indices[position] = Math.floor((position * examples.count) / size);
  return selectExamples(examples, indices);
}
