#!/usr/bin/env node
// CI check: fails when a publishable package changed since its last release and no pending changeset names it.
//
// Where "since its last release" starts, per package (works in a clean clone of a single branch, given full history):
//   1. `--base REF` when given, e.g. `--base origin/main` for a pull request;
//   2. otherwise the last commit that touched the package's CHANGELOG.md: only `changeset version` writes it, in the
//      release commit that also consumed the changesets;
//   3. otherwise (never released, or the history is too shallow to hold that commit) the empty tree, so every file
//      counts as changed and the package needs a changeset for its first release.
// Files that never reach users do not count: tests, fixtures, benchmarks, vitest configs and the CHANGELOG itself.
// Committed, staged, unstaged and untracked (not ignored) files all count, so it also works before a commit.
// Usage: node scripts/check-changesets.mjs [--root DIR] [--base REF] [--json]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { publishablePackages, repoRoot } from './pack-smoke/packages.mjs';

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const BUMPS = new Set(['patch', 'minor', 'major']);
const NOT_SHIPPED = [
  /\.test\.[cm]?[jt]sx?$/,
  /(^|\/)(test|tests|__tests__|__fixtures__|bench|benchmarks|golden)\//,
  /(^|\/)vitest\.config\.[cm]?[jt]s$/,
  /(^|\/)CHANGELOG\.md$/,
];

/** Parses the front matter of every pending changeset in `.changeset/`: which packages it bumps, and how. */
export function readChangesets(root) {
  const dir = join(root, '.changeset');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const match = /^---\r?\n([\s\S]*?)\r?\n?---/.exec(text);
      if (!match) throw new Error(`.changeset/${file}: no front matter; run \`pnpm changeset\` to write one`);
      const releases = [];
      for (const line of (match[1] ?? '').split(/\r?\n/)) {
        if (!line.trim()) continue;
        const entry = /^\s*["']?([^"':]+)["']?\s*:\s*(\w+)\s*$/.exec(line);
        if (!entry || !BUMPS.has(entry[2] ?? '')) {
          throw new Error(
            `.changeset/${file}: cannot read '${line.trim()}'; expected '"@scope/name": patch|minor|major'`,
          );
        }
        releases.push({ name: entry[1], bump: entry[2] });
      }
      return { file, releases, summary: text.slice(match[0].length).trim() };
    });
}

function git(root, args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The commit (or tree) a package's changes are measured from, and why. */
export function releaseBase(root, packageDir, explicitBase) {
  if (explicitBase)
    return { ref: git(root, ['rev-parse', '--verify', `${explicitBase}^{commit}`]), reason: explicitBase };
  const changelog = relative(root, join(packageDir, 'CHANGELOG.md'));
  const last = git(root, ['log', '-1', '--format=%H', '--', changelog]);
  if (last) return { ref: last, reason: `last release (${last.slice(0, 7)}, last change to ${changelog})` };
  return { ref: EMPTY_TREE, reason: 'the first commit (never released)' };
}

/** Files under a package that differ from `base` (committed or not, untracked included) and reach users. */
export function changedShippedFiles(root, packageDir, base) {
  const dir = relative(root, packageDir);
  const tracked = git(root, ['diff', '--name-only', base, '--', dir]).split('\n');
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '--', dir]).split('\n');
  return [...new Set([...tracked, ...untracked])]
    .filter(Boolean)
    .filter((file) => !NOT_SHIPPED.some((pattern) => pattern.test(file)))
    .sort();
}

export function checkChangesets({ root = repoRoot, base } = {}) {
  const packages = publishablePackages(root);
  const changesets = readChangesets(root);
  const known = new Set(packages.map((pkg) => pkg.name));
  const errors = [];
  for (const changeset of changesets) {
    for (const release of changeset.releases) {
      if (!known.has(release.name)) {
        errors.push(`.changeset/${changeset.file} names '${release.name}', which is not a publishable package here`);
      }
    }
  }
  const results = packages.map((pkg) => {
    const from = releaseBase(root, pkg.dir, base);
    const changed = changedShippedFiles(root, pkg.dir, from.ref);
    const coveredBy = changesets.filter((c) => c.releases.some((r) => r.name === pkg.name)).map((c) => c.file);
    const ok = changed.length === 0 || coveredBy.length > 0;
    if (!ok) {
      errors.push(
        `${pkg.name} changed since ${from.reason} (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', …' : ''}) ` +
          'but no changeset names it; run `npx -y pnpm@10.28.2 changeset` and commit the file it writes',
      );
    }
    return { name: pkg.name, base: from.reason, changedFiles: changed.length, coveredBy, ok };
  });
  return { ok: errors.length === 0, packages: results, errors };
}

function main() {
  const args = process.argv.slice(2);
  const flagValue = (flag) => {
    const index = args.indexOf(flag);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const root = resolve(flagValue('--root') ?? repoRoot);
  const base = flagValue('--base');
  const report = checkChangesets({ root, ...(base ? { base } : {}) });
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const pkg of report.packages) {
      const state =
        pkg.changedFiles === 0 ? 'unchanged' : pkg.ok ? `covered by ${pkg.coveredBy.join(', ')}` : 'MISSING';
      process.stdout.write(`${pkg.name}: ${pkg.changedFiles} changed files since ${pkg.base}; ${state}\n`);
    }
    for (const error of report.errors) process.stderr.write(`check-changesets: ${error}\n`);
  }
  process.exitCode = report.ok ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
