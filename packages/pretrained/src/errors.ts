/** The one error class of @fmnist/pretrained: a stable `code`, a message that says what to do, and the `cause`. */
import { FmnistError } from '@fmnist/internal';

/** Stable codes callers may branch on. */
export type PretrainedErrorCode = 'E_PRETRAINED_UNKNOWN_MODEL' | 'E_PRETRAINED_CORRUPT';

/**
 * Thrown for a model name the package does not ship and for shipped files that fail their recorded SHA-256.
 * `PretrainedError.isInstance(error)` is true also for one thrown by another loaded copy of this package.
 */
export class PretrainedError extends FmnistError<PretrainedErrorCode> {
  static override readonly codePrefix = 'E_PRETRAINED_';
  override readonly name = 'PretrainedError';
}
