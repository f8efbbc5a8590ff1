/** Where files live by default (cache and system directories) and the environment variables that move them. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { IdxDatasetDescriptor } from '../descriptor.js';

/** Environment variables read by the Node loader. */
export const ENVIRONMENT_VARIABLES = Object.freeze({
  /** A directory holding the files; when set, it is the only place looked at (like the `dataDir` option). */
  dataDir: 'FMNIST_DATA_DIR',
  /** Root of the download cache (default: `$XDG_CACHE_HOME/fmnist` or `~/.cache/fmnist`). */
  cacheDir: 'FMNIST_CACHE_DIR',
  /** Comma-separated base URLs replacing the upstream mirrors, tried in order. */
  mirrors: 'FMNIST_MIRRORS',
});

export type Environment = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/** The cache root: the option, else FMNIST_CACHE_DIR, else the platform's user cache directory plus `fmnist`. */
export function defaultCacheDir(env: Environment = process.env): string {
  const fromEnv = nonEmpty(env[ENVIRONMENT_VARIABLES.cacheDir]);
  if (fromEnv) return fromEnv;
  if (process.platform === 'win32') {
    return join(nonEmpty(env.LOCALAPPDATA) ?? join(homedir(), 'AppData', 'Local'), 'fmnist', 'Cache');
  }
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'fmnist');
  return join(nonEmpty(env.XDG_CACHE_HOME) ?? join(homedir(), '.cache'), 'fmnist');
}

/** The directory inside the cache root that holds one dataset's files. */
export function datasetCacheDir(
  descriptor: IdxDatasetDescriptor,
  cacheDir: string | undefined,
  env: Environment,
): string {
  return join(cacheDir ?? defaultCacheDir(env), descriptor.name);
}

/** The data directory from FMNIST_DATA_DIR, when set. */
export function environmentDataDir(env: Environment): string | undefined {
  return nonEmpty(env[ENVIRONMENT_VARIABLES.dataDir]);
}

/** Mirrors to download from: the option, else FMNIST_MIRRORS, else the descriptor's upstream list. */
export function resolveMirrors(
  descriptor: IdxDatasetDescriptor,
  mirrors: readonly string[] | undefined,
  env: Environment,
): readonly string[] {
  if (mirrors !== undefined) return mirrors;
  const fromEnv = nonEmpty(env[ENVIRONMENT_VARIABLES.mirrors]);
  if (fromEnv) return fromEnv.split(/[\s,]+/).filter(Boolean);
  return descriptor.mirrors;
}
