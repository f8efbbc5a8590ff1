/** The one error class of @fmnist/metrics: a stable `code` to branch on and a message that names the bad argument. */
import { FmnistError } from '@fmnist/internal';

/** Every `code` a {@link MetricsError} can carry. */
export type MetricsErrorCode =
  | 'E_METRICS_EMPTY_INPUT'
  | 'E_METRICS_LENGTH_MISMATCH'
  | 'E_METRICS_LABEL_NOT_INTEGER'
  | 'E_METRICS_LABEL_OUT_OF_RANGE'
  | 'E_METRICS_INVALID_PROBABILITY'
  | 'E_METRICS_PROBABILITY_ROW_SUM'
  | 'E_METRICS_INVALID_SHAPE'
  | 'E_METRICS_INVALID_OPTION';

/**
 * Thrown for bad arguments. `MetricsError.isInstance(error)` is true also for one thrown by another loaded copy of
 * this package; `FmnistError.isInstance(error)` for an error of any @fmnist package.
 */
export class MetricsError extends FmnistError<MetricsErrorCode> {
  static override readonly codePrefix = 'E_METRICS_';
  override readonly name = 'MetricsError';
}
