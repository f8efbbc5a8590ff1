import { describe, expect, it } from 'vitest';
import { computeNormalization, normalizeImages } from './preprocess.js';

describe('computeNormalization', () => {
  it('gives the mean and population standard deviation of pixels scaled to [0, 1]', () => {
    const pixels = new Uint8Array([0, 255, 51, 102]);
    const scaled = Array.from(pixels, (value) => value / 255);
    const mean = scaled.reduce((sum, value) => sum + value, 0) / scaled.length;
    const variance = scaled.reduce((sum, value) => sum + (value - mean) ** 2, 0) / scaled.length;
    const result = computeNormalization(pixels);
    expect(result.mean).toBeCloseTo(mean, 12);
    expect(result.std).toBeCloseTo(Math.sqrt(variance), 12);
  });

  it('rejects an empty array', () => {
    expect(() => computeNormalization(new Uint8Array(0))).toThrow(/empty/);
  });
});

describe('normalizeImages', () => {
  it('scales bytes to [0, 1] without a normalization', () => {
    expect(Array.from(normalizeImages(new Uint8Array([0, 51, 255])))).toEqual([0, Math.fround(0.2), 1]);
  });

  it('standardizes with the given mean and std', () => {
    const output = normalizeImages(new Uint8Array([0, 255]), { mean: 0.5, std: 0.25 });
    expect(output).toBeInstanceOf(Float32Array);
    expect(Array.from(output)).toEqual([-2, 2]);
  });

  it('gives mean 0 and std 1 when standardized with its own statistics', () => {
    const pixels = Uint8Array.from({ length: 1000 }, (_, index) => (index * 37) % 256);
    const output = normalizeImages(pixels, computeNormalization(pixels));
    const mean = output.reduce((sum, value) => sum + value, 0) / output.length;
    const variance = output.reduce((sum, value) => sum + (value - mean) ** 2, 0) / output.length;
    expect(mean).toBeCloseTo(0, 5);
    expect(Math.sqrt(variance)).toBeCloseTo(1, 5);
  });

  it('rejects a zero or non-finite std', () => {
    expect(() => normalizeImages(new Uint8Array(1), { mean: 0, std: 0 })).toThrow(/positive std/);
    expect(() => normalizeImages(new Uint8Array(1), { mean: Number.NaN, std: 1 })).toThrow(/finite mean/);
  });
});

describe('normalizeImages into shared memory', () => {
  it('puts the same values in a SharedArrayBuffer when asked', () => {
    const images = Uint8Array.from([0, 51, 255, 128]);
    const normalization = { mean: 0.25, std: 0.5 };
    const plain = normalizeImages(images, normalization);
    const shared = normalizeImages(images, normalization, { shared: true });
    expect(plain.buffer).toBeInstanceOf(ArrayBuffer);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared)).toEqual(Array.from(plain));
  });
});
