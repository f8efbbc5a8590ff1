/**
 * Entry of a data-parallel training worker. It builds a replica of the caller's model on the caller's backend, then
 * runs whole epochs on its own: each step it computes the gradient of its share of the batch, publishes it in shared
 * memory, waits at a barrier for the other workers, adds up all shares' gradients for its slice of the parameters and
 * runs Adam on that slice, waits again, and loads the updated parameters. The caller's thread only starts epochs and
 * collects figures.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, models } from '@tensorflow/tfjs-layers';
import { type BackendName, selectBackend } from '../backend.js';
import { FlatAdam } from './adam.js';
import { epochOrder, learningRateAt, stepsPerEpoch, workerShare } from './batches.js';
import { CONTROL_WORDS, Control, type CoordinatorMessage, type WorkerInit, type WorkerMessage } from './protocol.js';
import { Replica, readWeights, weightsDigest, writeWeights } from './replica.js';

/** How long a barrier wait sleeps before re-checking the abort word (the coordinator also notifies). */
const BARRIER_POLL_MS = 1000;

class AbortedByCoordinator extends Error {}

class TrainingWorker {
  private readonly replica: Replica;
  private readonly nonTrainable: LayersModel['nonTrainableWeights'];
  private readonly nonTrainableSizes: number[];
  private readonly slotSize: number;
  /** This worker's slice of the flat parameters: it sums their gradients and runs Adam on them. */
  private readonly partition: { start: number; end: number };
  private readonly partitionGradient: Float32Array;
  private readonly optimizer: FlatAdam;
  private readonly nonTrainableMean: Float32Array;

  constructor(
    private readonly init: WorkerInit,
    private readonly model: LayersModel,
  ) {
    this.replica = new Replica(model, init.train, init.config.batchSize, init.parameters);
    this.nonTrainable = model.nonTrainableWeights.slice();
    this.nonTrainableSizes = this.nonTrainable.map((weight) => weight.read().size);
    const nonTrainableCount = this.nonTrainableSizes.reduce((sum, size) => sum + size, 0);
    this.slotSize = this.replica.parameterCount + nonTrainableCount;
    if (init.exchange.length !== 2 * init.workerCount * this.slotSize) {
      throw new Error(
        `shared gradient buffer holds ${init.exchange.length} values, expected ${2 * init.workerCount * this.slotSize}`,
      );
    }
    this.partition = workerShare(this.replica.parameterCount, init.workerCount, init.workerIndex);
    this.partitionGradient = new Float32Array(this.partition.end - this.partition.start);
    this.optimizer = new FlatAdam(this.partitionGradient.length);
    this.nonTrainableMean = new Float32Array(nonTrainableCount);
  }

  private slot(parity: number, worker: number): Float32Array {
    const offset = (parity * this.init.workerCount + worker) * this.slotSize;
    return this.init.exchange.subarray(offset, offset + this.slotSize);
  }

  /**
   * Waits until every worker has arrived. Returns whether the caller asked to stop, as read by the last worker to
   * arrive, so that all replicas see the same answer.
   */
  private barrier(): boolean {
    const { control, workerCount } = this.init;
    const generation = Atomics.load(control, Control.generation);
    if (Atomics.add(control, Control.arrived, 1) + 1 === workerCount) {
      Atomics.store(control, Control.arrived, 0);
      Atomics.store(control, Control.stopAfterStep, Atomics.load(control, Control.cancelRequested));
      Atomics.add(control, Control.generation, 1);
      Atomics.notify(control, Control.generation);
    } else {
      while (Atomics.load(control, Control.generation) === generation) {
        if (Atomics.load(control, Control.abort) !== 0) throw new AbortedByCoordinator();
        Atomics.wait(control, Control.generation, generation, BARRIER_POLL_MS);
      }
    }
    if (Atomics.load(control, Control.abort) !== 0) throw new AbortedByCoordinator();
    return Atomics.load(control, Control.stopAfterStep) !== 0;
  }

  runEpoch(epoch: number): WorkerMessage {
    const { config, train, workerIndex, workerCount, scores } = this.init;
    const order = epochOrder(train.count, config.seed, epoch);
    const steps = stepsPerEpoch(train.count, config.batchSize);
    const totalSteps = steps * config.epochs;
    const parameterCount = this.replica.parameterCount;
    let lossSum = 0;
    let correct = 0;
    let images = 0;
    for (let step = 0; step < steps; step++) {
      const globalStep = epoch * steps + step;
      const parity = globalStep & 1;
      const batchStart = step * config.batchSize;
      const batchSize = Math.min(config.batchSize, train.count - batchStart);
      const share = workerShare(batchSize, workerCount, workerIndex);
      const slot = this.slot(parity, workerIndex);
      const scoreOffset = (parity * workerCount + workerIndex) * 2;
      if (share.end > share.start) {
        const score = this.replica.computeGradient(
          order,
          batchStart + share.start,
          batchStart + share.end,
          batchSize,
          config.augmentation,
          config.seed,
          epoch,
          slot,
        );
        scores[scoreOffset] = score.lossSum;
        scores[scoreOffset + 1] = score.correct;
      } else {
        slot.fill(0, 0, parameterCount);
        scores[scoreOffset] = 0;
        scores[scoreOffset + 1] = 0;
      }
      let offset = parameterCount;
      for (const weight of this.nonTrainable) {
        const values = weight.read().dataSync() as Float32Array;
        slot.set(values, offset);
        offset += values.length;
      }

      const stop = this.barrier();

      // Reduce-scatter then all-gather: each worker adds up the shares' gradients (in worker order) for its slice of
      // the parameters and updates that slice in shared memory; after the second barrier every replica loads the
      // same parameters, so the replicas stay bit-identical.
      const { start, end } = this.partition;
      this.partitionGradient.set(this.slot(parity, 0).subarray(start, end));
      for (let worker = 1; worker < workerCount; worker++) {
        const other = this.slot(parity, worker);
        for (let index = start; index < end; index++) this.partitionGradient[index - start]! += other[index]!;
      }
      this.optimizer.step(
        this.init.parameters.subarray(start, end),
        this.partitionGradient,
        learningRateAt(globalStep, totalSteps, config.learningRate, config.schedule),
      );
      this.barrier();
      this.replica.loadParameters();
      if (this.nonTrainable.length > 0) this.averageNonTrainable(parity, batchSize);

      let stepLoss = 0;
      for (let worker = 0; worker < workerCount; worker++) {
        stepLoss += scores[(parity * workerCount + worker) * 2]!;
        correct += scores[(parity * workerCount + worker) * 2 + 1]!;
      }
      lossSum += stepLoss;
      images += batchSize;
      if (workerIndex === 0 && this.init.reportSteps) {
        post({ type: 'step', epoch, batch: step + 1, batches: steps, loss: stepLoss / batchSize });
      }
      if (stop) return this.epochDone(epoch, lossSum, correct, images, step + 1 < steps);
    }
    return this.epochDone(epoch, lossSum, correct, images, false);
  }

  /** Batch-norm moving statistics (and any other non-trainable state): the share-size-weighted mean of all replicas. */
  private averageNonTrainable(parity: number, batchSize: number): void {
    const { workerCount } = this.init;
    this.nonTrainableMean.fill(0);
    for (let worker = 0; worker < workerCount; worker++) {
      const share = workerShare(batchSize, workerCount, worker);
      const weight = (share.end - share.start) / batchSize;
      if (weight === 0) continue;
      const values = this.slot(parity, worker).subarray(this.replica.parameterCount);
      for (let index = 0; index < values.length; index++) this.nonTrainableMean[index]! += weight * values[index]!;
    }
    let offset = 0;
    this.nonTrainable.forEach((weight, index) => {
      const size = this.nonTrainableSizes[index]!;
      const value = tf.tensor(this.nonTrainableMean.slice(offset, offset + size), weight.shape as number[]);
      weight.write(value);
      value.dispose();
      offset += size;
    });
  }

  private epochDone(
    epoch: number,
    lossSum: number,
    correct: number,
    images: number,
    cancelled: boolean,
  ): WorkerMessage {
    return {
      type: 'epochDone',
      epoch,
      lossSum,
      correct,
      images,
      cancelled,
      digest: weightsDigest(readWeights(this.model)),
    };
  }

  evaluate(): WorkerMessage {
    const { validation, workerCount, workerIndex } = this.init;
    if (validation === undefined) return { type: 'evaluated', lossSum: 0, correct: 0 };
    const share = workerShare(validation.count, workerCount, workerIndex);
    const score = this.replica.evaluate(validation, share.start, share.end);
    return { type: 'evaluated', lossSum: score.lossSum, correct: score.correct };
  }
}

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  if (init.control.length !== CONTROL_WORDS) throw new Error('the shared control block has the wrong size');
  // tfjs' console notices (such as the cpu backend's tfjs-node advert) were already shown by the caller's thread.
  tf.env().set('PROD', true);
  // The caller's backend, with the same fast kernels registered.
  await selectBackend(init.backend as BackendName);
  const model = (await models.modelFromJSON({ modelTopology: init.topology } as never)) as LayersModel;
  writeWeights(model, init.weights);
  const worker = new TrainingWorker(init, model);
  parentPort!.on('message', (message: CoordinatorMessage) => {
    try {
      if (message.type === 'epoch') post(worker.runEpoch(message.epoch));
      else if (message.type === 'evaluate') post(worker.evaluate());
      else if (message.type === 'weights') {
        const values = readWeights(model);
        post(
          { type: 'weights', values },
          values.map((array) => array.buffer as ArrayBuffer),
        );
      } else if (message.type === 'close') process.exit(0);
    } catch (error) {
      // The coordinator already knows (it aborted us); exit quietly so that it sees only the first failure.
      if (error instanceof AbortedByCoordinator) process.exit(1);
      throw error;
    }
  });
  post({ type: 'ready' });
}

void main();
