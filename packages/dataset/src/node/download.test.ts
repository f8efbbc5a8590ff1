import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  datasetErrorOf,
  serveFiles,
  startServer,
  syntheticDataset,
  syntheticDescriptor,
  type TestServer,
} from '../__fixtures__/synthetic.js';
import { FASHION_MNIST_FILES, FASHION_MNIST_MIRRORS } from '../fashion-mnist.js';
import { downloadFashionMnist, loadFashionMnist } from './fashion-mnist.js';
import { downloadIdxDataset, loadIdxDataset } from './load.js';

const dataset = syntheticDataset();
const descriptor = syntheticDescriptor(dataset);
const goodFiles: Record<string, Uint8Array> = {
  'train-images.gz': gzipSync(dataset.train.images),
  'train-labels.gz': gzipSync(dataset.train.labels),
  'test-images.gz': gzipSync(dataset.test.images),
  'test-labels.gz': gzipSync(dataset.test.labels),
};
const fast = { retryDelayMs: 1, env: {} };

let root: string;
let cacheDir: string;
const servers: TestServer[] = [];

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

/** Answers with the headers of the whole file, sends half of it, then drops the connection. */
function dropMidway(files: Record<string, Uint8Array>) {
  return serveFilesWith(files, (body, response) => {
    response.writeHead(200, { 'content-length': body.length });
    response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy());
  });
}

function serveFilesWith(
  files: Record<string, Uint8Array>,
  send: (body: Uint8Array, response: import('node:http').ServerResponse) => void,
) {
  return (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
    const body = files[(request.url ?? '').split('/').pop() ?? ''];
    if (body) send(body, response);
    else response.writeHead(404).end();
  };
}

/** Every file in the dataset's cache directory, hidden temporary files included. */
async function cacheContents(): Promise<string[]> {
  const dir = join(cacheDir, 'synthetic');
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-download-'));
  cacheDir = join(root, 'cache');
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await Promise.all(servers.splice(0).map((started) => started.close()));
  await rm(root, { recursive: true, force: true });
});

describe('downloading from mirrors on 127.0.0.1', () => {
  it('downloads good files into the cache, verified, then finds them there', async () => {
    const mirror = await server(serveFiles(goodFiles));
    const progress: number[] = [];
    const result = await downloadIdxDataset(descriptor, {
      ...fast,
      cacheDir,
      mirrors: [mirror.url],
      onProgress: (event) => progress.push(event.loadedBytes),
    });
    expect(result.dir).toBe(join(cacheDir, 'synthetic'));
    expect(result.files.map((file) => file.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    expect(result.files[0]?.url).toBe(`${mirror.url}train-images.gz`);
    expect(progress.length).toBeGreaterThan(0);
    expect(await cacheContents()).toEqual(['test-images.gz', 'test-labels.gz', 'train-images.gz', 'train-labels.gz']);
    expect(await readFile(join(result.dir, 'train-labels.gz'))).toEqual(
      Buffer.from(goodFiles['train-labels.gz'] ?? []),
    );

    const again = await downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [mirror.url] });
    expect(again.files.map((file) => file.status)).toEqual(['present', 'present', 'present', 'present']);
    expect(mirror.requests).toHaveLength(4);
    const split = await loadIdxDataset(descriptor, { ...fast, split: 'test', cacheDir, download: true });
    expect(split.source?.kind).toBe('cache');
  });

  it('loads with download: true and reports the download as the source', async () => {
    const mirror = await server(serveFiles(goodFiles));
    const split = await loadIdxDataset(descriptor, {
      ...fast,
      split: 'train',
      cacheDir,
      download: true,
      env: { FMNIST_MIRRORS: mirror.url },
    });
    expect(split.count).toBe(30);
    expect(split.source).toMatchObject({ kind: 'download', dir: join(cacheDir, 'synthetic') });
    expect(await cacheContents()).toEqual(['train-images.gz', 'train-labels.gz']);
  });

  it('moves to the second mirror after a 404 on the first, and does not retry the 404', async () => {
    const missing = await server(serveFiles({}));
    const good = await server(serveFiles(goodFiles));
    await downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [missing.url, good.url], splits: ['test'] });
    expect(missing.requests).toEqual(['/test-images.gz', '/test-labels.gz']);
    expect(good.requests).toEqual(['/test-images.gz', '/test-labels.gz']);
    expect(await cacheContents()).toEqual(['test-images.gz', 'test-labels.gz']);
  });

  it('leaves nothing in the cache when every attempt is cut off midway, and says so', async () => {
    const mirror = await server(dropMidway(goodFiles));
    const error = await datasetErrorOf(
      downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [mirror.url], retries: 1, splits: ['train'] }),
    );
    expect(error.code).toBe('E_DATASET_DOWNLOAD_FAILED');
    expect(error.message).toContain('train-images.gz (2 attempts');
    expect(mirror.requests).toEqual(['/train-images.gz', '/train-images.gz']);
    expect(await cacheContents()).toEqual([]);
  });

  it('retries after a connection dropped midway and keeps only the verified file', async () => {
    let requests = 0;
    const flaky = await server((request, response) => {
      requests++;
      if (requests === 1) dropMidway(goodFiles)(request, response);
      else serveFiles(goodFiles)(request, response);
    });
    const result = await downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [flaky.url], splits: ['train'] });
    expect(result.files.map((file) => file.status)).toEqual(['downloaded', 'downloaded']);
    expect(flaky.requests).toEqual(['/train-images.gz', '/train-images.gz', '/train-labels.gz']);
    expect(await cacheContents()).toEqual(['train-images.gz', 'train-labels.gz']);
  });

  it('rejects wrong bytes by checksum, tries the next mirror, and never keeps them', async () => {
    const wrong = { ...goodFiles, 'train-labels.gz': gzipSync(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 3])) };
    const bad = await server(serveFiles(wrong));
    const onlyBad = await datasetErrorOf(
      downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [bad.url], retries: 0, splits: ['train'] }),
    );
    expect(onlyBad.code).toBe('E_DATASET_DOWNLOAD_FAILED');
    expect(onlyBad.message).toMatch(/train-labels.gz: SHA-256 of the decompressed content is [0-9a-f]{64}, expected/);
    expect(await cacheContents()).toEqual(['train-images.gz']);

    const good = await server(serveFiles(goodFiles));
    await downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [bad.url, good.url], splits: ['train'] });
    expect(await cacheContents()).toEqual(['train-images.gz', 'train-labels.gz']);
    expect(good.requests).toEqual(['/train-labels.gz']);
  });

  it('gives up on a mirror that stops sending data', async () => {
    const stalled = await server(
      serveFilesWith(goodFiles, (body, response) => {
        response.writeHead(200, { 'content-length': body.length });
        response.write(body.subarray(0, 10));
      }),
    );
    const error = await datasetErrorOf(
      downloadIdxDataset(descriptor, {
        ...fast,
        cacheDir,
        mirrors: [stalled.url],
        retries: 0,
        idleTimeoutMs: 200,
        splits: ['test'],
      }),
    );
    expect(error.message).toMatch(/no data received for 200 ms/);
    expect(await cacheContents()).toEqual([]);
  });

  it('stops when the signal aborts mid-download, leaving no temporary file', async () => {
    const controller = new AbortController();
    const stalled = await server(
      serveFilesWith(goodFiles, (body, response) => {
        response.writeHead(200, { 'content-length': body.length });
        response.write(body.subarray(0, 10), () => controller.abort(new Error('user stop')));
      }),
    );
    await expect(
      downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [stalled.url], signal: controller.signal }),
    ).rejects.toThrow('user stop');
    expect(await cacheContents()).toEqual([]);
  });

  it('removes temporary files left by a killed download, but not those of running processes', async () => {
    const dir = join(cacheDir, 'synthetic');
    await mkdir(dir, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const stale = `.train-images.gz.download-${deadPid}-0badcafe`;
    const live = `.train-images.gz.download-${process.ppid}-00c0ffee`;
    await writeFile(join(dir, stale), 'partial');
    await writeFile(join(dir, live), 'in progress');
    const mirror = await server(serveFiles(goodFiles));
    await downloadIdxDataset(descriptor, { ...fast, cacheDir, mirrors: [mirror.url], splits: ['test'] });
    expect(await cacheContents()).toEqual([live, 'test-images.gz', 'test-labels.gz']);
  });

  it('downloads the real FashionMNIST files through FMNIST_MIRRORS and loads them', async () => {
    const systemDir = '/usr/share/datasets/fashion-mnist';
    const files: Record<string, Uint8Array> = {};
    for (const split of ['train', 'test'] as const) {
      for (const role of ['images', 'labels'] as const) {
        const name = FASHION_MNIST_FILES[split][role].file;
        files[name] = await readFile(join(systemDir, name));
      }
    }
    const mirror = await server(serveFiles(files));
    const env = { FMNIST_MIRRORS: `${mirror.url}missing/, ${mirror.url}fashion/`, FMNIST_CACHE_DIR: cacheDir };
    const test = await loadFashionMnist({ split: 'test', download: true, systemDirs: [], env, retryDelayMs: 1 });
    expect(test.count).toBe(10_000);
    expect(test.source).toMatchObject({ kind: 'download', dir: join(cacheDir, 'fashion-mnist') });
    const result = await downloadFashionMnist({ systemDirs: [], env, retryDelayMs: 1 });
    expect(result.files.map((file) => `${file.split} ${file.role} ${file.status}`)).toEqual([
      'train images downloaded',
      'train labels downloaded',
      'test images present',
      'test labels present',
    ]);
    expect((await readdir(join(cacheDir, 'fashion-mnist'))).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
  });
});

describe('the default mirrors', () => {
  it('lists HTTPS mirrors first and never an https:// S3 website endpoint (those serve plain HTTP only)', () => {
    const schemes = FASHION_MNIST_MIRRORS.map((mirror) => new URL(mirror).protocol);
    expect(schemes).toEqual([...schemes].sort((a, b) => Number(a !== 'https:') - Number(b !== 'https:')));
    expect(schemes[0]).toBe('https:');
    for (const mirror of FASHION_MNIST_MIRRORS) {
      if (new URL(mirror).hostname.includes('.s3-website')) expect(mirror).toMatch(/^http:\/\//);
    }
  });

  it('tries the default mirrors in order when neither the option nor FMNIST_MIRRORS replaces them', async () => {
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requested.push(url);
      return new Response('unavailable', { status: 503 });
    });
    const error = await datasetErrorOf(
      downloadFashionMnist({ cacheDir, env: {}, systemDirs: [], retries: 0, splits: ['test'] }),
    );
    expect(error.code).toBe('E_DATASET_DOWNLOAD_FAILED');
    expect(requested).toEqual(FASHION_MNIST_MIRRORS.map((mirror) => `${mirror}t10k-images-idx3-ubyte.gz`));
  });

  it('falls through to the next default mirror when the first cannot be reached', async () => {
    const mirrorsDescriptor = syntheticDescriptor(dataset, FASHION_MNIST_MIRRORS);
    const [first, second] = FASHION_MNIST_MIRRORS as [string, string];
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requested.push(url);
      if (url.startsWith(first)) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
      const body = goodFiles[url.slice(second.length)];
      return body ? new Response(body as Uint8Array<ArrayBuffer>) : new Response('not found', { status: 404 });
    });
    const result = await downloadIdxDataset(mirrorsDescriptor, { ...fast, cacheDir, splits: ['test'] });
    expect(requested).toEqual([
      `${first}test-images.gz`,
      `${second}test-images.gz`,
      `${first}test-labels.gz`,
      `${second}test-labels.gz`,
    ]);
    expect(result.files.map((file) => file.url)).toEqual([`${second}test-images.gz`, `${second}test-labels.gz`]);
    expect(await cacheContents()).toEqual(['test-images.gz', 'test-labels.gz']);
  });
});
