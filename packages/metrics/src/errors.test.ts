import { describe, expect, it } from 'vitest';
import { MetricsError } from './index.js';

describe('MetricsError', () => {
  it('carries a code, a message and a cause', () => {
    const cause = new Error('underlying');
    const error = new MetricsError('INVALID_OPTION', 'bins must be an integer', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MetricsError');
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.cause).toBe(cause);
  });

  it('recognises errors from another copy of the package by name and code', () => {
    const foreign = Object.assign(new Error('x'), { name: 'MetricsError', code: 'EMPTY_INPUT' });
    expect(MetricsError.isInstance(foreign)).toBe(true);
    expect(MetricsError.isInstance(new MetricsError('EMPTY_INPUT', 'x'))).toBe(true);
    expect(MetricsError.isInstance(new Error('x'))).toBe(false);
    expect(MetricsError.isInstance({ name: 'MetricsError', code: 'EMPTY_INPUT' })).toBe(false);
    expect(MetricsError.isInstance(undefined)).toBe(false);
  });
});
