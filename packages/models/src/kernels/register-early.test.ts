// Its own file, so the wasm backend has not started yet when the fast kernels are registered.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { expect, it } from 'vitest';
import { registerFastKernels } from './index.js';

it('works when registered before the wasm backend starts (the stock kernels it delegates to still get set up)', async () => {
  registerFastKernels('wasm');
  await tf.setBackend('wasm');
  const a = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  expect(Array.from(tf.matMul(a, a, true, false).dataSync())).toEqual([10, 14, 14, 20]);
  expect(Array.from(tf.sum(tf.ones([2, 3]), 0).dataSync())).toEqual([2, 2, 2]);
  const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
  const dy = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: 1,
    pad: 'valid',
    dataFormat: 'NHWC',
    filterShape: [3, 3, 1, 1],
  } as never) as tf.Tensor;
  expect(Array.from(dw.dataSync())).toEqual(Array(9).fill(1));
});
