/**
 * The one pool of worker threads, for training and inference alike: starts the workers (one script, worker.ts, that
 * serves both), counts the live ones, matches replies to requests, turns an error, a message that cannot be read or
 * an unexpected exit into one ModelsError naming the worker, and makes sure every worker has exited when the pool is
 * closed or terminated, whether the work succeeded, failed or was cancelled. Node only: loaded on demand.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ModelsError } from '../errors.js';
import { type CoordinatorMessage, EVENT_MESSAGES, type WorkerData, type WorkerMessage } from './protocol.js';

/** Upper bound for `workers: 'auto'`: beyond this, per-step synchronization outweighs the extra cores. */
export const MAX_AUTO_WORKERS = 8;

/** The cores `workers: 'auto'` may use: the available ones, at most {@link MAX_AUTO_WORKERS}. */
export function autoWorkerLimit(): number {
  return Math.min(availableParallelism(), MAX_AUTO_WORKERS);
}

/**
 * The worker script, built beside the bundle that holds this module (dist/worker.js, or dist/worker.cjs beside the
 * CommonJS bundle; tsup.config.ts lists it as an entry).
 */
function workerScript(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.cjs') ? './worker.cjs' : './worker.js', here);
}

let liveWorkers = 0;

/** Worker threads started by this package that have not exited yet (0 whenever no training or inference runs). */
export function liveWorkerCount(): number {
  return liveWorkers;
}

type Reply<Type extends WorkerMessage['type']> = Extract<WorkerMessage, { type: Type }>;

interface Pending {
  type: WorkerMessage['type'];
  resolve: (message: WorkerMessage) => void;
}

export interface WorkerPoolOptions {
  /** Names the workers in errors: 'training worker 2 of 4 failed: ...'. */
  role: 'training' | 'inference';
  /** One `workerData` per worker: as many workers start. */
  workers: readonly WorkerData[];
  /** What to try instead, appended to a worker's failure (e.g. 'Try workers: 1 to train on the calling thread.'). */
  advice: string;
  /** Called with the messages a worker sends on its own (`step`, `batch`, `done`); may throw to fail the pool. */
  onEvent?: (workerIndex: number, message: WorkerMessage) => void;
  /** Called once, at the first failure, before the pending requests reject (e.g. to wake replicas at a barrier). */
  onFailure?: (error: unknown) => void;
}

export class WorkerPool {
  readonly size: number;
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;
  private readonly threads: Worker[] = [];
  private readonly exits: Promise<void>[] = [];
  private readonly pending: (Pending | undefined)[] = [];
  private failure: unknown;
  private rejectFailure: ((error: unknown) => void) | undefined;
  private closing = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = options.workers.length;
    this.failed = new Promise<never>((_resolve, reject) => {
      this.rejectFailure = reject;
    });
    // Nobody may be listening when a worker fails between requests; the failure is re-thrown by the next request.
    this.failed.catch(() => {});
    // Workers inherit the process' flags, except one that only makes sense for a script given with --eval.
    const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--input-type'));
    const script = workerScript();
    options.workers.forEach((workerData, workerIndex) => {
      const thread = new Worker(script, { workerData, execArgv });
      liveWorkers++;
      this.threads.push(thread);
      this.pending.push(undefined);
      this.exits.push(
        new Promise<void>((resolve) => {
          thread.once('exit', (code) => {
            liveWorkers--;
            if (!this.closing) this.fail(workerIndex, new Error(`exited unexpectedly with code ${code}`));
            resolve();
          });
        }),
      );
      thread.on('error', (error) => this.fail(workerIndex, error));
      thread.on('messageerror', (error) => this.fail(workerIndex, error));
      thread.on('message', (message: WorkerMessage) => this.receive(workerIndex, message));
    });
  }

  private receive(workerIndex: number, message: WorkerMessage): void {
    if (EVENT_MESSAGES.has(message.type)) {
      try {
        this.options.onEvent?.(workerIndex, message);
      } catch (error) {
        // The caller's callback threw (e.g. onBatchEnd): the work stops and the caller gets that very error.
        this.abort(error);
      }
      return;
    }
    const pending = this.pending[workerIndex];
    if (pending === undefined || pending.type !== message.type) {
      this.fail(workerIndex, new Error(`sent an unexpected '${message.type}' message`));
      return;
    }
    this.pending[workerIndex] = undefined;
    pending.resolve(message);
  }

  private fail(workerIndex: number, cause: unknown): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.abort(
      new ModelsError(
        'E_MODELS_WORKER_FAILED',
        `${this.options.role} worker ${workerIndex + 1} of ${this.size} failed: ${reason}. ${this.options.advice}`,
        { cause },
      ),
    );
  }

  /** Records the first failure, tells the owner, and rejects every pending request with it. */
  abort(error: unknown): void {
    if (this.failure !== undefined || this.closing) return;
    this.failure = error;
    this.options.onFailure?.(error);
    this.rejectFailure?.(error);
  }

  /** The next message of `type` from worker `workerIndex`, or the pool's first failure. */
  expect<Type extends WorkerMessage['type']>(workerIndex: number, type: Type): Promise<Reply<Type>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const reply = new Promise<WorkerMessage>((resolve) => {
      this.pending[workerIndex] = { type, resolve };
    });
    return Promise.race([reply, this.failed]) as Promise<Reply<Type>>;
  }

  /** Sends `message` to worker `workerIndex` and waits for its reply of `type`. */
  request<Type extends WorkerMessage['type']>(
    workerIndex: number,
    message: CoordinatorMessage,
    type: Type,
  ): Promise<Reply<Type>> {
    const reply = this.expect(workerIndex, type);
    this.threads[workerIndex]!.postMessage(message);
    return reply;
  }

  /** Asks every worker to exit and waits until all have; terminates them if they do not exit promptly. */
  async close(): Promise<void> {
    if (this.failure !== undefined) return this.terminate();
    this.closing = true;
    for (const thread of this.threads) thread.postMessage({ type: 'close' } satisfies CoordinatorMessage);
    const timer = setTimeout(() => {
      for (const thread of this.threads) void thread.terminate();
    }, 5_000);
    await Promise.all(this.exits);
    clearTimeout(timer);
  }

  /** Stops every worker now and waits for their 'exit' events. */
  async terminate(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((thread) => thread.terminate()));
    await Promise.all(this.exits);
  }
}
