/** The one seeded pseudo-random generator of the project: splits, shuffles, augmentation and dropout seeds. */

/**
 * mulberry32: a small, fast 32-bit generator. Returns a function giving numbers in [0, 1); the same seed gives the
 * same sequence on every thread and platform. Seeds are taken modulo 2^32 (non-finite seeds count as 0).
 */
export function createRandom(seed: number): () => number {
  let state = Math.trunc(Number.isFinite(seed) ? seed : 0) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place, drawing from `random`; returns the same array. */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(
  array: T,
  random: () => number,
): T {
  for (let index = array.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    const value = array[index] as number;
    array[index] = array[other] as number;
    array[other] = value;
  }
  return array;
}

/** Mixes several integers into one 32-bit value (seeds that depend on the run seed, the epoch, the image...). */
export function mixSeeds(...values: number[]): number {
  let hash = 0x811c9dc5;
  for (const value of values) {
    hash = Math.imul(hash ^ (value >>> 0), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ (hash >>> 13), 0x5bd1e995) >>> 0;
    hash ^= hash >>> 15;
  }
  return hash >>> 0;
}
