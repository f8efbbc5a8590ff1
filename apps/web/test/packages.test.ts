// The packages as published: publint --strict and attw on each packed tarball, then the pack smoke test (npm install
// of the tarballs into a fresh project, ESM and CJS use, the pretrained CNN in ESM, CJS and a Vite page, the CLI, the
// published types, the README examples).
// Both read dist/: the root `pnpm test` builds first. Sizes go to test-results/ for BENCHMARKS.md.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const artifacts = fileURLToPath(new URL('../test-results', import.meta.url));

interface Step {
  name: string;
  kind: 'smoke' | 'readme';
  ok: boolean;
  stdout: string;
  stderr: string;
}

interface PackedPackage {
  name: string;
  version: string;
  packedBytes: number;
  unpackedBytes: number;
  files: string[];
  publint: string;
  attw: string;
}

interface ConsumerRun {
  testImages: number;
  predicted: number[];
  probabilities: number[];
}

interface PretrainedRun {
  top: { className: string; probability: number }[];
}

interface SmokeReport {
  steps: Step[];
  pretrained: { esm?: PretrainedRun; cjs?: PretrainedRun; vite?: PretrainedRun & { requests: string[] } };
  esm: ConsumerRun;
  cjs: ConsumerRun;
  tfjsCoreCopies: number;
  optionalPeersLeftOut: string[];
  readmes: { name: string; hasReadme: boolean; hasInstall: boolean; example?: boolean }[];
}

/** Runs a check script without blocking the test worker (a blocked worker misses vitest's heartbeats). */
function runScript<Report>(script: string): Promise<Report> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, script), '--json'],
      { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 900_000 },
      (_error, stdout, stderr) => {
        // A failing check exits 1 with its report on stdout; no report at all is the real failure.
        if (!stdout.trim().startsWith('{')) reject(new Error(`${script} printed no report: ${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

describe('published packages', () => {
  it('each package passes publint --strict and attw (strict profile) as packed by pnpm', async () => {
    const report = await runScript<{ packages: PackedPackage[] }>('scripts/check-packages.mjs');
    const problems = report.packages
      .filter((pkg) => pkg.publint !== 'ok' || pkg.attw !== 'ok')
      .map((pkg) => `${pkg.name}: publint ${pkg.publint}; attw ${pkg.attw}`);
    expect(problems).toEqual([]);
    const names = report.packages.map((pkg) => pkg.name);
    expect(names).toEqual([
      '@fmnist/dataset',
      '@fmnist/metrics',
      '@fmnist/models',
      '@fmnist/pretrained',
      '@fmnist/viz',
      '@fmnist/cli',
    ]);
    // The pretrained weights (quantized, in base64, once for ESM and CJS) keep the package under 1.5 MB packed.
    const pretrained = report.packages.find((pkg) => pkg.name === '@fmnist/pretrained');
    expect(pretrained?.packedBytes).toBeLessThanOrEqual(1_500_000);
    // The dataset package never ships the data.
    const dataset = report.packages.find((pkg) => pkg.name === '@fmnist/dataset');
    expect(dataset?.files.filter((file) => /ubyte|\.gz$/.test(file))).toEqual([]);
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'tarball-sizes.json'), `${JSON.stringify(report.packages, null, 2)}\n`);
  });

  describe('from the tarballs, installed with npm into a fresh project', () => {
    let smoke: SmokeReport;
    // As long as runScript lets the script run: installs, a Vite build and Chromium take minutes on a busy machine.
    beforeAll(async () => {
      smoke = await runScript<SmokeReport>('scripts/pack-smoke/run.mjs');
    }, 900_000);

    it('works as ESM and CJS, with one tfjs, as the fmnist binary and for TypeScript', () => {
      const failed = smoke.steps
        .filter((step) => step.kind === 'smoke' && !step.ok)
        .map((step) => `${step.name}\n${step.stdout}\n${step.stderr}`.trim());
      expect(failed).toEqual([]);
      expect(smoke.esm.testImages).toBe(10_000);
      expect(smoke.cjs.predicted).toEqual(smoke.esm.predicted);
      expect(smoke.cjs.probabilities).toEqual(smoke.esm.probabilities);
      // tfjs is a peer: one copy for everyone, so backends register once; the optional tfjs-node is not installed.
      expect(smoke.tfjsCoreCopies).toBe(1);
      expect(smoke.optionalPeersLeftOut).toContain('@tensorflow/tfjs-node');
    });

    it('classifies with the pretrained CNN in ESM, CJS and a Vite page, which loads only the CNN chunk', () => {
      for (const run of [smoke.pretrained.esm, smoke.pretrained.cjs, smoke.pretrained.vite]) {
        expect(run?.top[0]?.className).toBe('Trouser');
      }
      const scripts = smoke.pretrained.vite?.requests.filter((url) => url.endsWith('.js')) ?? [];
      expect(scripts.some((url) => /\/cnn-[\w-]+\.js$/.test(url))).toBe(true);
      expect(scripts.some((url) => /\/linear-[\w-]+\.js$/.test(url))).toBe(false);
    });

    it('has a README with an install line and a first example that runs as is', () => {
      const failed = smoke.steps
        .filter((step) => step.kind === 'readme' && !step.ok)
        .map((step) => `${step.name}\n${step.stdout}\n${step.stderr}`.trim());
      expect(failed).toEqual([]);
      for (const readme of smoke.readmes) {
        expect(readme, `${readme.name} README`).toMatchObject({ hasReadme: true, hasInstall: true });
      }
      const withExamples = smoke.readmes.filter((readme) => readme.example !== undefined).map((readme) => readme.name);
      expect(withExamples).toEqual([
        '@fmnist/dataset',
        '@fmnist/metrics',
        '@fmnist/models',
        '@fmnist/pretrained',
        '@fmnist/viz',
      ]);
    });
  });
});
