/**
 * The error base of every @fmnist package. Each package extends it once with its code union and prefix; codes follow
 * one convention, `E_<PACKAGE>_<WHAT>` (`E_DATASET_CHECKSUM`, `E_MODELS_FILE_MISSING`, `E_CLI_USAGE`).
 */

/** Marks fmnist errors across copies of a package (two bundles each hold their own class, but share this symbol). */
const BRAND = Symbol.for('@fmnist/error');

export interface FmnistErrorOptions {
  /** The file (path, URL or name) the error is about. */
  file?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
}

export class FmnistError<Code extends string = string> extends Error {
  /** Codes of this class (and its subclasses) start with this; subclasses narrow it to `E_<PACKAGE>_`. */
  static readonly codePrefix: string = 'E_';
  override readonly name: string = 'FmnistError';
  /** A stable code callers may branch on: `E_<PACKAGE>_<WHAT>`. */
  readonly code: Code;
  /** The file (path, URL or name) the error is about, when there is one. */
  declare readonly file?: string;

  constructor(code: Code, message: string, options: FmnistErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.file !== undefined) this.file = options.file;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for an error of this class, also one thrown by another loaded copy of the package (recognised by the shared
   * brand and the code prefix, since `instanceof` fails across copies).
   */
  static isInstance<T extends abstract new (...args: never[]) => FmnistError>(
    this: T & { codePrefix: string },
    value: unknown,
  ): value is InstanceType<T> {
    // `this` is the class isInstance is called on (DatasetError, ModelsError...), whose prefix decides.
    // biome-ignore lint/complexity/noThisInStatic: each subclass checks its own family.
    if (value instanceof this) return true;
    if (typeof value !== 'object' || value === null) return false;
    const candidate = value as { [BRAND]?: unknown; code?: unknown };
    // biome-ignore lint/complexity/noThisInStatic: each subclass checks its own family.
    const prefix = this.codePrefix;
    return candidate[BRAND] === true && typeof candidate.code === 'string' && candidate.code.startsWith(prefix);
  }
}
