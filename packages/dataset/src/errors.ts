/** The one error class of @fmnist/dataset: a stable `code`, the file concerned, a message that says what to do. */

/** Stable codes callers (and the CLI) may branch on. */
export type DatasetErrorCode =
  | 'E_DATASET_ARGUMENT'
  | 'E_DATASET_GZIP_TRUNCATED'
  | 'E_DATASET_GZIP_CORRUPT'
  | 'E_DATASET_IDX_TRUNCATED'
  | 'E_DATASET_IDX_MAGIC'
  | 'E_DATASET_IDX_UNSUPPORTED'
  | 'E_DATASET_IDX_SIZE_MISMATCH'
  | 'E_DATASET_COUNT_MISMATCH'
  | 'E_DATASET_LABEL_OUT_OF_RANGE'
  | 'E_DATASET_CHECKSUM'
  | 'E_DATASET_NOT_FOUND'
  | 'E_DATASET_READ_FAILED'
  | 'E_DATASET_DOWNLOAD_FAILED';

export interface DatasetErrorOptions {
  /** The file (path, URL or name) the error is about. */
  file?: string | undefined;
  cause?: unknown;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly code: DatasetErrorCode;
  /** The file (path, URL or name) the error is about, when there is one. */
  readonly file?: string;

  constructor(code: DatasetErrorCode, message: string, options: DatasetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
  }

  /** Duck-typed check, so it also recognises errors thrown by another loaded copy of this package. */
  static isInstance(error: unknown): error is DatasetError {
    if (error instanceof DatasetError) return true;
    const candidate = error as { name?: unknown; code?: unknown } | null;
    return (
      typeof candidate === 'object' &&
      candidate !== null &&
      candidate.name === 'DatasetError' &&
      typeof candidate.code === 'string' &&
      candidate.code.startsWith('E_DATASET_')
    );
  }
}
