// Decompression bombs against both gunzips, Node's (node:zlib) and the browser's (DecompressionStream, which Node 20
// has too): each must stop at the size the IDX header or the known file promises, with an error naming the file.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { datasetErrorOf, gzipBomb } from './__fixtures__/synthetic.js';
import { decompressIfGzip as browserDecompress } from './browser/decompress.js';
import { encodeIdx } from './idx.js';
import { decompressIfGzip as nodeDecompress } from './node/decompress.js';

const MiB = 1024 * 1024;
/** train-images-idx3-ubyte's header: 60000 images of 28x28, 47,040,016 bytes with the header. */
const TRAIN_IMAGES = [60_000, 28, 28];
const TRAIN_IMAGES_SIZE = 16 + 60_000 * 28 * 28;

describe.each([
  ['Node', nodeDecompress],
  ['browser', browserDecompress],
])('decompressIfGzip (%s) against decompression bombs', (_, decompressIfGzip) => {
  it('stops a bomb at the size its IDX header declares, with E_DATASET_GZIP_TOO_LARGE naming the file', async () => {
    // 128 MiB of zeros after a header that declares 47 MB: about 130 KB of gzip.
    const bomb = await gzipBomb(TRAIN_IMAGES, 128 * MiB);
    expect(bomb.length).toBeLessThan(MiB);
    const error = await datasetErrorOf(decompressIfGzip(bomb, 'data/train-images-idx3-ubyte.gz'));
    expect(error.code).toBe('E_DATASET_GZIP_TOO_LARGE');
    expect(error.file).toBe('data/train-images-idx3-ubyte.gz');
    expect(error.message).toContain('data/train-images-idx3-ubyte.gz: ');
    expect(error.message).toContain(`more than the ${TRAIN_IMAGES_SIZE} bytes its IDX header declares`);
  });

  it('stops at what the header declares when that is less than the known file size', async () => {
    // The header declares 2 images (1,584 bytes); the data runs on to the real test file's size.
    const knownSize = 16 + 10_000 * 28 * 28;
    const bomb = await gzipBomb([2, 28, 28], knownSize - 16);
    const error = await datasetErrorOf(decompressIfGzip(bomb, 't10k-images-idx3-ubyte.gz', { knownSize }));
    expect(error.code).toBe('E_DATASET_GZIP_TOO_LARGE');
    expect(error.message).toContain(`more than the ${16 + 2 * 28 * 28} bytes its IDX header declares`);
  });

  it('stops at the known file size when the header declares more', async () => {
    const knownSize = 16 + 10_000 * 28 * 28;
    const bomb = await gzipBomb(TRAIN_IMAGES, 16 * MiB);
    const error = await datasetErrorOf(decompressIfGzip(bomb, 't10k-images-idx3-ubyte.gz', { knownSize }));
    expect(error.code).toBe('E_DATASET_GZIP_TOO_LARGE');
    expect(error.message).toContain(`more than ${knownSize} bytes, the size of the original file`);
  });

  it('stops at the first bytes when they are not an IDX header', async () => {
    const zip = new Uint8Array(4 * MiB);
    zip.set(new TextEncoder().encode('PK\u0003\u0004'));
    const error = await datasetErrorOf(decompressIfGzip(gzipSync(zip), 'archive.gz'));
    expect(error.code).toBe('E_DATASET_IDX_MAGIC');
    expect(error.file).toBe('archive.gz');
  });

  it('still inflates a file of exactly the declared and known size', async () => {
    const idx = encodeIdx(
      [3, 2, 2],
      Uint8Array.from({ length: 12 }, (_, index) => index),
    );
    const inflated = await decompressIfGzip(gzipSync(idx), 'small.gz', { knownSize: idx.length });
    expect(Array.from(inflated)).toEqual(Array.from(idx));
  });
});
