/**
 * The training loop: Adam on softmax cross-entropy with seeded shuffling, optional augmentation, a learning-rate
 * schedule, validation and early stopping, on the calling thread or data-parallel over worker threads.
 */
import { isNode } from '@fmnist/internal';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ModelsError } from './errors.js';
import { type Augmentation, learningRateAt, stepsPerEpoch } from './parallel/batches.js';
import { autoWorkerCount, TrainingEngine } from './parallel/engine.js';
import type { ReplicaData, StepConfig, StepReport } from './parallel/protocol.js';
import { writeWeights } from './parallel/replica.js';
import type { EpochResult, LabeledImages, TrainingHistory, TrainOptions } from './types.js';

function argumentError(message: string): ModelsError {
  return new ModelsError('E_MODELS_ARGUMENT', message);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw argumentError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function replicaData(name: string, data: LabeledImages): ReplicaData {
  const rows = data.rows ?? 28;
  const cols = data.cols ?? 28;
  if (!Number.isInteger(data.count) || data.count < 1) {
    throw argumentError(`${name}.count must be a positive integer, got ${data.count}`);
  }
  if (data.images.length < data.count * rows * cols) {
    throw argumentError(
      `${name}.images holds ${data.images.length} values, fewer than ${data.count} images of ${rows}x${cols}: ` +
        'pass count * rows * cols normalized pixels (see normalizeImages)',
    );
  }
  if (data.labels.length < data.count) {
    throw argumentError(`${name}.labels holds ${data.labels.length} labels, fewer than count (${data.count})`);
  }
  return { images: data.images, labels: data.labels, count: data.count, rows, cols };
}

function resolveOptions(options: TrainOptions, trainCount: number): { config: StepConfig; workers: 'auto' | number } {
  const epochs = positiveInteger('epochs', options.epochs ?? 1);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 64);
  const learningRate = options.learningRate ?? 1e-3;
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw argumentError(`learningRate must be a positive number, got ${learningRate}`);
  }
  const schedule = options.schedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'cosine') {
    throw argumentError(`schedule must be 'constant' or 'cosine', got '${String(schedule)}'`);
  }
  const warmupEpochs = options.warmupEpochs ?? 0;
  if (!(warmupEpochs >= 0 && warmupEpochs <= epochs)) {
    throw argumentError(`warmupEpochs must be a number from 0 to epochs (${epochs}), got ${warmupEpochs}`);
  }
  const labelSmoothing = options.labelSmoothing ?? 0;
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw argumentError(`labelSmoothing must be a number from 0 (inclusive) to 1 (exclusive), got ${labelSmoothing}`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw argumentError(`seed must be an integer, got ${seed}`);
  if (options.earlyStopping !== undefined) {
    if (options.validation === undefined) {
      throw argumentError('earlyStopping watches the validation loss: pass validation data too');
    }
    positiveInteger('earlyStopping.patience', options.earlyStopping.patience);
  }
  let augmentation: Augmentation | undefined;
  if (options.augmentation !== undefined) {
    const maxShift = options.augmentation.maxShift ?? 0;
    if (!Number.isInteger(maxShift) || maxShift < 0) {
      throw argumentError(`augmentation.maxShift must be a non-negative integer, got ${maxShift}`);
    }
    augmentation = { flip: options.augmentation.flip ?? false, maxShift };
  }
  const workers = options.workers ?? 1;
  if (workers !== 'auto') positiveInteger('workers', workers);
  const warmupSteps = Math.round(warmupEpochs * stepsPerEpoch(trainCount, batchSize));
  return {
    config: { epochs, batchSize, learningRate, schedule, warmupSteps, labelSmoothing, augmentation, seed },
    workers,
  };
}

/**
 * Trains `model` in place on `data` with Adam on the softmax cross-entropy of its output (10 softmax probabilities;
 * clipped to [1e-7, 1 - 1e-7] like Keras), and returns the history. Defaults: 1 epoch, batch 64, learning rate 1e-3,
 * constant schedule, seed 0, workers 1 (see TrainOptions). The Adam update is tf.train.adam's (beta1 0.9, beta2 0.999,
 * epsilon 1e-7), computed in one fused pass over the parameters. Dropout and batch norm run in training mode during
 * steps and in inference mode for validation.
 *
 * - Deterministic: the same seed, backend and worker count give bit-identical weights. Dropout masks are drawn from
 *   seeds derived from the training seed, the epoch and the images' place in the epoch's order (a new mask every
 *   step; the layers' own `seed`, under which tf.dropout would repeat one mask, is set aside during training).
 * - `workers: n > 1` (Node only) trains n replicas on worker threads, each on its share of every batch; all apply the
 *   same summed gradient, and the model receives the final weights. `'auto'` uses the available cores (at most 8),
 *   or 1 on the tensorflow backend (native TensorFlow already uses every core) and outside Node.
 * - Cancellation: when `options.signal` aborts, training stops after the step in progress and the history so far is
 *   returned with `cancelled: true` (`epochs` lists the completed epochs only); nothing is thrown. Callers that want
 *   an error call `signal.throwIfAborted()` afterwards.
 * - Early stopping watches the validation loss; with `restoreBest` the model ends with the best epoch's weights.
 *
 * Throws a ModelsError: E_MODELS_ARGUMENT for invalid options or data, E_MODELS_WORKER_FAILED when a worker fails
 * (every worker has exited by the time it throws); an error thrown by a callback is rethrown as is.
 */
export async function train(
  model: LayersModel,
  data: LabeledImages,
  options: TrainOptions = {},
): Promise<TrainingHistory> {
  const trainData = replicaData('data', data);
  const validation = options.validation === undefined ? undefined : replicaData('validation', options.validation);
  const { config, workers: requestedWorkers } = resolveOptions(options, trainData.count);
  await tf.ready();
  const backend = tf.getBackend();
  const started = performance.now();

  let workers = 1;
  if (requestedWorkers === 'auto') {
    if (isNode && backend !== 'tensorflow') workers = await autoWorkerCount(config.batchSize);
  } else if (requestedWorkers > 1) {
    if (!isNode) throw argumentError(`workers: ${requestedWorkers} needs Node.js worker threads; use workers: 1 here`);
    workers = requestedWorkers;
  }

  const steps = stepsPerEpoch(trainData.count, config.batchSize);
  let epochStarted = performance.now();
  const onBatchEnd = options.onBatchEnd;
  const onStep: ((step: StepReport) => void) | undefined =
    onBatchEnd === undefined
      ? undefined
      : (step) => {
          const seconds = (performance.now() - epochStarted) / 1000;
          const images = Math.min(step.batch * config.batchSize, trainData.count);
          onBatchEnd({
            epoch: step.epoch + 1,
            batch: step.batch,
            batches: step.batches,
            loss: step.loss,
            imagesPerSecond: seconds > 0 ? images / seconds : 0,
          });
        };

  const history: TrainingHistory = {
    epochs: [],
    bestEpoch: 0,
    stoppedEarly: false,
    cancelled: false,
    seconds: 0,
    imagesPerSecond: 0,
    backend,
    workers,
  };
  if (options.signal?.aborted) return { ...history, cancelled: true };

  // One replica on the calling thread (the model itself), or one per worker thread.
  const engine = await TrainingEngine.start(model, trainData, { workers, backend, config, validation, onStep });

  let trainSeconds = 0;
  let trainedImages = 0;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestWeights: Float32Array[] | undefined;
  let bestWeightsEpoch = 0;
  let epochsWithoutImprovement = 0;
  let closed = false;
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      if (options.signal?.aborted) {
        history.cancelled = true;
        break;
      }
      epochStarted = performance.now();
      const totals = await engine.runEpoch(epoch, options.signal);
      const epochTrainSeconds = (performance.now() - epochStarted) / 1000;
      trainSeconds += epochTrainSeconds;
      trainedImages += totals.images;
      if (totals.cancelled) {
        history.cancelled = true;
        break;
      }
      const result: EpochResult = {
        epoch: epoch + 1,
        loss: totals.lossSum / totals.images,
        accuracy: totals.correct / totals.images,
        // The rate at the epoch's first step (with 'cosine' it decays during the epoch).
        learningRate: learningRateAt(
          epoch * steps,
          config.epochs * steps,
          config.learningRate,
          config.schedule,
          config.warmupSteps,
        ),
        seconds: 0,
        imagesPerSecond: totals.images / epochTrainSeconds,
      };
      if (validation !== undefined) {
        const score = await engine.evaluate();
        result.validationLoss = score.lossSum / validation.count;
        result.validationAccuracy = score.correct / validation.count;
      }
      result.seconds = (performance.now() - epochStarted) / 1000;
      history.epochs.push(result);
      history.bestEpoch = epoch + 1;

      let stop = false;
      if (options.earlyStopping !== undefined && result.validationLoss !== undefined) {
        if (result.validationLoss < bestLoss) {
          bestLoss = result.validationLoss;
          epochsWithoutImprovement = 0;
          if (options.earlyStopping.restoreBest) {
            bestWeights = await engine.readWeights();
            bestWeightsEpoch = epoch + 1;
          }
        } else {
          epochsWithoutImprovement++;
          stop = epochsWithoutImprovement >= options.earlyStopping.patience && epoch + 1 < config.epochs;
        }
      }
      await options.onEpochEnd?.(result);
      if (stop) {
        history.stoppedEarly = true;
        break;
      }
    }

    // The model holds the last epoch's weights (or a cancelled epoch's); the best ones replace them if they differ.
    let finalWeights: Float32Array[] | undefined;
    if (bestWeights !== undefined && (bestWeightsEpoch !== history.epochs.length || history.cancelled)) {
      finalWeights = bestWeights;
      history.bestEpoch = bestWeightsEpoch;
    }
    if (finalWeights === undefined && !engine.trainsInPlace) finalWeights = await engine.readWeights();
    closed = true;
    await engine.close();
    if (finalWeights !== undefined) writeWeights(model, finalWeights);
  } finally {
    if (!closed) await engine.close();
  }
  history.seconds = (performance.now() - started) / 1000;
  history.imagesPerSecond = trainSeconds > 0 ? trainedImages / trainSeconds : 0;
  return history;
}
