// Shared vitest settings: workspace packages resolve to their TypeScript source, so tests need no build
// and stack traces point at src/. A subpath `@fmnist/x/y` resolves to `packages/x/src/y.ts`.
import { fileURLToPath } from 'node:url';
import type { UserWorkspaceConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export const workspaceAliases = [
  {
    find: /^@fmnist\/(dataset|internal|metrics|models|pretrained|viz)\/(.+)$/,
    replacement: `${root}packages/$1/src/$2.ts`,
  },
  {
    find: /^@fmnist\/(dataset|internal|metrics|models|pretrained|viz)$/,
    replacement: `${root}packages/$1/src/index.ts`,
  },
];

export function sharedProjectConfig(name: string): UserWorkspaceConfig {
  return {
    resolve: { alias: workspaceAliases },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
}
