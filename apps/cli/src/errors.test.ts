import { FmnistError } from '@fmnist/internal';
import { VizError } from '@fmnist/viz';
import { describe, expect, it } from 'vitest';
import { CliError, exitCodeFor, formatError, InterruptedError, UsageError } from './errors.js';

describe('CLI errors', () => {
  it('are fmnist errors with E_CLI_ codes', () => {
    const usage = new UsageError("--seed must be a whole number from 0 to 4294967295, got 'x'");
    expect(usage.code).toBe('E_CLI_USAGE');
    expect(new InterruptedError().code).toBe('E_CLI_INTERRUPTED');
    expect(FmnistError.isInstance(usage)).toBe(true);
    expect(CliError.isInstance(usage)).toBe(true);
    expect(CliError.isInstance(new VizError('E_VIZ_INVALID_OPTION', 'bad'))).toBe(false);
  });

  it('map to exit codes: 2 for usage errors (also citty’s), 130 for interruption, 1 otherwise', () => {
    expect(exitCodeFor(new UsageError('bad flag'))).toBe(2);
    expect(exitCodeFor(Object.assign(new Error('Missing required argument: --from'), { code: 'EARG' }))).toBe(2);
    expect(exitCodeFor(new InterruptedError())).toBe(130);
    expect(exitCodeFor(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }))).toBe(130);
    expect(exitCodeFor(new VizError('E_VIZ_INVALID_OPTION', 'bad width'))).toBe(1);
    expect(exitCodeFor(new Error('plain'))).toBe(1);
  });

  it('print one line with the code, which names the package, and the stack only when verbose', () => {
    const error = new VizError('E_VIZ_INVALID_OPTION', 'width must be positive, got -1');
    expect(formatError(error, false)).toBe('fmnist: width must be positive, got -1 [E_VIZ_INVALID_OPTION]');
    expect(formatError(new Error('plain'), false)).toBe('fmnist: plain');
    const verbose = formatError(new UsageError('bad'), true).split('\n');
    expect(verbose[0]).toBe('fmnist: bad [E_CLI_USAGE]');
    expect(verbose.slice(1).join('\n')).toMatch(/UsageError: bad\n\s+at /);
  });
});
