/**
 * What train() drives: the replicas of one training run, and how the calling thread talks to them. One replica runs on
 * the calling thread (the caller's model itself); more run on worker threads of the pool, each with a copy of the
 * model, sharing the data once (SharedArrayBuffer). Either way the engine sends the same requests and each replica
 * answers them with the same code (`answer` in replica.ts).
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ModelsError } from '../errors.js';
import type { WorkerPool } from './pool.js';
import {
  Control,
  type CoordinatorMessage,
  type EpochTotals,
  type GroupMemory,
  type ReplicaData,
  type StepConfig,
  type StepReport,
  type TrainingWorkerData,
  toSharedArray,
  type WorkerMessage,
} from './protocol.js';
import { answer, groupMemory, Replica, readWeights } from './replica.js';

/** How often one replica on the calling thread lets the event loop run (timers, Ctrl-C), in milliseconds. */
const YIELD_EVERY_MS = 50;

type Request = Exclude<CoordinatorMessage, { type: 'close' }>;
type Reply<Type extends WorkerMessage['type']> = Extract<WorkerMessage, { type: Type }>;

/** Where the replicas run: how to reach replica `index`, and how to let them all go. */
interface Replicas {
  readonly count: number;
  request<Type extends WorkerMessage['type']>(index: number, message: Request, type: Type): Promise<Reply<Type>>;
  /** Lets every replica go; after a failure, at once. */
  close(): Promise<void>;
}

export interface TrainingEngineOptions {
  workers: number;
  backend: string;
  config: StepConfig;
  validation: ReplicaData | undefined;
  /** Called on the caller's thread after every step (replica 0's report), if given. */
  onStep: ((step: StepReport) => void) | undefined;
}

/** Replicas `workers: 'auto'` asks for: the available cores (at most 8), never more than one per image of a batch. */
export async function autoWorkerCount(batchSize: number): Promise<number> {
  const { autoWorkerLimit } = await import('./pool.js');
  return Math.max(1, Math.min(autoWorkerLimit(), batchSize));
}

export class TrainingEngine {
  /** Digests of every replica's weights after the last epoch (all equal unless something is badly wrong). */
  lastDigests: string[] = [];

  private constructor(
    private readonly replicas: Replicas,
    private readonly control: Int32Array,
    /** True when the caller's model is the replica: it needs no final weights. */
    readonly trainsInPlace: boolean,
  ) {}

  get workers(): number {
    return this.replicas.count;
  }

  /** One replica on the calling thread for `workers: 1`, else `workers` worker threads (Node only). */
  static async start(model: LayersModel, data: ReplicaData, options: TrainingEngineOptions): Promise<TrainingEngine> {
    if (options.workers === 1) {
      const group = groupMemory(model, 1, false);
      const replica = new Replica(model, data, options.config, group);
      const epochOptions = { onStep: options.onStep, yieldEveryMs: YIELD_EVERY_MS };
      const replicas: Replicas = {
        count: 1,
        request: async <Type extends WorkerMessage['type']>(_index: number, message: Request, _type: Type) =>
          (await answer(replica, options.validation, message, epochOptions)) as Reply<Type>,
        close: async () => {
          // Nothing to release: the replica is the caller's model and the optimizer state lives in typed arrays.
        },
      };
      return new TrainingEngine(replicas, group.control, true);
    }
    const { WorkerPool } = await import('./pool.js');
    const group = groupMemory(model, options.workers, true);
    const copy = { backend: options.backend, topology: model.toJSON(null, false), weights: readWeights(model) };
    const train = toShared(data);
    const validation = options.validation === undefined ? undefined : toShared(options.validation);
    const workers = Array.from(
      { length: options.workers },
      (_, workerIndex): TrainingWorkerData => ({
        kind: 'training',
        ...copy,
        ...group,
        workerIndex,
        train,
        validation,
        config: options.config,
        reportSteps: workerIndex === 0 && options.onStep !== undefined,
      }),
    );
    const pool = new WorkerPool({
      role: 'training',
      workers,
      advice: 'Try workers: 1 to train on the calling thread.',
      onEvent: (_workerIndex, message) => {
        if (message.type === 'step') options.onStep?.(message);
      },
      // Wakes any replica waiting at a barrier: it gives up and exits.
      onFailure: () => abortGroup(group),
    });
    try {
      await Promise.all(workers.map((_, workerIndex) => pool.expect(workerIndex, 'ready')));
    } catch (error) {
      await terminate(pool, group);
      throw error;
    }
    const replicas: Replicas = {
      count: options.workers,
      request: (index, message, type) => pool.request(index, message, type),
      // After a failure this terminates the workers at once (onFailure has told the replicas to give up).
      close: () => pool.close(),
    };
    return new TrainingEngine(replicas, group.control, false);
  }

  /** Runs epoch `epoch` (0-based) on every replica, to its end or to the end of the step in progress when aborted. */
  async runEpoch(epoch: number, signal: AbortSignal | undefined): Promise<EpochTotals> {
    const requestCancel = () => Atomics.store(this.control, Control.cancelRequested, 1);
    if (signal?.aborted) requestCancel();
    signal?.addEventListener('abort', requestCancel);
    try {
      const results = await this.all({ type: 'epoch', epoch }, 'epochDone');
      this.lastDigests = results.map((result) => result.digest);
      if (new Set(this.lastDigests).size !== 1) {
        throw new ModelsError(
          'E_MODELS_WORKER_FAILED',
          `training replicas diverged after epoch ${epoch + 1} (weight digests ${this.lastDigests.join(', ')}); this is a bug, please report it`,
        );
      }
      const { lossSum, correct, images, cancelled } = results[0]!;
      return { lossSum, correct, images, cancelled };
    } finally {
      signal?.removeEventListener('abort', requestCancel);
    }
  }

  /** Loss sum and correct count over the validation data, in inference mode, each replica scoring its share. */
  async evaluate(): Promise<{ lossSum: number; correct: number }> {
    const results = await this.all({ type: 'evaluate' }, 'evaluated');
    return {
      lossSum: results.reduce((sum, result) => sum + result.lossSum, 0),
      correct: results.reduce((sum, result) => sum + result.correct, 0),
    };
  }

  /** Current values of `model.weights` (replica 0's), in order. */
  async readWeights(): Promise<Float32Array[]> {
    return (await this.replicas.request(0, { type: 'weights' }, 'weights')).values;
  }

  /** Lets every replica go (every worker has exited when it settles); the engine is unusable afterwards. */
  close(): Promise<void> {
    return this.replicas.close();
  }

  private all<Type extends WorkerMessage['type']>(message: Request, type: Type): Promise<Reply<Type>[]> {
    return Promise.all(
      Array.from({ length: this.replicas.count }, (_, index) => this.replicas.request(index, message, type)),
    );
  }
}

/** Tells the replicas of `group` to give up at their next barrier, and wakes those waiting at one. */
function abortGroup(group: GroupMemory): void {
  Atomics.store(group.control, Control.abort, 1);
  Atomics.notify(group.control, Control.generation);
}

async function terminate(pool: WorkerPool, group: GroupMemory): Promise<void> {
  abortGroup(group);
  await pool.terminate();
}

function toShared(data: ReplicaData): ReplicaData {
  const { count, rows, cols } = data;
  const images = toSharedArray(data.images.subarray(0, count * rows * cols));
  const labels = toSharedArray(data.labels.subarray(0, count));
  return { images, labels, count, rows, cols };
}
