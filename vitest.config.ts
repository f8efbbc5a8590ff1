import { defineConfig } from 'vitest/config';

// One run over every package and app, and the repository's own scripts; the JSON report feeds the totals line that
// .ci/run prints.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      { test: { name: 'scripts', include: ['scripts/**/*.test.ts'], testTimeout: 60_000 } },
    ],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
