/**
 * @fmnist/dataset for Node: everything in the core (parsing, preprocessing, batches) plus finding, downloading,
 * verifying and caching the files. Browsers get `./browser.ts` through the `browser` export condition.
 */
export * from './core.js';
export type { DownloadProgress } from './node/download.js';
export { defaultCacheDir, ENVIRONMENT_VARIABLES, type Environment } from './node/environment.js';
export { downloadFashionMnist, loadFashionMnist, verifyFashionMnist } from './node/fashion-mnist.js';
export {
  type DownloadBehavior,
  type DownloadedFile,
  type DownloadOptions,
  type DownloadResult,
  downloadIdxDataset,
  type LoadOptions,
  type LoadProgress,
  loadIdxDataset,
  type ReadProgress,
  type SourceOptions,
  type VerifiedSplitReport,
  type VerifyReport,
  verifyIdxDataset,
} from './node/load.js';
export { type LoadPreparedOptions, loadPreparedFashionMnist } from './node/prepare.js';
export * from './transforms.js';
