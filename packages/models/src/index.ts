/**
 * @fmnist/models for Node: everything in the browser entry, plus models saved to and loaded from directories
 * (`saveModel`, `loadModel`, which also takes URLs), training (with worker threads) and the kernel benchmark.
 */
export * from './browser.js';
export { type BenchmarkOptions, type BenchmarkResult, benchmarkReferenceModel } from './kernels/benchmark.js';
export { loadModel, saveModel } from './persistence-node.js';
export { train } from './train.js';
