/**
 * WebAssembly SIMD kernels for @fmnist/models' wasm backend (AssemblyScript; built by scripts/build-wasm.mjs into
 * src/kernels/simd-module.generated.ts). The module has no memory of its own: it imports the tfjs wasm backend's
 * memory, so every argument is a byte address of a tensor in that heap, and nothing is copied in or out.
 * No allocation, no globals, no data segments: each function only reads and writes the addresses it is given.
 */

import { madd } from './madd';

/** Positions (output pixels) per cache block of the filter gradient: keeps the x and dy rows in use in L1/L2. */
const POSITIONS_PER_BLOCK: i32 = 256;

/**
 * Filter gradient of a 2D convolution, NHWC, 'valid' on an already padded input, any stride:
 * dw[fh][fw][ci][co] = sum over (b, oh, ow) of x[b][oh*sH + fh][ow*sW + fw][ci] * dy[b][oh][ow][co].
 * For one filter row fh, (fw, ci) is a contiguous run of fW*inC floats of x, so the patch index k = fw*inC + ci
 * walks memory; blocks of 4 (or 3, 2, 1) k times 8 output channels stay in registers over a block of positions.
 * Requires outC % 8 == 0.
 */
export function convFilterGradient(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  fH: i32,
  fW: i32,
  sH: i32,
  sW: i32,
): void {
  const L = fW * inC;
  memory.fill(dw, 0, (<usize>(fH * L * outC)) << 2);
  const rows = batch * outH;
  const rowsPerBlock = max(1, POSITIONS_PER_BLOCK / outW);
  const xStep = (<usize>(sW * inC)) << 2;
  const dyStep = (<usize>outC) << 2;
  for (let r0 = 0; r0 < rows; r0 += rowsPerBlock) {
    const r1 = min(rows, r0 + rowsPerBlock);
    for (let fh = 0; fh < fH; fh++) {
      let k = 0;
      while (k < L) {
        const left = L - k;
        const kb = min(left, 4);
        for (let co = 0; co < outC; co += 8) {
          const out = dw + ((<usize>((fh * L + k) * outC + co)) << 2);
          const outStride = (<usize>outC) << 2;
          let a00 = v128.load(out);
          let a01 = v128.load(out, 16);
          let a10 = f32x4.splat(0);
          let a11 = f32x4.splat(0);
          let a20 = f32x4.splat(0);
          let a21 = f32x4.splat(0);
          let a30 = f32x4.splat(0);
          let a31 = f32x4.splat(0);
          if (kb > 1) {
            a10 = v128.load(out + outStride);
            a11 = v128.load(out + outStride, 16);
          }
          if (kb > 2) {
            a20 = v128.load(out + 2 * outStride);
            a21 = v128.load(out + 2 * outStride, 16);
          }
          if (kb > 3) {
            a30 = v128.load(out + 3 * outStride);
            a31 = v128.load(out + 3 * outStride, 16);
          }
          for (let r = r0; r < r1; r++) {
            const b = r / outH;
            const oh = r - b * outH;
            let xp = x + ((<usize>((b * inH + oh * sH + fh) * inW * inC + k)) << 2);
            let dp = dy + ((<usize>(r * outW * outC + co)) << 2);
            const end = dp + <usize>outW * dyStep;
            if (kb === 4) {
              while (dp < end) {
                const d0 = v128.load(dp);
                const d1 = v128.load(dp, 16);
                const s0 = v128.load32_splat(xp);
                const s1 = v128.load32_splat(xp, 4);
                const s2 = v128.load32_splat(xp, 8);
                const s3 = v128.load32_splat(xp, 12);
                a00 = madd(s0, d0, a00);
                a01 = madd(s0, d1, a01);
                a10 = madd(s1, d0, a10);
                a11 = madd(s1, d1, a11);
                a20 = madd(s2, d0, a20);
                a21 = madd(s2, d1, a21);
                a30 = madd(s3, d0, a30);
                a31 = madd(s3, d1, a31);
                xp += xStep;
                dp += dyStep;
              }
            } else if (kb === 3) {
              while (dp < end) {
                const d0 = v128.load(dp);
                const d1 = v128.load(dp, 16);
                const s0 = v128.load32_splat(xp);
                const s1 = v128.load32_splat(xp, 4);
                const s2 = v128.load32_splat(xp, 8);
                a00 = madd(s0, d0, a00);
                a01 = madd(s0, d1, a01);
                a10 = madd(s1, d0, a10);
                a11 = madd(s1, d1, a11);
                a20 = madd(s2, d0, a20);
                a21 = madd(s2, d1, a21);
                xp += xStep;
                dp += dyStep;
              }
            } else {
              while (dp < end) {
                const d0 = v128.load(dp);
                const d1 = v128.load(dp, 16);
                const s0 = v128.load32_splat(xp);
                a00 = madd(s0, d0, a00);
                a01 = madd(s0, d1, a01);
                if (kb === 2) {
                  const s1 = v128.load32_splat(xp, 4);
                  a10 = madd(s1, d0, a10);
                  a11 = madd(s1, d1, a11);
                }
                xp += xStep;
                dp += dyStep;
              }
            }
          }
          v128.store(out, a00);
          v128.store(out, a01, 16);
          if (kb > 1) {
            v128.store(out + outStride, a10);
            v128.store(out + outStride, a11, 16);
          }
          if (kb > 2) {
            v128.store(out + 2 * outStride, a20);
            v128.store(out + 2 * outStride, a21, 16);
          }
          if (kb > 3) {
            v128.store(out + 3 * outStride, a30);
            v128.store(out + 3 * outStride, a31, 16);
          }
        }
        k += kb;
      }
    }
  }
}

/**
 * Gradient of a 2x2 max pool with stride 2 and no padding, NHWC, channels % 4 == 0: each input of a window gets the
 * output's gradient if it is the window's first maximum (row-major order, as tfjs' reference kernels choose), else 0.
 * Inputs no window covers (the last row or column of an odd size) get 0.
 */
export function maxPool2x2Gradient(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
): void {
  if (outH * 2 !== inH || outW * 2 !== inW) memory.fill(dx, 0, (<usize>(batch * inH * inW * channels)) << 2);
  const rowBytes = (<usize>(inW * channels)) << 2;
  const pixelBytes = (<usize>channels) << 2;
  let dp = dy;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const top = (<usize>(((b * inH + oh * 2) * inW + ow * 2) * channels)) << 2;
        let p00 = x + top;
        let q00 = dx + top;
        const end = p00 + pixelBytes;
        while (p00 < end) {
          const a = v128.load(p00);
          const c = v128.load(p00 + pixelBytes);
          const e = v128.load(p00 + rowBytes);
          const f = v128.load(p00 + rowBytes + pixelBytes);
          const g = v128.load(dp);
          const m = f32x4.max(f32x4.max(a, c), f32x4.max(e, f));
          const ma = f32x4.eq(a, m);
          const mc = v128.andnot(f32x4.eq(c, m), ma);
          const taken = v128.or(ma, mc);
          const me = v128.andnot(f32x4.eq(e, m), taken);
          const mf = v128.not(v128.or(taken, me));
          v128.store(q00, v128.and(g, ma));
          v128.store(q00 + pixelBytes, v128.and(g, mc));
          v128.store(q00 + rowBytes, v128.and(g, me));
          v128.store(q00 + rowBytes + pixelBytes, v128.and(g, mf));
          p00 += 16;
          q00 += 16;
          dp += 16;
        }
      }
    }
  }
}

/** out[j] = sum over i of x[i][j] for x [outer, inner], inner % 4 == 0 (the bias gradient). */
export function sumRows(x: usize, out: usize, outer: i32, inner: i32): void {
  const rowBytes = (<usize>inner) << 2;
  let j: usize = 0;
  for (; j + 64 <= rowBytes; j += 64) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let p = x + j;
    for (let i = 0; i < outer; i++) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
      p += rowBytes;
    }
    v128.store(out + j, a0);
    v128.store(out + j, a1, 16);
    v128.store(out + j, a2, 32);
    v128.store(out + j, a3, 48);
  }
  for (; j < rowBytes; j += 16) {
    let a0 = f32x4.splat(0);
    let p = x + j;
    for (let i = 0; i < outer; i++) {
      a0 = f32x4.add(a0, v128.load(p));
      p += rowBytes;
    }
    v128.store(out + j, a0);
  }
}

/**
 * Adds patch columns back onto an image (col2im), NHWC: `columns` is [batch*outH*outW, fH*fW*inC] (one row per
 * output position, in (fh, fw, ci) order), `dx` [batch, inH, inW, inC] is overwritten with the sums. For one filter
 * row, a position's (fw, ci) run is contiguous in dx, so each run is one vector loop clipped to the image.
 */
export function col2im(
  columns: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  fH: i32,
  fW: i32,
  sH: i32,
  sW: i32,
  padTop: i32,
  padLeft: i32,
): void {
  memory.fill(dx, 0, (<usize>(batch * inH * inW * inC)) << 2);
  const L = fW * inC;
  const patchBytes = (<usize>(fH * L)) << 2;
  let cp = columns;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const iw0 = ow * sW - padLeft;
        const fw0 = max(0, -iw0);
        const fw1 = min(fW, inW - iw0);
        if (fw1 > fw0) {
          const kStart = fw0 * inC;
          const count = (fw1 - fw0) * inC;
          for (let fh = 0; fh < fH; fh++) {
            const ih = oh * sH + fh - padTop;
            if (ih < 0 || ih >= inH) continue;
            const src = cp + ((<usize>(fh * L + kStart)) << 2);
            const dst = dx + ((<usize>(((b * inH + ih) * inW + iw0) * inC + kStart)) << 2);
            let j = 0;
            for (; j + 16 <= count; j += 16) {
              const o = (<usize>j) << 2;
              v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
              v128.store(dst + o, f32x4.add(v128.load(dst + o, 16), v128.load(src + o, 16)), 16);
              v128.store(dst + o, f32x4.add(v128.load(dst + o, 32), v128.load(src + o, 32)), 32);
              v128.store(dst + o, f32x4.add(v128.load(dst + o, 48), v128.load(src + o, 48)), 48);
            }
            for (; j + 4 <= count; j += 4) {
              const o = (<usize>j) << 2;
              v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
            }
            for (; j < count; j++) {
              const o = (<usize>j) << 2;
              store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
            }
          }
        }
        cp += patchBytes;
      }
    }
  }
}

/** Depth of the k blocks of matMulNN: a [8-column x 256] strip of b stays in L1 while every row block uses it. */
const MATMUL_DEPTH_BLOCK: i32 = 256;

/**
 * c [m, n] = a [m, k] · b [k, n], all row-major, n % 8 == 0. Reads b where it lies (no packing), so it suits
 * small m with a b that changes every call (a dense layer's weights during training).
 */
export function matMulNN(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  memory.fill(c, 0, (<usize>(m * n)) << 2);
  const aRow = (<usize>k) << 2;
  const bRow = (<usize>n) << 2;
  for (let j = 0; j < n; j += 8) {
    for (let k0 = 0; k0 < k; k0 += MATMUL_DEPTH_BLOCK) {
      const depth = min(k, k0 + MATMUL_DEPTH_BLOCK) - k0;
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const out = c + ((<usize>(i * n + j)) << 2);
        let c00 = v128.load(out);
        let c01 = v128.load(out, 16);
        let c10 = v128.load(out + bRow);
        let c11 = v128.load(out + bRow, 16);
        let c20 = v128.load(out + 2 * bRow);
        let c21 = v128.load(out + 2 * bRow, 16);
        let c30 = v128.load(out + 3 * bRow);
        let c31 = v128.load(out + 3 * bRow, 16);
        let pa = a + ((<usize>(i * k + k0)) << 2);
        let pb = b + ((<usize>(k0 * n + j)) << 2);
        const end = pa + ((<usize>depth) << 2);
        while (pa < end) {
          const b0 = v128.load(pb);
          const b1 = v128.load(pb, 16);
          const s0 = v128.load32_splat(pa);
          const s1 = v128.load32_splat(pa + aRow);
          const s2 = v128.load32_splat(pa + 2 * aRow);
          const s3 = v128.load32_splat(pa + 3 * aRow);
          c00 = madd(s0, b0, c00);
          c01 = madd(s0, b1, c01);
          c10 = madd(s1, b0, c10);
          c11 = madd(s1, b1, c11);
          c20 = madd(s2, b0, c20);
          c21 = madd(s2, b1, c21);
          c30 = madd(s3, b0, c30);
          c31 = madd(s3, b1, c31);
          pa += 4;
          pb += bRow;
        }
        v128.store(out, c00);
        v128.store(out, c01, 16);
        v128.store(out + bRow, c10);
        v128.store(out + bRow, c11, 16);
        v128.store(out + 2 * bRow, c20);
        v128.store(out + 2 * bRow, c21, 16);
        v128.store(out + 3 * bRow, c30);
        v128.store(out + 3 * bRow, c31, 16);
      }
      for (; i < m; i++) {
        const out = c + ((<usize>(i * n + j)) << 2);
        let c00 = v128.load(out);
        let c01 = v128.load(out, 16);
        let pa = a + ((<usize>(i * k + k0)) << 2);
        let pb = b + ((<usize>(k0 * n + j)) << 2);
        const end = pa + ((<usize>depth) << 2);
        while (pa < end) {
          const s0 = v128.load32_splat(pa);
          c00 = madd(s0, v128.load(pb), c00);
          c01 = madd(s0, v128.load(pb, 16), c01);
          pa += 4;
          pb += bRow;
        }
        v128.store(out, c00);
        v128.store(out, c01, 16);
      }
    }
  }
}

/** The sum of a vector's four lanes (inlined by the optimiser). */
function horizontalSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * c [m, n] = a [m, k] · bᵀ for b [n, k], row-major, k % 4 == 0: dot products along the contiguous k of both (the
 * input gradient of a dense layer, dy · Wᵀ, without transposing W).
 */
export function matMulNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const row = (<usize>k) << 2;
  const kBytes = row;
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const b0p = b + <usize>j * row;
    const b1p = b0p + row;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0p = a + <usize>i * row;
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0);
      let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0);
      let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0);
      let c31 = f32x4.splat(0);
      for (let o: usize = 0; o < kBytes; o += 16) {
        const b0 = v128.load(b0p + o);
        const b1 = v128.load(b1p + o);
        const a0 = v128.load(a0p + o);
        const a1 = v128.load(a0p + row + o);
        const a2 = v128.load(a0p + 2 * row + o);
        const a3 = v128.load(a0p + 3 * row + o);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        c20 = madd(a2, b0, c20);
        c21 = madd(a2, b1, c21);
        c30 = madd(a3, b0, c30);
        c31 = madd(a3, b1, c31);
      }
      const out = c + ((<usize>(i * n + j)) << 2);
      const outRow = (<usize>n) << 2;
      store<f32>(out, horizontalSum(c00));
      store<f32>(out, horizontalSum(c01), 4);
      store<f32>(out + outRow, horizontalSum(c10));
      store<f32>(out + outRow, horizontalSum(c11), 4);
      store<f32>(out + 2 * outRow, horizontalSum(c20));
      store<f32>(out + 2 * outRow, horizontalSum(c21), 4);
      store<f32>(out + 3 * outRow, horizontalSum(c30));
      store<f32>(out + 3 * outRow, horizontalSum(c31), 4);
    }
    for (; i < m; i++) {
      const a0p = a + <usize>i * row;
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      for (let o: usize = 0; o < kBytes; o += 16) {
        const a0 = v128.load(a0p + o);
        c00 = madd(a0, v128.load(b0p + o), c00);
        c01 = madd(a0, v128.load(b1p + o), c01);
      }
      const out = c + ((<usize>(i * n + j)) << 2);
      store<f32>(out, horizontalSum(c00));
      store<f32>(out, horizontalSum(c01), 4);
    }
  }
  for (; j < n; j++) {
    const b0p = b + <usize>j * row;
    for (let i = 0; i < m; i++) {
      const a0p = a + <usize>i * row;
      let c00 = f32x4.splat(0);
      for (let o: usize = 0; o < kBytes; o += 16) {
        c00 = madd(v128.load(a0p + o), v128.load(b0p + o), c00);
      }
      store<f32>(c + ((<usize>(i * n + j)) << 2), horizontalSum(c00));
    }
  }
}

/**
 * c [m, n] = aᵀ · b for a [k, m] and b [k, n], row-major, n % 8 == 0 (a dense layer's weight gradient xᵀ · dy, with
 * k the batch: short, so each output block is finished in registers and written once).
 */
export function matMulTN(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  matMulTNInto(a, b, c, m, k, n, false);
}

/** matMulTN, adding the product onto c when `accumulate` (the Winograd filter gradient sums over tile chunks). */
function matMulTNInto(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool): void {
  const aRow = (<usize>m) << 2;
  const bRow = (<usize>n) << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    for (let j = 0; j < n; j += 8) {
      const out = c + ((<usize>(i * n + j)) << 2);
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0);
      let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0);
      let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0);
      let c31 = f32x4.splat(0);
      if (accumulate) {
        c00 = v128.load(out);
        c01 = v128.load(out, 16);
        c10 = v128.load(out + bRow);
        c11 = v128.load(out + bRow, 16);
        c20 = v128.load(out + 2 * bRow);
        c21 = v128.load(out + 2 * bRow, 16);
        c30 = v128.load(out + 3 * bRow);
        c31 = v128.load(out + 3 * bRow, 16);
      }
      let pa = a + ((<usize>i) << 2);
      let pb = b + ((<usize>j) << 2);
      for (let kk = 0; kk < k; kk++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const s0 = v128.load32_splat(pa);
        const s1 = v128.load32_splat(pa, 4);
        const s2 = v128.load32_splat(pa, 8);
        const s3 = v128.load32_splat(pa, 12);
        c00 = madd(s0, b0, c00);
        c01 = madd(s0, b1, c01);
        c10 = madd(s1, b0, c10);
        c11 = madd(s1, b1, c11);
        c20 = madd(s2, b0, c20);
        c21 = madd(s2, b1, c21);
        c30 = madd(s3, b0, c30);
        c31 = madd(s3, b1, c31);
        pa += aRow;
        pb += bRow;
      }
      v128.store(out, c00);
      v128.store(out, c01, 16);
      v128.store(out + bRow, c10);
      v128.store(out + bRow, c11, 16);
      v128.store(out + 2 * bRow, c20);
      v128.store(out + 2 * bRow, c21, 16);
      v128.store(out + 3 * bRow, c30);
      v128.store(out + 3 * bRow, c31, 16);
    }
  }
  for (; i < m; i++) {
    for (let j = 0; j < n; j += 8) {
      const out = c + ((<usize>(i * n + j)) << 2);
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      if (accumulate) {
        c00 = v128.load(out);
        c01 = v128.load(out, 16);
      }
      let pa = a + ((<usize>i) << 2);
      let pb = b + ((<usize>j) << 2);
      for (let kk = 0; kk < k; kk++) {
        const s0 = v128.load32_splat(pa);
        c00 = madd(s0, v128.load(pb), c00);
        c01 = madd(s0, v128.load(pb, 16), c01);
        pa += aRow;
        pb += bRow;
      }
      v128.store(out, c00);
      v128.store(out, c01, 16);
    }
  }
}

/**
 * One Adam step over n parameters, in place: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², p −= lr·c1·m / (√(v·c2) + ε),
 * where c1 and c2 are the bias corrections 1/(1−β1ᵗ) and 1/(1−β2ᵗ).
 */
export function adamStep(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  learningRate: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  firstCorrection: f32,
  secondCorrection: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const r1 = f32x4.splat(1 - beta1);
  const r2 = f32x4.splat(1 - beta2);
  const step = f32x4.splat(learningRate * firstCorrection);
  const c2 = f32x4.splat(secondCorrection);
  const eps = f32x4.splat(epsilon);
  const bytes = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) {
    const gv = v128.load(g + o);
    const mv = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(r1, gv));
    const vv = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(r2, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const update = f32x4.div(f32x4.mul(step, mv), f32x4.add(f32x4.sqrt(f32x4.mul(vv, c2)), eps));
    v128.store(p + o, f32x4.sub(v128.load(p + o), update));
  }
  for (; o < bytes; o += 4) {
    const gs = load<f32>(g + o);
    const ms = beta1 * load<f32>(m + o) + (1 - beta1) * gs;
    const vs = beta2 * load<f32>(v + o) + (1 - beta2) * gs * gs;
    store<f32>(m + o, ms);
    store<f32>(v + o, vs);
    store<f32>(
      p + o,
      load<f32>(p + o) - (learningRate * firstCorrection * ms) / (Mathf.sqrt(vs * secondCorrection) + epsilon),
    );
  }
}

// Winograd F(2x2, 3x3) convolutions (Lavin and Gray, 2016): each 2x2 block ("tile") of outputs is computed from a
// 4x4 block of inputs with 16 multiplications per input and output channel pair instead of 36. With
//   Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 -1 -1],
// a tile's outputs are Y = Aᵀ [Σ over input channels of (G g Gᵀ) ⊙ (Bᵀ d B)] A, so a convolution becomes 16
// independent matrix products V[k] [tiles, inC] · U[k] [inC, outC], one per position k of the 4x4 transformed tile.
// Tiles are processed in chunks whose transforms stay in cache between the three stages; the products run on the
// register-blocked matMulNN. Channels are vectorised (NHWC: a pixel's channels are contiguous); inC and outC must be
// multiples of 4 and outC of 8.

/** Tiles per chunk: the chunk's transformed inputs and outputs (16 x tiles x channels each) stay in L2. */
const WINOGRAD_TILES_PER_CHUNK: i32 = 32;

/** Floats of scratch memory the Winograd kernels need for these channel counts (the caller allocates it). */
export function winogradScratchFloats(inC: i32, outC: i32): i32 {
  return 16 * inC * outC + 16 * WINOGRAD_TILES_PER_CHUNK * (inC + outC) + max(inC, outC);
}

/**
 * U[k][i][o] = (G f Gᵀ)[k] for every channel pair, where f is the 3x3 filter of input channel i and output channel o.
 * Unflipped, f[a][c][i][o] = w[a][c][i][o] with w [3][3][inC][outC]. Flipped (for an input gradient),
 * f[a][c][i][o] = w[2-a][2-c][o][i] with w [3][3][outC][inC]: the forward filter rotated by 180° with its channel
 * roles swapped.
 */
function transformFilter(w: usize, u: usize, inC: i32, outC: i32, flipped: bool): void {
  const half = f32x4.splat(0.5);
  const plane = (<usize>(inC * outC)) << 2;
  // Vectors run along the contiguous last axis of w: o unflipped, i flipped.
  const rows = flipped ? outC : inC;
  const cols = flipped ? inC : outC;
  const tap = (<usize>(rows * cols)) << 2;
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q += 4) {
      const p = w + ((<usize>(r * cols + q)) << 2);
      let g00 = v128.load(p);
      let g01 = v128.load(p + tap);
      let g02 = v128.load(p + 2 * tap);
      let g10 = v128.load(p + 3 * tap);
      const g11 = v128.load(p + 4 * tap);
      let g12 = v128.load(p + 5 * tap);
      let g20 = v128.load(p + 6 * tap);
      let g21 = v128.load(p + 7 * tap);
      let g22 = v128.load(p + 8 * tap);
      if (flipped) {
        let t = g00;
        g00 = g22;
        g22 = t;
        t = g01;
        g01 = g21;
        g21 = t;
        t = g02;
        g02 = g20;
        g20 = t;
        t = g10;
        g10 = g12;
        g12 = t;
      }
      // Along each filter row: [g0, ½(g0+g1+g2), ½(g0-g1+g2), g2].
      const h00 = g00;
      const h01 = f32x4.mul(half, f32x4.add(f32x4.add(g00, g01), g02));
      const h02 = f32x4.mul(half, f32x4.add(f32x4.sub(g00, g01), g02));
      const h03 = g02;
      const h10 = g10;
      const h11 = f32x4.mul(half, f32x4.add(f32x4.add(g10, g11), g12));
      const h12 = f32x4.mul(half, f32x4.add(f32x4.sub(g10, g11), g12));
      const h13 = g12;
      const h20 = g20;
      const h21 = f32x4.mul(half, f32x4.add(f32x4.add(g20, g21), g22));
      const h22 = f32x4.mul(half, f32x4.add(f32x4.sub(g20, g21), g22));
      const h23 = g22;
      // Down each column, the same combination; k = row * 4 + column.
      const out = u + ((<usize>(flipped ? q * outC + r : r * outC + q)) << 2);
      storeFilterColumn(out, plane, 0, h00, h10, h20, half, flipped, outC);
      storeFilterColumn(out, plane, 1, h01, h11, h21, half, flipped, outC);
      storeFilterColumn(out, plane, 2, h02, h12, h22, half, flipped, outC);
      storeFilterColumn(out, plane, 3, h03, h13, h23, half, flipped, outC);
    }
  }
}

/** Stores U[row * 4 + column] for rows 0-3 of one transformed column; flipped, lanes go to consecutive i rows. */
function storeFilterColumn(
  out: usize,
  plane: usize,
  column: i32,
  h0: v128,
  h1: v128,
  h2: v128,
  half: v128,
  flipped: bool,
  outC: i32,
): void {
  storeFilterLanes(out + <usize>column * plane, h0, flipped, outC);
  storeFilterLanes(out + <usize>(4 + column) * plane, f32x4.mul(half, f32x4.add(f32x4.add(h0, h1), h2)), flipped, outC);
  storeFilterLanes(out + <usize>(8 + column) * plane, f32x4.mul(half, f32x4.add(f32x4.sub(h0, h1), h2)), flipped, outC);
  storeFilterLanes(out + <usize>(12 + column) * plane, h2, flipped, outC);
}

function storeFilterLanes(out: usize, v: v128, flipped: bool, outC: i32): void {
  if (flipped) {
    // The lanes are four consecutive input channels i of one output channel o: rows i..i+3 of U[k], column o.
    // `out` already points at column o; the caller's q picks the rows.
    const row = (<usize>outC) << 2;
    store<f32>(out, f32x4.extract_lane(v, 0));
    store<f32>(out + row, f32x4.extract_lane(v, 1));
    store<f32>(out + 2 * row, f32x4.extract_lane(v, 2));
    store<f32>(out + 3 * row, f32x4.extract_lane(v, 3));
  } else {
    v128.store(out, v);
  }
}

/** The address of pixel (y, x) of image b, or of a row of zeros where (y, x) lies outside the image (padding). */
function pixelOrZero(base: usize, zero: usize, b: i32, y: i32, x: i32, height: i32, width: i32, pixel: usize): usize {
  return y >= 0 && y < height && x >= 0 && x < width ? base + <usize>((b * height + y) * width + x) * pixel : zero;
}

/** Stores column c of a transformed 4x4 tile (rows 0-3) into planes c, 4 + c, 8 + c and 12 + c. */
function storeColumn(out: usize, plane: usize, c: i32, t0: v128, t1: v128, t2: v128, t3: v128): void {
  v128.store(out + <usize>c * plane, t0);
  v128.store(out + <usize>(4 + c) * plane, t1);
  v128.store(out + <usize>(8 + c) * plane, t2);
  v128.store(out + <usize>(12 + c) * plane, t3);
}

/** Bᵀ d B down one column of row-transformed inputs: [s0 - s2, s1 + s2, s2 - s1, s1 - s3]. */
function storeInputColumn(out: usize, plane: usize, c: i32, s0: v128, s1: v128, s2: v128, s3: v128): void {
  storeColumn(out, plane, c, f32x4.sub(s0, s2), f32x4.add(s1, s2), f32x4.sub(s2, s1), f32x4.sub(s1, s3));
}

/**
 * V[k][i][c] = (Bᵀ d B)[k] for the tiles t0 .. t0 + count - 1 (i = t - t0) of x [batch, inH, inW, inC], where d is
 * the 4x4 block of inputs whose top-left pixel is (2·th - padTop, 2·tw - padLeft), zero outside the image.
 */
function transformInputTiles(
  x: usize,
  v: usize,
  zero: usize,
  t0: i32,
  count: i32,
  tilesH: i32,
  tilesW: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const plane = (<usize>(count * inC)) << 2;
  const pixel = (<usize>inC) << 2;
  for (let i = 0; i < count; i++) {
    const t = t0 + i;
    const tw = t % tilesW;
    const rest = t / tilesW;
    const th = rest % tilesH;
    const b = rest / tilesH;
    const y = th * 2 - padTop;
    const x0 = tw * 2 - padLeft;
    const p00 = pixelOrZero(x, zero, b, y, x0, inH, inW, pixel);
    const p01 = pixelOrZero(x, zero, b, y, x0 + 1, inH, inW, pixel);
    const p02 = pixelOrZero(x, zero, b, y, x0 + 2, inH, inW, pixel);
    const p03 = pixelOrZero(x, zero, b, y, x0 + 3, inH, inW, pixel);
    const p10 = pixelOrZero(x, zero, b, y + 1, x0, inH, inW, pixel);
    const p11 = pixelOrZero(x, zero, b, y + 1, x0 + 1, inH, inW, pixel);
    const p12 = pixelOrZero(x, zero, b, y + 1, x0 + 2, inH, inW, pixel);
    const p13 = pixelOrZero(x, zero, b, y + 1, x0 + 3, inH, inW, pixel);
    const p20 = pixelOrZero(x, zero, b, y + 2, x0, inH, inW, pixel);
    const p21 = pixelOrZero(x, zero, b, y + 2, x0 + 1, inH, inW, pixel);
    const p22 = pixelOrZero(x, zero, b, y + 2, x0 + 2, inH, inW, pixel);
    const p23 = pixelOrZero(x, zero, b, y + 2, x0 + 3, inH, inW, pixel);
    const p30 = pixelOrZero(x, zero, b, y + 3, x0, inH, inW, pixel);
    const p31 = pixelOrZero(x, zero, b, y + 3, x0 + 1, inH, inW, pixel);
    const p32 = pixelOrZero(x, zero, b, y + 3, x0 + 2, inH, inW, pixel);
    const p33 = pixelOrZero(x, zero, b, y + 3, x0 + 3, inH, inW, pixel);
    const out = v + <usize>i * pixel;
    for (let o: usize = 0; o < pixel; o += 16) {
      // Along each row: [d0 - d2, d1 + d2, d2 - d1, d1 - d3].
      let a = v128.load(p00 + o);
      let b1 = v128.load(p01 + o);
      let c = v128.load(p02 + o);
      let d = v128.load(p03 + o);
      const s00 = f32x4.sub(a, c);
      const s01 = f32x4.add(b1, c);
      const s02 = f32x4.sub(c, b1);
      const s03 = f32x4.sub(b1, d);
      a = v128.load(p10 + o);
      b1 = v128.load(p11 + o);
      c = v128.load(p12 + o);
      d = v128.load(p13 + o);
      const s10 = f32x4.sub(a, c);
      const s11 = f32x4.add(b1, c);
      const s12 = f32x4.sub(c, b1);
      const s13 = f32x4.sub(b1, d);
      a = v128.load(p20 + o);
      b1 = v128.load(p21 + o);
      c = v128.load(p22 + o);
      d = v128.load(p23 + o);
      const s20 = f32x4.sub(a, c);
      const s21 = f32x4.add(b1, c);
      const s22 = f32x4.sub(c, b1);
      const s23 = f32x4.sub(b1, d);
      a = v128.load(p30 + o);
      b1 = v128.load(p31 + o);
      c = v128.load(p32 + o);
      d = v128.load(p33 + o);
      const s30 = f32x4.sub(a, c);
      const s31 = f32x4.add(b1, c);
      const s32 = f32x4.sub(c, b1);
      const s33 = f32x4.sub(b1, d);
      storeInputColumn(out + o, plane, 0, s00, s10, s20, s30);
      storeInputColumn(out + o, plane, 1, s01, s11, s21, s31);
      storeInputColumn(out + o, plane, 2, s02, s12, s22, s32);
      storeInputColumn(out + o, plane, 3, s03, s13, s23, s33);
    }
  }
}

/** Aᵀ m A's first step along one row: [m0 + m1 + m2, m1 - m2 - m3]. */
function outputFirst(m0: v128, m1: v128, m2: v128): v128 {
  return f32x4.add(f32x4.add(m0, m1), m2);
}

function outputSecond(m1: v128, m2: v128, m3: v128): v128 {
  return f32x4.sub(f32x4.sub(m1, m2), m3);
}

/** Adds the bias (if any), applies ReLU (if asked) and stores one output vector. */
function storeOutput(p: usize, value: v128, bias: usize, o: usize, relu: bool): void {
  let r = value;
  if (bias !== 0) r = f32x4.add(r, v128.load(bias + o));
  if (relu) r = f32x4.max(r, f32x4.splat(0));
  v128.store(p, r);
}

/**
 * The 2x2 outputs Aᵀ M A of the tiles t0 .. t0 + count - 1 from M [16][count][outC], written into
 * y [batch, outH, outW, outC] where they fall inside it; plus the bias [outC] (when bias is not 0), then ReLU (relu).
 */
function transformOutputTiles(
  m: usize,
  y: usize,
  t0: i32,
  count: i32,
  tilesH: i32,
  tilesW: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  bias: usize,
  relu: bool,
): void {
  const plane = (<usize>(count * outC)) << 2;
  const pixel = (<usize>outC) << 2;
  for (let i = 0; i < count; i++) {
    const t = t0 + i;
    const tw = t % tilesW;
    const rest = t / tilesW;
    const th = rest % tilesH;
    const b = rest / tilesH;
    const oy = th * 2;
    const ox = tw * 2;
    const bottom = oy + 1 < outH;
    const right = ox + 1 < outW;
    const q00 = y + <usize>((b * outH + oy) * outW + ox) * pixel;
    const q10 = q00 + <usize>outW * pixel;
    const src = m + <usize>i * pixel;
    for (let o: usize = 0; o < pixel; o += 16) {
      const p = src + o;
      // Rows 0-3 of M reduced to two rows, column by column: r0 = m0 + m1 + m2, r1 = m1 - m2 - m3.
      const m00 = v128.load(p);
      const m01 = v128.load(p + plane);
      const m02 = v128.load(p + 2 * plane);
      const m03 = v128.load(p + 3 * plane);
      const m10 = v128.load(p + 4 * plane);
      const m11 = v128.load(p + 5 * plane);
      const m12 = v128.load(p + 6 * plane);
      const m13 = v128.load(p + 7 * plane);
      const m20 = v128.load(p + 8 * plane);
      const m21 = v128.load(p + 9 * plane);
      const m22 = v128.load(p + 10 * plane);
      const m23 = v128.load(p + 11 * plane);
      const m30 = v128.load(p + 12 * plane);
      const m31 = v128.load(p + 13 * plane);
      const m32 = v128.load(p + 14 * plane);
      const m33 = v128.load(p + 15 * plane);
      const r00 = outputFirst(m00, m10, m20);
      const r01 = outputFirst(m01, m11, m21);
      const r02 = outputFirst(m02, m12, m22);
      const r03 = outputFirst(m03, m13, m23);
      const r10 = outputSecond(m10, m20, m30);
      const r11 = outputSecond(m11, m21, m31);
      const r12 = outputSecond(m12, m22, m32);
      const r13 = outputSecond(m13, m23, m33);
      storeOutput(q00 + o, outputFirst(r00, r01, r02), bias, o, relu);
      if (right) storeOutput(q00 + pixel + o, outputSecond(r01, r02, r03), bias, o, relu);
      if (bottom) {
        storeOutput(q10 + o, outputFirst(r10, r11, r12), bias, o, relu);
        if (right) storeOutput(q10 + pixel + o, outputSecond(r11, r12, r13), bias, o, relu);
      }
    }
  }
}

/** A dY Aᵀ's step along one dimension: two values become four, [y0, y0 + y1, y0 - y1, -y1]. */
function storeGradientColumn(out: usize, plane: usize, c: i32, e0: v128, e1: v128): void {
  storeColumn(out, plane, c, e0, f32x4.add(e0, e1), f32x4.sub(e0, e1), f32x4.neg(e1));
}

/**
 * dM[k][i][o] = (A dY Aᵀ)[k] for the tiles t0 .. t0 + count - 1 of dy [batch, outH, outW, outC]: the gradient of a
 * tile's 16 products from its 2x2 output gradients (zero outside dy).
 */
function transformGradientTiles(
  dy: usize,
  dm: usize,
  zero: usize,
  t0: i32,
  count: i32,
  tilesH: i32,
  tilesW: i32,
  outH: i32,
  outW: i32,
  outC: i32,
): void {
  const plane = (<usize>(count * outC)) << 2;
  const pixel = (<usize>outC) << 2;
  for (let i = 0; i < count; i++) {
    const t = t0 + i;
    const tw = t % tilesW;
    const rest = t / tilesW;
    const th = rest % tilesH;
    const b = rest / tilesH;
    const p00 = pixelOrZero(dy, zero, b, th * 2, tw * 2, outH, outW, pixel);
    const p01 = pixelOrZero(dy, zero, b, th * 2, tw * 2 + 1, outH, outW, pixel);
    const p10 = pixelOrZero(dy, zero, b, th * 2 + 1, tw * 2, outH, outW, pixel);
    const p11 = pixelOrZero(dy, zero, b, th * 2 + 1, tw * 2 + 1, outH, outW, pixel);
    const out = dm + <usize>i * pixel;
    for (let o: usize = 0; o < pixel; o += 16) {
      const y00 = v128.load(p00 + o);
      const y01 = v128.load(p01 + o);
      const y10 = v128.load(p10 + o);
      const y11 = v128.load(p11 + o);
      // Along each row, then down each of the four columns.
      const e02 = f32x4.sub(y00, y01);
      const e01 = f32x4.add(y00, y01);
      const e12 = f32x4.sub(y10, y11);
      const e11 = f32x4.add(y10, y11);
      storeGradientColumn(out + o, plane, 0, y00, y10);
      storeGradientColumn(out + o, plane, 1, e01, e11);
      storeGradientColumn(out + o, plane, 2, e02, e12);
      storeGradientColumn(out + o, plane, 3, f32x4.neg(y01), f32x4.neg(y11));
    }
  }
}

/** Gᵀ's step along one dimension: four values become three, [u0 + ½(u1 + u2), ½(u1 - u2), ½(u1 + u2) + u3]. */
function filterGradientFirst(u0: v128, u1: v128, u2: v128): v128 {
  return f32x4.add(u0, f32x4.mul(f32x4.splat(0.5), f32x4.add(u1, u2)));
}

function filterGradientMiddle(u1: v128, u2: v128): v128 {
  return f32x4.mul(f32x4.splat(0.5), f32x4.sub(u1, u2));
}

function filterGradientLast(u1: v128, u2: v128, u3: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.splat(0.5), f32x4.add(u1, u2)), u3);
}

/** dw [3][3][inC][outC] = Gᵀ dU G for dU [16][inC][outC]. */
function transformFilterGradient(du: usize, dw: usize, inC: i32, outC: i32): void {
  const plane = (<usize>(inC * outC)) << 2;
  const end = plane;
  for (let o: usize = 0; o < end; o += 16) {
    const p = du + o;
    const u00 = v128.load(p);
    const u01 = v128.load(p + plane);
    const u02 = v128.load(p + 2 * plane);
    const u03 = v128.load(p + 3 * plane);
    const u10 = v128.load(p + 4 * plane);
    const u11 = v128.load(p + 5 * plane);
    const u12 = v128.load(p + 6 * plane);
    const u13 = v128.load(p + 7 * plane);
    const u20 = v128.load(p + 8 * plane);
    const u21 = v128.load(p + 9 * plane);
    const u22 = v128.load(p + 10 * plane);
    const u23 = v128.load(p + 11 * plane);
    const u30 = v128.load(p + 12 * plane);
    const u31 = v128.load(p + 13 * plane);
    const u32 = v128.load(p + 14 * plane);
    const u33 = v128.load(p + 15 * plane);
    // Rows of dU reduced to three, column by column.
    const e00 = filterGradientFirst(u00, u10, u20);
    const e01 = filterGradientFirst(u01, u11, u21);
    const e02 = filterGradientFirst(u02, u12, u22);
    const e03 = filterGradientFirst(u03, u13, u23);
    const e10 = filterGradientMiddle(u10, u20);
    const e11 = filterGradientMiddle(u11, u21);
    const e12 = filterGradientMiddle(u12, u22);
    const e13 = filterGradientMiddle(u13, u23);
    const e20 = filterGradientLast(u10, u20, u30);
    const e21 = filterGradientLast(u11, u21, u31);
    const e22 = filterGradientLast(u12, u22, u32);
    const e23 = filterGradientLast(u13, u23, u33);
    const q = dw + o;
    v128.store(q, filterGradientFirst(e00, e01, e02));
    v128.store(q + plane, filterGradientMiddle(e01, e02));
    v128.store(q + 2 * plane, filterGradientLast(e01, e02, e03));
    v128.store(q + 3 * plane, filterGradientFirst(e10, e11, e12));
    v128.store(q + 4 * plane, filterGradientMiddle(e11, e12));
    v128.store(q + 5 * plane, filterGradientLast(e11, e12, e13));
    v128.store(q + 6 * plane, filterGradientFirst(e20, e21, e22));
    v128.store(q + 7 * plane, filterGradientMiddle(e21, e22));
    v128.store(q + 8 * plane, filterGradientLast(e21, e22, e23));
  }
}

/**
 * A 3x3 convolution with stride 1, NHWC, by Winograd F(2x2, 3x3):
 * y[b][oy][ox][o] = Σ over (a, c, i) of x[b][oy + a - padTop][ox + c - padLeft][i] · f[a][c][i][o] (zero outside x),
 * plus bias[o] when bias is not 0, then ReLU when relu is not 0. f is w [3][3][inC][outC], or, when flipped, the
 * rotated and transposed filter of an input gradient (see transformFilter). `scratch` holds
 * winogradScratchFloats(inC, outC) floats. inC % 4 == 0, outC % 8 == 0.
 */
export function winogradConvolution(
  x: usize,
  w: usize,
  y: usize,
  scratch: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  padTop: i32,
  padLeft: i32,
  flipped: i32,
  bias: usize,
  relu: i32,
): void {
  const u = scratch;
  const v = u + ((<usize>(16 * inC * outC)) << 2);
  const m = v + ((<usize>(16 * WINOGRAD_TILES_PER_CHUNK * inC)) << 2);
  const zero = m + ((<usize>(16 * WINOGRAD_TILES_PER_CHUNK * outC)) << 2);
  memory.fill(zero, 0, (<usize>max(inC, outC)) << 2);
  transformFilter(w, u, inC, outC, flipped !== 0);
  const tilesH = (outH + 1) >> 1;
  const tilesW = (outW + 1) >> 1;
  const tiles = batch * tilesH * tilesW;
  const uPlane = (<usize>(inC * outC)) << 2;
  for (let t0 = 0; t0 < tiles; t0 += WINOGRAD_TILES_PER_CHUNK) {
    const count = min(WINOGRAD_TILES_PER_CHUNK, tiles - t0);
    transformInputTiles(x, v, zero, t0, count, tilesH, tilesW, inH, inW, inC, padTop, padLeft);
    const vPlane = (<usize>(count * inC)) << 2;
    const mPlane = (<usize>(count * outC)) << 2;
    for (let k = 0; k < 16; k++) {
      matMulNN(v + <usize>k * vPlane, u + <usize>k * uPlane, m + <usize>k * mPlane, count, inC, outC);
    }
    transformOutputTiles(m, y, t0, count, tilesH, tilesW, outH, outW, outC, bias, relu !== 0);
  }
}

/**
 * The filter gradient of winogradConvolution (unflipped, no bias): dw [3][3][inC][outC] =
 * Σ over (b, oy, ox) of x[b][oy + a - padTop][ox + c - padLeft][i] · dy[b][oy][ox][o], as Gᵀ (Σ over tiles of
 * V[k]ᵀ · dM[k]) G. `scratch` holds winogradScratchFloats(inC, outC) floats. inC % 4 == 0, outC % 8 == 0.
 */
export function winogradFilterGradient(
  x: usize,
  dy: usize,
  dw: usize,
  scratch: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const du = scratch;
  const v = du + ((<usize>(16 * inC * outC)) << 2);
  const m = v + ((<usize>(16 * WINOGRAD_TILES_PER_CHUNK * inC)) << 2);
  const zero = m + ((<usize>(16 * WINOGRAD_TILES_PER_CHUNK * outC)) << 2);
  memory.fill(du, 0, (<usize>(16 * inC * outC)) << 2);
  memory.fill(zero, 0, (<usize>max(inC, outC)) << 2);
  const tilesH = (outH + 1) >> 1;
  const tilesW = (outW + 1) >> 1;
  const tiles = batch * tilesH * tilesW;
  const uPlane = (<usize>(inC * outC)) << 2;
  for (let t0 = 0; t0 < tiles; t0 += WINOGRAD_TILES_PER_CHUNK) {
    const count = min(WINOGRAD_TILES_PER_CHUNK, tiles - t0);
    transformInputTiles(x, v, zero, t0, count, tilesH, tilesW, inH, inW, inC, padTop, padLeft);
    transformGradientTiles(dy, m, zero, t0, count, tilesH, tilesW, outH, outW, outC);
    const vPlane = (<usize>(count * inC)) << 2;
    const mPlane = (<usize>(count * outC)) << 2;
    for (let k = 0; k < 16; k++) {
      matMulTNInto(v + <usize>k * vPlane, m + <usize>k * mPlane, du + <usize>k * uPlane, inC, count, outC, true);
    }
  }
  transformFilterGradient(du, dw, inC, outC);
}

// Winograd F(4x4, 3x3): 4x4 output tiles from 6x6 input blocks, 36 products per channel pair and tile (2.25 per
// output instead of F(2x2, 3x3)'s 4 and a direct convolution's 9). Bigger transforms, so each is done as two passes of
// a one-dimensional transform, rows into a small buffer and then columns:
//   Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
//   G = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1],
//   Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
// The filter transforms run once per call on scalars (a filter is small); the tile transforms on channel vectors.

/** Tiles per chunk of the F(4x4, 3x3) kernels (each tile holds 36 transformed values per channel). */
const WINOGRAD4_TILES_PER_CHUNK: i32 = 32;

/** Floats of scratch memory the F(4x4, 3x3) kernels need for these channel counts. */
export function winograd4ScratchFloats(inC: i32, outC: i32): i32 {
  return 36 * inC * outC + 36 * WINOGRAD4_TILES_PER_CHUNK * (inC + outC) + 37 * max(inC, outC);
}

/** Bᵀ applied to six vectors at p + i·stride (i = 0..5), stored at q + i·qStride. */
function inputTransform6(
  p0: usize,
  p1: usize,
  p2: usize,
  p3: usize,
  p4: usize,
  p5: usize,
  q: usize,
  qStride: usize,
): void {
  const d0 = v128.load(p0);
  const d1 = v128.load(p1);
  const d2 = v128.load(p2);
  const d3 = v128.load(p3);
  const d4 = v128.load(p4);
  const d5 = v128.load(p5);
  const four = f32x4.splat(4);
  const five = f32x4.splat(5);
  const two = f32x4.splat(2);
  // Shared terms: 4·d1, 4·d2 and 2·d1, 2·d3.
  const a = f32x4.sub(d4, f32x4.mul(four, d2)); // d4 - 4·d2
  const b = f32x4.sub(d3, f32x4.mul(four, d1)); // d3 - 4·d1
  const c = f32x4.sub(d4, d2); // d4 - d2
  const e = f32x4.mul(two, f32x4.sub(d3, d1)); // 2·(d3 - d1)
  v128.store(q, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(q + qStride, f32x4.add(a, b));
  v128.store(q + 2 * qStride, f32x4.sub(a, b));
  v128.store(q + 3 * qStride, f32x4.add(c, e));
  v128.store(q + 4 * qStride, f32x4.sub(c, e));
  v128.store(q + 5 * qStride, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/** Aᵀ applied to six vectors at p + i·stride, giving four: [m0+m1+m2+m3+m4, m1-m2+2(m3-m4), m1+m2+4(m3+m4), m1-m2+8(m3-m4)+m5]. */
function outputTransform6(p: usize, stride: usize, q: usize, qStride: usize): void {
  const m0 = v128.load(p);
  const m1 = v128.load(p + stride);
  const m2 = v128.load(p + 2 * stride);
  const m3 = v128.load(p + 3 * stride);
  const m4 = v128.load(p + 4 * stride);
  const m5 = v128.load(p + 5 * stride);
  const s12 = f32x4.add(m1, m2);
  const d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4);
  const d34 = f32x4.sub(m3, m4);
  v128.store(q, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(q + qStride, f32x4.add(d12, f32x4.mul(f32x4.splat(2), d34)));
  v128.store(q + 2 * qStride, f32x4.add(s12, f32x4.mul(f32x4.splat(4), s34)));
  v128.store(q + 3 * qStride, f32x4.add(f32x4.add(d12, f32x4.mul(f32x4.splat(8), d34)), m5));
}

/** A applied to four vectors (an output gradient's row or column), giving six: [y0, Σy, y0-y1+y2-y3, y0+2y1+4y2+8y3, y0-2y1+4y2-8y3, y3]. */
function gradientTransform4(p0: usize, p1: usize, p2: usize, p3: usize, q: usize, qStride: usize): void {
  const y0 = v128.load(p0);
  const y1 = v128.load(p1);
  const y2 = v128.load(p2);
  const y3 = v128.load(p3);
  const s02 = f32x4.add(y0, y2);
  const s13 = f32x4.add(y1, y3);
  const f02 = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2));
  const f13 = f32x4.add(f32x4.mul(f32x4.splat(2), y1), f32x4.mul(f32x4.splat(8), y3));
  v128.store(q, y0);
  v128.store(q + qStride, f32x4.add(s02, s13));
  v128.store(q + 2 * qStride, f32x4.sub(s02, s13));
  v128.store(q + 3 * qStride, f32x4.add(f02, f13));
  v128.store(q + 4 * qStride, f32x4.sub(f02, f13));
  v128.store(q + 5 * qStride, y3);
}

/** G's six rows applied to three scalars. */
function filterRow(g0: f32, g1: f32, g2: f32, out: usize, stride: usize): void {
  const sixth: f32 = 1.0 / 6.0;
  store<f32>(out, 0.25 * g0);
  store<f32>(out + stride, -sixth * (g0 + g1 + g2));
  store<f32>(out + 2 * stride, -sixth * (g0 - g1 + g2));
  store<f32>(out + 3 * stride, g0 / 24.0 + g1 / 12.0 + g2 / 6.0);
  store<f32>(out + 4 * stride, g0 / 24.0 - g1 / 12.0 + g2 / 6.0);
  store<f32>(out + 5 * stride, g2);
}

/**
 * U[k][i][o] = (G f Gᵀ)[k] (36 planes) for the filter f of winogradConvolution (flipped as there). `temp` holds 18
 * floats.
 */
function transformFilter4(w: usize, u: usize, temp: usize, inC: i32, outC: i32, flipped: bool): void {
  const plane = (<usize>(inC * outC)) << 2;
  for (let i = 0; i < inC; i++) {
    for (let o = 0; o < outC; o++) {
      // f[a][c] for this channel pair: w[a][c][i][o], or flipped w[2-a][2-c][o][i].
      const base = w + ((<usize>(flipped ? o * inC + i : i * outC + o)) << 2);
      const tap = plane;
      // Columns first: temp[c][r] = (G f)[r][c] for c = 0..2.
      for (let c = 0; c < 3; c++) {
        const f0 = load<f32>(base + <usize>(flipped ? 8 - c : c) * tap);
        const f1 = load<f32>(base + <usize>(flipped ? 5 - c : 3 + c) * tap);
        const f2 = load<f32>(base + <usize>(flipped ? 2 - c : 6 + c) * tap);
        filterRow(f0, f1, f2, temp + ((<usize>(c * 6)) << 2), 4);
      }
      const out = u + ((<usize>(i * outC + o)) << 2);
      for (let r = 0; r < 6; r++) {
        const t0 = load<f32>(temp + ((<usize>r) << 2));
        const t1 = load<f32>(temp + ((<usize>(6 + r)) << 2));
        const t2 = load<f32>(temp + ((<usize>(12 + r)) << 2));
        filterRow(t0, t1, t2, out + <usize>(r * 6) * plane, plane);
      }
    }
  }
}

/** Gᵀ's three rows applied to six scalars at p + j·stride. */
function filterGradientRow(p: usize, stride: usize, out: usize, outStride: usize): void {
  const u0 = load<f32>(p);
  const u1 = load<f32>(p + stride);
  const u2 = load<f32>(p + 2 * stride);
  const u3 = load<f32>(p + 3 * stride);
  const u4 = load<f32>(p + 4 * stride);
  const u5 = load<f32>(p + 5 * stride);
  const sixth: f32 = 1.0 / 6.0;
  store<f32>(out, 0.25 * u0 - sixth * (u1 + u2) + (u3 + u4) / 24.0);
  store<f32>(out + outStride, sixth * (u2 - u1) + (u3 - u4) / 12.0);
  store<f32>(out + 2 * outStride, sixth * (u3 + u4 - u1 - u2) + u5);
}

/** dw [3][3][inC][outC] = Gᵀ dU G for dU [36][inC][outC]. `temp` holds 18 floats. */
function transformFilterGradient4(du: usize, dw: usize, temp: usize, inC: i32, outC: i32): void {
  const plane = (<usize>(inC * outC)) << 2;
  const pairs = inC * outC;
  for (let pair = 0; pair < pairs; pair++) {
    const p = du + ((<usize>pair) << 2);
    // Rows of dU (k = r·6 + c) reduced to three: temp[a][c] for c = 0..5.
    for (let c = 0; c < 6; c++) filterGradientRow(p + <usize>c * plane, 6 * plane, temp + ((<usize>c) << 2), 24);
    for (let a = 0; a < 3; a++) {
      filterGradientRow(temp + ((<usize>(a * 6)) << 2), 4, dw + ((<usize>pair) << 2) + <usize>(a * 3) * plane, plane);
    }
  }
}

/**
 * V[k][i][c] (36 planes) = (Bᵀ d B)[k] for the tiles t0 .. t0 + count - 1 of x, d being the 6x6 block at
 * (4·th - padTop, 4·tw - padLeft), zero outside the image. `temp` holds 36·inC floats.
 */
function transformInputTiles4(
  x: usize,
  v: usize,
  temp: usize,
  zero: usize,
  t0: i32,
  count: i32,
  tilesH: i32,
  tilesW: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const plane = (<usize>(count * inC)) << 2;
  const pixel = (<usize>inC) << 2;
  for (let i = 0; i < count; i++) {
    const t = t0 + i;
    const tw = t % tilesW;
    const rest = t / tilesW;
    const th = rest % tilesH;
    const b = rest / tilesH;
    const y0 = th * 4 - padTop;
    const x0 = tw * 4 - padLeft;
    // Rows: temp[r][c] = Bᵀ along row r of the block.
    for (let r = 0; r < 6; r++) {
      const y = y0 + r;
      const p0 = pixelOrZero(x, zero, b, y, x0, inH, inW, pixel);
      const p1 = pixelOrZero(x, zero, b, y, x0 + 1, inH, inW, pixel);
      const p2 = pixelOrZero(x, zero, b, y, x0 + 2, inH, inW, pixel);
      const p3 = pixelOrZero(x, zero, b, y, x0 + 3, inH, inW, pixel);
      const p4 = pixelOrZero(x, zero, b, y, x0 + 4, inH, inW, pixel);
      const p5 = pixelOrZero(x, zero, b, y, x0 + 5, inH, inW, pixel);
      const row = temp + <usize>(r * 6) * pixel;
      for (let o: usize = 0; o < pixel; o += 16) {
        inputTransform6(p0 + o, p1 + o, p2 + o, p3 + o, p4 + o, p5 + o, row + o, pixel);
      }
    }
    // Columns: V[r·6 + c] = Bᵀ down column c of temp.
    const out = v + <usize>i * pixel;
    for (let c = 0; c < 6; c++) {
      const column = temp + <usize>c * pixel;
      const step = 6 * pixel;
      for (let o: usize = 0; o < pixel; o += 16) {
        const p = column + o;
        inputTransform6(
          p,
          p + step,
          p + 2 * step,
          p + 3 * step,
          p + 4 * step,
          p + 5 * step,
          out + <usize>c * plane + o,
          6 * plane,
        );
      }
    }
  }
}

/**
 * The 4x4 outputs Aᵀ M A of the tiles t0 .. t0 + count - 1 from M [36][count][outC], written into y where they fall
 * inside it, plus bias, then ReLU. `temp` holds 24·outC floats.
 */
function transformOutputTiles4(
  m: usize,
  y: usize,
  temp: usize,
  t0: i32,
  count: i32,
  tilesH: i32,
  tilesW: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  bias: usize,
  relu: bool,
): void {
  const plane = (<usize>(count * outC)) << 2;
  const pixel = (<usize>outC) << 2;
  for (let i = 0; i < count; i++) {
    const t = t0 + i;
    const tw = t % tilesW;
    const rest = t / tilesW;
    const th = rest % tilesH;
    const b = rest / tilesH;
    const src = m + <usize>i * pixel;
    // Rows: temp[r][j] = Aᵀ along row r of M (k = r·6 + c), j = 0..3.
    for (let r = 0; r < 6; r++) {
      const row = src + <usize>(r * 6) * plane;
      const out = temp + <usize>(r * 4) * pixel;
      for (let o: usize = 0; o < pixel; o += 16) outputTransform6(row + o, plane, out + o, pixel);
    }
    // Columns: outputs (4·th + a, 4·tw + j) = Aᵀ down column j of temp; the last four rows of temp hold them.
    const oy = th * 4;
    const ox = tw * 4;
    const rows = min(4, outH - oy);
    const cols = min(4, outW - ox);
    const result = temp + <usize>24 * pixel;
    for (let j = 0; j < cols; j++) {
      const column = temp + <usize>j * pixel;
      for (let o: usize = 0; o < pixel; o += 16) outputTransform6(column + o, 4 * pixel, result + o, pixel);
      const q = y + <usize>((b * outH + oy) * outW + ox + j) * pixel;
      for (let a = 0; a < rows; a++) {
        const dst = q + <usize>(a * outW) * pixel;
        const from = result + <usize>a * pixel;
        for (let o: usize = 0; o < pixel; o += 16) storeOutput(dst + o, v128.load(from + o), bias, o, relu);
      }
    }
  }
}

/** dM[k][i][o] (36 planes) = (A dY Aᵀ)[k] for the tiles t0 .. t0 + count - 1 of dy (zero outside). `temp`: 24·outC floats. */
function transformGradientTiles4(
  dy: usize,
  dm: usize,
  temp: usize,
  zero: usize,
  t0: i32,
  count: i32,
  tilesH: i32,
  tilesW: i32,
  outH: i32,
  outW: i32,
  outC: i32,
): void {
  const plane = (<usize>(count * outC)) << 2;
  const pixel = (<usize>outC) << 2;
  for (let i = 0; i < count; i++) {
    const t = t0 + i;
    const tw = t % tilesW;
    const rest = t / tilesW;
    const th = rest % tilesH;
    const b = rest / tilesH;
    // Rows: temp[a][c] = A along output-gradient row a (four values become six).
    for (let a = 0; a < 4; a++) {
      const yy = th * 4 + a;
      const p0 = pixelOrZero(dy, zero, b, yy, tw * 4, outH, outW, pixel);
      const p1 = pixelOrZero(dy, zero, b, yy, tw * 4 + 1, outH, outW, pixel);
      const p2 = pixelOrZero(dy, zero, b, yy, tw * 4 + 2, outH, outW, pixel);
      const p3 = pixelOrZero(dy, zero, b, yy, tw * 4 + 3, outH, outW, pixel);
      const row = temp + <usize>(a * 6) * pixel;
      for (let o: usize = 0; o < pixel; o += 16) gradientTransform4(p0 + o, p1 + o, p2 + o, p3 + o, row + o, pixel);
    }
    const out = dm + <usize>i * pixel;
    for (let c = 0; c < 6; c++) {
      const column = temp + <usize>c * pixel;
      const step = 6 * pixel;
      for (let o: usize = 0; o < pixel; o += 16) {
        const p = column + o;
        gradientTransform4(p, p + step, p + 2 * step, p + 3 * step, out + <usize>c * plane + o, 6 * plane);
      }
    }
  }
}

/** winogradConvolution by F(4x4, 3x3); `scratch` holds winograd4ScratchFloats(inC, outC) floats. */
export function winograd4Convolution(
  x: usize,
  w: usize,
  y: usize,
  scratch: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  padTop: i32,
  padLeft: i32,
  flipped: i32,
  bias: usize,
  relu: i32,
): void {
  const u = scratch;
  const v = u + ((<usize>(36 * inC * outC)) << 2);
  const m = v + ((<usize>(36 * WINOGRAD4_TILES_PER_CHUNK * inC)) << 2);
  const zero = m + ((<usize>(36 * WINOGRAD4_TILES_PER_CHUNK * outC)) << 2);
  const temp = zero + ((<usize>max(inC, outC)) << 2);
  memory.fill(zero, 0, (<usize>max(inC, outC)) << 2);
  transformFilter4(w, u, temp, inC, outC, flipped !== 0);
  const tilesH = (outH + 3) >> 2;
  const tilesW = (outW + 3) >> 2;
  const tiles = batch * tilesH * tilesW;
  const uPlane = (<usize>(inC * outC)) << 2;
  for (let t0 = 0; t0 < tiles; t0 += WINOGRAD4_TILES_PER_CHUNK) {
    const count = min(WINOGRAD4_TILES_PER_CHUNK, tiles - t0);
    transformInputTiles4(x, v, temp, zero, t0, count, tilesH, tilesW, inH, inW, inC, padTop, padLeft);
    const vPlane = (<usize>(count * inC)) << 2;
    const mPlane = (<usize>(count * outC)) << 2;
    for (let k = 0; k < 36; k++) {
      matMulNN(v + <usize>k * vPlane, u + <usize>k * uPlane, m + <usize>k * mPlane, count, inC, outC);
    }
    transformOutputTiles4(m, y, temp, t0, count, tilesH, tilesW, outH, outW, outC, bias, relu !== 0);
  }
}

/** winogradFilterGradient by F(4x4, 3x3); `scratch` holds winograd4ScratchFloats(inC, outC) floats. */
export function winograd4FilterGradient(
  x: usize,
  dy: usize,
  dw: usize,
  scratch: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const du = scratch;
  const v = du + ((<usize>(36 * inC * outC)) << 2);
  const m = v + ((<usize>(36 * WINOGRAD4_TILES_PER_CHUNK * inC)) << 2);
  const zero = m + ((<usize>(36 * WINOGRAD4_TILES_PER_CHUNK * outC)) << 2);
  const temp = zero + ((<usize>max(inC, outC)) << 2);
  memory.fill(du, 0, (<usize>(36 * inC * outC)) << 2);
  memory.fill(zero, 0, (<usize>max(inC, outC)) << 2);
  const tilesH = (outH + 3) >> 2;
  const tilesW = (outW + 3) >> 2;
  const tiles = batch * tilesH * tilesW;
  const uPlane = (<usize>(inC * outC)) << 2;
  for (let t0 = 0; t0 < tiles; t0 += WINOGRAD4_TILES_PER_CHUNK) {
    const count = min(WINOGRAD4_TILES_PER_CHUNK, tiles - t0);
    transformInputTiles4(x, v, temp, zero, t0, count, tilesH, tilesW, inH, inW, inC, padTop, padLeft);
    transformGradientTiles4(dy, m, temp, zero, t0, count, tilesH, tilesW, outH, outW, outC);
    const vPlane = (<usize>(count * inC)) << 2;
    const mPlane = (<usize>(count * outC)) << 2;
    for (let k = 0; k < 36; k++) {
      matMulTNInto(v + <usize>k * vPlane, m + <usize>k * mPlane, du + <usize>k * uPlane, inC, count, outC, true);
    }
  }
  transformFilterGradient4(du, dw, temp, inC, outC);
}

/**
 * A convolution of one-channel images (a network's first layer), NHWC, stride 1, any filter size and zero padding:
 * y[b][oy][ox][o] = Σ over taps (a, c) inside x of x[b][oy + a - padTop][ox + c - padLeft] · w[a][c][0][o], plus
 * bias[o] when bias is not 0, then ReLU when relu is not 0. Eight output channels at a time in registers, one input
 * value broadcast per tap. outC % 8 == 0.
 */
export function convSingleChannel(
  x: usize,
  w: usize,
  y: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  fH: i32,
  fW: i32,
  padTop: i32,
  padLeft: i32,
  bias: usize,
  relu: i32,
): void {
  const tapBytes = (<usize>outC) << 2;
  const rowTaps = <usize>fW * tapBytes;
  const zero = f32x4.splat(0);
  let out = y;
  for (let b = 0; b < batch; b++) {
    const image = x + ((<usize>(b * inH * inW)) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const a0 = max(0, padTop - oy);
      const a1 = min(fH, inH + padTop - oy);
      for (let ox = 0; ox < outW; ox++) {
        const c0 = max(0, padLeft - ox);
        const c1 = min(fW, inW + padLeft - ox);
        const first = image + ((<usize>((oy + a0 - padTop) * inW + ox + c0 - padLeft)) << 2);
        const taps = w + <usize>a0 * rowTaps + <usize>c0 * tapBytes;
        const rowBytes = (<usize>inW) << 2;
        const width = c1 - c0;
        let o = 0;
        // Sixteen channels at a time: four accumulators, one broadcast input and four weight vectors per tap.
        for (; o + 16 <= outC; o += 16) {
          const ob = (<usize>o) << 2;
          let acc0 = zero;
          let acc1 = zero;
          let acc2 = zero;
          let acc3 = zero;
          if (bias !== 0) {
            acc0 = v128.load(bias + ob);
            acc1 = v128.load(bias + ob, 16);
            acc2 = v128.load(bias + ob, 32);
            acc3 = v128.load(bias + ob, 48);
          }
          let row = first;
          let wRow = taps + ob;
          for (let a = a0; a < a1; a++) {
            let p = row;
            let q = wRow;
            const end = row + ((<usize>width) << 2);
            while (p < end) {
              const s = v128.load32_splat(p);
              acc0 = madd(s, v128.load(q), acc0);
              acc1 = madd(s, v128.load(q, 16), acc1);
              acc2 = madd(s, v128.load(q, 32), acc2);
              acc3 = madd(s, v128.load(q, 48), acc3);
              p += 4;
              q += tapBytes;
            }
            row += rowBytes;
            wRow += rowTaps;
          }
          if (relu !== 0) {
            acc0 = f32x4.max(acc0, zero);
            acc1 = f32x4.max(acc1, zero);
            acc2 = f32x4.max(acc2, zero);
            acc3 = f32x4.max(acc3, zero);
          }
          v128.store(out + ob, acc0);
          v128.store(out + ob, acc1, 16);
          v128.store(out + ob, acc2, 32);
          v128.store(out + ob, acc3, 48);
        }
        // A last block of eight.
        if (o < outC) {
          const ob = (<usize>o) << 2;
          let acc0 = zero;
          let acc1 = zero;
          if (bias !== 0) {
            acc0 = v128.load(bias + ob);
            acc1 = v128.load(bias + ob, 16);
          }
          let row = first;
          let wRow = taps + ob;
          for (let a = a0; a < a1; a++) {
            let p = row;
            let q = wRow;
            const end = row + ((<usize>width) << 2);
            while (p < end) {
              const s = v128.load32_splat(p);
              acc0 = madd(s, v128.load(q), acc0);
              acc1 = madd(s, v128.load(q, 16), acc1);
              p += 4;
              q += tapBytes;
            }
            row += rowBytes;
            wRow += rowTaps;
          }
          if (relu !== 0) {
            acc0 = f32x4.max(acc0, zero);
            acc1 = f32x4.max(acc1, zero);
          }
          v128.store(out + ob, acc0);
          v128.store(out + ob, acc1, 16);
        }
        out += tapBytes;
      }
    }
  }
}

// Batch normalization over the leading axes of x [rows, channels] (NHWC: rows = batch·height·width), as tfjs-layers'
// BatchNormalization computes it in training: biased variance, y = (x − mean) · scale / √(variance + ε) + offset.
// Channels are vectorised; the per-channel sums live in `scratch` (channels floats each) and stay in L1 while the
// rows stream past. Sums run over blocks of rows and are then added into totals, which keeps the f32 rounding error
// of a 25,000-row sum near that of a 64-row one. channels % 4 == 0.

/** Rows per partial sum of the batch-norm reductions. */
const BATCH_NORM_ROWS_PER_BLOCK: i32 = 64;

/** Floats of scratch memory batchNormStatistics and batchNormBackward need for this many channels. */
export function batchNormScratchFloats(channels: i32): i32 {
  return 6 * channels;
}

/**
 * mean[c] and variance[c] of x [rows, channels] over the rows: one pass of sums shifted by the first row (so that a
 * large common offset cancels before squaring), var = E[(x − k)²] − (E[x − k])².
 */
export function batchNormStatistics(
  x: usize,
  mean: usize,
  variance: usize,
  scratch: usize,
  rows: i32,
  channels: i32,
): void {
  const rowBytes = (<usize>channels) << 2;
  const shift = scratch;
  const sum = scratch + rowBytes;
  const squares = sum + rowBytes;
  const blockSum = squares + rowBytes;
  const blockSquares = blockSum + rowBytes;
  memory.copy(shift, x, rowBytes);
  memory.fill(sum, 0, rowBytes * 4);
  for (let r0 = 0; r0 < rows; r0 += BATCH_NORM_ROWS_PER_BLOCK) {
    const r1 = min(rows, r0 + BATCH_NORM_ROWS_PER_BLOCK);
    memory.fill(blockSum, 0, rowBytes * 2);
    let p = x + <usize>r0 * rowBytes;
    for (let r = r0; r < r1; r++) {
      for (let c: usize = 0; c < rowBytes; c += 16) {
        const d = f32x4.sub(v128.load(p + c), v128.load(shift + c));
        v128.store(blockSum + c, f32x4.add(v128.load(blockSum + c), d));
        v128.store(blockSquares + c, madd(d, d, v128.load(blockSquares + c)));
      }
      p += rowBytes;
    }
    for (let c: usize = 0; c < rowBytes; c += 16) {
      v128.store(sum + c, f32x4.add(v128.load(sum + c), v128.load(blockSum + c)));
      v128.store(squares + c, f32x4.add(v128.load(squares + c), v128.load(blockSquares + c)));
    }
  }
  const inverse = f32x4.splat(1 / <f32>rows);
  for (let c: usize = 0; c < rowBytes; c += 16) {
    const shiftedMean = f32x4.mul(v128.load(sum + c), inverse);
    const meanSquare = f32x4.mul(v128.load(squares + c), inverse);
    v128.store(mean + c, f32x4.add(v128.load(shift + c), shiftedMean));
    const v = f32x4.sub(meanSquare, f32x4.mul(shiftedMean, shiftedMean));
    v128.store(variance + c, f32x4.max(v, f32x4.splat(0)));
  }
}

/**
 * y = x · a + b per channel, with a = scale / √(variance + ε) and b = offset − mean · a (the normalization, in
 * training with the batch's statistics, in inference with the moving ones). scale and offset may be 0 (ones, zeros).
 * Needs 2·channels floats of scratch.
 */
export function batchNormApply(
  x: usize,
  y: usize,
  mean: usize,
  variance: usize,
  scale: usize,
  offset: usize,
  scratch: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
): void {
  const rowBytes = (<usize>channels) << 2;
  const a = scratch;
  const b = scratch + rowBytes;
  const eps = f32x4.splat(epsilon);
  for (let c: usize = 0; c < rowBytes; c += 16) {
    let factor = f32x4.div(f32x4.splat(1), f32x4.sqrt(f32x4.add(v128.load(variance + c), eps)));
    if (scale) factor = f32x4.mul(factor, v128.load(scale + c));
    const shift = offset ? v128.load(offset + c) : f32x4.splat(0);
    v128.store(a + c, factor);
    v128.store(b + c, f32x4.sub(shift, f32x4.mul(v128.load(mean + c), factor)));
  }
  let p: usize = 0;
  const end = <usize>rows * rowBytes;
  if (channels === 32) {
    const a0 = v128.load(a);
    const a1 = v128.load(a, 16);
    const a2 = v128.load(a, 32);
    const a3 = v128.load(a, 48);
    const a4 = v128.load(a, 64);
    const a5 = v128.load(a, 80);
    const a6 = v128.load(a, 96);
    const a7 = v128.load(a, 112);
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const b2 = v128.load(b, 32);
    const b3 = v128.load(b, 48);
    const b4 = v128.load(b, 64);
    const b5 = v128.load(b, 80);
    const b6 = v128.load(b, 96);
    const b7 = v128.load(b, 112);
    for (; p < end; p += 128) {
      v128.store(y + p, madd(v128.load(x + p), a0, b0));
      v128.store(y + p, madd(v128.load(x + p, 16), a1, b1), 16);
      v128.store(y + p, madd(v128.load(x + p, 32), a2, b2), 32);
      v128.store(y + p, madd(v128.load(x + p, 48), a3, b3), 48);
      v128.store(y + p, madd(v128.load(x + p, 64), a4, b4), 64);
      v128.store(y + p, madd(v128.load(x + p, 80), a5, b5), 80);
      v128.store(y + p, madd(v128.load(x + p, 96), a6, b6), 96);
      v128.store(y + p, madd(v128.load(x + p, 112), a7, b7), 112);
    }
    return;
  }
  for (; p < end; p += rowBytes) {
    for (let c: usize = 0; c < rowBytes; c += 16) {
      v128.store(y + p + c, madd(v128.load(x + p + c), v128.load(a + c), v128.load(b + c)));
    }
  }
}

/**
 * Gradients of batchNormStatistics + batchNormApply in training, for x [rows, channels] with upstream gradients dy
 * (of y), dMean and dVariance (of the two statistics, zeros when unused). With r = 1/√(variance + ε), n = rows,
 * S = Σ dy and T = Σ dy·(x − mean) per channel:
 *   dOffset = S, dScale = T·r,
 *   dx = dy·A + x·B + (C − mean·B), A = scale·r, B = 2·dVariance/n − scale·r³·T/n, C = dMean/n − A·S/n.
 * Two passes over dy and x (the sums, then dx). Needs 6·channels floats of scratch.
 */
export function batchNormBackward(
  dy: usize,
  x: usize,
  scale: usize,
  mean: usize,
  variance: usize,
  dMean: usize,
  dVariance: usize,
  dx: usize,
  dScale: usize,
  dOffset: usize,
  scratch: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
): void {
  const rowBytes = (<usize>channels) << 2;
  const s = scratch;
  const t = s + rowBytes;
  const blockS = t + rowBytes;
  const blockT = blockS + rowBytes;
  memory.fill(s, 0, rowBytes * 2);
  for (let r0 = 0; r0 < rows; r0 += BATCH_NORM_ROWS_PER_BLOCK) {
    const r1 = min(rows, r0 + BATCH_NORM_ROWS_PER_BLOCK);
    memory.fill(blockS, 0, rowBytes * 2);
    let p = <usize>r0 * rowBytes;
    for (let r = r0; r < r1; r++) {
      for (let c: usize = 0; c < rowBytes; c += 16) {
        const g = v128.load(dy + p + c);
        const centered = f32x4.sub(v128.load(x + p + c), v128.load(mean + c));
        v128.store(blockS + c, f32x4.add(v128.load(blockS + c), g));
        v128.store(blockT + c, madd(g, centered, v128.load(blockT + c)));
      }
      p += rowBytes;
    }
    for (let c: usize = 0; c < rowBytes; c += 16) {
      v128.store(s + c, f32x4.add(v128.load(s + c), v128.load(blockS + c)));
      v128.store(t + c, f32x4.add(v128.load(t + c), v128.load(blockT + c)));
    }
  }
  // Per-channel coefficients of dx, into the block sums' scratch (no longer needed).
  const a = blockS;
  const b = blockT;
  const d = blockT + rowBytes;
  const inverseRows = f32x4.splat(1 / <f32>rows);
  const eps = f32x4.splat(epsilon);
  for (let c: usize = 0; c < rowBytes; c += 16) {
    const r = f32x4.div(f32x4.splat(1), f32x4.sqrt(f32x4.add(v128.load(variance + c), eps)));
    const sc = scale ? v128.load(scale + c) : f32x4.splat(1);
    const sv = v128.load(s + c);
    const tv = v128.load(t + c);
    v128.store(dOffset + c, sv);
    v128.store(dScale + c, f32x4.mul(tv, r));
    const av = f32x4.mul(sc, r);
    const bv = f32x4.mul(
      f32x4.sub(
        f32x4.add(v128.load(dVariance + c), v128.load(dVariance + c)),
        f32x4.mul(f32x4.mul(av, f32x4.mul(r, r)), tv),
      ),
      inverseRows,
    );
    const cv = f32x4.mul(f32x4.sub(v128.load(dMean + c), f32x4.mul(av, sv)), inverseRows);
    v128.store(a + c, av);
    v128.store(b + c, bv);
    v128.store(d + c, f32x4.sub(cv, f32x4.mul(v128.load(mean + c), bv)));
  }
  const end = <usize>rows * rowBytes;
  for (let p: usize = 0; p < end; p += rowBytes) {
    for (let c: usize = 0; c < rowBytes; c += 16) {
      const partial = madd(v128.load(x + p + c), v128.load(b + c), v128.load(d + c));
      v128.store(dx + p + c, madd(v128.load(dy + p + c), v128.load(a + c), partial));
    }
  }
}
