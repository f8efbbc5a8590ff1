/** Test helpers: small synthetic IDX datasets, a descriptor with their real checksums, and a local HTTP server. */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import type { IdxDatasetDescriptor, SplitName } from '../descriptor.js';
import { DatasetError } from '../errors.js';
import { encodeIdx } from '../idx.js';

export interface SyntheticFiles {
  /** Uncompressed IDX bytes. */
  images: Uint8Array;
  labels: Uint8Array;
  /** The pixels and labels encoded in them. */
  pixels: Uint8Array;
  labelValues: Uint8Array;
}

/** `count` images of `rows x cols` with pixel values depending on index and position, labels cycling 0..classes-1. */
export function syntheticFiles(count: number, options: { rows?: number; cols?: number; classCount?: number } = {}) {
  const { rows = 4, cols = 3, classCount = 10 } = options;
  const pixels = new Uint8Array(count * rows * cols);
  for (let index = 0; index < pixels.length; index++) pixels[index] = (index * 31 + 7) % 256;
  const labelValues = new Uint8Array(count);
  for (let index = 0; index < count; index++) labelValues[index] = index % classCount;
  return {
    images: encodeIdx([count, rows, cols], pixels),
    labels: encodeIdx([count], labelValues),
    pixels,
    labelValues,
  } satisfies SyntheticFiles;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type SyntheticDataset = Record<SplitName, SyntheticFiles>;

export function syntheticDataset(): SyntheticDataset {
  return { train: syntheticFiles(30), test: syntheticFiles(10) };
}

/** A descriptor for a synthetic dataset, with the checksums of its files and no system directories or mirrors. */
export function syntheticDescriptor(dataset: SyntheticDataset, mirrors: readonly string[] = []): IdxDatasetDescriptor {
  const spec = (file: string, bytes: Uint8Array) => ({ file, sha256: sha256(bytes), size: bytes.length });
  return {
    name: 'synthetic',
    title: 'Synthetic',
    files: {
      train: {
        images: spec('train-images.gz', dataset.train.images),
        labels: spec('train-labels.gz', dataset.train.labels),
      },
      test: {
        images: spec('test-images.gz', dataset.test.images),
        labels: spec('test-labels.gz', dataset.test.labels),
      },
    },
    mirrors,
    classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
    systemDirs: [],
  };
}

/**
 * A gzip file whose content starts with an IDX header of unsigned bytes declaring `dimensions`, followed by
 * `dataBytes` zero bytes: more than the dimensions declare makes a decompression bomb (level 9 squeezes 1 MiB of
 * zeros into about 1 KiB). Compressed as a stream, so the inflated content is never held in memory.
 */
export async function gzipBomb(dimensions: readonly number[], dataBytes: number): Promise<Uint8Array> {
  const header = new Uint8Array(4 + 4 * dimensions.length);
  const view = new DataView(header.buffer);
  view.setUint8(2, 0x08);
  view.setUint8(3, dimensions.length);
  for (const [index, size] of dimensions.entries()) view.setUint32(4 + 4 * index, size);
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  gzip.write(header);
  const zeros = new Uint8Array(1024 * 1024);
  for (let written = 0; written < dataBytes; written += zeros.length) {
    const chunk = zeros.subarray(0, Math.min(zeros.length, dataBytes - written));
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

/** Writes the dataset's files into `dir`, gzip-compressed under the descriptor's names or raw without `.gz`. */
export async function writeDataset(
  dir: string,
  descriptor: IdxDatasetDescriptor,
  dataset: SyntheticDataset,
  options: { gzip?: boolean; splits?: SplitName[] } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const split of options.splits ?? (['train', 'test'] as const)) {
    for (const role of ['images', 'labels'] as const) {
      const name = descriptor.files[split][role].file;
      const bytes = dataset[split][role];
      if (options.gzip === false) await writeFile(join(dir, name.replace(/\.gz$/, '')), bytes);
      else await writeFile(join(dir, name), gzipSync(bytes));
    }
  }
}

export interface TestServer {
  /** Base URL with a trailing slash, on 127.0.0.1. */
  url: string;
  /** Request paths received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering with `handler`; every request path is recorded. */
export async function startServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler serving `files` (name to bytes) under any path prefix; 404 for other names. */
export function serveFiles(files: Record<string, Uint8Array>) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const name = (request.url ?? '').split('/').pop() ?? '';
    const body = files[name];
    if (!body) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    response.end(body);
  };
}

/** The DatasetError a promise rejects with; fails the test when it resolves or rejects with something else. */
export async function datasetErrorOf(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (error) {
    if (DatasetError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DatasetError, the promise resolved');
}
