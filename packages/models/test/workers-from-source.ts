/**
 * Test setup (vitest `setupFiles`): worker threads run this package's TypeScript source. The pool starts the worker
 * script beside the module that holds it, `worker.js` (in dist/, the built script). Under vitest that module is
 * src/parallel/pool.ts and no src/parallel/worker.js exists, so `Worker` is wrapped here to start the `.ts` source
 * through tsx instead (vitest's own transform does not reach worker threads, nor does `--import tsx`).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vi } from 'vitest';

/** tsx's ESM API (its CJS build cannot register ESM hooks here), found like any dev dependency. */
const tsxApi = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
).href;

/** A script that loads `source` (a .ts file URL) through tsx, for `new Worker(script, { eval: true })`. */
function tsxBootstrap(source: string): string {
  return `import(${JSON.stringify(tsxApi)}).then((api) => api.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`;
}

vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:worker_threads')>();
  // White-box tests reach a worker through this list (e.g. to kill it).
  const { startedWorkers } = await import('./started-workers.js');
  class SourceWorker extends original.Worker {
    constructor(script: string | URL, options: import('node:worker_threads').WorkerOptions = {}) {
      const url = script instanceof URL ? script : undefined;
      const source = url?.protocol === 'file:' ? new URL(url.href.replace(/\.js$/, '.ts')) : undefined;
      if (
        url !== undefined &&
        source !== undefined &&
        !existsSync(fileURLToPath(url)) &&
        existsSync(fileURLToPath(source))
      ) {
        super(tsxBootstrap(source.href), { ...options, eval: true });
      } else {
        super(script, options);
      }
      startedWorkers.push(this);
    }
  }
  return { ...original, Worker: SourceWorker };
});
