import { describe, expect, it } from 'vitest';
import { toSharedArray } from './protocol.js';

describe('toSharedArray', () => {
  it('hands an array that already lies in shared memory to workers as it is, without a copy', () => {
    const shared = new Float32Array(new SharedArrayBuffer(16));
    expect(toSharedArray(shared)).toBe(shared);
  });

  it('copies a plain array (or a view into one) into shared memory', () => {
    const plain = Float32Array.from([1, 2, 3, 4, 5]).subarray(1, 4);
    const copy = toSharedArray(plain);
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(copy)).toEqual([2, 3, 4]);
    const labels = toSharedArray(Uint8Array.from([7, 8]));
    expect(labels).toBeInstanceOf(Uint8Array);
    expect(Array.from(labels)).toEqual([7, 8]);
  });
});
