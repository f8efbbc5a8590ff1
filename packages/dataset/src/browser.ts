/**
 * @fmnist/dataset for browsers: the core plus loading from URLs or from buffers, with DecompressionStream and Web
 * Crypto. Nothing here imports a Node module.
 */

import { type BrowserLoadOptions, type DecodeOptions, decodeIdxDataset, fetchIdxDataset } from './browser/load.js';
import type { DatasetSplit, SplitName } from './descriptor.js';
import { FASHION_MNIST } from './fashion-mnist.js';

export {
  type BrowserLoadOptions,
  type DecodeOptions,
  decodeIdxDataset,
  type FetchProgress,
  fetchIdxDataset,
} from './browser/load.js';
export * from './core.js';
export * from './transforms.js';

/** Fetches a FashionMNIST split from `mirrors` (default: upstream), verified, as views over the decompressed bytes. */
export function loadFashionMnist(options: BrowserLoadOptions): Promise<DatasetSplit> {
  return fetchIdxDataset(FASHION_MNIST, options);
}

/** Decodes FashionMNIST files the caller already has (gzip or raw); with `split`, checks their SHA-256 too. */
export function decodeFashionMnist(
  files: { images: Uint8Array | ArrayBuffer; labels: Uint8Array | ArrayBuffer },
  options: DecodeOptions & { split?: SplitName | undefined } = {},
): Promise<DatasetSplit> {
  return decodeIdxDataset(FASHION_MNIST, files, options);
}
