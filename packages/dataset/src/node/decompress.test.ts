import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticFiles } from '../__fixtures__/synthetic.js';
import { decodeSplit } from '../descriptor.js';
import { DatasetError } from '../errors.js';
import { decompressIfGzip, sha256Hex } from './decompress.js';

describe('decompressIfGzip', () => {
  it('passes raw bytes through and decompresses gzip', async () => {
    const raw = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 0]);
    expect(await decompressIfGzip(raw, 'raw')).toBe(raw);
    expect(Array.from(await decompressIfGzip(gzipSync(raw), 'gz'))).toEqual(Array.from(raw));
  });

  it('decodes damaged gzip files to a split or a DatasetError, nothing else (property)', async () => {
    const { images, labels } = syntheticFiles(6);
    const gzipImages = gzipSync(images);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: gzipImages.length }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        async (length, edits) => {
          const damaged = gzipImages.slice(0, length);
          for (const [position, value] of edits) if (damaged.length > 0) damaged[position % damaged.length] = value;
          try {
            decodeSplit(await decompressIfGzip(damaged, 'fuzz.gz'), labels, { classCount: 10 });
          } catch (error) {
            if (!DatasetError.isInstance(error)) throw error;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sha256Hex', () => {
  it('matches the known digest of "abc"', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
