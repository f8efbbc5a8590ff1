/** End-to-end tests of `fmnist report --from` on the built binary, from a saved synthetic study (no training). */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { saveStudy } from '@fmnist/viz/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUILT, listTree, runCli, temporaryEntries } from './cli-run.js';
import { fixtureStudy } from './study-fixture.js';

requirePrerequisite(BUILT, 'the built CLI (run pnpm build)')('fmnist report --from', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-report-'));
  const run = join(root, 'run');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    await saveStudy(join(run, 'study'), fixtureStudy().study);
  });

  it('renders report.html, report.md and figures/ into the run folder from the saved study', async () => {
    const result = await runCli(['report', '--from', run, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ from: run, outDir: run });
    expect(summary.files).toEqual(expect.arrayContaining(['report.html', 'report.md', 'figures']));
    const markdown = readFileSync(join(run, 'report.md'), 'utf8');
    expect(markdown).toMatch(/LINEAR/);
    expect(markdown).toMatch(/CNN/);
    expect(listTree(run).some((file) => file.startsWith('figures/') && file.endsWith('.svg'))).toBe(true);
    expect(temporaryEntries(run)).toEqual([]);
  });

  it('writes elsewhere with --out and prints a line for people without --json', async () => {
    const out = join(root, 'elsewhere');
    const result = await runCli(['report', '--from', run, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*report\.html.* to .*elsewhere/);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('refuses an --out that is a file before rendering (exit 2), leaving the file as it was', async () => {
    const file = join(root, 'notes.txt');
    writeFileSync(file, 'keep me');
    const result = await runCli(['report', '--from', run, '--out', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `fmnist: --out ${file} is a file; give a folder (a new one is created) [E_CLI_USAGE]`,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('takes a model’s test-time augmentation from run.json when the saved study predates the field', async () => {
    const older = join(root, 'older');
    await saveStudy(join(older, 'study'), fixtureStudy().study);
    writeFileSync(
      join(older, 'run.json'),
      JSON.stringify({ models: { linear: {}, cnn: { testTimeAugmentation: { flip: true, shift: 1 } } } }),
    );
    const result = await runCli(['report', '--from', older]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(join(older, 'report.md'), 'utf8')).toContain(
      "CNN's test scores average its class probabilities over 10 views of each image: the image and its copies moved",
    );
  });

  it('rejects a folder without a saved study, and a missing --from, with exit code 2', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const noStudy = await runCli(['report', '--from', empty]);
    expect(noStudy.code).toBe(2);
    expect(noStudy.stderr).toMatch(/--from .*empty holds no saved study/);
    const noFlag = await runCli(['report']);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toMatch(/from/);
  });
});
