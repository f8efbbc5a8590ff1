/**
 * Relaxed SIMD (fused multiply-add) against SIMD128: the same training steps of a model with each build of the kernel
 * module, alternating in one process, CPU time per step. Needs an engine with relaxed SIMD (Node 22 or later):
 *
 *   npx -y node@24 node_modules/tsx/dist/cli.mjs packages/models/bench/relaxed-simd.ts [--model default|reference]
 *     [--batch-norm] [--batch 32] [--steps 10] [--rounds 6]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerFastKernels } from '../src/kernels/index.js';
import { relaxedSimdSupported, setRelaxedSimdEnabled, simdVariant } from '../src/kernels/simd.js';
import { createCnnModel } from '../src/models.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'default' },
    'batch-norm': { type: 'boolean', default: false },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '6' },
  },
});
if (!relaxedSimdSupported()) {
  console.error(`Node ${process.versions.node} has no relaxed SIMD: run this on Node 22 or later (npx -y node@24 ...)`);
  process.exit(1);
}
await tf.setBackend('wasm');
registerFastKernels('wasm');
const batchSize = Number(values.batch);
const model =
  values.model === 'default'
    ? createCnnModel({ seed: 0, batchNorm: values['batch-norm'] })
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
const x = tf.randomNormal([batchSize, 28, 28, 1], 0, 1, 'float32', 1);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: batchSize }, (_, i) => i % 10),
    'int32',
  ),
  10,
);

function time(relaxed: boolean, steps: number): number {
  setRelaxedSimdEnabled(relaxed);
  const before = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      );
    });
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / steps;
}

time(true, 3);
time(false, 3);
const steps = Number(values.steps);
const relaxedMs: number[] = [];
const simdMs: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  if (r % 2 === 0) {
    relaxedMs.push(time(true, steps));
    simdMs.push(time(false, steps));
  } else {
    simdMs.push(time(false, steps));
    relaxedMs.push(time(true, steps));
  }
}
setRelaxedSimdEnabled(true);
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const ratios = relaxedMs.map((ms, i) => ms / simdMs[i]!);
console.log(
  `Node ${process.versions.node}, model ${values.model}${values['batch-norm'] ? ' + batch norm' : ''}, batch ${batchSize}, now ${simdVariant()}`,
);
console.log(
  `CPU ms per step: relaxed SIMD ${median(relaxedMs).toFixed(2)}, SIMD128 ${median(simdMs).toFixed(2)}; relaxed / SIMD128 per round ${ratios
    .map((r) => r.toFixed(3))
    .join(' ')} (median ${median(ratios).toFixed(3)})`,
);
