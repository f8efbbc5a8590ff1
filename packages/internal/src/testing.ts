/**
 * Test support: suites that need something outside the code (the build, the real data, Chromium) declare it with
 * `requirePrerequisite`. Where it is missing, the suite is skipped on a developer's machine and FAILS under `CI=true`,
 * with a message naming what is missing, so a CI run can never pass by running nothing.
 *
 * `FMNIST_TEST_MISSING` simulates a missing prerequisite: a comma-separated list of words; a prerequisite whose
 * description contains one of them (case-insensitive), or every prerequisite for `*`, counts as missing.
 */
import { describe, it } from 'vitest';

export type PrerequisiteMode = 'run' | 'skip' | 'fail';

/** A `describe` whose suite runs, is skipped or fails, according to its prerequisite. */
export type PrerequisiteSuite = (name: string, factory: () => void) => void;

type Environment = Readonly<Record<string, string | undefined>>;

/** True where `CI` is set to anything but an empty string, `false` or `0` (CI services set `CI=true`). */
export function isCi(env: Environment = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** Whether `FMNIST_TEST_MISSING` names the prerequisite described by `what`. */
export function isSimulatedMissing(what: string, env: Environment = process.env): boolean {
  const words = (env.FMNIST_TEST_MISSING ?? '')
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter((word) => word !== '');
  const description = what.toLowerCase();
  return words.some((word) => word === '*' || description.includes(word));
}

/** What a suite does: run where the prerequisite is there, else fail under CI and skip elsewhere. */
export function prerequisiteMode(available: boolean, what: string, env: Environment = process.env): PrerequisiteMode {
  if (available && !isSimulatedMissing(what, env)) return 'run';
  return isCi(env) ? 'fail' : 'skip';
}

/** The error a suite fails with under CI when its prerequisite is missing. */
export function missingPrerequisiteError(what: string): Error {
  return new Error(`missing test prerequisite: ${what} (CI=true turns a skipped suite into a failure)`);
}

/**
 * `requirePrerequisite(BUILT, 'the built CLI (run pnpm build)')('fmnist data', () => { ... })` declares a suite that
 * needs the build. Skipped suites keep their tests (counted as skipped); a failing one holds a single test that
 * throws `missingPrerequisiteError(what)`, and its body is not run.
 */
export function requirePrerequisite(
  available: boolean,
  what: string,
  env: Environment = process.env,
): PrerequisiteSuite {
  const mode = prerequisiteMode(available, what, env);
  return (name, factory) => {
    if (mode === 'run') {
      describe(name, factory);
    } else if (mode === 'skip') {
      describe.skip(name, factory);
    } else {
      describe(name, () => {
        it(`has its prerequisite: ${what}`, () => {
          throw missingPrerequisiteError(what);
        });
      });
    }
  };
}
