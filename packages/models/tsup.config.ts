import { defineConfig } from 'tsup';

// Two entries: `index` (Node: adds saving, training and folders) and `browser` (no Node modules; loads from URLs),
// and the one worker script, dist/worker.{js,cjs}, that the worker pool starts beside the bundle holding it.
export default defineConfig({
  entry: { index: 'src/index.ts', browser: 'src/browser.ts', worker: 'src/parallel/worker.ts' },
  // import.meta.url in the CJS build (the pool locates the worker script from it).
  shims: true,
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // @fmnist/internal is private: its code is bundled in, so this package installs alone.
  noExternal: ['@fmnist/internal'],
});
