/**
 * @fmnist/models for Node: everything in the browser entry, plus models saved to and loaded from directories
 * (`saveModel`, `loadModel`, which also takes URLs), training (with worker threads) and the kernel benchmark.
 */
export * from './browser.js';
export { type BenchmarkOptions, type BenchmarkResult, benchmarkReferenceModel } from './kernels/benchmark.js';
export { loadModel, saveModel } from './persistence-node.js';
// The browser entry's predict/evaluate run on the calling thread only; these can also use worker threads.
export { evaluate, predict } from './predict-node.js';
export { train } from './train.js';
