/** The browser loader: fetches a split's files from URLs (mirrors in order) or decodes buffers the caller has. */
import {
  checkSha256,
  checkSplitName,
  type DataSource,
  type DatasetSplit,
  decodeSplit,
  type IdxDatasetDescriptor,
  mirrorUrl,
  type SplitName,
} from '../descriptor.js';
import { DatasetError } from '../errors.js';
import { concatenate } from '../inflate-limit.js';
import { decompressIfGzip, sha256Hex } from './decompress.js';

export interface FetchProgress {
  stage: 'download';
  file: string;
  url: string;
  loadedBytes: number;
  totalBytes: number | undefined;
}

export interface BrowserLoadOptions {
  split: SplitName;
  /**
   * Base URLs tried in order (a file's URL is the base plus its name, e.g. your own copy under `/data/`). Default:
   * the upstream mirrors; only those that send CORS headers work from a web page, so hosting a copy is more reliable.
   */
  mirrors?: readonly string[] | undefined;
  /** Check the SHA-256 of the decompressed content. Default true. */
  verify?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: FetchProgress) => void) | undefined;
}

export interface DecodeOptions {
  /** When given, each file's SHA-256 is checked against this split's expected checksums. */
  split?: SplitName | undefined;
  imagesFile?: string | undefined;
  labelsFile?: string | undefined;
}

function toBytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/**
 * Decodes a split from bytes the caller already has (gzip or raw IDX). With `split`, the content's SHA-256 is
 * checked too. The result's arrays are views over the decompressed bytes.
 */
export async function decodeIdxDataset(
  descriptor: IdxDatasetDescriptor,
  files: { images: Uint8Array | ArrayBuffer; labels: Uint8Array | ArrayBuffer },
  options: DecodeOptions = {},
): Promise<DatasetSplit> {
  const split = options.split === undefined ? undefined : checkSplitName(options.split);
  const imagesFile = options.imagesFile ?? (split ? descriptor.files[split].images.file : 'images');
  const labelsFile = options.labelsFile ?? (split ? descriptor.files[split].labels.file : 'labels');
  const specs = split ? descriptor.files[split] : undefined;
  const [images, labels] = await Promise.all([
    decompressIfGzip(toBytes(files.images), imagesFile, { knownSize: specs?.images.size }),
    decompressIfGzip(toBytes(files.labels), labelsFile, { knownSize: specs?.labels.size }),
  ]);
  if (split) {
    const [imagesSha, labelsSha] = await Promise.all([sha256Hex(images), sha256Hex(labels)]);
    checkSha256(imagesSha, descriptor.files[split].images.sha256, imagesFile);
    checkSha256(labelsSha, descriptor.files[split].labels.sha256, labelsFile);
  }
  const decoded = decodeSplit(images, labels, { imagesFile, labelsFile, classCount: descriptor.classNames.length });
  return { ...decoded, source: { kind: 'buffer' } };
}

async function fetchBytes(url: string, file: string, options: BrowserLoadOptions): Promise<Uint8Array> {
  const response = await fetch(url, options.signal ? { signal: options.signal } : {});
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
  const header = response.headers.get('content-length');
  const totalBytes = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  const chunks: Uint8Array[] = [];
  let loadedBytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loadedBytes += value.length;
    options.onProgress?.({ stage: 'download', file, url, loadedBytes, totalBytes });
  }
  // Content-Length counts encoded bytes; only compare when the body was not content-encoded.
  if (totalBytes !== undefined && !response.headers.get('content-encoding') && loadedBytes !== totalBytes) {
    throw new Error(`connection closed after ${loadedBytes} of ${totalBytes} bytes`);
  }
  return concatenate(chunks, loadedBytes);
}

async function fetchVerified(
  descriptor: IdxDatasetDescriptor,
  split: SplitName,
  role: 'images' | 'labels',
  options: BrowserLoadOptions,
): Promise<{ url: string; bytes: Uint8Array }> {
  const spec = descriptor.files[split][role];
  const failures: string[] = [];
  let lastError: unknown;
  for (const base of options.mirrors ?? descriptor.mirrors) {
    const url = mirrorUrl(base, spec.file);
    try {
      const bytes = await decompressIfGzip(await fetchBytes(url, spec.file, options), url, { knownSize: spec.size });
      if (options.verify !== false) checkSha256(await sha256Hex(bytes), spec.sha256, url);
      return { url, bytes };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      lastError = error;
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new DatasetError(
    'E_DATASET_DOWNLOAD_FAILED',
    `could not fetch ${spec.file} (${failures.join('; ') || 'no mirrors configured'}); host a copy of the files ` +
      'and pass its base URL in `mirrors`',
    { file: spec.file, cause: lastError },
  );
}

/** Fetches and decodes one split from the mirrors (in order), verifying the SHA-256 of each file. */
export async function fetchIdxDataset(
  descriptor: IdxDatasetDescriptor,
  options: BrowserLoadOptions,
): Promise<DatasetSplit> {
  const split = checkSplitName(options.split);
  options.signal?.throwIfAborted();
  const [images, labels] = await Promise.all([
    fetchVerified(descriptor, split, 'images', options),
    fetchVerified(descriptor, split, 'labels', options),
  ]);
  const decoded = decodeSplit(images.bytes, labels.bytes, {
    imagesFile: images.url,
    labelsFile: labels.url,
    classCount: descriptor.classNames.length,
  });
  const base = images.url.slice(0, images.url.lastIndexOf('/') + 1);
  const source: DataSource = { kind: 'url', dir: base, files: { images: images.url, labels: labels.url } };
  return { ...decoded, source };
}
