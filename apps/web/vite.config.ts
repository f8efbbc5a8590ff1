// The demo builds like any outside project: @fmnist/* resolve through their published `exports` to dist/.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  // No SPA fallback: a missing model.json must be a 404 the page can explain, not index.html parsed as JSON.
  appType: 'mpa',
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  preview: { host: '127.0.0.1', strictPort: false },
});
