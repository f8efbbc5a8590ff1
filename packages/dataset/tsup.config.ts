import { defineConfig } from 'tsup';

// Two entries: `index` (Node: files, cache, download) and `browser` (URLs and buffers; no Node modules).
export default defineConfig({
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // @fmnist/internal is private: its code is bundled in, so this package installs alone.
  noExternal: ['@fmnist/internal'],
});
