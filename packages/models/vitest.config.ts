import { defineProject } from 'vitest/config';
import { sharedProjectConfig } from '../../vitest.shared';

const shared = sharedProjectConfig('models');

export default defineProject({
  ...shared,
  // Worker threads started by the tests run the TypeScript source (see the file).
  test: { ...shared.test, setupFiles: ['./test/workers-from-source.ts'] },
});
