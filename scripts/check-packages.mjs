#!/usr/bin/env node
// Checks every publishable package the way users receive it: packs it with pnpm (as `pnpm publish` would), then runs
// `publint --strict` and `attw` (strict profile) on the tarball. Prints one line per package with its sizes;
// `--json` prints one JSON object instead, `--markdown` the table for BENCHMARKS.md; exits 1 when any package has a
// problem. Usage: node scripts/check-packages.mjs [--json | --markdown] [--keep DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packPackage, publishablePackages, repoRoot } from './pack-smoke/packages.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const markdown = args.includes('--markdown');
const keepIndex = args.indexOf('--keep');
const destination = keepIndex >= 0 ? resolve(args[keepIndex + 1] ?? '.') : mkdtempSync(join(tmpdir(), 'fmnist-pack-'));
const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: destination, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** attw's JSON report lists problems per entry point; the CLI package has a bin and no types, which is expected. */
function runAttw(pkg) {
  const result = spawnSync(bin('attw'), [pkg.tarball, '--format', 'json', '--profile', 'strict'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    return { ok: false, output: `${result.stdout}${result.stderr}`.trim() };
  }
  // Problems come grouped by kind (an object of arrays) in attw's JSON output.
  const problems = Object.values(report.problems ?? {}).flat();
  if (report.analysis?.types === false) {
    // Only a bin-only package (the CLI: no exports, no types field) may ship without types.
    const declaresTypes = Boolean(pkg.manifest.exports || pkg.manifest.types);
    return declaresTypes
      ? { ok: false, output: 'the tarball holds no type declarations' }
      : { ok: true, output: 'no types (bin only)' };
  }
  return {
    ok: result.status === 0 && problems.length === 0,
    output: problems
      .map((problem) => `${problem.kind} ${problem.entrypoint ?? ''} ${problem.resolutionKind ?? ''}`)
      .join('\n'),
  };
}

const results = [];
try {
  for (const pkg of publishablePackages()) {
    const packed = packPackage(pkg, destination);
    const publint = run(bin('publint'), ['run', packed.tarball, '--strict']);
    const attw = runAttw(packed);
    results.push({
      name: packed.name,
      version: packed.version,
      tarball: packed.tarball,
      packedBytes: packed.packedBytes,
      unpackedBytes: packed.unpackedBytes,
      sourceMapBytes: packed.sourceMapBytes,
      fileCount: packed.files.length,
      files: packed.files,
      publint: publint.ok ? 'ok' : publint.output,
      attw: attw.ok ? 'ok' : attw.output,
    });
  }
} finally {
  if (keepIndex < 0) rmSync(destination, { recursive: true, force: true });
}

const failed = results.filter((result) => result.publint !== 'ok' || result.attw !== 'ok');
if (json) {
  process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, packages: results }, null, 2)}\n`);
} else if (markdown) {
  const kib = (bytes) => (bytes / 1024).toFixed(1);
  process.stdout.write(
    '| package | version | tarball (KiB, gzip) | unpacked (KiB) | files | of which source maps (KiB) |\n',
  );
  process.stdout.write('| --- | --- | ---: | ---: | ---: | ---: |\n');
  for (const result of results) {
    process.stdout.write(
      `| \`${result.name}\` | ${result.version} | ${kib(result.packedBytes)} | ${kib(result.unpackedBytes)} | ` +
        `${result.fileCount} | ${kib(result.sourceMapBytes)} |\n`,
    );
  }
} else {
  for (const result of results) {
    const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
    process.stdout.write(
      `${result.name}@${result.version}: ${kib(result.packedBytes)} packed, ${kib(result.unpackedBytes)} unpacked, ` +
        `${result.fileCount} files; publint ${result.publint === 'ok' ? 'ok' : 'FAILED'}, attw ${result.attw === 'ok' ? 'ok' : 'FAILED'}\n`,
    );
    if (result.publint !== 'ok') process.stdout.write(`  publint:\n${result.publint.replace(/^/gm, '    ')}\n`);
    if (result.attw !== 'ok') process.stdout.write(`  attw:\n${result.attw.replace(/^/gm, '    ')}\n`);
  }
}
process.exitCode = failed.length === 0 ? 0 : 1;
