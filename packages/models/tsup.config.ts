import { defineConfig } from 'tsup';

// Two entries: `index` (Node: adds saveModel/loadModel on files) and `browser` (no Node modules; loads from URLs).
export default defineConfig({
  // The training and inference workers are their own files (dist/parallel/{worker,inference-worker}.{js,cjs}),
  // started by train() and predict() with workers > 1.
  entry: ['src/index.ts', 'src/browser.ts', 'src/parallel/worker.ts', 'src/parallel/inference-worker.ts'],
  // import.meta.url in the CJS build (train() locates the worker file from it).
  shims: true,
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
