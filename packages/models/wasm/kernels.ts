/**
 * WebAssembly SIMD kernels for @fmnist/models' wasm backend (AssemblyScript; built by scripts/build-wasm.mjs into
 * src/kernels/simd/module.generated.ts). The module has no memory of its own: it imports the tfjs wasm backend's
 * memory, so every argument is a byte address of a tensor in that heap, and nothing is copied in or out.
 * No allocation, no globals, no data segments: each function only reads and writes the addresses it is given.
 */

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
                a00 = f32x4.add(a00, f32x4.mul(s0, d0));
                a01 = f32x4.add(a01, f32x4.mul(s0, d1));
                a10 = f32x4.add(a10, f32x4.mul(s1, d0));
                a11 = f32x4.add(a11, f32x4.mul(s1, d1));
                a20 = f32x4.add(a20, f32x4.mul(s2, d0));
                a21 = f32x4.add(a21, f32x4.mul(s2, d1));
                a30 = f32x4.add(a30, f32x4.mul(s3, d0));
                a31 = f32x4.add(a31, f32x4.mul(s3, d1));
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
                a00 = f32x4.add(a00, f32x4.mul(s0, d0));
                a01 = f32x4.add(a01, f32x4.mul(s0, d1));
                a10 = f32x4.add(a10, f32x4.mul(s1, d0));
                a11 = f32x4.add(a11, f32x4.mul(s1, d1));
                a20 = f32x4.add(a20, f32x4.mul(s2, d0));
                a21 = f32x4.add(a21, f32x4.mul(s2, d1));
                xp += xStep;
                dp += dyStep;
              }
            } else {
              while (dp < end) {
                const d0 = v128.load(dp);
                const d1 = v128.load(dp, 16);
                const s0 = v128.load32_splat(xp);
                a00 = f32x4.add(a00, f32x4.mul(s0, d0));
                a01 = f32x4.add(a01, f32x4.mul(s0, d1));
                if (kb === 2) {
                  const s1 = v128.load32_splat(xp, 4);
                  a10 = f32x4.add(a10, f32x4.mul(s1, d0));
                  a11 = f32x4.add(a11, f32x4.mul(s1, d1));
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
          c00 = f32x4.add(c00, f32x4.mul(s0, b0));
          c01 = f32x4.add(c01, f32x4.mul(s0, b1));
          c10 = f32x4.add(c10, f32x4.mul(s1, b0));
          c11 = f32x4.add(c11, f32x4.mul(s1, b1));
          c20 = f32x4.add(c20, f32x4.mul(s2, b0));
          c21 = f32x4.add(c21, f32x4.mul(s2, b1));
          c30 = f32x4.add(c30, f32x4.mul(s3, b0));
          c31 = f32x4.add(c31, f32x4.mul(s3, b1));
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
          c00 = f32x4.add(c00, f32x4.mul(s0, v128.load(pb)));
          c01 = f32x4.add(c01, f32x4.mul(s0, v128.load(pb, 16)));
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
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
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
        c00 = f32x4.add(c00, f32x4.mul(a0, v128.load(b0p + o)));
        c01 = f32x4.add(c01, f32x4.mul(a0, v128.load(b1p + o)));
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
        c00 = f32x4.add(c00, f32x4.mul(v128.load(a0p + o), v128.load(b0p + o)));
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
  const aRow = (<usize>m) << 2;
  const bRow = (<usize>n) << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    for (let j = 0; j < n; j += 8) {
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0);
      let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0);
      let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0);
      let c31 = f32x4.splat(0);
      let pa = a + ((<usize>i) << 2);
      let pb = b + ((<usize>j) << 2);
      for (let kk = 0; kk < k; kk++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const s0 = v128.load32_splat(pa);
        const s1 = v128.load32_splat(pa, 4);
        const s2 = v128.load32_splat(pa, 8);
        const s3 = v128.load32_splat(pa, 12);
        c00 = f32x4.add(c00, f32x4.mul(s0, b0));
        c01 = f32x4.add(c01, f32x4.mul(s0, b1));
        c10 = f32x4.add(c10, f32x4.mul(s1, b0));
        c11 = f32x4.add(c11, f32x4.mul(s1, b1));
        c20 = f32x4.add(c20, f32x4.mul(s2, b0));
        c21 = f32x4.add(c21, f32x4.mul(s2, b1));
        c30 = f32x4.add(c30, f32x4.mul(s3, b0));
        c31 = f32x4.add(c31, f32x4.mul(s3, b1));
        pa += aRow;
        pb += bRow;
      }
      const out = c + ((<usize>(i * n + j)) << 2);
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
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      let pa = a + ((<usize>i) << 2);
      let pb = b + ((<usize>j) << 2);
      for (let kk = 0; kk < k; kk++) {
        const s0 = v128.load32_splat(pa);
        c00 = f32x4.add(c00, f32x4.mul(s0, v128.load(pb)));
        c01 = f32x4.add(c01, f32x4.mul(s0, v128.load(pb, 16)));
        pa += aRow;
        pb += bRow;
      }
      const out = c + ((<usize>(i * n + j)) << 2);
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
