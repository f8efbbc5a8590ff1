import { describe, expect, it } from 'vitest';
import { countOf } from './format.js';

describe('countOf', () => {
  it('puts the noun in the number the count asks for', () => {
    expect(countOf(1, 'image')).toBe('1 image');
    expect(countOf(0, 'image')).toBe('0 images');
    expect(countOf(12_345, 'test image')).toBe('12,345 test images');
  });
});
