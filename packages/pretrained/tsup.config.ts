import { readdirSync } from 'node:fs';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

// Each model's files (src/models/<name>.generated.ts, a megabyte for the CNN) become one ES module, dist/models/<name>.js,
// which both the ESM and the CJS entry load with import(): the weights are in the tarball once, and a bundler puts
// them in a chunk of their own, loaded only when that model is.
const models = readdirSync('src/models')
  .filter((file) => file.endsWith('.generated.ts') && file !== 'catalog.generated.ts')
  .map((file) => file.replace('.generated.ts', ''));

const modelFilesExternal: Plugin = {
  name: 'model-files-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/[a-z0-9-]+\.generated\.js$/ }, (args) => {
      if (!args.importer.endsWith('catalog.generated.ts')) return undefined;
      return { path: `./models/${args.path.slice(2).replace('.generated.js', '.js')}`, external: true };
    });
  },
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    // dist/models/ is the other build's.
    clean: ['*.js', '*.cjs', '*.map', '*.d.ts', '*.d.cts'],
    sourcemap: true,
    target: 'node20',
    // @fmnist/internal is private: its code is bundled in, so this package installs alone.
    noExternal: ['@fmnist/internal'],
    esbuildPlugins: [modelFilesExternal],
  },
  {
    entry: Object.fromEntries(models.map((name) => [name, `src/models/${name}.generated.ts`])),
    outDir: 'dist/models',
    format: ['esm'],
    // Data only: no types, no source maps (they would hold the weights a second time).
    dts: false,
    sourcemap: false,
    clean: true,
    target: 'node20',
  },
]);
