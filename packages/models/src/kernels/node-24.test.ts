/**
 * The kernel and model tests once more on Node 24 (which runs the relaxed-SIMD build of the kernels), from npm with
 * `npx -y node@24`, without touching the system's Node: CI runs `pnpm test` on Node 20, and this test is how the same
 * run covers 24. Under CI=true a Node 24 that cannot start fails the test; elsewhere (say, offline) it is skipped.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Set in the child run, so that it does not start a third. */
const CHILD = 'FMNIST_NODE_24_CHILD';
const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const files = ['packages/models/src/kernels', 'packages/models/src/models.test.ts'];

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Runs a command without blocking this worker (vitest talks to it meanwhile): exit status and all output. */
function run(
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; output: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['-y', ...args], { cwd: root, env, timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (error) => resolve({ status: null, output, error }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

// Skipped in the child run and when this run is itself on Node 24.
const onNode24 = process.versions.node.startsWith('24.');

describe.skipIf(process.env[CHILD] !== undefined || onNode24)('Node 24', () => {
  it('passes the kernel and model tests', async (context) => {
    const probe = await run(['node@24', '-p', 'process.versions.node'], 180_000);
    const version = probe.output.trim().split('\n').pop() ?? '';
    if (probe.status !== 0 || !version.startsWith('24.')) {
      const why = `npx -y node@24 did not start (exit ${probe.status}, ${probe.error?.message ?? tail(probe.output, 5)})`;
      if (process.env.CI === 'true') throw new Error(why);
      context.skip(why);
    }
    const tests = await run(
      ['node@24', vitest, 'run', '--project', 'models', '--reporter', 'default', ...files],
      540_000,
      {
        ...process.env,
        [CHILD]: '1',
        NO_COLOR: '1',
      },
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colors, should any remain
    const output = tests.output.replace(/\u001b\[[0-9;]*m/g, '');
    expect(tests.status, `vitest on Node ${version} exited ${tests.status}:\n${tail(output)}`).toBe(0);
    expect(output).toMatch(/Test Files\s+\d+ passed/);
  }, 600_000);
});
