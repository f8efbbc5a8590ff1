import { describe, expect, it } from 'vitest';
import { createRandom, mixSeeds, shuffleInPlace } from './random.js';

describe('createRandom (mulberry32)', () => {
  it('gives the reference mulberry32 sequence for seed 0', () => {
    const random = createRandom(0);
    // mulberry32(0)'s first three 32-bit outputs, from an independent Python version of the algorithm.
    expect([random(), random(), random()].map((x) => Math.round(x * 4294967296))).toEqual([
      1144304738, 1416247, 958946056,
    ]);
  });

  it('repeats for one seed, differs across seeds, stays in [0, 1) and takes seeds modulo 2^32', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const d = createRandom(7 + 2 ** 32);
    const drawsA = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(drawsA);
    expect(Array.from({ length: 1000 }, () => d())).toEqual(drawsA);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(drawsA);
    expect(drawsA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('shuffleInPlace is a seeded permutation', () => {
    const values = Uint32Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffleInPlace(values.slice(), createRandom(3));
    expect(Array.from(shuffled).sort((x, y) => x - y)).toEqual(Array.from(values));
    expect(shuffled).not.toEqual(values);
    expect(shuffleInPlace(values.slice(), createRandom(3))).toEqual(shuffled);
  });

  it('mixSeeds depends on every value and their order', () => {
    expect(mixSeeds(1, 2, 3)).toBe(mixSeeds(1, 2, 3));
    expect(mixSeeds(1, 2, 3)).not.toBe(mixSeeds(3, 2, 1));
    expect(mixSeeds(1, 2, 3)).not.toBe(mixSeeds(1, 2, 4));
    expect(Number.isInteger(mixSeeds(5)) && mixSeeds(5) >= 0 && mixSeeds(5) < 2 ** 32).toBe(true);
  });
});
