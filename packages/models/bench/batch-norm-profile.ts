/**
 * What batch norm costs in a training step on one thread: the same network with and without batch norm after each
 * convolution, timed alternately in one process (CPU time, so other jobs on the machine matter less), then a kernel
 * profile of each (kernel, ms per step, share of the step).
 *
 *   npx tsx packages/models/bench/batch-norm-profile.ts [--model default|block] [--batch 32] [--steps 10] [--rounds 5]
 *     [--backend wasm|cpu] [--stock-batch-norm]
 *
 * --model default: createCnnModel() (two blocks, dense 256) with `batchNorm` false and true.
 * --model block: one convolution block alone, 14x14x32 in, conv 3x3 64 'same' + ReLU (+ batch norm), max-pool, dense 10.
 * --stock-batch-norm: leave tfjs-layers' own batch norm (moments, FusedBatchNorm and their autodiff), the "before".
 * Random images (the data does not change the work), Adam 1e-3.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { timeKernels } from './kernel-timer.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { setFusedBatchNormEnabled } from '../src/kernels/batch-norm.js';
import { registerFastKernels } from '../src/kernels/index.js';
import { createCnnModel } from '../src/models.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    model: { type: 'string', default: 'default' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    'stock-batch-norm': { type: 'boolean', default: false },
  },
});
const batchSize = Number(values.batch);
const steps = Number(values.steps);
const rounds = Number(values.rounds);

await tf.setBackend(values.backend);
registerFastKernels(values.backend);
if (values['stock-batch-norm']) setFusedBatchNormEnabled(false);

function build(batchNorm: boolean): tfl.LayersModel {
  if (values.model === 'default') return createCnnModel({ seed: 0, batchNorm });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [14, 14, 32], filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      ...(batchNorm ? [tfl.layers.batchNormalization()] : []),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

interface Subject {
  name: string;
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  x: tf.Tensor;
  y: tf.Tensor;
}

function subject(batchNorm: boolean): Subject {
  const model = build(batchNorm);
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  return {
    name: batchNorm ? 'with batch norm' : 'without',
    model,
    optimizer: tf.train.adam(1e-3),
    x: tf.randomNormal([batchSize, ...inputShape], 0, 1, 'float32', 1),
    y: tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batchSize }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ),
  };
}

function step(s: Subject): void {
  tf.tidy(() => {
    s.optimizer.minimize(() => {
      const out = s.model.apply(s.x, { training: true }) as tf.Tensor;
      return tf.losses.softmaxCrossEntropy(s.y, out) as tf.Scalar;
    });
  });
}

/** CPU milliseconds per step over `n` steps. */
function time(s: Subject, n: number): number {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) step(s);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

const plain = subject(false);
const normed = subject(true);
for (const s of [plain, normed]) for (let i = 0; i < 3; i++) step(s);

const plainMs: number[] = [];
const normedMs: number[] = [];
for (let r = 0; r < rounds; r++) {
  // Alternate the order, so that a change in the machine's speed falls on both.
  if (r % 2 === 0) {
    plainMs.push(time(plain, steps));
    normedMs.push(time(normed, steps));
  } else {
    normedMs.push(time(normed, steps));
    plainMs.push(time(plain, steps));
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const ratios = plainMs.map((p, i) => normedMs[i]! / p);
console.log(
  `${values.backend}, model ${values.model}, batch ${batchSize}, ${values['stock-batch-norm'] ? "tfjs-layers' batch norm" : 'fused batch norm'}`,
);
console.log(
  `CPU ms per step: without ${median(plainMs).toFixed(2)}, with batch norm ${median(normedMs).toFixed(2)}; ratio per round ${ratios
    .map((r) => r.toFixed(3))
    .join(' ')} (median ${median(ratios).toFixed(3)})`,
);

// Kernel profile: every kernel of the backend wrapped in a CPU timer (kernels run synchronously on this thread).
const totals = new Map<string, { ms: number; calls: number }>();
timeKernels(values.backend, (kernelName, firstShape, ms) => {
  const key = firstShape ? `${kernelName} ${firstShape.join('x')}` : kernelName;
  const entry = totals.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls++;
  totals.set(key, entry);
});
for (const s of [plain, normed]) {
  totals.clear();
  const stepMs = time(s, steps);
  const kernelMs = [...totals.values()].reduce((sum, e) => sum + e.ms, 0) / steps;
  console.log(`\n${s.name}: ${stepMs.toFixed(2)} ms CPU per step, ${kernelMs.toFixed(2)} in kernels`);
  console.log('| kernel (first input shape) | ms/step | share | calls/step |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, entry] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
    const ms = entry.ms / steps;
    if (ms < 0.005) continue;
    console.log(
      `| ${name} | ${ms.toFixed(3)} | ${((100 * ms) / stepMs).toFixed(1)}% | ${(entry.calls / steps).toFixed(0)} |`,
    );
  }
}
