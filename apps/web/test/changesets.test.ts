// The release checks: scripts/check-changesets.mjs on a scratch repository and on this one, and a real
// `changeset version` on a clone of this repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const script = join(repoRoot, 'scripts/check-changesets.mjs');
const scratch: string[] = [];

interface Report {
  ok: boolean;
  errors: string[];
  packages: { name: string; base: string; changedFiles: number; coveredBy: string[]; ok: boolean }[];
}

function check(root: string, ...extra: string[]): Report {
  const result = spawnSync(process.execPath, [script, '--root', root, '--json', ...extra], { encoding: 'utf8' });
  const report = JSON.parse(result.stdout) as Report;
  expect(result.status).toBe(report.ok ? 0 : 1);
  return report;
}

function git(cwd: string, ...args: string[]) {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
}

function write(root: string, file: string, text: string) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

function scratchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-changesets-'));
  scratch.push(root);
  git(root, 'init', '-q', '-b', 'main');
  write(root, 'packages/a/package.json', JSON.stringify({ name: '@x/a', version: '0.0.0' }));
  write(root, 'packages/a/src/index.ts', 'export const a = 1;\n');
  write(root, 'packages/b/package.json', JSON.stringify({ name: '@x/b', version: '0.0.0' }));
  write(root, 'apps/site/package.json', JSON.stringify({ name: '@x/site', private: true }));
  write(root, '.changeset/README.md', 'Changesets live here.\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'start');
  return root;
}

afterAll(() => {
  for (const root of scratch) rmSync(root, { recursive: true, force: true });
});

describe('check-changesets', () => {
  it('fails for a never-released package without a changeset, and passes once a changeset names it', () => {
    const root = scratchRepo();
    const before = check(root);
    expect(before.ok).toBe(false);
    expect(before.errors.join('\n')).toMatch(
      /@x\/a changed since the first commit \(never released\).*no changeset names it/,
    );
    // Private packages are never checked.
    expect(before.packages.map((pkg) => pkg.name)).toEqual(['@x/a', '@x/b']);
    write(root, '.changeset/first.md', '---\n"@x/a": minor\n"@x/b": minor\n---\n\nFirst release.\n');
    expect(check(root).ok).toBe(true);
  });

  it('measures from the last release commit, ignores tests, and counts uncommitted work', () => {
    const root = scratchRepo();
    // What `changeset version` leaves: changelogs written, changesets consumed, versions bumped.
    write(root, 'packages/a/CHANGELOG.md', '# @x/a\n\n## 0.1.0\n');
    write(root, 'packages/b/CHANGELOG.md', '# @x/b\n\n## 0.1.0\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'Version packages');
    const released = check(root);
    expect(released.ok).toBe(true);
    expect(released.packages[0]?.base).toMatch(/last release/);

    write(root, 'packages/a/src/index.test.ts', 'test file\n');
    write(root, 'packages/a/vitest.config.ts', 'config\n');
    expect(check(root).ok).toBe(true);

    write(root, 'packages/a/src/index.ts', 'export const a = 2;\n');
    const changed = check(root);
    expect(changed.ok).toBe(false);
    expect(changed.errors).toHaveLength(1);
    expect(changed.errors[0]).toMatch(/^@x\/a changed since last release .*packages\/a\/src\/index\.ts/);

    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'change a');
    expect(check(root).ok).toBe(false);
    // An explicit base (a pull request's target) overrides the release commit.
    expect(check(root, '--base', 'HEAD').ok).toBe(true);
  });

  it('rejects a changeset that names an unknown package or an unknown bump', () => {
    const root = scratchRepo();
    write(root, '.changeset/typo.md', '---\n"@x/c": minor\n"@x/a": minor\n"@x/b": patch\n---\n\nOops.\n');
    expect(check(root).errors).toEqual([
      expect.stringMatching(/typo\.md names '@x\/c', which is not a publishable package/),
    ]);
    write(root, '.changeset/typo.md', '---\n"@x/a": huge\n---\n');
    const result = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/typo\.md: cannot read '"@x\/a": huge'/);
  });

  it('passes on this repository: every package changed since its last release has a changeset', () => {
    const report = check(repoRoot);
    expect(report.errors).toEqual([]);
    expect(report.packages.map((pkg) => pkg.name)).toContain('@fmnist/models');
  });
});

describe('changeset version on a clone of this repository', () => {
  it('turns the pending changesets into 0.1.0 releases with changelogs, after which the check passes', () => {
    const clone = mkdtempSync(join(tmpdir(), 'fmnist-release-'));
    scratch.push(clone);
    git(repoRoot, 'clone', '-q', '--no-hardlinks', repoRoot, clone);
    symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/@changesets/cli/bin.js'), 'version'], {
      cwd: clone,
      stdio: 'pipe',
    });
    const models = JSON.parse(readFileSync(join(clone, 'packages/models/package.json'), 'utf8'));
    expect(models.version).toBe('0.1.0');
    const changelog = readFileSync(join(clone, 'packages/models/CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^# @fmnist\/models\n\n## 0\.1\.0\n\n### Minor Changes\n/);
    expect(changelog).toMatch(/createClassifier/);
    expect(JSON.parse(readFileSync(join(clone, 'apps/web/package.json'), 'utf8')).version).toBe('0.0.0');
    unlinkSync(join(clone, 'node_modules'));
    git(clone, 'add', '-A');
    git(clone, 'commit', '-q', '-m', 'Version packages');
    expect(check(clone).ok).toBe(true);
  });
});
