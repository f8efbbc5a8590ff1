/** The one error class of @fmnist/models: a stable `code`, a message that says what to do, and the `cause`. */
import { FmnistError } from '@fmnist/internal';

/** Stable codes callers (and the CLI) may branch on. */
export type ModelsErrorCode =
  | 'E_MODELS_ARGUMENT'
  | 'E_MODELS_BACKEND_UNAVAILABLE'
  | 'E_MODELS_FILE_MISSING'
  | 'E_MODELS_FILE_TRUNCATED'
  | 'E_MODELS_FILE_MISMATCH'
  | 'E_MODELS_FILE_INVALID'
  | 'E_MODELS_SAVE_FAILED'
  | 'E_MODELS_WORKER_FAILED'
  | 'E_MODELS_KERNEL'
  | 'E_MODELS_ONNX_UNSUPPORTED';

/**
 * Thrown for bad arguments, unusable model files, failed saves and failed workers. `ModelsError.isInstance(error)` is
 * true also for one thrown by another loaded copy of this package; `FmnistError.isInstance(error)` for an error of any
 * @fmnist package.
 */
export class ModelsError extends FmnistError<ModelsErrorCode> {
  static override readonly codePrefix = 'E_MODELS_';
  override readonly name = 'ModelsError';
}
