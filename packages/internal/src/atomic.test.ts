import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  previousPathFor,
  recoverInterruptedReplace,
  removeOwnTemporaries,
  removeStaleTemporaries,
  replacePath,
  temporaryPathFor,
  writeFileAtomic,
  writeFolderAtomic,
  writeJsonAtomic,
} from './atomic.js';

describe('atomic writes', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-atomic-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writeFileAtomic replaces a file whole, creates parent folders and leaves no temporary file', async () => {
    const path = join(root, 'a', 'b', 'metrics.json');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['metrics.json']);
  });

  it('writeJsonAtomic writes indented JSON with a final newline', async () => {
    const path = join(root, 'value.json');
    await writeJsonAtomic(path, { a: [1, 2] });
    expect(readFileSync(path, 'utf8')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
  });

  it('writeFileAtomic into a folder that is a file fails and leaves nothing behind', async () => {
    writeFileSync(join(root, 'plain'), 'x');
    await expect(writeFileAtomic(join(root, 'plain', 'inner.txt'), 'y')).rejects.toThrow();
    expect(readFileSync(join(root, 'plain'), 'utf8')).toBe('x');
  });

  it('replacePath swaps a non-empty folder for another and removes the old one', async () => {
    const target = join(root, 'figures');
    const source = join(root, '.staging');
    mkdirSync(target);
    writeFileSync(join(target, 'old.svg'), 'old');
    mkdirSync(source);
    writeFileSync(join(source, 'new.svg'), 'new');
    await replacePath(source, target);
    expect(readdirSync(target)).toEqual(['new.svg']);
    expect(readdirSync(root).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('replacePath renames a file over another in place, leaving nothing beside it', async () => {
    const dir = join(root, 'files');
    mkdirSync(dir);
    writeFileSync(join(dir, 'data.gz'), 'old');
    const source = temporaryPathFor(join(dir, 'data.gz'), 'download');
    writeFileSync(source, 'new');
    await replacePath(source, join(dir, 'data.gz'));
    expect(readFileSync(join(dir, 'data.gz'), 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['data.gz']);
  });

  it('writeFolderAtomic leaves the old folder untouched when the writer throws', async () => {
    const dir = join(root, 'model');
    await writeFolderAtomic(dir, async (staging) => writeFileSync(join(staging, 'v1'), '1'));
    await expect(
      writeFolderAtomic(dir, async (staging) => {
        writeFileSync(join(staging, 'v2'), '2');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readdirSync(dir)).toEqual(['v1']);
    expect(readdirSync(root).filter((name) => name.startsWith('.model'))).toEqual([]);
  });

  it('recoverInterruptedReplace puts back a target left aside by a killed replace', async () => {
    const dir = join(root, 'kept');
    mkdirSync(previousPathFor(dir));
    writeFileSync(join(previousPathFor(dir), 'weights.bin'), 'w');
    expect(await recoverInterruptedReplace(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual(['weights.bin']);
    expect(await recoverInterruptedReplace(dir)).toBe(false);
  });

  it('removeStaleTemporaries deletes entries of dead processes only', async () => {
    const dir = join(root, 'cache');
    mkdirSync(dir);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const staleName = `.train.gz.download-${dead}-0123abcd`;
    writeFileSync(join(dir, staleName), 'partial');
    const own = temporaryPathFor(join(dir, 'test.gz'), 'download');
    writeFileSync(own, 'mine');
    writeFileSync(join(dir, 'train.gz'), 'whole');
    expect(await removeStaleTemporaries(dir)).toEqual([staleName]);
    expect(readdirSync(dir).sort()).toEqual([own.slice(dir.length + 1), 'train.gz'].sort());
  });

  it('removeOwnTemporaries deletes this process’s leftovers at any depth and nothing else', () => {
    const run = join(root, 'run');
    mkdirSync(join(run, 'models', 'linear'), { recursive: true });
    mkdirSync(temporaryPathFor(join(run, 'models', 'cnn')));
    writeFileSync(join(run, 'models', 'linear', 'model.json'), '{}');
    writeFileSync(temporaryPathFor(join(run, 'metrics.json')), '{');
    writeFileSync(join(run, '.metrics.json.tmp-1-0123abcd'), 'another process');
    writeFileSync(join(run, 'run.json'), '{}');
    removeOwnTemporaries(run);
    expect(readdirSync(run).sort()).toEqual(['.metrics.json.tmp-1-0123abcd', 'models', 'run.json']);
    expect(readdirSync(join(run, 'models'))).toEqual(['linear']);
  });
});
