import '@tensorflow/tfjs-backend-cpu';
import { createRandom } from '@fmnist/internal';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { setSimdKernelsEnabled } from '../kernels/simd.js';
import { FlatAdam } from './adam.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// The SIMD pass computes in float32 like tfjs (in another order: a few ulps apart after 20 steps); the JavaScript
// pass in float64, rounded once per step.
it.each([
  ['SIMD', true, 5e-6],
  ['JavaScript', false, 1e-6],
] as const)(
  'makes the same updates as tf.train.adam, step after step, with a changing learning rate (%s)',
  (_name, simd, tolerance) => {
    setSimdKernelsEnabled(simd);
    try {
      const random = createRandom(3);
      const size = 257;
      const initial = Float32Array.from({ length: size }, () => random() * 2 - 1);
      const variable = tf.variable(tf.tensor1d(initial));
      const reference = tf.train.adam(0.01);
      const parameters = initial.slice();
      const adam = new FlatAdam(size);
      for (let step = 0; step < 20; step++) {
        const learningRate = 0.01 * (1 - step / 40);
        const gradient = Float32Array.from(
          { length: size },
          () => (random() * 2 - 1) * 10 ** Math.floor(random() * 4 - 2),
        );
        const gradientTensor = tf.tensor1d(gradient);
        (reference as unknown as { learningRate: number }).learningRate = learningRate;
        reference.applyGradients([{ name: variable.name, tensor: gradientTensor }]);
        gradientTensor.dispose();
        adam.step(parameters, gradient, learningRate);
      }
      const expected = variable.dataSync();
      let maxDifference = 0;
      for (let index = 0; index < size; index++) {
        maxDifference = Math.max(maxDifference, Math.abs(expected[index]! - parameters[index]!));
      }
      expect(maxDifference).toBeLessThan(tolerance);
      expect(parameters).not.toEqual(initial);
      reference.dispose();
      variable.dispose();
    } finally {
      setSimdKernelsEnabled(true);
    }
  },
);
