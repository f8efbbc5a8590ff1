// The publishable workspace packages and how to pack them exactly as `pnpm publish` would (workspace:* becomes the
// real version), shared by scripts/check-packages.mjs and the pack smoke test.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const PNPM = ['-y', 'pnpm@10.28.2'];

/** Every non-private package under packages/ and apps/, sorted by folder. */
export function publishablePackages(root = repoRoot) {
  const found = [];
  for (const group of ['packages', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, name);
      const manifestPath = join(dir, 'package.json');
      try {
        statSync(manifestPath);
      } catch {
        continue;
      }
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      if (manifest.private) continue;
      found.push({ name: manifest.name, version: manifest.version, dir, manifest });
    }
  }
  return found;
}

/** Packs one package with pnpm into `destination`; returns the tarball path and its file list. */
export function packPackage(pkg, destination) {
  const output = execFileSync('npx', [...PNPM, 'pack', '--json', '--pack-destination', destination], {
    cwd: pkg.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const report = JSON.parse(output.slice(output.indexOf('{')));
  const tarball = report.filename;
  return {
    ...pkg,
    tarball,
    packedBytes: statSync(tarball).size,
    ...unpackedSizes(tarball),
    files: report.files.map((file) => file.path),
  };
}

/** Sums of the file sizes inside a tarball (as `npm publish` reports "unpacked size"), and of its source maps. */
function unpackedSizes(tarball) {
  const listing = execFileSync('tar', ['-tvzf', tarball], { encoding: 'utf8' });
  let unpackedBytes = 0;
  let sourceMapBytes = 0;
  for (const line of listing.split('\n').filter(Boolean)) {
    const fields = line.trim().split(/\s+/);
    const bytes = Number(fields[2] ?? 0);
    unpackedBytes += bytes;
    if (fields.at(-1)?.endsWith('.map')) sourceMapBytes += bytes;
  }
  return { unpackedBytes, sourceMapBytes };
}
