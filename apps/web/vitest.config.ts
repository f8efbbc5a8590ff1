import { defineProject } from 'vitest/config';
import { sharedProjectConfig } from '../../vitest.shared';

const shared = sharedProjectConfig('web');

// The browser and pack tests build, pack and install real artifacts: give them room, run them one file at a time.
export default defineProject({
  ...shared,
  test: { ...shared.test, testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false },
});
