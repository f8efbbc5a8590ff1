/**
 * Commands that write check their output folder before any work: a bad --out fails at once with a usage error
 * (exit 2) naming the flag and the path, and nothing is trained, loaded or written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { afterAll, expect, it } from 'vitest';
import { BUILT, runCli } from './cli-run.js';

requirePrerequisite(BUILT, 'the built CLI (run pnpm build)')('--out checked before any work', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-outputs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = join(root, 'notes.txt');
  writeFileSync(file, 'keep me');

  /** One error line naming --out and the file, exit 2, no progress (nothing loaded or trained), the file intact. */
  function expectRefusedBeforeWork(result: Awaited<ReturnType<typeof runCli>>) {
    expect(result.stderr.trim()).toBe(
      `fmnist: --out ${file} is a file; give a folder (a new one is created) [E_CLI_USAGE]`,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  }

  it('fmnist train --out FILE', async () => {
    const args = ['train', '--model', 'linear', '--limit', '600', '--epochs', '1', '--workers', '1'];
    expectRefusedBeforeWork(await runCli([...args, '--out', file]));
  });

  it('fmnist compare --out FILE', async () => {
    expectRefusedBeforeWork(await runCli(['compare', '--limit', '2000', '--epochs', '1', '--out', file]));
  });

  it('fmnist export --out FILE', async () => {
    // The model folder need not exist: the output is checked before the model is read.
    expectRefusedBeforeWork(await runCli(['export', '--model-dir', join(root, 'model'), '--out', file]));
  });

  it('fmnist bench --out FILE', async () => {
    expectRefusedBeforeWork(await runCli(['bench', '--model', 'linear', '--limit', '2000', '--out', file]));
  });

  it('fmnist train --out under a file names the file in the way', async () => {
    const result = await runCli(['train', '--model', 'linear', '--out', join(file, 'model')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `fmnist: --out ${join(file, 'model')} cannot be created: ${file} is a file, not a folder [E_CLI_USAGE]`,
    );
  });
});
