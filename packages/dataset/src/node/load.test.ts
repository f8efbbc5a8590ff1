import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  datasetErrorOf,
  gzipBomb,
  serveFiles,
  startServer,
  syntheticDataset,
  syntheticDescriptor,
  syntheticFiles,
  writeDataset,
} from '../__fixtures__/synthetic.js';
import { encodeIdx } from '../idx.js';
import { loadIdxDataset, verifyIdxDataset } from './load.js';

const dataset = syntheticDataset();
const descriptor = syntheticDescriptor(dataset);
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-load-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadIdxDataset: sources', () => {
  it('loads gzip files from dataDir as views, with the source', async () => {
    const dir = join(root, 'data');
    await writeDataset(dir, descriptor, dataset);
    const split = await loadIdxDataset(descriptor, { split: 'train', dataDir: dir, env: {} });
    expect({ count: split.count, rows: split.rows, cols: split.cols }).toEqual({ count: 30, rows: 4, cols: 3 });
    expect(Array.from(split.images)).toEqual(Array.from(dataset.train.pixels));
    expect(Array.from(split.labels)).toEqual(Array.from(dataset.train.labelValues));
    expect(split.images.byteOffset).toBe(16);
    expect(split.source).toEqual({
      kind: 'dataDir',
      dir,
      files: { images: join(dir, 'train-images.gz'), labels: join(dir, 'train-labels.gz') },
    });
  });

  it('loads uncompressed files too', async () => {
    const dir = join(root, 'raw');
    await writeDataset(dir, descriptor, dataset, { gzip: false });
    const split = await loadIdxDataset(descriptor, { split: 'test', dataDir: dir, env: {} });
    expect(split.count).toBe(10);
    expect(split.source?.files?.images).toBe(join(dir, 'test-images'));
  });

  it('uses FMNIST_DATA_DIR when no dataDir is given, and dataDir over it', async () => {
    const envDir = join(root, 'env');
    const optionDir = join(root, 'option');
    await writeDataset(envDir, descriptor, dataset);
    await writeDataset(optionDir, descriptor, dataset);
    const env = { FMNIST_DATA_DIR: envDir };
    expect((await loadIdxDataset(descriptor, { split: 'test', env })).source).toMatchObject({
      kind: 'env',
      dir: envDir,
    });
    expect((await loadIdxDataset(descriptor, { split: 'test', env, dataDir: optionDir })).source).toMatchObject({
      kind: 'dataDir',
      dir: optionDir,
    });
  });

  it('looks in the cache before the system directories', async () => {
    const cacheDir = join(root, 'cache');
    const systemDir = join(root, 'system');
    await writeDataset(systemDir, descriptor, dataset);
    const options = { split: 'train' as const, cacheDir, systemDirs: [join(root, 'nothing'), systemDir], env: {} };
    expect((await loadIdxDataset(descriptor, options)).source).toMatchObject({ kind: 'system', dir: systemDir });
    await writeDataset(join(cacheDir, 'synthetic'), descriptor, dataset);
    expect((await loadIdxDataset(descriptor, options)).source).toMatchObject({
      kind: 'cache',
      dir: join(cacheDir, 'synthetic'),
    });
  });

  it('reads the cache location from FMNIST_CACHE_DIR', async () => {
    const cacheDir = join(root, 'env-cache');
    await writeDataset(join(cacheDir, 'synthetic'), descriptor, dataset);
    const split = await loadIdxDataset(descriptor, { split: 'train', env: { FMNIST_CACHE_DIR: cacheDir } });
    expect(split.source).toMatchObject({ kind: 'cache', dir: join(cacheDir, 'synthetic') });
  });

  it('does not fall back to other sources when the given dataDir lacks the files', async () => {
    const systemDir = join(root, 'system');
    await writeDataset(systemDir, descriptor, dataset);
    const error = await datasetErrorOf(
      loadIdxDataset(descriptor, { split: 'train', dataDir: join(root, 'missing'), systemDirs: [systemDir], env: {} }),
    );
    expect(error.code).toBe('E_DATASET_NOT_FOUND');
    expect(error.message).toContain(join(root, 'missing'));
    expect(error.message).not.toContain(systemDir);
  });

  it('lists every place tried and how to fix it when no source has the files', async () => {
    const cacheDir = join(root, 'cache');
    const partial = join(root, 'partial');
    await writeDataset(partial, descriptor, dataset);
    await rm(join(partial, 'train-labels.gz'));
    const error = await datasetErrorOf(
      loadIdxDataset(descriptor, { split: 'train', cacheDir, systemDirs: [partial], env: {} }),
    );
    expect(error.code).toBe('E_DATASET_NOT_FOUND');
    expect(error.message).toContain(`cache ${join(cacheDir, 'synthetic')} (does not exist)`);
    expect(error.message).toContain(`system directory ${partial} (no train-labels.gz or train-labels)`);
    expect(error.message).toMatch(/fmnist data download/);
    expect(error.message).toMatch(/--data-dir/);
  });

  it('rejects an unknown split, naming the accepted ones', async () => {
    const error = await datasetErrorOf(loadIdxDataset(descriptor, { split: 'valid' as 'train', env: {} }));
    expect(error.code).toBe('E_DATASET_ARGUMENT');
  });

  it('rejects with the signal reason when aborted', async () => {
    const dir = join(root, 'data');
    await writeDataset(dir, descriptor, dataset);
    const reason = new Error('stop');
    await expect(
      loadIdxDataset(descriptor, { split: 'train', dataDir: dir, env: {}, signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });
});

describe('loadIdxDataset: bad files', () => {
  async function loadWith(name: string, bytes: Uint8Array) {
    const dir = join(root, 'bad');
    await writeDataset(dir, descriptor, dataset);
    await writeFile(join(dir, name), bytes);
    return datasetErrorOf(loadIdxDataset(descriptor, { split: 'train', dataDir: dir, env: {} }));
  }

  it('reports a truncated gzip file by name', async () => {
    const gzip = gzipSync(dataset.train.images);
    const error = await loadWith('train-images.gz', gzip.subarray(0, gzip.length - 10));
    expect(error.code).toBe('E_DATASET_GZIP_TRUNCATED');
    expect(error.file).toBe(join(root, 'bad', 'train-images.gz'));
    expect(error.message).toContain('train-images.gz');
  });

  it('reports corrupt gzip data', async () => {
    const gzip = gzipSync(dataset.train.images);
    gzip.fill(0xff, 10, 20);
    expect((await loadWith('train-images.gz', gzip)).code).toBe('E_DATASET_GZIP_CORRUPT');
  });

  it('reports a checksum mismatch for a well-formed file with other content', async () => {
    const error = await loadWith('train-labels.gz', gzipSync(syntheticFiles(30, { classCount: 3 }).labels));
    expect(error.code).toBe('E_DATASET_CHECKSUM');
    expect(error.file).toBe(join(root, 'bad', 'train-labels.gz'));
  });

  it('reports truncated raw data by its checksum before parsing', async () => {
    const error = await loadWith('train-images.gz', dataset.train.images.subarray(0, 100));
    expect(error.code).toBe('E_DATASET_CHECKSUM');
  });

  it('reports structural errors of files whose checksums are what the descriptor says', async () => {
    // A descriptor that "expects" broken files shows the structural checks behind the checksum.
    const broken = { ...dataset, train: { ...dataset.train, labels: syntheticFiles(29).labels } };
    const brokenDescriptor = syntheticDescriptor(broken);
    const dir = join(root, 'broken');
    await writeDataset(dir, brokenDescriptor, broken);
    const error = await datasetErrorOf(loadIdxDataset(brokenDescriptor, { split: 'train', dataDir: dir, env: {} }));
    expect(error.code).toBe('E_DATASET_COUNT_MISMATCH');
    expect(error.message).toContain(join(dir, 'train-labels.gz'));
  });

  it('stops a gzip bomb in the data directory at the size its header declares, naming the file', async () => {
    const dir = join(root, 'bomb');
    await writeDataset(dir, descriptor, dataset);
    // The header declares the 30 images of 4x3 of the synthetic train split; 64 MiB of zeros follow.
    await writeFile(join(dir, 'train-images.gz'), await gzipBomb([30, 4, 3], 64 * 1024 * 1024));
    const report = await verifyIdxDataset(descriptor, { dataDir: dir, env: {} });
    expect(report.ok).toBe(false);
    expect(report.splits.map((split) => split.ok)).toEqual([false, true]);
    expect(report.splits[0]?.error).toMatchObject({
      code: 'E_DATASET_GZIP_TOO_LARGE',
      file: join(dir, 'train-images.gz'),
    });
    expect(report.splits[0]?.error?.message).toMatch(/train-images\.gz: the gzip data inflates to more than/);
  });

  it('replaces a corrupt cached file by downloading it when downloads are allowed', async () => {
    const cacheDir = join(root, 'cache');
    const cached = join(cacheDir, 'synthetic');
    await writeDataset(cached, descriptor, dataset);
    // A well-formed IDX file, but not the expected one: only its checksum tells.
    await writeFile(join(cached, 'train-images.gz'), gzipSync(encodeIdx([1, 2, 2], new Uint8Array(4))));
    const server = await startServer(serveFiles({ 'train-images.gz': gzipSync(dataset.train.images) }));
    try {
      const options = { split: 'train' as const, cacheDir, env: {}, mirrors: [server.url], retryDelayMs: 1 };
      expect((await datasetErrorOf(loadIdxDataset(descriptor, options))).code).toBe('E_DATASET_CHECKSUM');
      const split = await loadIdxDataset(descriptor, { ...options, download: true });
      expect(split.source).toMatchObject({ kind: 'download', dir: cached });
      expect(server.requests).toEqual(['/train-images.gz']);
      expect((await loadIdxDataset(descriptor, options)).source?.kind).toBe('cache');
    } finally {
      await server.close();
    }
  });
});

describe('verifyIdxDataset', () => {
  it('reports each split with its files and hashes, and the failures without throwing', async () => {
    const dir = join(root, 'data');
    await writeDataset(dir, descriptor, dataset);
    await writeFile(join(dir, 'test-labels.gz'), gzipSync(new Uint8Array(3)));
    const report = await verifyIdxDataset(descriptor, { dataDir: dir, env: {} });
    expect(report.ok).toBe(false);
    const [train, test] = report.splits;
    expect(train).toMatchObject({ split: 'train', ok: true, count: 30 });
    expect(train?.files?.[0]).toEqual({
      role: 'images',
      path: join(dir, 'train-images.gz'),
      sha256: descriptor.files.train.images.sha256,
    });
    expect(test).toMatchObject({ split: 'test', ok: false, error: { code: 'E_DATASET_CHECKSUM' } });
    expect(await readdir(dir)).toHaveLength(4);
  });
});
