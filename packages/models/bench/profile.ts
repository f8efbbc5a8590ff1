/**
 * Kernel profile of training the reference CNN on one thread: whole batches of real FashionMNIST data, Adam 1e-3,
 * batch 64, with the fast kernels registered; prints training images/s and the time per kernel.
 *
 *   npx tsx packages/models/bench/profile.ts [--backend wasm|cpu] [--limit 6400] [--batch 64] [--model reference|default]
 *     [--stock] [--no-simd]
 *
 * --batch 32 profiles what each of two data-parallel workers computes per step of a 64-image batch.
 *
 * --stock skips registerFastKernels (stock wasm cannot train a CNN: it lacks Conv2DBackpropFilter); --no-simd keeps
 * the fast kernels' JavaScript paths instead of our WebAssembly SIMD module; --model default profiles createCnnModel().
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { timeKernels } from './kernel-timer.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerFastKernels } from '../src/kernels/index.js';
import { setSimdKernelsEnabled } from '../src/kernels/simd.js';
import { createCnnModel } from '../src/models.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    limit: { type: 'string', default: '6400' },
    'profile-steps': { type: 'string', default: '20' },
    batch: { type: 'string', default: '64' },
    stock: { type: 'boolean', default: false },
    'no-simd': { type: 'boolean', default: false },
    model: { type: 'string', default: 'reference' },
    'data-dir': { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
  },
});

function readIdx(path: string, headerBytes: number): Uint8Array {
  return gunzipSync(readFileSync(path)).subarray(headerBytes);
}

const dataDir = values['data-dir'];
const limit = Number(values.limit);
const pixels = readIdx(`${dataDir}/train-images-idx3-ubyte.gz`, 16).subarray(0, limit * 784);
const labels = readIdx(`${dataDir}/train-labels-idx1-ubyte.gz`, 8).subarray(0, limit);
let mean = 0;
for (const p of pixels) mean += p / 255;
mean /= pixels.length;
let variance = 0;
for (const p of pixels) variance += (p / 255 - mean) ** 2;
const std = Math.sqrt(variance / pixels.length);
const images = Float32Array.from(pixels, (p) => (p / 255 - mean) / std);

await tf.setBackend(values.backend);
if (!values.stock) registerFastKernels(values.backend);
if (values['no-simd']) setSimdKernelsEnabled(false);

const model =
  values.model === 'default'
    ? createCnnModel({ seed: 0 })
    : tfl.sequential({
        layers: [
          tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
          tfl.layers.maxPooling2d({ poolSize: 2 }),
          tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
          tfl.layers.maxPooling2d({ poolSize: 2 }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 128, activation: 'relu' }),
          tfl.layers.dense({ units: 10 }),
        ],
      });
const optimizer = tf.train.adam(1e-3);
const batchSize = Number(values.batch);

function step(first: number): void {
  tf.tidy(() => {
    const count = Math.min(batchSize, limit - first);
    const x = tf.tensor4d(images.subarray(first * 784, (first + count) * 784), [count, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(labels.subarray(first, first + count), 'int32'), 10);
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
  });
}

// One warm-up step, then a timed pass over the data.
step(0);
const start = performance.now();
let seen = 0;
for (let first = 0; first < limit; first += batchSize) {
  step(first);
  seen += Math.min(batchSize, limit - first);
}
await tf.ready();
const seconds = (performance.now() - start) / 1000;
console.log(`${values.backend}${values.stock ? ' (stock)' : ''}: ${(seen / seconds).toFixed(0)} training images/s`);

// Per-kernel CPU time over a few steps: every kernel of the backend is wrapped in a timer (kernels on wasm and cpu run
// synchronously on this thread; CPU time rather than wall time, so other processes on the machine do not inflate it).
const totals = new Map<string, { ms: number; calls: number }>();
timeKernels(values.backend, (kernelName, firstShape, ms) => {
  // Convolution kernels are listed per input shape, the rest per name.
  const key = /Conv|Pool|MatMul/.test(kernelName) && firstShape ? `${kernelName} ${firstShape.join('x')}` : kernelName;
  const entry = totals.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls++;
  totals.set(key, entry);
});
const steps = Number(values['profile-steps']);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let s = 0; s < steps; s++) step((s * batchSize) % (limit - batchSize));
const wallMs = (performance.now() - t0) / steps;
const cpu = process.cpuUsage(cpu0);
const stepMs = (cpu.user + cpu.system) / 1000 / steps;
const kernelMs = [...totals.values()].reduce((sum, e) => sum + e.ms, 0) / steps;
console.log(
  `per step: ${wallMs.toFixed(1)} ms wall, ${stepMs.toFixed(1)} ms CPU, ${kernelMs.toFixed(1)} ms CPU in kernels (${(
    (1000 * batchSize) / stepMs
  ).toFixed(0)} images per CPU-second)`,
);
console.log('kernel (first input shape)          ms/step  share  calls/step');
for (const [name, entry] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  if (entry.calls === 0) continue;
  const ms = entry.ms / steps;
  console.log(
    `${name.padEnd(34)} ${ms.toFixed(2).padStart(8)} ${((100 * ms) / stepMs).toFixed(1).padStart(5)}% ${(entry.calls / steps).toFixed(0).padStart(6)}`,
  );
}
