import { defineProject } from 'vitest/config';
import { sharedProjectConfig } from '../../vitest.shared';

const shared = sharedProjectConfig('pretrained');

// The import script's pieces (quantization) are tested beside them in scripts/.
export default defineProject({
  ...shared,
  test: { ...shared.test, include: [...(shared.test?.include ?? []), 'scripts/**/*.test.ts'] },
});
