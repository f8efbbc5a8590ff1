/** Where a worker thread's script is, whether this package runs from dist/ or from its TypeScript source (tests). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The worker scripts, each built to dist/parallel/<name>.{js,cjs} (tsup.config.ts lists them as entries). */
export type WorkerScript = 'worker' | 'inference-worker';

/** What `new Worker(script, { eval, execArgv })` needs to start one of this package's workers. */
export interface WorkerEntry {
  script: URL | string;
  eval: boolean;
  execArgv: string[];
}

/**
 * How to start a worker: the built file under dist/parallel/ (this module is bundled into a file directly in dist/),
 * or, when this module runs from its TypeScript source (tests), a small script that loads the worker's source through
 * tsx (`--import tsx` does not reach workers).
 */
export function workerEntry(name: WorkerScript): WorkerEntry {
  // Workers inherit the process' flags, except one that only makes sense for a script given with --eval.
  const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--input-type'));
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return {
      script: new URL(`./parallel/${name}${here.endsWith('.cjs') ? '.cjs' : '.js'}`, here),
      eval: false,
      execArgv,
    };
  }
  // tsx's ESM API (its CJS build cannot register ESM hooks here), found from this file like any dev dependency.
  const tsxPackage = createRequire(here).resolve('tsx/package.json');
  const tsx = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href;
  const source = new URL(`./${name}.ts`, here).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(source)}, ${JSON.stringify(here)}))`,
    eval: true,
    execArgv,
  };
}
