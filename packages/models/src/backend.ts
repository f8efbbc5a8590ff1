/** Picks and starts the TensorFlow.js backend (tfjs-node, wasm or cpu), then registers the package's fast kernels. */
import { isNode } from '@fmnist/internal';
import * as tf from '@tensorflow/tfjs-core';
import { ModelsError } from './errors.js';
import { registerFastKernels } from './kernels/index.js';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

export interface SelectedBackend {
  name: BackendName;
  /** One line saying why this backend was chosen. */
  reason: string;
}

export interface SelectBackendOptions {
  /**
   * Where the wasm backend's `.wasm` files are served from (a URL prefix ending in `/`, passed to `setWasmPaths`).
   * Needed in browsers when a bundler does not copy them next to the script; Node finds them by itself.
   */
  wasmPaths?: string;
}

// A variable specifier keeps bundlers from trying to resolve the optional peer at build time.
const TFJS_NODE = '@tensorflow/tfjs-node';

let current: SelectedBackend | undefined;
let currentPreference: BackendPreference | undefined;

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** True when the dynamic import failed because the package is not installed (not because it is broken). */
function isModuleMissing(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause?.code === 'ERR_MODULE_NOT_FOUND' || cause?.code === 'MODULE_NOT_FOUND') return true;
  // Vite's and bundlers' resolvers word it differently and set no code.
  return /Cannot find (module|package)|Could not resolve/i.test(String(cause?.message));
}

function unavailable(name: BackendName, why: string, cause?: unknown): ModelsError {
  const others = (['wasm', 'cpu'] as const).filter((other) => other !== name).join(' or ');
  return new ModelsError(
    'E_MODELS_BACKEND_UNAVAILABLE',
    `backend '${name}' is not available: ${why}; choose another backend (${others}, or auto)`,
    cause === undefined ? undefined : { cause },
  );
}

/** Makes `name` the active backend; throws a ModelsError naming the reason when it cannot start. */
async function activate(name: BackendName, options: SelectBackendOptions): Promise<string> {
  switch (name) {
    case 'tensorflow': {
      if (!isNode) throw unavailable(name, `${TFJS_NODE} runs only in Node.js`);
      try {
        await import(/* @vite-ignore */ TFJS_NODE);
      } catch (error) {
        throw unavailable(
          name,
          `the optional peer ${TFJS_NODE} could not be loaded (${firstLine(error)}); install it with 'npm i ${TFJS_NODE}'`,
          error,
        );
      }
      if (!tf.findBackendFactory('tensorflow')) {
        throw unavailable(
          name,
          `${TFJS_NODE} loaded but registered its backend with another copy of @tensorflow/tfjs-core; install matching versions`,
        );
      }
      break;
    }
    case 'wasm': {
      try {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
      } catch (error) {
        throw unavailable(
          name,
          `@tensorflow/tfjs-backend-wasm could not be loaded (${firstLine(error)}); install it with 'npm i @tensorflow/tfjs-backend-wasm'`,
          error,
        );
      }
      break;
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
  }
  let started: boolean;
  try {
    started = await tf.setBackend(name);
  } catch (error) {
    throw unavailable(name, `it failed to start (${firstLine(error)})`, error);
  }
  if (!started) {
    const hint = name === 'wasm' ? ' (are the .wasm files reachable? see the wasmPaths option)' : '';
    throw unavailable(name, `it failed to start${hint}`);
  }
  registerFastKernels(name);
  return describe(name);
}

function describe(name: BackendName): string {
  switch (name) {
    case 'tensorflow':
      return 'native TensorFlow through @tensorflow/tfjs-node';
    case 'wasm': {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off';
      const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'on' : 'off';
      return `WebAssembly kernels (SIMD ${simd}, threads ${threads})`;
    }
    case 'cpu':
      return 'plain JavaScript kernels';
  }
}

/**
 * Selects the backend: `auto` takes @tensorflow/tfjs-node when it can be imported, else wasm, else cpu. Asking for a
 * backend that cannot start throws a ModelsError (code E_MODELS_BACKEND_UNAVAILABLE) that says why. Calling it again
 * with the same preference returns the same choice without redoing the work.
 */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  options: SelectBackendOptions = {},
): Promise<SelectedBackend> {
  if (!BACKEND_PREFERENCES.includes(preference)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got '${String(preference)}'`,
    );
  }
  if (current && currentPreference === preference && tf.getBackend() === current.name) return current;

  let selected: SelectedBackend;
  if (preference === 'auto') {
    const skipped: string[] = [];
    selected = { name: 'cpu', reason: '' };
    for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
      try {
        const description = await activate(name, options);
        const why = skipped.length > 0 ? `${skipped.join('; ')}; ` : '';
        selected = { name, reason: `auto: ${why}using ${name} (${description})` };
        break;
      } catch (error) {
        if (name === 'cpu') throw error;
        skipped.push(
          name === 'tensorflow' && isModuleMissing(error) ? `${TFJS_NODE} is not installed` : firstLine(error),
        );
      }
    }
  } else {
    selected = { name: preference, reason: `${preference}: requested (${await activate(preference, options)})` };
  }
  current = selected;
  currentPreference = preference;
  return selected;
}
