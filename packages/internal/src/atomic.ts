/**
 * The one atomic writer of the project (Node only). Files and folders are written under a hidden temporary sibling
 * name, flushed, then renamed into place, so readers see the old content or the complete new one, never a prefix.
 * Temporary names are `.<name>.<tag>-<pid>-<random>`, so cleanup can tell which process left them.
 */
import { randomBytes } from 'node:crypto';
import { type Dirent, readdirSync, rmSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A hidden sibling path that no other writer uses: `.<name>.<tag>-<pid>-<random>`. */
export function temporaryPathFor(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

const TEMPORARY_NAME = /^\..+\.[a-z]+-(\d+)-[0-9a-f]{8}$/;

/** Where {@link replacePath} keeps the previous `target` while the new one moves into place. */
export function previousPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.previous`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes and flushes a file, so a rename after it never publishes bytes that sit in the page cache only. */
export async function writeFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a file so readers see either the old content or the complete new one; creates missing parent folders. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    await writeFileDurably(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Writes pretty-printed JSON atomically, with a final newline. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Puts back a previous `target` that a {@link replacePath} killed between its two renames left aside, or deletes the
 * leftover when `target` is complete. Returns true when something was restored.
 */
export async function recoverInterruptedReplace(target: string): Promise<boolean> {
  const previous = previousPathFor(target);
  if (!(await exists(previous))) return false;
  if (await exists(target)) {
    await rm(previous, { recursive: true, force: true });
    return false;
  }
  await rename(previous, target);
  return true;
}

/**
 * Moves `source` (a file or folder) to `target`, replacing what is there. A file is renamed over the old one in one
 * step, so readers never miss it. A folder cannot be renamed over a non-empty one, so the old target is first moved
 * aside (to {@link previousPathFor}) and deleted only once the new one is in place; if the move fails, the old
 * target is put back.
 */
export async function replacePath(source: string, target: string): Promise<void> {
  await recoverInterruptedReplace(target);
  if (!(await stat(source)).isDirectory()) {
    await rename(source, target);
    return;
  }
  const previous = previousPathFor(target);
  let movedAside = false;
  try {
    await rename(target, previous);
    movedAside = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(source, target);
  } catch (error) {
    if (movedAside) await rename(previous, target);
    throw error;
  }
  if (movedAside) await rm(previous, { recursive: true, force: true });
}

/**
 * Writes a folder atomically: `write` fills a hidden staging folder, which then replaces `dir` (see
 * {@link replacePath}). When `write` or the move fails, the staging folder is deleted and `dir` is as it was.
 */
export async function writeFolderAtomic(dir: string, write: (staging: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const staging = temporaryPathFor(dir);
  try {
    await mkdir(staging);
    await write(staging);
    await replacePath(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes the temporary entries in `dir` left by processes that no longer run (killed mid-write); those of running
 * processes, which may be writing right now, stay. Returns the names removed.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((name) => {
    const pid = Number(TEMPORARY_NAME.exec(name)?.[1] ?? Number.NaN);
    return Number.isInteger(pid) && pid !== process.pid && !isRunning(pid);
  });
  await Promise.all(stale.map((name) => rm(join(dir, name), { recursive: true, force: true })));
  return stale;
}

/**
 * Deletes this process's temporary entries under `dir` (down to `depth` levels), synchronously so it can run on a
 * forced exit (Ctrl-C twice).
 */
export function removeOwnTemporaries(dir: string, depth = 3): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const pid = Number(TEMPORARY_NAME.exec(entry.name)?.[1] ?? Number.NaN);
    if (pid === process.pid) rmSync(path, { recursive: true, force: true });
    else if (entry.isDirectory() && !entry.name.startsWith('.') && depth > 1) removeOwnTemporaries(path, depth - 1);
  }
}
