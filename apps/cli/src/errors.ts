/** How the CLI turns errors into one line on stderr and an exit code. */
import { stripVTControlCharacters } from 'node:util';

/** A bad flag or value: exit code 2, like other Unix tools' usage errors. */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Raised when the user interrupts (Ctrl-C); exit code 130. */
export class InterruptedError extends Error {
  readonly code = 'E_INTERRUPTED';
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  stack?: unknown;
  cause?: unknown;
}

/** Exit code for an error: 2 for usage errors, 130 for interruption, 1 for everything else. */
export function exitCodeFor(error: unknown): number {
  const code = (error as CodedError | null)?.code;
  if (code === 'E_USAGE' || code === 'EARG' || code === 'E_UNKNOWN_COMMAND') return 2;
  if (code === 'E_INTERRUPTED' || code === 'ABORT_ERR' || code === 'E_ABORTED') return 130;
  return 1;
}

/** One line for people: `fmnist: <message> [code]`, plus the stack and causes when verbose. */
export function formatError(error: unknown, verbose: boolean): string {
  const coded = (error ?? {}) as CodedError;
  const message = typeof coded.message === 'string' ? coded.message : String(error);
  // citty colours argument names; strip ANSI codes so the line reads the same in logs.
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
