/**
 * @fmnist/models for Node: everything in the browser entry, the same functions, plus `saveModel`, `train` (with
 * worker threads) and the reference benchmark. Loading this entry lends two Node abilities to the shared functions:
 * `loadModel` and `createClassifier` read model folders, and `predict` and `evaluate` can share batches with worker
 * threads.
 */

import { provideModelFolders } from './persistence.js';
import { openModelFolder } from './persistence-node.js';
import { provideParallelInference } from './predict.js';

provideModelFolders(openModelFolder);
provideParallelInference(() => import('./parallel/inference.js'));

export { type BenchmarkOptions, type BenchmarkResult, benchmarkReferenceModel } from './benchmark.js';
export * from './browser.js';
export { saveModel } from './persistence-node.js';
export { train } from './train.js';
