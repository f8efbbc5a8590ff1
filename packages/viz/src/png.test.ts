import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePng } from './__fixtures__/png.js';
import { VizError } from './errors.js';
import { encodeGrayPngCompressed } from './node.js';
import { crc32, dataUri, encodeGrayPng, toBase64 } from './png.js';

/** The pixels of a decoded grayscale PNG whose scanlines all use filter 0 (as ours do). */
function pixelsOf(png: Uint8Array): { width: number; height: number; pixels: Uint8Array } {
  const decoded = decodePng(png);
  const pixels = new Uint8Array(decoded.width * decoded.height);
  for (let y = 0; y < decoded.height; y++) {
    const row = y * (decoded.width + 1);
    expect(decoded.scanlines[row]).toBe(0);
    pixels.set(decoded.scanlines.subarray(row + 1, row + 1 + decoded.width), y * decoded.width);
  }
  return { width: decoded.width, height: decoded.height, pixels };
}

describe('encodeGrayPng', () => {
  it('writes an 8-bit grayscale PNG whose size, CRCs and inflated length are right', () => {
    const pixels = Uint8Array.from({ length: 28 * 28 }, (_, index) => index % 256);
    const decoded = decodePng(encodeGrayPng(pixels, 28, 28));
    expect([decoded.width, decoded.height, decoded.bitDepth, decoded.colorType]).toEqual([28, 28, 8, 0]);
    expect(decoded.scanlines.length).toBe(28 * (28 + 1));
  });

  it('enlarges by nearest neighbor: every source pixel becomes a scale x scale block', () => {
    const pixels = Uint8Array.from([0, 50, 100, 150, 200, 250]);
    const { width, height, pixels: out } = pixelsOf(encodeGrayPng(pixels, 3, 2, { scale: 4 }));
    expect([width, height]).toEqual([12, 8]);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 12; x++) expect(out[y * 12 + x]).toBe(pixels[Math.floor(y / 4) * 3 + Math.floor(x / 4)]);
    }
  });

  it('round-trips any image through stored and zlib-compressed streams alike', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        (width, height, scale, values) => {
          const pixels = Uint8Array.from(values.take(width * height));
          for (const png of [
            encodeGrayPng(pixels, width, height, { scale }),
            encodeGrayPngCompressed(pixels, width, height, { scale }),
          ]) {
            const decoded = pixelsOf(png);
            expect([decoded.width, decoded.height]).toEqual([width * scale, height * scale]);
            expect(decoded.pixels[0]).toBe(pixels[0]);
            expect(decoded.pixels.at(-1)).toBe(pixels.at(-1));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('splits data larger than one stored block (65,535 bytes) into several blocks', () => {
    const pixels = new Uint8Array(300 * 300).fill(7);
    const { pixels: out } = pixelsOf(encodeGrayPng(pixels, 300, 300));
    expect(Buffer.from(out).equals(Buffer.from(pixels))).toBe(true);
  });

  it('uses the given compressor', () => {
    const pixels = new Uint8Array(64 * 64);
    const compressed = encodeGrayPng(pixels, 64, 64, { deflate: (data) => deflateSync(data) });
    expect(compressed.length).toBeLessThan(encodeGrayPng(pixels, 64, 64).length / 10);
  });

  it('rejects a pixel count that does not match the size, and bad scales, with E_VIZ_INVALID_OPTION', () => {
    expect(() => encodeGrayPng(new Uint8Array(10), 28, 28)).toThrow(/got 10 pixels for a 28x28 image/);
    for (const scale of [0, 1.5, 65]) {
      try {
        encodeGrayPng(new Uint8Array(4), 2, 2, { scale });
        expect.unreachable();
      } catch (error) {
        expect(VizError.isInstance(error) && error.code).toBe('E_VIZ_INVALID_OPTION');
      }
    }
  });
});

describe('crc32 and base64', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('toBase64 equals Node Buffer base64 for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
      { numRuns: 30 },
    );
    expect(dataUri('image/png', Uint8Array.of(1, 2, 3))).toBe('data:image/png;base64,AQID');
  });
});
