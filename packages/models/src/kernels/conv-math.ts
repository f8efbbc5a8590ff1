/**
 * The numeric core of the fast kernels: pure loops over Float32Arrays (NHWC layouts), shared by the wasm kernels
 * (which run them over views of the wasm heap) and the cpu kernels.
 */

/** Geometry of one 2-D convolution or pooling window, NHWC, dilation 1. */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Writes the transposed patch matrix of `x`: row `(kh * filterWidth + kw) * inChannels + ci`, column
 * `(n * outHeight + oh) * outWidth + ow`, so the filter gradient is one un-transposed product `columns · dy`.
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, columns: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, padTop, padLeft } = g;
  const positions = batchSize * outHeight * outWidth;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  const step = strideWidth * inChannels;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      // Output columns whose window puts this tap inside the image: ow in [owStart, owEnd).
      const owStart = Math.min(outWidth, Math.max(0, Math.ceil((padLeft - kw) / strideWidth)));
      const owEnd = Math.max(owStart, Math.min(outWidth, Math.floor((inWidth - 1 + padLeft - kw) / strideWidth) + 1));
      const firstRow = (kh * filterWidth + kw) * inChannels;
      if (inChannels >= 4) {
        // Many channels: read each pixel's channels contiguously and write one element to each channel's row.
        let position = 0;
        for (let n = 0; n < batchSize; n++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh - padTop;
            const inside = ih >= 0 && ih < inHeight;
            for (let ow = 0; ow < outWidth; ow++, position++) {
              if (!inside || ow < owStart || ow >= owEnd) {
                for (let ci = 0; ci < inChannels; ci++) columns[(firstRow + ci) * positions + position] = 0;
                continue;
              }
              const source = n * imageStride + ih * rowStride + (ow * strideWidth + kw - padLeft) * inChannels;
              let target = firstRow * positions + position;
              for (let ci = 0; ci < inChannels; ci++) {
                columns[target] = x[source + ci]!;
                target += positions;
              }
            }
          }
        }
        continue;
      }
      for (let ci = 0; ci < inChannels; ci++) {
        let out = (firstRow + ci) * positions;
        for (let n = 0; n < batchSize; n++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight + kh - padTop;
            if (ih < 0 || ih >= inHeight) {
              columns.fill(0, out, out + outWidth);
              out += outWidth;
              continue;
            }
            let ow = 0;
            for (; ow < owStart; ow++) columns[out++] = 0;
            let source = n * imageStride + ih * rowStride + ci + (owStart * strideWidth + kw - padLeft) * inChannels;
            for (; ow < owEnd; ow++) {
              columns[out++] = x[source]!;
              source += step;
            }
            for (; ow < outWidth; ow++) columns[out++] = 0;
          }
        }
      }
    }
  }
}

/** Writes the patch matrix of `x`: row `(n * outHeight + oh) * outWidth + ow`, column `(kh * fw + kw) * ci + c`. */
export function im2col(x: Float32Array, g: ConvGeometry, columns: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, padTop, padLeft } = g;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  let out = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh - padTop;
          if (ih < 0 || ih >= inHeight) {
            columns.fill(0, out, out + filterWidth * inChannels);
            out += filterWidth * inChannels;
            continue;
          }
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw - padLeft;
            if (iw < 0 || iw >= inWidth) {
              columns.fill(0, out, out + inChannels);
            } else {
              const source = n * imageStride + ih * rowStride + iw * inChannels;
              for (let c = 0; c < inChannels; c++) columns[out + c] = x[source + c]!;
            }
            out += inChannels;
          }
        }
      }
    }
  }
}

/** Adds each patch row of `columns` (layout of {@link im2col}) back into the image `dx` (zeroed by the caller). */
export function col2imAdd(columns: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, padTop, padLeft } = g;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  let source = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh - padTop;
          if (ih < 0 || ih >= inHeight) {
            source += filterWidth * inChannels;
            continue;
          }
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw - padLeft;
            if (iw >= 0 && iw < inWidth) {
              let target = n * imageStride + ih * rowStride + iw * inChannels;
              for (let c = 0; c < inChannels; c++) dx[target++]! += columns[source + c]!;
            }
            source += inChannels;
          }
        }
      }
    }
  }
}

/**
 * `c = a · b` for row-major `a` [m, k] and `b` [k, n]. Four rows of `c` at a time, so each row of `b` is loaded once
 * per four rows of `a`; the inner loop runs over contiguous memory.
 */
export function matMul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  c.fill(0, 0, m * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    const a0 = i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!;
      const x1 = a[a1 + p]!;
      const x2 = a[a2 + p]!;
      const x3 = a[a3 + p]!;
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) {
        const y = b[bRow + j]!;
        c[c0 + j]! += x0 * y;
        c[c1 + j]! += x1 * y;
        c[c2 + j]! += x2 * y;
        c[c3 + j]! += x3 * y;
      }
    }
  }
  for (; i < m; i++) {
    const cRow = i * n;
    const aRow = i * k;
    for (let p = 0; p < k; p++) {
      const x = a[aRow + p]!;
      if (x === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j]! += x * b[bRow + j]!;
    }
  }
}

/** Transposes each of `batches` row-major [rows, cols] matrices of `source` into [cols, rows] in `target`. */
export function transposeMatrices(
  source: Float32Array,
  target: Float32Array,
  batches: number,
  rows: number,
  cols: number,
): void {
  const size = rows * cols;
  for (let b = 0; b < batches; b++) {
    const base = b * size;
    for (let r = 0; r < rows; r++) {
      let from = base + r * cols;
      let to = base + r;
      for (let c = 0; c < cols; c++) {
        target[to] = source[from++]!;
        to += rows;
      }
    }
  }
}

/**
 * The filter of the input-gradient convolution: rotated by 180 degrees with in and out channels swapped,
 * `flipped[kh][kw][co][ci] = filter[fh - 1 - kh][fw - 1 - kw][ci][co]`.
 */
export function flipFilter(
  filter: Float32Array,
  flipped: Float32Array,
  filterHeight: number,
  filterWidth: number,
  inChannels: number,
  outChannels: number,
): void {
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      const from = ((filterHeight - 1 - kh) * filterWidth + (filterWidth - 1 - kw)) * inChannels * outChannels;
      const to = (kh * filterWidth + kw) * outChannels * inChannels;
      for (let ci = 0; ci < inChannels; ci++) {
        for (let co = 0; co < outChannels; co++) {
          flipped[to + co * inChannels + ci] = filter[from + ci * outChannels + co]!;
        }
      }
    }
  }
}

/**
 * Spreads `dy` [n, oh, ow, c] onto a zeroed grid [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c], so a strided
 * convolution's input gradient becomes a stride-1 convolution.
 */
export function dilate(
  dy: Float32Array,
  target: Float32Array,
  batchSize: number,
  height: number,
  width: number,
  channels: number,
  strideHeight: number,
  strideWidth: number,
): void {
  const dilatedHeight = (height - 1) * strideHeight + 1;
  const dilatedWidth = (width - 1) * strideWidth + 1;
  target.fill(0, 0, batchSize * dilatedHeight * dilatedWidth * channels);
  let from = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let h = 0; h < height; h++) {
      for (let w = 0; w < width; w++) {
        const to = ((n * dilatedHeight + h * strideHeight) * dilatedWidth + w * strideWidth) * channels;
        for (let c = 0; c < channels; c++) target[to + c] = dy[from++]!;
      }
    }
  }
}

/**
 * Copies `x` [n, inHeight, inWidth, c] into a zeroed `target` [n, height, width, c] at offset (padTop, padLeft), so a
 * padded convolution becomes a 'valid' one. Rows or columns beyond the target's size are dropped.
 */
export function padImages(x: Float32Array, target: Float32Array, g: ConvGeometry, height: number, width: number): void {
  const { batchSize, inHeight, inWidth, inChannels, padTop, padLeft } = g;
  target.fill(0, 0, batchSize * height * width * inChannels);
  const rowLength = Math.min(inWidth, width - padLeft) * inChannels;
  for (let n = 0; n < batchSize; n++) {
    for (let h = 0; h < inHeight && h + padTop < height; h++) {
      const from = (n * inHeight + h) * inWidth * inChannels;
      const to = ((n * height + h + padTop) * width + padLeft) * inChannels;
      target.set(x.subarray(from, from + rowLength), to);
    }
  }
}

/** Sums `x` viewed as [outer, inner] over its outer axis into `out` [inner] (the bias gradient's reduction). */
export function sumLeadingAxes(x: Float32Array, out: Float32Array, outer: number, inner: number): void {
  out.fill(0, 0, inner);
  let o = 0;
  // Four rows per pass: a quarter of the loads and stores of `out`.
  for (; o + 4 <= outer; o += 4) {
    const r0 = o * inner;
    const r1 = r0 + inner;
    const r2 = r1 + inner;
    const r3 = r2 + inner;
    for (let j = 0; j < inner; j++) out[j]! += x[r0 + j]! + x[r1 + j]! + x[r2 + j]! + x[r3 + j]!;
  }
  for (; o < outer; o++) {
    const r = o * inner;
    for (let j = 0; j < inner; j++) out[j]! += x[r + j]!;
  }
}

/** Geometry of a max pool (dilation 1): input [n, ih, iw, c], output [n, oh, ow, c]. */
export interface PoolGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Max-pool gradient: each output's gradient goes to the first maximum of its window in row-major order (the cpu
 * backend's rule; padding never wins). `dx` is overwritten. A 2x2, stride-2, unpadded window has a fast path.
 */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, channels, outHeight, outWidth } = g;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft } = g;
  dx.fill(0, 0, batchSize * inHeight * inWidth * channels);
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  const fast = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2;
  let d = 0;
  for (let n = 0; n < batchSize; n++) {
    const image = n * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - padLeft;
        if (fast && padTop === 0 && padLeft === 0 && top + 1 < inHeight && left + 1 < inWidth) {
          // Each input of the window written once, selects instead of branches (the argmax is random).
          const p00 = image + top * rowStride + left * channels;
          const p01 = p00 + channels;
          const p10 = p00 + rowStride;
          const p11 = p10 + channels;
          for (let c = 0; c < channels; c++) {
            const a = x[p00 + c]!;
            const b = x[p01 + c]!;
            const e = x[p10 + c]!;
            const f = x[p11 + c]!;
            const gradient = dy[d++]!;
            const top2 = Math.max(a, b);
            const bottom2 = Math.max(e, f);
            const fromTop = top2 >= bottom2;
            dx[p00 + c] = fromTop && a >= b ? gradient : 0;
            dx[p01 + c] = fromTop && a < b ? gradient : 0;
            dx[p10 + c] = !fromTop && e >= f ? gradient : 0;
            dx[p11 + c] = !fromTop && e < f ? gradient : 0;
          }
          continue;
        }
        for (let c = 0; c < channels; c++) {
          let best = -1;
          let value = Number.NEGATIVE_INFINITY;
          for (let kh = 0; kh < filterHeight; kh++) {
            const ih = top + kh;
            if (ih < 0 || ih >= inHeight) continue;
            for (let kw = 0; kw < filterWidth; kw++) {
              const iw = left + kw;
              if (iw < 0 || iw >= inWidth) continue;
              const at = image + ih * rowStride + iw * channels + c;
              if (x[at]! > value || best < 0) {
                best = at;
                value = x[at]!;
              }
            }
          }
          if (best >= 0) dx[best]! += dy[d]!;
          d++;
        }
      }
    }
  }
}
