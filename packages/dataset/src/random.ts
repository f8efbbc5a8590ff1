/** The seeded pseudo-random generator behind splits and shuffles, exported so other packages draw the same way. */

/**
 * mulberry32: a small, fast 32-bit generator. Returns a function giving numbers in [0, 1); the same seed always gives
 * the same sequence. Seeds are taken modulo 2^32.
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
