// The demo builds like any outside project: @fmnist/* resolve through their published `exports` to dist/.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  preview: { host: '127.0.0.1', strictPort: false },
});
