// The totals line .ci/run ends with, read from real vitest runs of a fixture whose suites use requirePrerequisite:
// outside CI a missing prerequisite skips its suite, under CI=true it fails it and the line says so.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const totals = join(root, 'scripts/test-totals.mjs');
const vitestBin = join(root, 'node_modules/vitest/vitest.mjs');
const helper = join(root, 'packages/internal/src/testing.ts');
const work = mkdtempSync(join(tmpdir(), 'fmnist-totals-'));

writeFileSync(
  join(work, 'fixture.test.ts'),
  `import { requirePrerequisite } from ${JSON.stringify(helper)};
it('passes', () => {});
it.todo('is still to write');
requirePrerequisite(false, 'the real data (simulated)')('needs the data', () => {
  it('one', () => {});
  it('two', () => {});
});
requirePrerequisite(true, 'the built CLI (simulated)')('needs the CLI', () => {
  it('three', () => {});
});
`,
);

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function status(command: Promise<unknown>): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = (await command) as { stdout: string };
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

/** Runs vitest on the fixture with `env` added, then the totals script on its JSON report. */
async function runFixture(name: string, env: Record<string, string>) {
  const report = join(work, `${name}.json`);
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && key !== 'CI' && key !== 'FMNIST_TEST_MISSING') childEnv[key] = value;
  }
  const args = [vitestBin, 'run', '--root', work, '--globals', '--reporter=json', `--outputFile=${report}`];
  const tests = await status(run(process.execPath, args, { cwd: work, env: { ...childEnv, ...env } }));
  const line = await status(run(process.execPath, [totals, report, String(tests.code)]));
  return { testsCode: tests.code, report: JSON.parse(readFileSync(report, 'utf8')), line };
}

describe('scripts/test-totals.mjs with requirePrerequisite', () => {
  it('outside CI, counts the suite without its prerequisite as skipped, todo tests too', async () => {
    const { testsCode, line } = await runFixture('local', {});
    expect(testsCode).toBe(0);
    expect(line).toEqual({ code: 0, stdout: '2 passed, 0 failed, 3 skipped\n' });
  });

  it('under CI=true, fails the suite without its prerequisite and names what is missing', async () => {
    const { testsCode, report, line } = await runFixture('ci', { CI: 'true' });
    expect(testsCode).not.toBe(0);
    expect(line).toEqual({ code: 1, stdout: '2 passed, 1 failed, 1 skipped\n' });
    const failures = report.testResults.flatMap((file: { assertionResults: { failureMessages: string[] }[] }) =>
      file.assertionResults.flatMap((test) => test.failureMessages),
    );
    expect(failures.join('\n')).toContain('missing test prerequisite: the real data (simulated)');
  });

  it('under CI=true, FMNIST_TEST_MISSING makes a present prerequisite count as missing', async () => {
    const { line } = await runFixture('simulated', { CI: 'true', FMNIST_TEST_MISSING: 'built cli' });
    expect(line).toEqual({ code: 1, stdout: '1 passed, 2 failed, 1 skipped\n' });
  });

  it('counts a failed step before the tests as one failure', async () => {
    const line = await status(run(process.execPath, [totals, join(work, 'absent.json'), '2']));
    expect(line).toEqual({ code: 1, stdout: '0 passed, 1 failed, 0 skipped\n' });
  });
});
