/**
 * Times the SIMD module's Winograd kernels and their parts on the default CNN's second convolution (one worker's
 * share: 32 images of 14x14x32 to 14x14x64, 'same'), on a memory of their own.
 *
 *   npx tsx packages/models/bench/winograd-micro.ts [--batch 32] [--size 14] [--in 32] [--out 64] [--pad 1]
 */
import { parseArgs } from 'node:util';
import { standaloneSimdKernels } from '../src/kernels/simd.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    size: { type: 'string', default: '14' },
    in: { type: 'string', default: '32' },
    out: { type: 'string', default: '64' },
    pad: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '50' },
  },
});
const batch = Number(values.batch);
const size = Number(values.size);
const inC = Number(values.in);
const outC = Number(values.out);
const pad = Number(values.pad);
const outSize = size + 2 * pad - 2;
const floats = {
  x: batch * size * size * inC,
  w: 9 * inC * outC,
  y: batch * outSize * outSize * outC,
};
const module = standaloneSimdKernels(64 << 20);
if (!module) throw new Error('no WebAssembly SIMD here');
const { kernels, memory } = module;
let next = 0;
const alloc = (n: number) => {
  const at = next;
  next += Math.ceil((n * 4) / 64) * 64;
  return at;
};
const x = alloc(floats.x);
const w = alloc(floats.w);
const y = alloc(floats.y);
const dy = alloc(floats.y);
const dx = alloc(floats.x);
const dw = alloc(floats.w);
const scratch = alloc(Math.max(kernels.winograd4ScratchFloats(inC, outC), kernels.winograd4ScratchFloats(outC, inC)));
const f32 = new Float32Array(memory.buffer);
for (let i = 0; i < f32.length / 4; i++) f32[i] = Math.random() - 0.5;

function time(name: string, flops: number, run: () => void) {
  for (let i = 0; i < 5; i++) run();
  const repeats = Number(values.repeats);
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeats; i++) run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / repeats;
  console.log(
    `${name.padEnd(34)} ${ms.toFixed(3).padStart(8)} ms  ${(flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s direct-equivalent`,
  );
}

const direct = 2 * batch * outSize * outSize * 9 * inC * outC;
const variants = [
  ['F(2x2)', kernels.winogradConvolution, kernels.winogradFilterGradient],
  ['F(4x4)', kernels.winograd4Convolution, kernels.winograd4FilterGradient],
] as const;
for (const [name, convolution, filterGradient] of variants) {
  time(`${name} forward`, direct, () =>
    convolution(x, w, y, scratch, batch, size, size, inC, outSize, outSize, outC, pad, pad, 0, 0, 0),
  );
  // The input gradient: dy convolved with the rotated, channel-swapped filter, padded by 2 - pad.
  const flippedPad = 2 - pad;
  time(`${name} input gradient`, direct, () =>
    convolution(dy, w, dx, scratch, batch, outSize, outSize, outC, size, size, inC, flippedPad, flippedPad, 1, 0, 0),
  );
  time(`${name} filter gradient`, direct, () =>
    filterGradient(x, dy, dw, scratch, batch, size, size, inC, outSize, outSize, outC, pad, pad),
  );
}
time('filter gradient (direct kernel)', direct, () => {
  // 'valid' on the unpadded input: the same work without the padding copy.
  kernels.convFilterGradient(x, dy, dw, batch, size, size, inC, size - 2, size - 2, outC, 3, 3, 1, 1);
});
const tiles = batch * Math.ceil(outSize / 2) ** 2;
time('matMulNN [32 x in] x [in x out] x16', 0, () => {
  for (let k = 0; k < 16; k++) kernels.matMulNN(x, w, y, 32, inC, outC);
});
console.log(`(tiles ${tiles}, chunks of 32: ${Math.ceil(tiles / 32)})`);
