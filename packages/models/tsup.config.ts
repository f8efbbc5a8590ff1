import { defineConfig } from 'tsup';

// Two entries: `index` (Node: adds saveModel/loadModel on files) and `browser` (no Node modules; loads from URLs).
export default defineConfig({
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
