import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { checkOutputFolder, type OutputFolderRule } from './outputs.js';

const root = mkdtempSync(join(tmpdir(), 'fmnist-outputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fresh: OutputFolderRule = { kind: 'fresh', runFiles: ['run.json', 'metrics.json'] };
const model: OutputFolderRule = { kind: 'replace', marker: 'metadata.json', what: 'a saved model' };
const any: OutputFolderRule = { kind: 'any' };

function folder(name: string, files: string[] = []): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  for (const file of files) writeFileSync(join(path, file), '{}');
  return path;
}

function usageErrorOf(check: () => void): UsageError {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('E_CLI_USAGE');
    return error as UsageError;
  }
  throw new Error('expected a usage error');
}

describe('checkOutputFolder', () => {
  it('accepts a new folder, also several levels deep, and an empty one, whatever the rule', () => {
    for (const rule of [fresh, model, any]) {
      expect(() => checkOutputFolder('out', join(root, 'new', 'deeper', 'run'), rule)).not.toThrow();
      expect(() => checkOutputFolder('out', folder('empty'), rule)).not.toThrow();
    }
  });

  it('refuses a file where a folder is needed, naming the flag and the path', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'keep me');
    for (const rule of [fresh, model, any]) {
      expect(usageErrorOf(() => checkOutputFolder('out', file, rule)).message).toBe(
        `--out ${file} is a file; give a folder (a new one is created)`,
      );
    }
  });

  it('refuses a path under a file', () => {
    const file = join(root, 'parent-file');
    writeFileSync(file, '');
    const error = usageErrorOf(() => checkOutputFolder('data-dir', join(file, 'a', 'b'), any));
    expect(error.message).toBe(`--data-dir ${join(file, 'a', 'b')} cannot be created: ${file} is a file, not a folder`);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a folder that cannot be written, or created in', () => {
    const locked = folder('locked');
    chmodSync(locked, 0o555);
    try {
      expect(usageErrorOf(() => checkOutputFolder('out', locked, any)).message).toMatch(/locked is not writable$/);
      expect(usageErrorOf(() => checkOutputFolder('out', join(locked, 'run'), any)).message).toMatch(
        /cannot be created: .*locked is not writable$/,
      );
    } finally {
      chmodSync(locked, 0o755);
    }
  });

  it('fresh: refuses a folder holding a run, and any other non-empty folder', () => {
    const run = folder('run', ['run.json']);
    expect(usageErrorOf(() => checkOutputFolder('out', run, fresh)).message).toBe(
      `--out ${run} already holds a run; choose another folder or delete it`,
    );
    const other = folder('photos', ['holiday.jpg']);
    expect(usageErrorOf(() => checkOutputFolder('out', other, fresh)).message).toMatch(/is not empty; choose a new/);
  });

  it('replace: accepts a folder holding the marker, refuses one without it', () => {
    expect(() => checkOutputFolder('out', folder('model', ['metadata.json', 'run.json']), model)).not.toThrow();
    const other = folder('notes', ['notes.txt']);
    expect(usageErrorOf(() => checkOutputFolder('out', other, model)).message).toBe(
      `--out ${other} is not empty and holds no metadata.json, so it is not a saved model; choose a new or empty folder`,
    );
  });

  it('any: accepts a folder holding other files', () => {
    expect(() => checkOutputFolder('out', folder('shared', ['notes.txt']), any)).not.toThrow();
  });
});
