/**
 * Where one data-parallel worker's step goes, outside and inside the kernels: the same Replica calls a training
 * worker makes (gradient of a 32-image share, Adam on half the parameters, reloading all parameters), on one thread,
 * CPU time per part. Real data, fast kernels on wasm.
 *
 *   npx tsx packages/models/bench/step-profile.ts [--model reference|default] [--share 32] [--steps 40]
 *     [--winograd-tile 2|4|auto]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { timeKernels } from './kernel-timer.js';
import '@tensorflow/tfjs-backend-wasm';
import { registerFastKernels } from '../src/kernels/index.js';
import { setWinogradTile } from '../src/kernels/simd.js';
import { createCnnModel, createReferenceModel } from '../src/models.js';
import { FlatAdam } from '../src/parallel/adam.js';
import { epochOrder } from '../src/parallel/batches.js';
import { Replica } from '../src/parallel/replica.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'reference' },
    share: { type: 'string', default: '32' },
    steps: { type: 'string', default: '40' },
    'winograd-tile': { type: 'string', default: 'auto' },
    'data-dir': { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
  },
});
const share = Number(values.share);
const steps = Number(values.steps);
const count = share * (steps + 5);
const pixels = gunzipSync(readFileSync(`${values['data-dir']}/train-images-idx3-ubyte.gz`)).subarray(
  16,
  16 + count * 784,
);
const labels = gunzipSync(readFileSync(`${values['data-dir']}/train-labels-idx1-ubyte.gz`)).subarray(8, 8 + count);
const images = Float32Array.from(pixels, (p) => (p / 255 - 0.286) / 0.353);

await tf.setBackend('wasm');
registerFastKernels('wasm');
if (values['winograd-tile'] !== 'auto') setWinogradTile(Number(values['winograd-tile']) === 4 ? 4 : 2);
const model = values.model === 'default' ? createCnnModel({ seed: 0 }) : createReferenceModel('cnn', { seed: 0 });
const config = {
  epochs: 1,
  batchSize: share,
  learningRate: 1e-3,
  schedule: 'constant',
  warmupSteps: 0,
  labelSmoothing: 0,
  augmentation: undefined,
  seed: 0,
} as const;
const replica = new Replica(model, { images, labels, count, rows: 28, cols: 28 }, config);
const gradient = new Float32Array(replica.parameterCount);
const half = Math.ceil(replica.parameterCount / 2);
const adam = new FlatAdam(half);
const order = epochOrder(count, 0, 0);
const augmentation = values.model === 'default' ? { flip: true, maxShift: 2 } : undefined;

// Kernel CPU time inside the gradient, to separate the kernels from tfjs' bookkeeping and our glue.
let kernelMs = 0;
let counting = false;
timeKernels('wasm', (_kernelName, _firstShape, ms) => {
  if (counting) kernelMs += ms;
});
const parts = { gradient: 0, adam: 0, load: 0 };
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let step = -5; step < steps; step++) {
  const first = (step + 5) * share;
  const t0 = cpu();
  counting = step >= 0;
  replica.computeGradient(order, first, first + share, share * 2, augmentation, 0, 0, 0, gradient);
  const t1 = cpu();
  counting = false;
  adam.step(replica.parameters.subarray(0, half), gradient.subarray(0, half), 1e-3);
  const t2 = cpu();
  replica.loadParameters();
  const t3 = cpu();
  if (step >= 0) {
    parts.gradient += t1 - t0;
    parts.adam += t2 - t1;
    parts.load += t3 - t2;
  }
}
const total = parts.gradient + parts.adam + parts.load;
console.log(
  `${values.model} CNN, share ${share}, ${replica.parameterCount} parameters: ${(total / steps).toFixed(1)} ms CPU per step ` +
    `(gradient ${(parts.gradient / steps).toFixed(1)} of which kernels ${(kernelMs / steps).toFixed(1)}, Adam on half ${(parts.adam / steps).toFixed(2)}, ` +
    `reload ${(parts.load / steps).toFixed(2)}); ${((1000 * share) / (total / steps)).toFixed(0)} images per CPU-second`,
);
