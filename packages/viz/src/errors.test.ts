import { FmnistError } from '@fmnist/internal';
import { describe, expect, it } from 'vitest';
import { VizError } from './index.js';

describe('VizError', () => {
  it('is an FmnistError with an E_VIZ_ code, a message, the file and the cause', () => {
    const cause = new Error('underlying');
    const error = new VizError('E_VIZ_WRITE_FAILED', 'Could not write out/report.html', {
      file: 'out/report.html',
      cause,
    });
    expect(error).toBeInstanceOf(FmnistError);
    expect(error.name).toBe('VizError');
    expect(error.code).toBe('E_VIZ_WRITE_FAILED');
    expect(error.file).toBe('out/report.html');
    expect(error.cause).toBe(cause);
    expect(FmnistError.isInstance(error)).toBe(true);
  });

  it('recognizes errors from another copy of the package by the shared brand and the code prefix', () => {
    // Another bundle's VizError: another class, but the same Symbol.for brand that FmnistError sets.
    const foreign = Object.assign(new Error('x'), { name: 'VizError', code: 'E_VIZ_INVALID_OPTION' });
    Object.defineProperty(foreign, Symbol.for('@fmnist/error'), { value: true });
    expect(VizError.isInstance(foreign)).toBe(true);
    expect(VizError.isInstance(new VizError('E_VIZ_INVALID_STUDY', 'x'))).toBe(true);
    // Unbranded look-alikes, and other packages' errors, are not VizErrors.
    expect(VizError.isInstance(Object.assign(new Error('x'), { name: 'VizError', code: 'E_VIZ_INVALID_OPTION' }))).toBe(
      false,
    );
    const metrics = Object.assign(new Error('x'), { code: 'E_METRICS_INVALID_OPTION' });
    Object.defineProperty(metrics, Symbol.for('@fmnist/error'), { value: true });
    expect(VizError.isInstance(metrics)).toBe(false);
    expect(VizError.isInstance(undefined)).toBe(false);
  });
});
