/**
 * Entry of an inference worker: builds a copy of the caller's model on the caller's backend (with the same fast
 * kernels), claims batches of the shared images until none is left, writes their probabilities to shared memory, and
 * says so. The caller terminates it once every batch is written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, models } from '@tensorflow/tfjs-layers';
import { type BackendName, selectBackend } from '../backend.js';
import { claimBatches, type InferenceWorkerInit, type InferenceWorkerMessage } from './inference-protocol.js';
import { writeWeights } from './replica.js';

function post(message: InferenceWorkerMessage): void {
  parentPort!.postMessage(message);
}

async function main(): Promise<void> {
  const init = workerData as InferenceWorkerInit;
  // tfjs' console notices (such as the cpu backend's tfjs-node advert) were already shown by the caller's thread.
  tf.env().set('PROD', true);
  await selectBackend(init.backend as BackendName);
  const model = (await models.modelFromJSON({ modelTopology: init.topology } as never)) as LayersModel;
  writeWeights(model, init.weights);
  await claimBatches(model, init, () => post({ type: 'batch' }));
  model.dispose();
  post({ type: 'done' });
}

// A rejection here is an uncaught error of the worker: the caller's 'error' handler names it.
void main();
