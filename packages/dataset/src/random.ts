/**
 * The seeded pseudo-random generator behind splits and shuffles (mulberry32, shared by every @fmnist package),
 * exported so other code draws the same way.
 */
export { createRandom, shuffleInPlace } from '@fmnist/internal';
