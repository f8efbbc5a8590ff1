/** Shared internals of the @fmnist packages, for Node and browsers. Private: bundled into each published package. */
export { FmnistError, type FmnistErrorOptions } from './errors.js';
export { createRandom, mixSeeds, shuffleInPlace } from './random.js';
export { isNode } from './runtime.js';
export { sha256Hex } from './sha256.js';
export { type ImageView, type TestTimeAugmentation, testTimeViews } from './views.js';
