/**
 * Fast and missing kernels for the wasm and cpu backends (Conv2DBackpropFilter and friends).
 * Owned by the fast-training work; selectBackend calls registerFastKernels after tf.setBackend.
 */
export function registerFastKernels(_backendName: string): void {
  // Filled in by the fast-kernels work (issue 6).
}
