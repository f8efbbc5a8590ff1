import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module specifier reachable from a source file through relative imports, with the file that imports it. */
function reachableImports(entry: string): { from: string; specifier: string }[] {
  const seen = new Set<string>();
  const found: { from: string; specifier: string }[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)) {
      const specifier = (match[1] ?? match[2])!;
      if (/^import type |^export type /.test(match[0])) continue;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else found.push({ from: file.slice(here.length + 1), specifier });
    }
  };
  visit(join(here, entry));
  return found;
}

describe('entry points', () => {
  it('the main entry reaches no Node built-in and no native module, so browsers can bundle it', () => {
    const specifiers = new Set(reachableImports('index.ts').map((item) => item.specifier));
    // @fmnist/internal's main entry is browser-safe too; its Node half (`@fmnist/internal/node`) must not appear here.
    expect([...specifiers].sort()).toEqual(['@fmnist/internal', '@fmnist/metrics', 'vega', 'vega-lite']);
  });

  it('the Node entry is where resvg and the file system come in', () => {
    const specifiers = new Set(reachableImports('node.ts').map((item) => item.specifier));
    expect(specifiers).toContain('@resvg/resvg-js');
    expect(specifiers).toContain('node:fs/promises');
    expect(specifiers).toContain('@fmnist/internal/node');
  });
});
