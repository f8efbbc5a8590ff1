/**
 * The one check of output paths, run by every command that writes before it does any work, so a bad --out fails at
 * once with a usage error instead of after a long training run.
 */
import { accessSync, constants, readdirSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './errors.js';

/** What an existing folder may hold for a command to write into it. */
export type OutputFolderRule =
  /** Only a new or empty folder (a study's run folder, never mixed with an earlier run). */
  | {
      kind: 'fresh' /** Files that mean the folder holds a finished or interrupted run. */;
      runFiles: readonly string[];
    }
  /** A new or empty folder, or one holding `marker` (an earlier output of the same kind, which is replaced). */
  | { kind: 'replace'; marker: string; what: string }
  /** Any folder: the command adds or replaces its own files and leaves the others. */
  | { kind: 'any' };

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks that `path` (given as `--<flag>`) can take the command's output: it is a folder, or can be created as one, in
 * a writable place, and, if it exists, holds what `rule` accepts. Throws a {@link UsageError} naming the flag and the
 * path otherwise.
 */
export function checkOutputFolder(flag: string, path: string, rule: OutputFolderRule): void {
  const info = statOf(path);
  if (!info) {
    // The folder will be created: the nearest existing ancestor must be a writable folder.
    let ancestor = dirname(path);
    let ancestorInfo = statOf(ancestor);
    while (!ancestorInfo && dirname(ancestor) !== ancestor) {
      ancestor = dirname(ancestor);
      ancestorInfo = statOf(ancestor);
    }
    if (ancestorInfo && !ancestorInfo.isDirectory()) {
      throw new UsageError(`--${flag} ${path} cannot be created: ${ancestor} is a file, not a folder`);
    }
    if (!isWritable(ancestor)) {
      throw new UsageError(`--${flag} ${path} cannot be created: ${ancestor} is not writable`);
    }
    return;
  }
  if (!info.isDirectory()) {
    throw new UsageError(`--${flag} ${path} is a file; give a folder (a new one is created)`);
  }
  if (!isWritable(path)) throw new UsageError(`--${flag} ${path} is not writable`);
  if (rule.kind === 'any') return;
  const entries = readdirSync(path);
  if (entries.length === 0) return;
  if (rule.kind === 'fresh') {
    if (entries.some((entry) => rule.runFiles.includes(entry))) {
      throw new UsageError(`--${flag} ${path} already holds a run; choose another folder or delete it`);
    }
    throw new UsageError(`--${flag} ${path} is not empty; choose a new or empty folder`);
  }
  if (!entries.includes(rule.marker)) {
    throw new UsageError(
      `--${flag} ${path} is not empty and holds no ${rule.marker}, so it is not ${rule.what}; ` +
        'choose a new or empty folder',
    );
  }
}
