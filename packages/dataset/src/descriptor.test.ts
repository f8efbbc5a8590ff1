import { FmnistError } from '@fmnist/internal';
import { describe, expect, it } from 'vitest';
import { syntheticFiles } from './__fixtures__/synthetic.js';
import { checkSha256, checkSplitName, decodeSplit, uncompressedName } from './descriptor.js';
import { DatasetError } from './errors.js';
import { encodeIdx } from './idx.js';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return DatasetError.isInstance(error) ? error.code : `not a DatasetError: ${String(error)}`;
  }
  return undefined;
}

describe('decodeSplit', () => {
  it('returns views over the decoded files with count, rows and cols', () => {
    const files = syntheticFiles(12, { rows: 4, cols: 3 });
    const split = decodeSplit(files.images, files.labels, { classCount: 10 });
    expect({ count: split.count, rows: split.rows, cols: split.cols }).toEqual({ count: 12, rows: 4, cols: 3 });
    expect(Array.from(split.images)).toEqual(Array.from(files.pixels));
    expect(Array.from(split.labels)).toEqual(Array.from(files.labelValues));
    expect(split.images.buffer).toBe(files.images.buffer);
    expect(split.labels.buffer).toBe(files.labels.buffer);
  });

  it('rejects image and label files with different counts, naming the labels file', () => {
    const images = syntheticFiles(12).images;
    const labels = syntheticFiles(11).labels;
    try {
      decodeSplit(images, labels, { imagesFile: 'a-images', labelsFile: 'a-labels' });
      expect.unreachable();
    } catch (error) {
      expect(DatasetError.isInstance(error) && error.code).toBe('E_DATASET_COUNT_MISMATCH');
      expect((error as Error).message).toMatch(/a-labels holds 11 labels but a-images holds 12 images/);
    }
  });

  it('rejects a label that is not a class index', () => {
    const images = syntheticFiles(2).images;
    const labels = encodeIdx([2], new Uint8Array([3, 10]));
    expect(codeOf(() => decodeSplit(images, labels, { classCount: 10 }))).toBe('E_DATASET_LABEL_OUT_OF_RANGE');
    expect(codeOf(() => decodeSplit(images, labels, { classCount: 11 }))).toBeUndefined();
  });
});

describe('checkSha256, checkSplitName and uncompressedName', () => {
  it('throws a checksum error naming the file and both hashes', () => {
    expect(() => checkSha256('aa', 'aa', 'f')).not.toThrow();
    try {
      checkSha256('aa', 'bb', 'some/file.gz');
      expect.unreachable();
    } catch (error) {
      expect((error as DatasetError).code).toBe('E_DATASET_CHECKSUM');
      expect((error as DatasetError).file).toBe('some/file.gz');
      expect((error as Error).message).toMatch(/aa, expected bb/);
    }
  });

  it('accepts train and test only, naming the accepted values', () => {
    expect(checkSplitName('test')).toBe('test');
    expect(() => checkSplitName('validation')).toThrow(/must be one of train, test, got 'validation'/);
  });

  it('drops a .gz suffix', () => {
    expect(uncompressedName('x-idx1-ubyte.gz')).toBe('x-idx1-ubyte');
    expect(uncompressedName('x-idx1-ubyte')).toBe('x-idx1-ubyte');
  });
});

describe('DatasetError.isInstance', () => {
  it('recognizes errors from another copy of the package by the shared brand and the E_DATASET_ prefix', () => {
    // Another bundle's DatasetError: another class, but the same FmnistError brand.
    class CopiedDatasetError extends FmnistError<'E_DATASET_CHECKSUM'> {
      override readonly name = 'DatasetError';
    }
    const foreign = new CopiedDatasetError('E_DATASET_CHECKSUM', 'x');
    expect(foreign instanceof DatasetError).toBe(false);
    expect(DatasetError.isInstance(foreign)).toBe(true);
    expect(DatasetError.isInstance(Object.assign(new Error('x'), { code: 'E_DATASET_CHECKSUM' }))).toBe(false);
    expect(DatasetError.isInstance(new FmnistError('E_METRICS_EMPTY_INPUT', 'x'))).toBe(false);
    expect(DatasetError.isInstance(null)).toBe(false);
    const error = new DatasetError('E_DATASET_NOT_FOUND', 'm', { file: 'f', cause: new Error('c') });
    expect(error).toBeInstanceOf(FmnistError);
    expect(error.name).toBe('DatasetError');
    expect(error.file).toBe('f');
    expect((error.cause as Error).message).toBe('c');
  });
});
