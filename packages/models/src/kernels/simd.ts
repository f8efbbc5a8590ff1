/**
 * Our WebAssembly SIMD kernels (wasm/kernels.ts), instantiated once per tfjs wasm backend on that backend's own
 * memory, so they read and write tensors in place. Two builds of the same source ship: relaxed SIMD (fused
 * multiply-add), used where the engine validates it (checked once, at the first use), and SIMD128, the fallback.
 * Unavailable (undefined) where the engine lacks SIMD or the backend's memory cannot be reached; the kernels in wasm.ts
 * then keep their JavaScript paths.
 */
import { RELAXED_SIMD_KERNELS_WASM, SIMD_KERNELS_WASM } from './simd-module.generated.js';

export interface SimdKernels {
  /** See wasm/kernels.ts: x must be padded already (a 'valid' convolution); outC % 8 === 0. Addresses in bytes. */
  convFilterGradient(
    x: number,
    dy: number,
    dw: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    fH: number,
    fW: number,
    sH: number,
    sW: number,
  ): void;
  /** 2x2 stride-2 unpadded max-pool gradient; channels % 4 === 0. */
  maxPool2x2Gradient(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    channels: number,
    outH: number,
    outW: number,
  ): void;
  /** Adds the patch rows of `columns` [positions, fH*fW*inC] onto `dx` (overwritten), clipping at the borders. */
  col2im(
    columns: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    fH: number,
    fW: number,
    sH: number,
    sW: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** c [m, n] = a [m, k] · b [k, n]; n % 8 === 0. */
  matMulNN(a: number, b: number, c: number, m: number, k: number, n: number): void;
  /** c [m, n] = a [m, k] · bᵀ for b [n, k]; k % 4 === 0. */
  matMulNT(a: number, b: number, c: number, m: number, k: number, n: number): void;
  /** c [m, n] = aᵀ · b for a [k, m], b [k, n]; n % 8 === 0. */
  matMulTN(a: number, b: number, c: number, m: number, k: number, n: number): void;
  /** One Adam step on n parameters in place (p, g, m, v: addresses of n floats each). */
  adamStep(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    firstCorrection: number,
    secondCorrection: number,
  ): void;
  /** Floats of scratch memory the Winograd kernels need for these channel counts. */
  winogradScratchFloats(inC: number, outC: number): number;
  /**
   * A 3x3 stride-1 NHWC convolution by Winograd F(2x2, 3x3), zero padding padTop/padLeft (the rest follows from the
   * output size); `flipped` (1) convolves with the rotated, channel-swapped filter of an input gradient; optional bias
   * (address, 0 = none) and ReLU (1). inC % 4 === 0, outC % 8 === 0.
   */
  winogradConvolution(
    x: number,
    w: number,
    y: number,
    scratch: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    padTop: number,
    padLeft: number,
    flipped: number,
    bias: number,
    relu: number,
  ): void;
  /** The filter gradient [3][3][inC][outC] of the unflipped winogradConvolution. */
  winogradFilterGradient(
    x: number,
    dy: number,
    dw: number,
    scratch: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** The same three for Winograd F(4x4, 3x3) (4x4 output tiles, 36 products per tile and channel pair). */
  winograd4ScratchFloats(inC: number, outC: number): number;
  winograd4Convolution: SimdKernels['winogradConvolution'];
  winograd4FilterGradient: SimdKernels['winogradFilterGradient'];
  /** A stride-1 convolution of one-channel NHWC images, any filter and padding, optional bias and ReLU; outC % 8 === 0. */
  convSingleChannel(
    x: number,
    w: number,
    y: number,
    batch: number,
    inH: number,
    inW: number,
    outH: number,
    outW: number,
    outC: number,
    fH: number,
    fW: number,
    padTop: number,
    padLeft: number,
    bias: number,
    relu: number,
  ): void;
  /** out[j] = sum over i of x[i][j], inner % 4 === 0. */
  sumRows(x: number, out: number, outer: number, inner: number): void;
  /** Floats of scratch memory the batch-norm kernels need for this many channels. */
  batchNormScratchFloats(channels: number): number;
  /** Per-channel mean and biased variance of x [rows, channels]; channels % 4 === 0. */
  batchNormStatistics(x: number, mean: number, variance: number, scratch: number, rows: number, channels: number): void;
  /** y = (x − mean) · scale / √(variance + ε) + offset per channel (scale, offset: 0 for ones, zeros). */
  batchNormApply(
    x: number,
    y: number,
    mean: number,
    variance: number,
    scale: number,
    offset: number,
    scratch: number,
    rows: number,
    channels: number,
    epsilon: number,
  ): void;
  /** dx, dScale, dOffset of the two above in training, given dy, dMean and dVariance (scale: 0 for ones). */
  batchNormBackward(
    dy: number,
    x: number,
    scale: number,
    mean: number,
    variance: number,
    dMean: number,
    dVariance: number,
    dx: number,
    dScale: number,
    dOffset: number,
    scratch: number,
    rows: number,
    channels: number,
    epsilon: number,
  ): void;
}

/** Which build of the module runs: relaxed SIMD (fused multiply-add) or plain SIMD128. */
export type SimdVariant = 'relaxed-simd' | 'simd128';

const compiled = new Map<SimdVariant, WebAssembly.Module | null>();
let relaxedSupported: boolean | undefined;
let relaxedAllowed = true;

function decode(base64: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return Buffer.from(base64, 'base64');
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Whether this engine has relaxed SIMD: `WebAssembly.validate` on the relaxed build, once per process. */
export function relaxedSimdSupported(): boolean {
  if (relaxedSupported === undefined) {
    try {
      relaxedSupported = WebAssembly.validate(decode(RELAXED_SIMD_KERNELS_WASM) as Uint8Array<ArrayBuffer>);
    } catch {
      relaxedSupported = false;
    }
  }
  return relaxedSupported;
}

/** The build the kernels use now: relaxed SIMD where supported and allowed, else SIMD128. */
export function simdVariant(): SimdVariant {
  return relaxedAllowed && relaxedSimdSupported() ? 'relaxed-simd' : 'simd128';
}

/**
 * Allows the relaxed-SIMD build (the default, where the engine supports it) or forces the SIMD128 fallback: for A/B
 * benchmarks and tests. Backends get instances of the chosen build from their next kernel call on.
 */
export function setRelaxedSimdEnabled(value: boolean): void {
  relaxedAllowed = value;
}

/** The compiled module of the current variant, or null where this engine cannot compile it (no WebAssembly SIMD). */
function kernelsModule(): WebAssembly.Module | null {
  const variant = simdVariant();
  let module = compiled.get(variant);
  if (module === undefined) {
    try {
      const source = variant === 'relaxed-simd' ? RELAXED_SIMD_KERNELS_WASM : SIMD_KERNELS_WASM;
      module = new WebAssembly.Module(decode(source) as Uint8Array<ArrayBuffer>);
    } catch {
      module = null;
    }
    compiled.set(variant, module);
  }
  return module;
}

const instances: Record<SimdVariant, WeakMap<object, SimdKernels | null>> = {
  'relaxed-simd': new WeakMap(),
  simd128: new WeakMap(),
};
let enabled = true;

/** Turns the SIMD kernels off (the JavaScript paths run instead) or back on: for A/B benchmarks and tests. */
export function setSimdKernelsEnabled(value: boolean): void {
  enabled = value;
}

/** What runs the kernels: one of the two builds of the SIMD module, or `none`. */
export type KernelVariant = SimdVariant | 'none';

/**
 * The build of the SIMD module this engine runs (here and in worker threads, which share the engine):
 * `relaxed-simd`, `simd128`, or `none` where it cannot compile (no WebAssembly SIMD) or is turned off, and the
 * JavaScript paths run. Compiles the module at the first call. The wasm backend's kernels and the workers' Adam use
 * it; the tensorflow backend (tfjs-node) has native kernels for everything else.
 */
export function kernelVariant(): KernelVariant {
  return enabled && kernelsModule() ? simdVariant() : 'none';
}

/** Output tile of the Winograd convolutions: 2 (F(2x2, 3x3)), 4 (F(4x4, 3x3)) or undefined (whichever multiplies less). */
export type WinogradTile = 2 | 4 | undefined;
let winogradTile: WinogradTile;

/** Forces one Winograd variant (2 or 4), or restores the automatic choice (undefined): for A/B benchmarks and tests. */
export function setWinogradTile(tile: WinogradTile): void {
  winogradTile = tile;
}

/**
 * The Winograd variant for an output of outH x outW: the one with fewer products per channel pair (16 per 2x2 tile
 * or 36 per 4x4 tile, counting the partial tiles at the edges), unless one is forced.
 */
export function winogradTileFor(outH: number, outW: number): 2 | 4 {
  if (winogradTile) return winogradTile;
  const small = 16 * Math.ceil(outH / 2) * Math.ceil(outW / 2);
  const large = 36 * Math.ceil(outH / 4) * Math.ceil(outW / 4);
  return large < small ? 4 : 2;
}

/** The tfjs wasm backend's memory: `backend.wasm` is public; `asm.memory` is the Emscripten module's export. */
function backendMemory(backend: object): WebAssembly.Memory | undefined {
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/** The SIMD kernels bound to `backend`'s heap, or undefined when they cannot run there. */
export function simdKernels(backend: object): SimdKernels | undefined {
  if (!enabled) return undefined;
  const cache = instances[simdVariant()];
  let kernels = cache.get(backend);
  if (kernels === undefined) {
    kernels = null;
    const module = kernelsModule();
    const memory = backendMemory(backend);
    if (module && memory) {
      try {
        kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
      } catch {
        kernels = null;
      }
    }
    cache.set(backend, kernels);
  }
  return kernels ?? undefined;
}

/**
 * The SIMD kernels on a memory of their own of at least `bytes` bytes (for work outside tfjs, such as the optimiser's
 * state), or undefined where this engine lacks WebAssembly SIMD.
 */
export function standaloneSimdKernels(bytes: number): { kernels: SimdKernels; memory: WebAssembly.Memory } | undefined {
  const module = enabled ? kernelsModule() : null;
  if (!module) return undefined;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65_536)) });
    const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
    return { kernels, memory };
  } catch {
    return undefined;
  }
}
