/** Ctrl-C handling for long commands: the first SIGINT aborts cleanly through an AbortSignal, the second quits now. */
import { InterruptedError } from './errors.js';

export interface Interruption {
  /** Aborted on the first SIGINT or SIGTERM; pass it to training, loading and anything else that honors it. */
  readonly signal: AbortSignal;
  /** Throws InterruptedError (exit code 130) once the signal has fired; call it between stages. */
  throwIfInterrupted(): void;
  /** Registers a synchronous cleanup (e.g. removing a temporary path) that runs if the user forces an exit. */
  onForcedExit(cleanup: () => void): () => void;
  /** Removes the signal handlers; call it when the command ends. */
  dispose(): void;
}

/**
 * Installs SIGINT/SIGTERM handlers. The first signal aborts `signal` (training stops after its current step and the
 * command writes nothing half-finished); a second one runs the registered cleanups and exits at once with code 130.
 */
export function handleInterruption(options: { onInterrupt?: (signalName: string) => void } = {}): Interruption {
  const controller = new AbortController();
  const cleanups = new Set<() => void>();

  const listener = (signalName: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      controller.abort(new InterruptedError(`interrupted by ${signalName}`));
      options.onInterrupt?.(signalName);
      return;
    }
    for (const cleanup of cleanups) {
      try {
        cleanup();
      } catch {
        // Best effort: the user asked to quit now.
      }
    }
    process.exit(130);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);

  return {
    signal: controller.signal,
    throwIfInterrupted() {
      if (controller.signal.aborted) throw new InterruptedError();
    },
    onForcedExit(cleanup) {
      cleanups.add(cleanup);
      return () => cleanups.delete(cleanup);
    },
    dispose() {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    },
  };
}
