import { describe, expect, it } from 'vitest';
import {
  isCi,
  isSimulatedMissing,
  missingPrerequisiteError,
  prerequisiteMode,
  requirePrerequisite,
} from './testing.js';

const WHAT = 'the built CLI (run pnpm build)';

describe('prerequisiteMode', () => {
  it('runs a suite whose prerequisite is there, in CI or not', () => {
    expect(prerequisiteMode(true, WHAT, {})).toBe('run');
    expect(prerequisiteMode(true, WHAT, { CI: 'true' })).toBe('run');
  });

  it('skips a suite whose prerequisite is missing outside CI, and fails it under CI', () => {
    expect(prerequisiteMode(false, WHAT, {})).toBe('skip');
    expect(prerequisiteMode(false, WHAT, { CI: 'false' })).toBe('skip');
    expect(prerequisiteMode(false, WHAT, { CI: 'true' })).toBe('fail');
    expect(prerequisiteMode(false, WHAT, { CI: '1' })).toBe('fail');
  });

  it('treats a prerequisite named in FMNIST_TEST_MISSING as missing', () => {
    expect(prerequisiteMode(true, WHAT, { FMNIST_TEST_MISSING: 'CLI' })).toBe('skip');
    expect(prerequisiteMode(true, WHAT, { CI: 'true', FMNIST_TEST_MISSING: 'chromium, built cli' })).toBe('fail');
    expect(prerequisiteMode(true, WHAT, { CI: 'true', FMNIST_TEST_MISSING: 'Chromium' })).toBe('run');
  });
});

describe('isCi and isSimulatedMissing', () => {
  it('reads CI as CI services set it', () => {
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({ CI: '0' })).toBe(false);
    expect(isCi({ CI: 'FALSE' })).toBe(false);
    expect(isCi({ CI: 'true' })).toBe(true);
  });

  it('matches words of FMNIST_TEST_MISSING against the description, * matching everything', () => {
    expect(isSimulatedMissing(WHAT, {})).toBe(false);
    expect(isSimulatedMissing(WHAT, { FMNIST_TEST_MISSING: ' , ' })).toBe(false);
    expect(isSimulatedMissing(WHAT, { FMNIST_TEST_MISSING: '*' })).toBe(true);
    expect(isSimulatedMissing(WHAT, { FMNIST_TEST_MISSING: 'data,pnpm build' })).toBe(true);
    expect(isSimulatedMissing(WHAT, { FMNIST_TEST_MISSING: 'the real data' })).toBe(false);
  });
});

it('names the missing prerequisite in the failure', () => {
  expect(missingPrerequisiteError(WHAT).message).toContain(WHAT);
});

// The failing mode is exercised end to end (a vitest run of a fixture, read through the totals line) in
// scripts/test-totals.test.ts; here the two modes a passing run can hold.
let ranBody = false;
requirePrerequisite(
  true,
  WHAT,
  {},
)('a suite whose prerequisite is there', () => {
  ranBody = true;
  it('runs', () => {
    expect(ranBody).toBe(true);
  });
});

requirePrerequisite(
  false,
  WHAT,
  {},
)('a suite whose prerequisite is missing outside CI', () => {
  it('is skipped, not run', () => {
    expect.unreachable('a skipped suite ran its test');
  });
});
