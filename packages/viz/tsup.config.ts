import { defineConfig } from 'tsup';

export default defineConfig({
  // index: browser-safe (specs, SVG, report strings); node: resvg PNGs and file writing.
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // @fmnist/internal is private: its code is bundled in, so this package installs alone.
  noExternal: ['@fmnist/internal'],
});
