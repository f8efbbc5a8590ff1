/** The one error type of @fmnist/metrics: a stable `code` to branch on and a message that names the bad argument. */

/** Every `code` a {@link MetricsError} can carry. */
export type MetricsErrorCode =
  | 'EMPTY_INPUT'
  | 'LENGTH_MISMATCH'
  | 'LABEL_NOT_INTEGER'
  | 'LABEL_OUT_OF_RANGE'
  | 'INVALID_PROBABILITY'
  | 'PROBABILITY_ROW_SUM'
  | 'INVALID_SHAPE'
  | 'INVALID_OPTION';

export class MetricsError extends Error {
  override readonly name = 'MetricsError';
  readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** True for any MetricsError, also one thrown by another loaded copy of this package (checked by name and code). */
  static isInstance(value: unknown): value is MetricsError {
    return (
      value instanceof MetricsError ||
      (value instanceof Error &&
        value.name === 'MetricsError' &&
        typeof (value as { code?: unknown }).code === 'string')
    );
  }
}
