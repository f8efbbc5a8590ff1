import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  // @fmnist/internal is private: its code is bundled in, so the CLI installs alone. No dts: nothing imports the CLI.
  noExternal: ['@fmnist/internal'],
});
