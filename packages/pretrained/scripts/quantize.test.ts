import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWeights, MIN_QUANTIZED_VALUES, toFloat16Bits, uint8Quantize } from './quantize.js';

/** Decodes with tfjs-core's own loader, as loading a model does. */
function decode(specs: tf.io.WeightsManifestEntry[], data: Uint8Array): Record<string, Float32Array> {
  const tensors = tf.io.decodeWeights(data.slice().buffer, specs);
  const values = Object.fromEntries(
    Object.entries(tensors).map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]),
  );
  tf.dispose(Object.values(tensors));
  return values;
}

const bytesOf = (values: Float32Array) => new Uint8Array(values.buffer.slice(0));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('toFloat16Bits', () => {
  it('gives back the bits of every finite half-precision value that tfjs decodes', () => {
    const patterns = Uint16Array.from({ length: 0x10000 }, (_, bits) => bits).filter(
      (bits) => (bits & 0x7c00) !== 0x7c00,
    );
    const spec = {
      name: 'all',
      shape: [patterns.length],
      dtype: 'float32' as const,
      quantization: { dtype: 'float16' as const },
    };
    const decoded = decode([spec], new Uint8Array(patterns.buffer)).all!;
    const again = Uint16Array.from(decoded, toFloat16Bits);
    // -0 and +0 both decode to a zero; everything else must round-trip exactly.
    const mismatches = Array.from(patterns).filter((bits, i) => again[i] !== bits && (bits & 0x7fff) !== 0);
    expect(mismatches).toEqual([]);
  });

  it('rounds any float in the half range to within half a unit in the last place (2^-11 relative)', () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (value) => {
        const spec = { name: 'x', shape: [1], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } };
        const decoded = decode([spec], new Uint8Array(Uint16Array.of(toFloat16Bits(value)).buffer)).x![0]!;
        // Subnormal halves have a fixed step of 2^-24.
        expect(Math.abs(decoded - value)).toBeLessThanOrEqual(Math.max(Math.abs(value) * 2 ** -11, 2 ** -25));
      }),
    );
  });

  it('turns overflow into infinity and keeps the sign', () => {
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(-1e6)).toBe(0xfc00);
    expect(toFloat16Bits(-1)).toBe(0xbc00);
    expect(toFloat16Bits(1e-10)).toBe(0);
  });
});

describe('uint8Quantize', () => {
  it('keeps every value within half a step, and zero exact', () => {
    fc.assert(
      fc.property(
        fc.float32Array({ minLength: 1, maxLength: 200, noNaN: true, noDefaultInfinity: true, min: -50, max: 50 }),
        (raw) => {
          const values = Float32Array.from([...raw, 0]);
          const { scale, min, quantized } = uint8Quantize(values);
          values.forEach((value, i) => {
            expect(Math.abs((quantized[i] as number) * scale + min - value)).toBeLessThanOrEqual(
              scale / 2 + 1e-6 * scale,
            );
          });
          expect(quantized[values.length - 1]! * scale + min).toBe(0);
        },
      ),
    );
  });
});

describe('encodeWeights', () => {
  const big = Float32Array.from({ length: MIN_QUANTIZED_VALUES * 2 }, (_, i) => Math.sin(i) * 0.3);
  const small = Float32Array.from({ length: 10 }, (_, i) => i / 7 - 0.5);
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: 'kernel', shape: [64, 32], dtype: 'float32' },
    { name: 'bias', shape: [10], dtype: 'float32' },
  ];
  const data = new Uint8Array([...bytesOf(big), ...bytesOf(small)]);

  it('stores large tensors in uint8 or float16 that tfjs decodes close to the originals, small ones as they are', () => {
    for (const [encoding, bytesPerValue, tolerance] of [
      ['uint8', 1, 0.6 / 255 / 2],
      ['float16', 2, 0.3 * 2 ** -11],
    ] as const) {
      const encoded = encodeWeights(specs, data, encoding);
      expect(encoded.data.length).toBe(big.length * bytesPerValue + small.length * 4);
      expect(encoded.specs[0]?.quantization?.dtype).toBe(encoding);
      expect(encoded.specs[1]?.quantization).toBeUndefined();
      const decoded = decode(encoded.specs, encoded.data);
      expect(Array.from(decoded.bias!)).toEqual(Array.from(small));
      const worst = Math.max(...Array.from(big, (value, i) => Math.abs(decoded.kernel![i]! - value)));
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(tolerance);
    }
  });

  it('leaves float32 unchanged and refuses weights that do not match the manifest', () => {
    expect(encodeWeights(specs, data, 'float32').data).toEqual(data);
    expect(() => encodeWeights(specs, data.subarray(4), 'uint8')).toThrow(/describes/);
  });
});
