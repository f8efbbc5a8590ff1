/** The one error class of @fmnist/dataset: a stable `code`, the file concerned, a message that says what to do. */
import { FmnistError } from '@fmnist/internal';

/** Stable codes callers (and the CLI) may branch on. */
export type DatasetErrorCode =
  | 'E_DATASET_ARGUMENT'
  | 'E_DATASET_GZIP_TRUNCATED'
  | 'E_DATASET_GZIP_CORRUPT'
  | 'E_DATASET_GZIP_TOO_LARGE'
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

export type { FmnistErrorOptions as DatasetErrorOptions } from '@fmnist/internal';

/**
 * Thrown for bad files, arguments and downloads; `file` names the file (path, URL or name) concerned.
 * `DatasetError.isInstance(error)` is true also for one thrown by another loaded copy of this package;
 * `FmnistError.isInstance(error)` for an error of any @fmnist package.
 */
export class DatasetError extends FmnistError<DatasetErrorCode> {
  static override readonly codePrefix = 'E_DATASET_';
  override readonly name = 'DatasetError';
}
