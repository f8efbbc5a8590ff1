/** The one error class of @fmnist/models: a stable `code`, a message that says what to do, and the `cause`. */

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
  | 'E_MODELS_KERNEL';

export class ModelsError extends Error {
  override readonly name = 'ModelsError';
  readonly code: ModelsErrorCode;

  constructor(code: ModelsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Duck-typed check, so it also recognises errors thrown by another loaded copy of this package. */
  static isInstance(error: unknown): error is ModelsError {
    if (error instanceof ModelsError) return true;
    const candidate = error as { name?: unknown; code?: unknown } | null;
    return (
      typeof candidate === 'object' &&
      candidate !== null &&
      candidate.name === 'ModelsError' &&
      typeof candidate.code === 'string' &&
      candidate.code.startsWith('E_MODELS_')
    );
  }
}
