/** Helpers shared by this package's tests (not exported from the package). */
import { MetricsError } from './errors.js';

/** The MetricsError that `action` throws; fails the test if it throws nothing or something else. */
export function thrown(action: () => unknown): MetricsError {
  try {
    action();
  } catch (error) {
    if (MetricsError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a MetricsError');
}
