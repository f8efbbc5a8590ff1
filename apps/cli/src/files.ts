/** Atomic file output for run directories: everything is written under a temporary name, then renamed into place. */
import { randomBytes } from 'node:crypto';
import { type Dirent, readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A sibling path that no other writer uses, hidden so an interrupted run shows what is temporary. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes a file so readers see either the old content or the complete new one, never a prefix. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes pretty-printed JSON atomically, with a final newline. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Moves `source` (a file or folder) to `target`, replacing what is there. A folder cannot be renamed over a non-empty
 * one, so the old target is first moved aside and deleted only once the new one is in place.
 */
export async function replacePath(source: string, target: string): Promise<void> {
  const aside = temporaryPathFor(target);
  let movedAside = false;
  try {
    await rename(target, aside);
    movedAside = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(source, target);
  } catch (error) {
    if (movedAside) await rename(aside, target);
    throw error;
  }
  if (movedAside) await rm(aside, { recursive: true, force: true });
}

/**
 * Deletes the hidden entries (temporary files and folders of unfinished writes) under `dir`, synchronously so it can
 * run on a forced exit. Run folders hold no hidden files of their own.
 */
export function removeTemporaryEntries(dir: string, depth = 3): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.')) rmSync(path, { recursive: true, force: true });
    else if (entry.isDirectory() && depth > 1) removeTemporaryEntries(path, depth - 1);
  }
}
