/**
 * Wraps every kernel of a backend in a CPU timer (kernels on wasm and cpu run synchronously on the calling thread, so
 * CPU time is theirs; other processes on the machine do not inflate it). The bench scripts' kernel profiles use it.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Called after each kernel with its name, its first input's shape (if any) and the CPU milliseconds it took. */
export type KernelListener = (kernelName: string, firstShape: readonly number[] | undefined, cpuMs: number) => void;

export function timeKernels(backend: string, listener: KernelListener): void {
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const before = process.cpuUsage();
        const out = inner(args);
        const used = process.cpuUsage(before);
        listener(config.kernelName, Object.values(args.inputs)[0]?.shape, (used.user + used.system) / 1000);
        return out;
      },
    });
  }
}
