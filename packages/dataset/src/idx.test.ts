import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { encodeIdx, isGzip, parseIdx, parseIdxImages, parseIdxLabels } from './idx.js';

function expectDatasetError(action: () => unknown, code: string, file?: string) {
  try {
    action();
  } catch (error) {
    expect(DatasetError.isInstance(error)).toBe(true);
    expect((error as DatasetError).code).toBe(code);
    if (file !== undefined) {
      expect((error as DatasetError).file).toBe(file);
      expect((error as DatasetError).message).toContain(file);
    }
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('parseIdx', () => {
  it('reads the magic number, big-endian dimensions and the data as a view over the input', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, index) => index);
    const bytes = encodeIdx([2, 3, 4], data);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 8, 3, 0, 0, 0, 2]);
    const parsed = parseIdx(bytes);
    expect(parsed.magic).toBe(2051);
    expect(parsed.dimensions).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
    expect(parsed.data.buffer).toBe(bytes.buffer);
    expect(parsed.data.byteOffset).toBe(16);
  });

  it('reads dimensions above 2^31 as unsigned', () => {
    const bytes = new Uint8Array([0, 0, 8, 1, 0x80, 0, 0, 0]);
    expectDatasetError(() => parseIdx(bytes, 'big'), 'E_DATASET_IDX_TRUNCATED', 'big');
    try {
      parseIdx(bytes, 'big');
    } catch (error) {
      expect((error as Error).message).toContain('2147483648');
    }
  });

  it('rejects a header shorter than 4 bytes as truncated', () => {
    expectDatasetError(() => parseIdx(new Uint8Array([0, 0, 8]), 'short.idx'), 'E_DATASET_IDX_TRUNCATED', 'short.idx');
  });

  it('rejects a header cut inside the dimensions as truncated', () => {
    const bytes = encodeIdx([5, 2, 2], new Uint8Array(20)).subarray(0, 10);
    expectDatasetError(() => parseIdx(bytes, 'cut.idx'), 'E_DATASET_IDX_TRUNCATED', 'cut.idx');
  });

  it('rejects truncated raw data', () => {
    const bytes = encodeIdx([5, 2, 2], new Uint8Array(20));
    expectDatasetError(
      () => parseIdx(bytes.subarray(0, bytes.length - 1), 'data.idx'),
      'E_DATASET_IDX_TRUNCATED',
      'data.idx',
    );
  });

  it('rejects header dimensions that claim fewer bytes than the file holds', () => {
    const bytes = encodeIdx([5, 2, 2], new Uint8Array(20));
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expectDatasetError(() => parseIdx(longer, 'long.idx'), 'E_DATASET_IDX_SIZE_MISMATCH', 'long.idx');
  });

  it('rejects a non-IDX magic number', () => {
    expectDatasetError(
      () => parseIdx(new TextEncoder().encode('PK\u0003\u0004 zip data'), 'x.zip'),
      'E_DATASET_IDX_MAGIC',
      'x.zip',
    );
  });

  it('rejects IDX data types other than unsigned byte', () => {
    const bytes = new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    expectDatasetError(() => parseIdx(bytes, 'floats.idx'), 'E_DATASET_IDX_UNSUPPORTED', 'floats.idx');
  });

  it('never throws anything but DatasetError and never returns data outside the input (property)', () => {
    const validHeaderThenNoise = fc
      .tuple(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 200 }),
      )
      .map(([extraType, dimensions, tail]) => {
        const header = new Uint8Array(4 + 4 * dimensions.length);
        const view = new DataView(header.buffer);
        view.setUint8(2, extraType === 0 ? 0x08 : 0x08 + extraType);
        view.setUint8(3, dimensions.length);
        dimensions.forEach((size, index) => {
          view.setUint32(4 + 4 * index, size);
        });
        const bytes = new Uint8Array(header.length + tail.length);
        bytes.set(header);
        bytes.set(tail, header.length);
        return bytes;
      });
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), validHeaderThenNoise),
        fc.integer({ min: 0, max: 16 }),
        (bytes, offset) => {
          // Parse a view that starts inside a larger buffer, so a read past the view's bounds would be visible.
          const backing = new Uint8Array(offset + bytes.length + 16).fill(0xee);
          backing.set(bytes, offset);
          const input = backing.subarray(offset, offset + bytes.length);
          for (const parse of [parseIdx, parseIdxImages, parseIdxLabels] as const) {
            try {
              const result = parse(input, 'fuzz');
              const data = result instanceof Uint8Array ? result : 'images' in result ? result.images : result.data;
              expect(data.byteOffset).toBeGreaterThanOrEqual(input.byteOffset);
              expect(data.byteOffset + data.byteLength).toBe(input.byteOffset + input.byteLength);
            } catch (error) {
              if (!DatasetError.isInstance(error)) throw error;
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseIdxImages and parseIdxLabels', () => {
  it('return count, rows, cols and the pixels of an images file', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 5 }, (_, index) => 255 - index);
    const { images, count, rows, cols } = parseIdxImages(encodeIdx([3, 2, 5], pixels));
    expect({ count, rows, cols }).toEqual({ count: 3, rows: 2, cols: 5 });
    expect(Array.from(images)).toEqual(Array.from(pixels));
  });

  it('reject a labels file given as images, and the other way round, naming the file', () => {
    const labels = encodeIdx([3], new Uint8Array([1, 2, 3]));
    const images = encodeIdx([1, 1, 1], new Uint8Array([9]));
    expectDatasetError(() => parseIdxImages(labels, 'labels.idx'), 'E_DATASET_IDX_MAGIC', 'labels.idx');
    expectDatasetError(() => parseIdxLabels(images, 'images.idx'), 'E_DATASET_IDX_MAGIC', 'images.idx');
  });
});

describe('isGzip', () => {
  it('detects gzip by its magic bytes only', () => {
    expect(isGzip(new Uint8Array([0x1f, 0x8b, 8]))).toBe(true);
    expect(isGzip(new Uint8Array([0, 0, 8, 3]))).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
  });
});

describe('encodeIdx', () => {
  it('rejects data whose length does not match the dimensions', () => {
    expectDatasetError(() => encodeIdx([2, 2], new Uint8Array(3)), 'E_DATASET_ARGUMENT');
  });
});
