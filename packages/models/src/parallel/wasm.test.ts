import { createRandom } from '@fmnist/internal';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import { train } from '../train.js';
import { liveWorkerCount } from './pool.js';
import { readWeights, weightsDigest } from './replica.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

it('trains a small CNN on wasm with 2 workers, which start the same backend and its fast kernels', {
  timeout: 240_000,
}, async () => {
  // Stock wasm has no Conv2DBackpropFilter: this trains only if each worker registered the package's kernels.
  const random = createRandom(4);
  const count = 96;
  const images = Float32Array.from({ length: count * 784 }, () => random() - 0.5);
  const labels = Uint8Array.from({ length: count }, () => Math.floor(random() * 10));
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  const before = weightsDigest(readWeights(model));
  const history = await train(model, { images, labels, count }, { batchSize: 32, workers: 2 });
  expect(history).toMatchObject({ backend: 'wasm', workers: 2, cancelled: false });
  expect(history.epochs[0]!.loss).toBeGreaterThan(0);
  expect(weightsDigest(readWeights(model))).not.toBe(before);
  expect(liveWorkerCount()).toBe(0);
  model.dispose();
});
