/**
 * Fast and missing kernels for the wasm and cpu backends (Conv2DBackpropFilter and friends), registered through
 * tfjs' public kernel registry. selectBackend calls registerFastKernels after tf.setBackend.
 */
import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { installFusedBatchNorm, registerBatchNormGradient } from './batch-norm.js';
import { cpuKernelConfigs } from './cpu.js';
import { wasmKernelConfigs } from './wasm.js';

const registered = new Map<string, string[]>();

/**
 * Replaces (or adds) the convolution-gradient, max-pool-gradient, bias-sum and transposed-matmul kernels of backend
 * `backendName` ('wasm' or 'cpu') with the fast ones of this package, and adds the fused batch-norm training kernels
 * (batch-norm.ts), which tfjs-layers' BatchNormalization then uses in training on that backend. Idempotent; a no-op
 * for other backends ('tensorflow' has native kernels) and for a backend whose package is not loaded.
 */
export function registerFastKernels(backendName: string): void {
  if (registered.has(backendName)) return;
  let configs: KernelConfig[];
  if (backendName === 'wasm') configs = wasmKernelConfigs();
  else if (backendName === 'cpu') configs = cpuKernelConfigs();
  else return;
  if (configs.length === 0) return;
  registerBatchNormGradient();
  installFusedBatchNorm();
  for (const config of configs) {
    if (getKernel(config.kernelName, backendName)) unregisterKernel(config.kernelName, backendName);
    registerKernel(config);
  }
  registered.set(
    backendName,
    configs.map((c) => c.kernelName),
  );
}

/** Names of the kernels registerFastKernels replaced on `backendName` (empty before it ran). */
export function fastKernelNames(backendName: string): string[] {
  return [...(registered.get(backendName) ?? [])];
}
