/**
 * Everything that works the same in Node and browsers: parsing, checksums, class names, preprocessing, splits and
 * subsets, batches, and turning photos into FashionMNIST-like images.
 */
export * from './batches.js';
export * from './descriptor.js';
export * from './errors.js';
export * from './fashion-mnist.js';
export * from './idx.js';
export * from './image.js';
export * from './prepare.js';
export * from './preprocess.js';
export * from './random.js';
export * from './split.js';
