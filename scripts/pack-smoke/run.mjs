#!/usr/bin/env node
// Pack smoke test: packs every publishable package with pnpm, installs the tarballs with npm into a fresh project
// outside the workspace (peers such as tfjs come from the registry, optional ones such as tfjs-node are left out), then
// as a user would: imports them as ESM and CJS, loads the data, saves a model, loads it and predicts; classifies a
// drawing with the pretrained CNN in ESM, in CJS and in a page bundled by Vite (run in Chromium); runs the `fmnist`
// binary; type-checks a TypeScript file against the published types; and runs each README's example.
// Prints one JSON object (with --json) or one line per step; exits 1 when any step fails.
// Usage: node scripts/pack-smoke/run.mjs [--json] [--keep] [--data-dir DIR]
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packPackage, publishablePackages, repoRoot } from './packages.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const keep = args.includes('--keep');
const dataDirIndex = args.indexOf('--data-dir');
const dataDir = dataDirIndex >= 0 ? args[dataDirIndex + 1] : '/usr/share/datasets/fashion-mnist';
const TYPES_NODE = '@types/node@20.19.43';
// The bundler of the pretrained check (the version apps/web builds with).
const VITE = 'vite@7.3.8';

const work = mkdtempSync(join(tmpdir(), 'fmnist-pack-smoke-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
const steps = [];

function run(name, command, commandArgs, options = {}) {
  const started = performance.now();
  const result = spawnSync(command, commandArgs, {
    cwd: project,
    encoding: 'utf8',
    timeout: options.timeout ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...options.env },
  });
  const step = {
    name,
    kind: options.kind ?? 'smoke',
    ok: result.status === 0,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    stdout: result.stdout?.trim() ?? '',
    stderr: (result.stderr ?? '').trim().split('\n').slice(-20).join('\n'),
  };
  if (result.error) step.stderr = `${step.stderr}\n${result.error.message}`.trim();
  steps.push(step);
  if (!json) process.stderr.write(`${step.ok ? 'ok  ' : 'FAIL'} ${name} (${step.seconds} s)\n`);
  if (!step.ok && !json) process.stderr.write(`${step.stdout}\n${step.stderr}\n`);
  return step;
}

/** The first js/ts code block of a README that imports the package: its runnable example. */
function readmeExample(readme, name) {
  for (const match of readme.matchAll(/```(js|javascript|ts|typescript)\n([\s\S]*?)```/g)) {
    const code = match[2] ?? '';
    if (code.includes(`'${name}`) || code.includes(`"${name}`)) {
      return { language: match[1]?.startsWith('t') ? 'ts' : 'js', code };
    }
  }
  return undefined;
}

const report = { work, packages: [], steps, readmes: [] };
try {
  mkdirSync(tarballs);
  mkdirSync(project);
  const packed = publishablePackages().map((pkg) => packPackage(pkg, tarballs));
  report.packages = packed.map(({ name, version, tarball, packedBytes, unpackedBytes, files }) => ({
    name,
    version,
    tarball,
    packedBytes,
    unpackedBytes,
    fileCount: files.length,
  }));
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'fmnist-pack-smoke', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const consumer = new URL('./consumer/', import.meta.url);
  for (const entry of readdirSync(consumer, { withFileTypes: true })) {
    if (entry.isDirectory())
      cpSync(new URL(`${entry.name}/`, consumer), join(project, entry.name), { recursive: true });
    else copyFileSync(new URL(entry.name, consumer), join(project, entry.name));
  }

  const install = run(
    'npm install of the tarballs (no workspace, peers from the registry)',
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...packed.map((p) => p.tarball),
      TYPES_NODE,
      VITE,
    ],
    { timeout: 600_000 },
  );
  if (install.ok) {
    const installed = (name) => existsSync(join(project, 'node_modules', ...name.split('/')));
    report.optionalPeersLeftOut = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'].filter(
      (n) => !installed(n),
    );
    report.tfjsCoreCopies = spawnSync('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], {
      cwd: project,
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter((line) => line.includes('tfjs-core')).length;

    const modelDir = join(project, 'model');
    const esm = run('ESM: import, load data, save a model, load it, predict', 'node', ['esm.mjs', dataDir, modelDir]);
    const cjs = run('CJS: require, load data, load the saved model, predict', 'node', ['cjs.cjs', dataDir, modelDir]);
    report.esm = esm.ok ? JSON.parse(esm.stdout.split('\n').pop()) : undefined;
    report.cjs = cjs.ok ? JSON.parse(cjs.stdout.split('\n').pop()) : undefined;
    const same =
      report.esm && report.cjs && JSON.stringify(report.esm.predicted) === JSON.stringify(report.cjs.predicted);
    steps.push({
      name: 'ESM and CJS predict the same classes',
      kind: 'smoke',
      ok: Boolean(same),
      seconds: 0,
      stdout: '',
      stderr: '',
    });

    // The pretrained CNN, with no files and no network: through import, require() and a page bundled by Vite.
    const pretrained = [
      run('pretrained ESM: loadPretrained classifies a drawing', 'node', ['pretrained.mjs']),
      run('pretrained CJS: loadPretrained classifies a drawing', 'node', ['pretrained.cjs']),
    ];
    const viteBuild = run('pretrained: Vite builds a page that uses loadPretrained', 'node', [
      join(project, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      'vite-page',
      '--logLevel',
      'warn',
    ]);
    if (viteBuild.ok) {
      pretrained.push(
        run('pretrained: the Vite page classifies a canvas in Chromium, with no request elsewhere', 'node', [
          join(repoRoot, 'scripts', 'pack-smoke', 'browser-check.mjs'),
          join(project, 'vite-page', 'dist'),
        ]),
      );
    }
    const parse = (step) => (step.ok ? JSON.parse(step.stdout.split('\n').pop()) : undefined);
    report.pretrained = {
      esm: parse(pretrained[0]),
      cjs: parse(pretrained[1]),
      vite: pretrained[2] && parse(pretrained[2]),
      viteChunks: viteBuild.ok
        ? readdirSync(join(project, 'vite-page', 'dist', 'assets')).map((file) => ({
            file,
            bytes: statSync(join(project, 'vite-page', 'dist', 'assets', file)).size,
          }))
        : [],
    };
    const tops = [report.pretrained.esm, report.pretrained.cjs, report.pretrained.vite].map(
      (answer) => answer?.top?.[0]?.className,
    );
    steps.push({
      name: 'pretrained: ESM, CJS and the Vite page all see Trouser',
      kind: 'smoke',
      ok: tops.every((className) => className === 'Trouser'),
      seconds: 0,
      stdout: JSON.stringify(tops),
      stderr: '',
    });

    const bin = join(project, 'node_modules', '.bin', 'fmnist');
    run('the fmnist binary prints its version', bin, ['--version']);
    run('fmnist export of the saved model', bin, [
      'export',
      '--model-dir',
      modelDir,
      '--out',
      join(project, 'web'),
      '--json',
    ]);

    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    run('TypeScript (NodeNext, strict) against the published types (.mts and .cts)', 'node', [tsc, '-p', project]);

    for (const pkg of packed) {
      const readmePath = join(project, 'node_modules', ...pkg.name.split('/'), 'README.md');
      const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
      const example = readmeExample(readme, pkg.name);
      const entry = {
        name: pkg.name,
        hasReadme: readme.length > 0,
        hasInstall: new RegExp(`npm i(nstall)? (-g )?${pkg.name}\\b`).test(readme),
      };
      report.readmes.push(entry);
      if (!example) continue;
      const base = `readme-${pkg.name.split('/').pop()}`;
      let script = `${base}.mjs`;
      if (example.language === 'ts') {
        writeFileSync(join(project, `${base}.mts`), example.code);
        const compiled = run(
          `${pkg.name} README example compiles`,
          'node',
          [
            tsc,
            '--module',
            'nodenext',
            '--target',
            'es2022',
            '--strict',
            '--types',
            'node',
            '--outDir',
            project,
            join(project, `${base}.mts`),
          ],
          { kind: 'readme' },
        );
        if (!compiled.ok) continue;
      } else {
        writeFileSync(join(project, script), example.code);
      }
      script = join(project, script);
      entry.example = run(`${pkg.name} README example runs`, 'node', [script], {
        env: { FMNIST_DATA_DIR: dataDir },
        kind: 'readme',
      }).ok;
    }
  }
} catch (error) {
  steps.push({
    name: 'pack smoke setup',
    kind: 'smoke',
    ok: false,
    seconds: 0,
    stdout: '',
    stderr: String(error?.stack ?? error),
  });
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

report.ok = steps.length > 0 && steps.every((step) => step.ok);
if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(`${report.ok ? 'pack smoke passed' : 'pack smoke FAILED'} (${steps.length} steps)\n`);
process.exitCode = report.ok ? 0 : 1;
