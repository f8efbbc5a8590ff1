/**
 * Stores float32 weights in fewer bytes with the quantization of the tfjs weights manifest, which tfjs-core's loader
 * decodes by itself: `{ dtype: 'float16' }` (half precision) or `{ dtype: 'uint8', scale, min }` (value = q * scale +
 * min, one scale per tensor). Only tensors of at least MIN_QUANTIZED_VALUES values are quantized.
 */
import type { io } from '@tensorflow/tfjs-core';

export type Encoding = 'float32' | 'float16' | 'uint8';

/**
 * Smaller tensors (biases, batch-norm scales and statistics) stay float32: they hold under 1% of the bytes, and one
 * scale per tensor suits them worst.
 */
export const MIN_QUANTIZED_VALUES = 1024;

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/** The IEEE half-precision bits nearest to `value` (ties to even), as tfjs' float16 decoder reads them. */
export function toFloat16Bits(value: number): number {
  float32[0] = value;
  const bits = float32Bits[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  // Round the bits shifted out to nearest, ties to even; a carry into the exponent is the correct result.
  const round = (significand: number, shift: number) => {
    let result = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rest > half || (rest === half && (result & 1) === 1)) result++;
    return result;
  };
  if (halfExponent <= 0) {
    // Subnormal half: (1.mantissa) * 2^(exponent - 127) = m * 2^-24 with m = significand >> (14 - halfExponent).
    if (halfExponent < -10) return sign;
    return sign | round(mantissa | 0x800000, 14 - halfExponent);
  }
  return sign | round((halfExponent << 23) | mantissa, 13);
}

/** One scale and minimum for `values`, with zero exactly representable (as tfjs' converter does). */
export function uint8Quantize(values: Float32Array): { scale: number; min: number; quantized: Uint8Array } {
  let low = 0;
  let high = 0;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  const scale = high > low ? (high - low) / 255 : 1;
  const zero = Math.round(-low / scale);
  const min = -zero * scale;
  const quantized = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    quantized[i] = Math.min(255, Math.max(0, Math.round(((values[i] as number) - min) / scale)));
  }
  return { scale, min, quantized };
}

/**
 * `data`, the float32 weights that `specs` describe, stored with `encoding`: the new manifest entries and bytes.
 * 'float32' returns them unchanged.
 */
export function encodeWeights(
  specs: readonly io.WeightsManifestEntry[],
  data: Uint8Array,
  encoding: Encoding,
): { specs: io.WeightsManifestEntry[]; data: Uint8Array } {
  const chunks: Uint8Array[] = [];
  const encodedSpecs: io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) {
      throw new Error(
        `weight ${spec.name} is ${spec.quantization?.dtype ?? spec.dtype}; only float32 weights are encoded`,
      );
    }
    const count = spec.shape.reduce((product, size) => product * size, 1);
    const values = new Float32Array(data.slice(offset, offset + count * 4).buffer);
    offset += count * 4;
    if (encoding === 'float32' || count < MIN_QUANTIZED_VALUES) {
      chunks.push(new Uint8Array(values.buffer));
      encodedSpecs.push({ ...spec });
    } else if (encoding === 'float16') {
      chunks.push(new Uint8Array(Uint16Array.from(values, toFloat16Bits).buffer));
      encodedSpecs.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      const { scale, min, quantized } = uint8Quantize(values);
      chunks.push(quantized);
      encodedSpecs.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
    }
  }
  if (offset !== data.length) throw new Error(`the manifest describes ${offset} bytes of weights, got ${data.length}`);
  const encoded = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let position = 0;
  for (const chunk of chunks) {
    encoded.set(chunk, position);
    position += chunk.length;
  }
  return { specs: encodedSpecs, data: encoded };
}
