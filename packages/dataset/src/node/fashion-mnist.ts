/** FashionMNIST bound to the generic Node loader. */
import type { DatasetSplit } from '../descriptor.js';
import { FASHION_MNIST } from '../fashion-mnist.js';
import {
  type DownloadOptions,
  type DownloadResult,
  downloadIdxDataset,
  type LoadOptions,
  loadIdxDataset,
  type SourceOptions,
  type VerifyReport,
  verifyIdxDataset,
} from './load.js';

/**
 * Loads a FashionMNIST split (`count * 28 * 28` image bytes and `count` labels, views over the decompressed files).
 * Sources, in order: `dataDir`; else FMNIST_DATA_DIR; else the cache, then /usr/share/datasets/fashion-mnist
 * (Debian's dataset-fashion-mnist), then, with `download: true`, the mirrors. `source` says which one served it.
 */
export function loadFashionMnist(options: LoadOptions): Promise<DatasetSplit> {
  return loadIdxDataset(FASHION_MNIST, options);
}

/** Downloads the FashionMNIST files that are missing or corrupt into `dataDir`, FMNIST_DATA_DIR or the cache. */
export function downloadFashionMnist(options: DownloadOptions = {}): Promise<DownloadResult> {
  return downloadIdxDataset(FASHION_MNIST, options);
}

/** Checks both splits' files where loading would find them (no download); a report per split, never throws on bad data. */
export function verifyFashionMnist(
  options: SourceOptions & { signal?: AbortSignal | undefined } = {},
): Promise<VerifyReport> {
  return verifyIdxDataset(FASHION_MNIST, options);
}
