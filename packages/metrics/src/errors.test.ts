import { describe, expect, it } from 'vitest';
import { MetricsError } from './index.js';

describe('MetricsError', () => {
  it('carries a code, a message and a cause', () => {
    const cause = new Error('underlying');
    const error = new MetricsError('E_METRICS_INVALID_OPTION', 'bins must be an integer', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MetricsError');
    expect(error.code).toBe('E_METRICS_INVALID_OPTION');
    expect(error.cause).toBe(cause);
  });

  it('recognizes errors from another copy of the package by the shared brand and the code prefix', () => {
    // Another bundle's MetricsError: another class, but the same Symbol.for brand that FmnistError sets.
    const foreign = Object.assign(new Error('x'), { name: 'MetricsError', code: 'E_METRICS_EMPTY_INPUT' });
    Object.defineProperty(foreign, Symbol.for('@fmnist/error'), { value: true });
    expect(MetricsError.isInstance(Object.assign(new Error('x'), { code: 'E_METRICS_EMPTY_INPUT' }))).toBe(false);
    expect(MetricsError.isInstance(foreign)).toBe(true);
    expect(MetricsError.isInstance(new MetricsError('E_METRICS_EMPTY_INPUT', 'x'))).toBe(true);
    expect(MetricsError.isInstance(new Error('x'))).toBe(false);
    expect(MetricsError.isInstance({ name: 'MetricsError', code: 'E_METRICS_EMPTY_INPUT' })).toBe(false);
    expect(MetricsError.isInstance(undefined)).toBe(false);
  });
});
