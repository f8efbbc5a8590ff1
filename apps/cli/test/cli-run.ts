/** Runs the built `fmnist` binary as a user would, for the end-to-end tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/fmnist.js', import.meta.url));
export const BUILT = existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `fmnist args...`; `onStderr` sees stderr as it arrives (e.g. to interrupt at the right moment).
 * Resolves when the process exits.
 */
export function runCli(
  args: string[],
  options: { cwd?: string; onStderr?: (text: string, child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every path under `dir`, relative, folders with a trailing slash. */
export function listTree(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? [`${prefix}${name}/`, ...listTree(path, `${prefix}${name}/`)]
      : [`${prefix}${name}`];
  });
}

/** What an unfinished write leaves: hidden temporary files and folders (a run folder has no hidden files of its own). */
export function temporaryEntries(dir: string): string[] {
  return listTree(dir).filter((path) => /(^|\/)\./.test(path) || /\.(tmp|partial)/.test(path));
}
