import { describe, expect, it } from 'vitest';
import { FmnistError } from './errors.js';

type ThingErrorCode = 'E_THING_BROKEN' | 'E_THING_MISSING';
class ThingError extends FmnistError<ThingErrorCode> {
  static override readonly codePrefix = 'E_THING_';
  override readonly name = 'ThingError';
}
class OtherError extends FmnistError<'E_OTHER_BAD'> {
  static override readonly codePrefix = 'E_OTHER_';
  override readonly name = 'OtherError';
}

describe('FmnistError', () => {
  it('carries the code, the file and the cause', () => {
    const cause = new Error('EACCES');
    const error = new ThingError('E_THING_MISSING', 'no such thing', { file: '/tmp/x', cause });
    expect(error.code).toBe('E_THING_MISSING');
    expect(error.file).toBe('/tmp/x');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('ThingError');
    expect(error).toBeInstanceOf(Error);
    expect('file' in new ThingError('E_THING_BROKEN', 'x')).toBe(false);
  });

  it('isInstance tells the family apart by its code prefix', () => {
    const thing = new ThingError('E_THING_BROKEN', 'x');
    expect(ThingError.isInstance(thing)).toBe(true);
    expect(OtherError.isInstance(thing)).toBe(false);
    expect(FmnistError.isInstance(thing)).toBe(true);
    expect(FmnistError.isInstance(new Error('plain'))).toBe(false);
    expect(ThingError.isInstance(Object.assign(new Error('x'), { code: 'E_THING_BROKEN' }))).toBe(false);
    expect(ThingError.isInstance(null)).toBe(false);
  });

  it('isInstance recognises an error from another copy of the class (same brand, other constructor)', () => {
    class CopiedBase extends FmnistError<'E_THING_BROKEN'> {
      override readonly name = 'ThingError';
    }
    const copy = new CopiedBase('E_THING_BROKEN', 'from another bundle');
    expect(copy instanceof ThingError).toBe(false);
    expect(ThingError.isInstance(copy)).toBe(true);
  });
});
