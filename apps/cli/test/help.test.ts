/** `--help` of the built binary: every command's help fits in 100 columns and lists what the command takes. */
import { requirePrerequisite } from '@fmnist/internal/testing';
import { getPreset, PRESET_NAMES } from '@fmnist/models';
import { expect, it } from 'vitest';
import { BUILT, runCli } from './cli-run.js';

const COMMANDS = [
  [],
  ['data'],
  ['data', 'info'],
  ['data', 'download'],
  ['data', 'verify'],
  ['compare'],
  ['train'],
  ['eval'],
  ['predict'],
  ['export'],
  ['report'],
  ['bench'],
];

requirePrerequisite(BUILT, 'the built CLI (run pnpm build)')('fmnist --help', () => {
  it.each(COMMANDS.map((path) => [path.join(' ') || '(none)', path]))(
    'fmnist %s --help: every line at most 100 characters, no trailing spaces',
    async (_, path) => {
      const result = await runCli([...path, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) {
        expect(line.length, line).toBeLessThanOrEqual(100);
        expect(line).toBe(line.trimEnd());
      }
      expect(result.stdout).toContain(`USAGE fmnist ${path.join(' ')}`.trimEnd());
    },
  );

  it.each([['compare'], ['train']])('fmnist %s --help lists --preset with each preset’s description', async (name) => {
    const help = (await runCli([name, '--help'])).stdout;
    expect(help).toContain('--preset=<NAME>');
    const text = help.replace(/\s+/g, ' ');
    for (const preset of PRESET_NAMES) expect(text).toContain(`${preset}, ${getPreset(preset).description}`);
    expect(text).toContain('(default: standard)');
  });

  it('lists every option of a command with its default, and the sub-commands of fmnist', async () => {
    const train = (await runCli(['train', '--help'])).stdout;
    for (const flag of ['--model=<KIND>', '--epochs=<N>', '--seed=<S>', '--workers=<N>', '--out=<DIR>', '--json']) {
      expect(train).toContain(flag);
    }
    expect(train).toMatch(/--seed=<S> +Seed .*\n.*\(default: 0\)/);
    const top = (await runCli(['--help'])).stdout;
    for (const name of ['data', 'compare', 'predict', 'report', 'train', 'eval', 'export', 'bench']) {
      expect(top).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });
});
