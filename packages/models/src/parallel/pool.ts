/**
 * The caller's side of data-parallel training: starts one worker thread per replica, shares the data with them once
 * (SharedArrayBuffer), starts epochs, collects figures and weights, and makes sure every worker is gone at the end,
 * whether training succeeded, failed or was cancelled. Node only: loaded by train() on demand.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import type { LabelledImages } from '../types.js';
import { workerEntry } from './entry.js';
import {
  CONTROL_WORDS,
  Control,
  type CoordinatorMessage,
  type EpochTotals,
  type SharedImages,
  type StepConfig,
  type TrainingEngine,
  type WorkerInit,
  type WorkerMessage,
} from './protocol.js';
import { readWeights } from './replica.js';

/** Upper bound for `workers: 'auto'`: beyond this, per-step synchronisation outweighs the extra cores. */
const MAX_AUTO_WORKERS = 8;

/** Replicas `workers: 'auto'` asks for: the available cores, capped, and never more than one per image of a batch. */
export function autoWorkerCount(batchSize: number): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_AUTO_WORKERS, batchSize));
}

let liveWorkers = 0;

/** Training worker threads started by this module that have not exited yet (0 whenever no training runs). */
export function liveTrainingWorkers(): number {
  return liveWorkers;
}

function toShared(data: LabelledImages): SharedImages {
  const rows = data.rows ?? 28;
  const cols = data.cols ?? 28;
  const images = new Float32Array(new SharedArrayBuffer(data.count * rows * cols * 4));
  images.set(data.images.subarray(0, data.count * rows * cols));
  const labels = new Uint8Array(new SharedArrayBuffer(data.count));
  labels.set(data.labels.subarray(0, data.count));
  return { images, labels, count: data.count, rows, cols };
}

interface Pending {
  type: WorkerMessage['type'];
  resolve: (message: WorkerMessage) => void;
}

export interface ParallelEngineOptions {
  workers: number;
  backend: string;
  config: StepConfig;
  validation: LabelledImages | undefined;
  /** Called on the caller's thread after every step (from worker 0's report), if given. */
  onStep: ((step: { epoch: number; batch: number; batches: number; loss: number }) => void) | undefined;
}

export class ParallelEngine implements TrainingEngine {
  readonly workers: number;
  /** Digests of every replica's weights after the last epoch (all equal unless something is badly wrong). */
  lastDigests: string[] = [];
  private readonly threads: Worker[] = [];
  private readonly exits: Promise<void>[] = [];
  private readonly pending: (Pending | undefined)[] = [];
  private readonly control: Int32Array;
  private failure: unknown;
  private rejectFailure: ((error: unknown) => void) | undefined;
  private readonly failed: Promise<never>;
  private closing = false;

  private constructor(
    private readonly model: LayersModel,
    private readonly options: ParallelEngineOptions,
  ) {
    this.workers = options.workers;
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    this.failed = new Promise<never>((_resolve, reject) => {
      this.rejectFailure = reject;
    });
    // Nobody may be listening when a worker fails between requests; the failure is re-thrown by the next request.
    this.failed.catch(() => {});
  }

  static async start(
    model: LayersModel,
    data: LabelledImages,
    options: ParallelEngineOptions,
  ): Promise<ParallelEngine> {
    const engine = new ParallelEngine(model, options);
    try {
      await engine.spawn(data);
      return engine;
    } catch (error) {
      await engine.destroy();
      throw error;
    }
  }

  private async spawn(data: LabelledImages): Promise<void> {
    const { workers, backend, config, validation } = this.options;
    const weights = readWeights(this.model);
    const nonTrainableCount = this.model.nonTrainableWeights.reduce((sum, weight) => sum + weight.read().size, 0);
    const parameterCount = this.model.trainableWeights.reduce((sum, weight) => sum + weight.read().size, 0);
    const slotSize = parameterCount + nonTrainableCount;
    const parameters = new Float32Array(new SharedArrayBuffer(parameterCount * 4));
    let offset = 0;
    for (const weight of this.model.trainableWeights) {
      parameters.set(weight.read().dataSync() as Float32Array, offset);
      offset += weight.read().size;
    }
    const exchange = new Float32Array(new SharedArrayBuffer(2 * workers * slotSize * 4));
    const scores = new Float64Array(new SharedArrayBuffer(2 * workers * 2 * 8));
    const train = toShared(data);
    const sharedValidation = validation === undefined ? undefined : toShared(validation);
    const topology = this.model.toJSON(null, false);
    const entry = workerEntry('worker');
    const ready: Promise<WorkerMessage>[] = [];
    for (let workerIndex = 0; workerIndex < workers; workerIndex++) {
      const init: WorkerInit = {
        workerIndex,
        workerCount: workers,
        backend,
        topology,
        weights,
        train,
        validation: sharedValidation,
        config,
        control: this.control,
        parameters,
        exchange,
        scores,
        reportSteps: workerIndex === 0 && this.options.onStep !== undefined,
      };
      const thread = new Worker(entry.script, { workerData: init, eval: entry.eval, execArgv: entry.execArgv });
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
      ready.push(this.expect(workerIndex, 'ready'));
    }
    await Promise.all(ready);
  }

  private receive(workerIndex: number, message: WorkerMessage): void {
    if (message.type === 'step') {
      try {
        this.options.onStep?.(message);
      } catch (error) {
        // The caller's onBatchEnd threw: training stops and train() rejects with that very error.
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
        `training worker ${workerIndex + 1} of ${this.workers} failed: ${reason}. Try workers: 1 to train on the calling thread.`,
        { cause },
      ),
    );
  }

  /** Records the first failure, wakes any replica waiting at a barrier, and rejects every pending request. */
  private abort(error: unknown): void {
    if (this.failure !== undefined || this.closing) return;
    this.failure = error;
    Atomics.store(this.control, Control.abort, 1);
    Atomics.notify(this.control, Control.generation);
    this.rejectFailure?.(error);
  }

  private expect<Type extends WorkerMessage['type']>(
    workerIndex: number,
    type: Type,
  ): Promise<Extract<WorkerMessage, { type: Type }>> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const reply = new Promise<WorkerMessage>((resolve) => {
      this.pending[workerIndex] = { type, resolve };
    });
    return Promise.race([reply, this.failed]) as Promise<Extract<WorkerMessage, { type: Type }>>;
  }

  private request<Type extends WorkerMessage['type']>(
    workerIndex: number,
    message: CoordinatorMessage,
    type: Type,
  ): Promise<Extract<WorkerMessage, { type: Type }>> {
    const reply = this.expect(workerIndex, type);
    this.threads[workerIndex]!.postMessage(message);
    return reply;
  }

  async runEpoch(epoch: number, signal: AbortSignal | undefined): Promise<EpochTotals> {
    const requestCancel = () => Atomics.store(this.control, Control.cancelRequested, 1);
    if (signal?.aborted) requestCancel();
    signal?.addEventListener('abort', requestCancel);
    try {
      const results = await Promise.all(
        this.threads.map((_thread, workerIndex) => this.request(workerIndex, { type: 'epoch', epoch }, 'epochDone')),
      );
      this.lastDigests = results.map((result) => result.digest);
      if (new Set(this.lastDigests).size !== 1) {
        throw new ModelsError(
          'E_MODELS_WORKER_FAILED',
          `training replicas diverged after epoch ${epoch + 1} (weight digests ${this.lastDigests.join(', ')}); this is a bug, please report it`,
        );
      }
      const first = results[0]!;
      return { lossSum: first.lossSum, correct: first.correct, images: first.images, cancelled: first.cancelled };
    } finally {
      signal?.removeEventListener('abort', requestCancel);
    }
  }

  async evaluate(): Promise<{ lossSum: number; correct: number }> {
    const results = await Promise.all(
      this.threads.map((_thread, workerIndex) => this.request(workerIndex, { type: 'evaluate' }, 'evaluated')),
    );
    return {
      lossSum: results.reduce((sum, result) => sum + result.lossSum, 0),
      correct: results.reduce((sum, result) => sum + result.correct, 0),
    };
  }

  async readWeights(): Promise<Float32Array[]> {
    return (await this.request(0, { type: 'weights' }, 'weights')).values;
  }

  /** Asks every worker to exit and waits until all have; terminates them if they do not exit promptly. */
  async close(): Promise<void> {
    if (this.failure !== undefined) return this.destroy();
    this.closing = true;
    for (const thread of this.threads) thread.postMessage({ type: 'close' } satisfies CoordinatorMessage);
    const timer = setTimeout(() => {
      for (const thread of this.threads) void thread.terminate();
    }, 5_000);
    await Promise.all(this.exits);
    clearTimeout(timer);
  }

  /** Stops every worker now and waits for their 'exit' events. */
  async destroy(): Promise<void> {
    this.closing = true;
    Atomics.store(this.control, Control.abort, 1);
    Atomics.notify(this.control, Control.generation);
    await Promise.all(this.threads.map((thread) => thread.terminate()));
    await Promise.all(this.exits);
  }
}
