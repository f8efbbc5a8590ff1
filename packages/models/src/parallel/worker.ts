/**
 * The one worker script, for training and inference. It rebuilds the caller's model on the caller's backend (with the
 * same fast kernels), then either serves a training replica (runs whole epochs on its own, meeting the other replicas
 * in shared memory, see replica.ts) or claims inference batches until none is left (see predict-batch.ts). It stays
 * until the calling thread closes or terminates it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, models } from '@tensorflow/tfjs-layers';
import { type BackendName, selectBackend } from '../backend.js';
import { claimBatches } from '../predict-batch.js';
import type { CoordinatorMessage, StepReport, WorkerData, WorkerMessage } from './protocol.js';
import { AbortedByCoordinator, answer, Replica, writeWeights } from './replica.js';

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

async function main(): Promise<void> {
  const init = workerData as WorkerData;
  // tfjs' console notices (such as the cpu backend's tfjs-node advert) were already shown by the caller's thread.
  tf.env().set('PROD', true);
  await selectBackend(init.backend as BackendName);
  const model = (await models.modelFromJSON({ modelTopology: init.topology } as never)) as LayersModel;
  writeWeights(model, init.weights);

  if (init.kind === 'inference') {
    parentPort!.on('message', (message: CoordinatorMessage) => {
      if (message.type === 'close') process.exit(0);
    });
    await claimBatches(model, init, () => post({ type: 'batch' }));
    post({ type: 'done' });
    return;
  }

  const replica = new Replica(model, init.train, init.config, init);
  const epochOptions = { onStep: init.reportSteps ? (step: StepReport) => post({ type: 'step', ...step }) : undefined };
  parentPort!.on('message', async (message: CoordinatorMessage) => {
    if (message.type === 'close') process.exit(0);
    try {
      const reply = await answer(replica, init.validation, message, epochOptions);
      // Weights move to the calling thread rather than being copied.
      post(reply, reply.type === 'weights' ? reply.values.map((array) => array.buffer as ArrayBuffer) : []);
    } catch (error) {
      // The calling thread already knows (it aborted us); exit quietly so that it sees only the first failure.
      if (error instanceof AbortedByCoordinator) process.exit(1);
      throw error;
    }
  });
  post({ type: 'ready' });
}

// A rejection here is an uncaught error of the worker: the pool's 'error' handler names it.
void main();
