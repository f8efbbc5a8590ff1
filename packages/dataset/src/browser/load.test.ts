import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  gzipBomb,
  serveFiles,
  startServer,
  syntheticDataset,
  syntheticDescriptor,
  type TestServer,
} from '../__fixtures__/synthetic.js';
import { DatasetError } from '../errors.js';
import { FASHION_MNIST, FASHION_MNIST_MIRRORS } from '../fashion-mnist.js';
import { encodeIdx } from '../idx.js';
import { decodeIdxDataset, fetchIdxDataset } from './load.js';

// These run the browser code in Node 20, which has fetch, DecompressionStream and Web Crypto like a browser.
const dataset = syntheticDataset();
const descriptor = syntheticDescriptor(dataset);
let missing: TestServer;
let good: TestServer;

beforeAll(async () => {
  missing = await startServer(serveFiles({}));
  good = await startServer(
    serveFiles({
      'train-images.gz': gzipSync(dataset.train.images),
      'train-labels.gz': gzipSync(dataset.train.labels),
      // A well-formed IDX file, but not the expected one: only its checksum tells.
      'test-images.gz': gzipSync(encodeIdx([1, 1, 3], new Uint8Array([1, 2, 3]))),
      'test-labels.gz': gzipSync(dataset.test.labels),
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});
afterAll(async () => {
  await missing.close();
  await good.close();
});

describe('browser entry', () => {
  it('fetches a split from the first mirror that has it, verified', async () => {
    const seen: string[] = [];
    const split = await fetchIdxDataset(descriptor, {
      split: 'train',
      mirrors: [missing.url, good.url],
      onProgress: (progress) => seen.push(progress.url),
    });
    expect(split.count).toBe(30);
    expect(Array.from(split.labels)).toEqual(Array.from(dataset.train.labelValues));
    expect(split.source).toEqual({
      kind: 'url',
      dir: good.url,
      files: { images: `${good.url}train-images.gz`, labels: `${good.url}train-labels.gz` },
    });
    expect(seen.every((url) => url.startsWith(good.url))).toBe(true);
  });

  it('fails with every URL tried when no mirror serves a verified file', async () => {
    try {
      await fetchIdxDataset(descriptor, { split: 'test', mirrors: [missing.url, good.url] });
      expect.unreachable();
    } catch (error) {
      expect(DatasetError.isInstance(error) && error.code).toBe('E_DATASET_DOWNLOAD_FAILED');
      expect((error as Error).message).toContain(`${missing.url}test-images.gz: HTTP 404`);
      expect((error as Error).message).toContain(`${good.url}test-images.gz: ${good.url}test-images.gz: SHA-256`);
    }
  });

  it('decodes buffers the caller has, gzip or raw, and checks checksums when told the split', async () => {
    const split = await decodeIdxDataset(
      descriptor,
      { images: gzipSync(dataset.test.images), labels: dataset.test.labels.slice().buffer },
      { split: 'test' },
    );
    expect(split.count).toBe(10);
    expect(split.source).toEqual({ kind: 'buffer' });
    const truncated = gzipSync(dataset.test.images).subarray(0, 30);
    await expect(
      decodeIdxDataset(descriptor, { images: truncated, labels: dataset.test.labels }),
    ).rejects.toMatchObject({
      code: 'E_DATASET_GZIP_TRUNCATED',
      file: 'images',
    });
    await expect(
      decodeIdxDataset(descriptor, { images: dataset.train.images, labels: dataset.train.labels }, { split: 'test' }),
    ).rejects.toMatchObject({ code: 'E_DATASET_CHECKSUM', file: 'test-images.gz' });
  });

  it('stops decoding a gzip bomb at the size its header declares, naming the file', async () => {
    const bomb = await gzipBomb([10, 4, 3], 16 * 1024 * 1024);
    await expect(
      decodeIdxDataset(descriptor, { images: bomb, labels: gzipSync(dataset.test.labels) }, { split: 'test' }),
    ).rejects.toMatchObject({ code: 'E_DATASET_GZIP_TOO_LARGE', file: 'test-images.gz' });
  });

  it('tries the default mirrors in order, falling through on failure', async () => {
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requested.push(url);
      return new Response('unavailable', { status: 503 });
    });
    await expect(fetchIdxDataset(FASHION_MNIST, { split: 'test' })).rejects.toMatchObject({
      code: 'E_DATASET_DOWNLOAD_FAILED',
    });
    expect(requested.filter((url) => url.endsWith('/t10k-images-idx3-ubyte.gz'))).toEqual(
      FASHION_MNIST_MIRRORS.map((mirror) => `${mirror}t10k-images-idx3-ubyte.gz`),
    );
  });

  it('imports no Node module anywhere in its module graph', () => {
    const source = resolve(dirname(fileURLToPath(import.meta.url)), '..');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^node:|^(fs|path|zlib|crypto|os|http)$/);
        expect(specifier, `${file} imports ${specifier}`).not.toBe('@fmnist/internal/node');
        if (specifier?.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
        if (specifier === '@fmnist/internal') visit(join(source, '..', '..', 'internal', 'src', 'index.ts'));
      }
    };
    visit(join(source, 'browser.ts'));
    expect(seen.size).toBeGreaterThan(5);
  });
});
