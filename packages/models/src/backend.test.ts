import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';
import { ModelsError } from './errors.js';
import { createReferenceModel } from './models.js';

afterAll(async () => {
  await selectBackend('cpu');
});

/** One forward and backward pass of the reference CNN: proves the backend has every kernel training needs. */
function cnnGradientNorm(): number {
  const model = createReferenceModel('cnn', { seed: 3 });
  const norm = tf.tidy(() => {
    const images = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d([1, 7], 'int32'), 10);
    const { grads } = tf.variableGrads(() =>
      tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor),
    );
    return tf.addN(Object.values(grads).map((grad) => tf.sum(tf.square(grad)))).dataSync()[0]!;
  });
  model.dispose();
  return norm;
}

describe('selectBackend', () => {
  it('starts cpu when asked and says so in one line', async () => {
    const selected = await selectBackend('cpu');
    expect(selected.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(selected.reason).toMatch(/^cpu: requested/);
    expect(selected.reason).not.toContain('\n');
  });

  it('starts wasm in Node (its .wasm files are found) and trains the CNN on it', async () => {
    const selected = await selectBackend('wasm');
    expect(selected.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selected.reason).toMatch(/^wasm: requested \(WebAssembly kernels \(SIMD (on|off), threads (on|off)\)\)$/);
    const wasmNorm = cnnGradientNorm();
    await selectBackend('cpu');
    const cpuNorm = cnnGradientNorm();
    expect(wasmNorm).toBeGreaterThan(0);
    expect(Math.abs(wasmNorm - cpuNorm) / cpuNorm).toBeLessThan(1e-3);
  });

  it('is idempotent: the same preference twice gives the same answer', async () => {
    const first = await selectBackend('wasm');
    const second = await selectBackend('wasm');
    expect(second).toBe(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it("explains that 'tensorflow' needs @tensorflow/tfjs-node when it is not installed", async () => {
    const error = await selectBackend('tensorflow').catch((caught: unknown) => caught);
    expect(ModelsError.isInstance(error)).toBe(true);
    expect((error as ModelsError).code).toBe('E_MODELS_BACKEND_UNAVAILABLE');
    expect((error as ModelsError).message).toMatch(
      /backend 'tensorflow' is not available: the optional peer @tensorflow\/tfjs-node could not be loaded .*npm i @tensorflow\/tfjs-node/,
    );
  });

  it('auto falls back to wasm without tfjs-node and says why', async () => {
    const selected = await selectBackend('auto');
    expect(selected.name).toBe('wasm');
    expect(selected.reason).toMatch(/^auto: @tensorflow\/tfjs-node is not installed; using wasm \(/);
  });

  it('rejects an unknown preference by naming the accepted ones', async () => {
    await expect(selectBackend('webgpu' as never)).rejects.toThrow(
      "backend must be one of auto, tensorflow, wasm, cpu, got 'webgpu'",
    );
  });
});
