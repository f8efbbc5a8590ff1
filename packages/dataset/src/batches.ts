/** Mini-batches for training: fixed size, optional seeded shuffle, optional drop-last; only the batch is copied. */
import { DatasetError } from './errors.js';
import { createRandom, shuffleInPlace } from './random.js';
import { checkIndices, copyExamples, type ImageArray, type LabeledExamples, pixelsPerExample } from './split.js';

export interface BatchOptions {
  /** Examples per batch (a whole number from 1). */
  batchSize: number;
  /** Visit the examples in a new seeded random order on every pass. Default false (dataset order). */
  shuffle?: boolean;
  /** Seed of the shuffle; the same seed gives the same sequence of orders. Default 0. */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize`. Default false. */
  dropLast?: boolean;
  /** Iterate over these examples only (e.g. the train indices of {@link stratifiedSplit}). Default: all. */
  indices?: ArrayLike<number>;
}

export interface Batch<Images extends ImageArray> {
  /** `count * pixels` values, a copy the caller may keep. */
  images: Images;
  labels: Uint8Array;
  /** Which examples of the source these are. */
  indices: Uint32Array;
  count: number;
}

export interface BatchIterable<Images extends ImageArray> extends Iterable<Batch<Images>> {
  /** Batches one pass yields. */
  readonly batchCount: number;
  /** Examples one pass yields (after drop-last). */
  readonly exampleCount: number;
}

/**
 * Batches over `examples`. Each `for...of` pass is one epoch; with `shuffle`, every pass draws a fresh order from
 * the seeded generator, so a run is reproducible from its seed.
 */
export function createBatchIterator<Images extends ImageArray>(
  examples: LabeledExamples<Images>,
  options: BatchOptions,
): BatchIterable<Images> {
  const { batchSize, shuffle = false, seed = 0, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `createBatchIterator: batchSize must be a whole number from 1, got ${batchSize}`,
    );
  }
  const pixels = pixelsPerExample(examples, 'createBatchIterator');
  let order: Uint32Array;
  if (options.indices === undefined) {
    order = new Uint32Array(examples.count);
    for (let index = 0; index < order.length; index++) order[index] = index;
  } else {
    checkIndices(options.indices, examples.count, 'createBatchIterator');
    order = Uint32Array.from(options.indices);
  }
  const batchCount = dropLast ? Math.floor(order.length / batchSize) : Math.ceil(order.length / batchSize);
  const exampleCount = Math.min(order.length, batchCount * batchSize);
  const random = createRandom(seed);
  return {
    batchCount,
    exampleCount,
    *[Symbol.iterator]() {
      const pass = shuffle ? shuffleInPlace(order.slice(), random) : order;
      for (let batch = 0; batch < batchCount; batch++) {
        const indices = pass.slice(batch * batchSize, Math.min(pass.length, (batch + 1) * batchSize));
        const labels = new Uint8Array(indices.length);
        for (let position = 0; position < indices.length; position++) {
          labels[position] = examples.labels[indices[position] as number] as number;
        }
        yield { images: copyExamples(examples.images, pixels, indices), labels, indices, count: indices.length };
      }
    },
  };
}
