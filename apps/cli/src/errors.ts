/** How the CLI turns errors into one line on stderr and an exit code. */
import { stripVTControlCharacters } from 'node:util';
import { FmnistError } from '@fmnist/internal';

/** Every `code` a {@link CliError} can carry. */
export type CliErrorCode = 'E_CLI_USAGE' | 'E_CLI_INTERRUPTED' | 'E_CLI_IMAGE';

/** The CLI's own errors: a bad flag or value (exit code 2), an interruption (exit code 130), an unreadable image (1). */
export class CliError extends FmnistError<CliErrorCode> {
  static override readonly codePrefix = 'E_CLI_';
  override readonly name: string = 'CliError';
}

/** A bad flag or value: exit code 2, like other Unix tools' usage errors. The message names the flag and the value. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('E_CLI_USAGE', message);
  }
}

/** Raised when the user interrupts (Ctrl-C); exit code 130. */
export class InterruptedError extends CliError {
  override readonly name = 'InterruptedError';
  constructor(message = 'interrupted') {
    super('E_CLI_INTERRUPTED', message);
  }
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  stack?: unknown;
  cause?: unknown;
}

/** citty's own codes for a bad command line (an unknown command, a missing required argument). */
const CITTY_USAGE_CODES = new Set(['EARG', 'E_UNKNOWN_COMMAND', 'E_NO_COMMAND']);

/** Exit code for an error: 2 for usage errors, 130 for interruption, 1 for everything else. */
export function exitCodeFor(error: unknown): number {
  const code = (error as CodedError | null)?.code;
  if (code === 'E_CLI_USAGE' || (typeof code === 'string' && CITTY_USAGE_CODES.has(code))) return 2;
  if (code === 'E_CLI_INTERRUPTED' || code === 'ABORT_ERR') return 130;
  return 1;
}

/**
 * One line for people: `fmnist: <message> [CODE]`, plus the stack and causes when verbose. The code of an fmnist
 * error names its package (`[E_VIZ_INVALID_OPTION]`); Node's own codes (`[ENOENT]`) are shown as they are.
 */
export function formatError(error: unknown, verbose: boolean): string {
  const coded = (error ?? {}) as CodedError;
  const message = typeof coded.message === 'string' ? coded.message : String(error);
  // citty colors argument names; strip ANSI codes so the line reads the same in logs.
  const plain = stripVTControlCharacters(message);
  const code = typeof coded.code === 'string' ? ` [${coded.code}]` : '';
  let text = `fmnist: ${plain}${code}`;
  if (verbose) {
    let current: unknown = error;
    while (current) {
      const stack = (current as CodedError).stack;
      if (typeof stack === 'string') text += `\n${stack}`;
      current = (current as CodedError).cause;
      if (current) text += '\ncaused by:';
    }
  }
  return text;
}
