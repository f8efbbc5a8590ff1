/**
 * AssemblyScript's function decorator (`@inline`) is not TypeScript, so this one decorated helper lives alone in a file
 * that biome skips (biome.json); wasm/kernels.ts imports it.
 */

/**
 * a·b + c, lane by lane: one fused multiply-add (f32x4.relaxed_madd) in the relaxed-SIMD build, a multiply and an add
 * in the SIMD128 build (scripts/build-wasm.mjs builds both from this file). The two may round differently in the last
 * bit; every kernel's result is the same within float32 rounding either way.
 */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
