/** The one error type of @fmnist/viz: a stable `code` to branch on and a message that names the bad input. */

/** Every `code` a {@link VizError} can carry. */
export type VizErrorCode =
  /** The study object is malformed (wrong lengths, missing models, labels out of range). */
  | 'INVALID_STUDY'
  /** An option is outside its accepted values. */
  | 'INVALID_OPTION'
  /** Vega-Lite, Vega or resvg failed to turn a figure into SVG or PNG. */
  | 'RENDER_FAILED'
  /** Writing a figure, report or saved study file failed. */
  | 'WRITE_FAILED'
  /** A saved study could not be read back (a file missing, unreadable, not JSON or of the wrong size). */
  | 'READ_FAILED';

export class VizError extends Error {
  override readonly name = 'VizError';
  readonly code: VizErrorCode;

  constructor(code: VizErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** True for any VizError, also one thrown by another loaded copy of this package (checked by name and code). */
  static isInstance(value: unknown): value is VizError {
    return (
      value instanceof VizError ||
      (value instanceof Error && value.name === 'VizError' && typeof (value as { code?: unknown }).code === 'string')
    );
  }
}
