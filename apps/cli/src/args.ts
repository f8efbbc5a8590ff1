/** Argument groups shared by several commands, defined once. */
import type { ArgsDef } from 'citty';
import { UsageError } from './errors.js';

export const outputArgs = {
  json: { type: 'boolean', description: 'Print one JSON object on stdout; logs go to stderr' },
  quiet: { type: 'boolean', description: 'Print only errors and the result' },
  verbose: { type: 'boolean', description: 'Print debug logs and stack traces' },
} as const satisfies ArgsDef;

export const dataArgs = {
  'data-dir': {
    type: 'string',
    description:
      'Directory holding the FashionMNIST IDX files (.gz or raw); default: FMNIST_DATA_DIR, the cache, system dirs',
    valueHint: 'DIR',
  },
} as const satisfies ArgsDef;

export const modelDirArgs = {
  'model-dir': {
    type: 'string',
    description: 'Folder of a saved model (e.g. runs/<run>/models/cnn)',
    valueHint: 'DIR',
    required: true,
  },
} as const satisfies ArgsDef;

export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

export const backendArgs = {
  backend: {
    type: 'string',
    description: `TensorFlow.js backend: ${BACKEND_NAMES.join(', ')} (auto: tfjs-node if installed, else wasm, else cpu)`,
    default: 'auto',
    valueHint: 'B',
  },
} as const satisfies ArgsDef;

export const MAX_WORKERS = 64;

export const workersArgs = {
  workers: {
    type: 'string',
    description: 'Training worker threads: auto (one per core) or a number (1 trains on the main thread)',
    default: 'auto',
    valueHint: 'N',
  },
} as const satisfies ArgsDef;

/** Parses --workers: 'auto' or a whole number from 1 to MAX_WORKERS. */
export function parseWorkersFlag(value: string | undefined): 'auto' | number {
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) {
    throw new UsageError(`--workers must be auto or a whole number from 1 to ${MAX_WORKERS}, got '${value}'`);
  }
  return Number(value);
}

/** Parses a whole number flag, naming the flag and the accepted range on failure. */
export function parseIntegerFlag(
  flag: string,
  value: string | undefined,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
) {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(String(value).trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return parsed;
}

/** Checks a flag against a closed set of values, naming the accepted ones on failure. */
export function parseChoiceFlag<T extends string>(flag: string, value: string | undefined, choices: readonly T[]) {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${value}'`);
  }
  return value as T;
}
