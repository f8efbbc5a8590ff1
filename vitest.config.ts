import { defineConfig } from 'vitest/config';

// One run over every package and app; the JSON report feeds the totals line that .ci/run prints.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
