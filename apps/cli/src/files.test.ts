import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTemporaryEntries, replacePath, writeFileAtomic } from './files.js';

describe('atomic output', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-files-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writeFileAtomic replaces a file whole, creates parent folders and leaves no temporary file', async () => {
    const path = join(root, 'a', 'b', 'metrics.json');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(join(root, 'a', 'b'))).toEqual(['metrics.json']);
  });

  it('replacePath swaps a non-empty folder for another', async () => {
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

  it('removeTemporaryEntries deletes hidden leftovers at any depth and nothing else', () => {
    const run = join(root, 'run');
    mkdirSync(join(run, 'models', '.cnn.saving-x1'), { recursive: true });
    mkdirSync(join(run, 'models', 'linear'), { recursive: true });
    writeFileSync(join(run, 'models', 'linear', 'model.json'), '{}');
    writeFileSync(join(run, '.metrics.json.tmp-1-ab'), '{');
    writeFileSync(join(run, 'run.json'), '{}');
    removeTemporaryEntries(run);
    expect(readdirSync(run).sort()).toEqual(['models', 'run.json']);
    expect(readdirSync(join(run, 'models'))).toEqual(['linear']);
  });
});
