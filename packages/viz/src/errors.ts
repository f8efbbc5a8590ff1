/** The one error class of @fmnist/viz: a stable `code` to branch on and a message that names the bad input. */
import { FmnistError } from '@fmnist/internal';

/** Every `code` a {@link VizError} can carry. */
export type VizErrorCode =
  /** The study object is malformed (wrong lengths, missing models, labels out of range). */
  | 'E_VIZ_INVALID_STUDY'
  /** An option is outside its accepted values. */
  | 'E_VIZ_INVALID_OPTION'
  /** Vega-Lite, Vega or resvg failed to turn a figure into SVG or PNG. */
  | 'E_VIZ_RENDER_FAILED'
  /** Writing a figure, report or saved study file failed. */
  | 'E_VIZ_WRITE_FAILED'
  /** A saved study could not be read back (a file missing, unreadable, not JSON or of the wrong size). */
  | 'E_VIZ_READ_FAILED';

/**
 * Thrown for bad studies and options and failed renders, writes and reads. `VizError.isInstance(error)` is true also
 * for one thrown by another loaded copy of this package; `FmnistError.isInstance(error)` for an error of any @fmnist
 * package.
 */
export class VizError extends FmnistError<VizErrorCode> {
  static override readonly codePrefix = 'E_VIZ_';
  override readonly name = 'VizError';
}
