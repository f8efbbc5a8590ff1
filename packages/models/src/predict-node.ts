/** `predict` and `evaluate` of the Node entry: as the browser entry's, and able to share the batches with workers. */
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  evaluateWith,
  type ModelEvaluation,
  type ParallelInferenceLoader,
  type Predictions,
  type PredictOptions,
  predictWith,
} from './predict.js';
import type { LabelledImages } from './types.js';

/** The worker pool, loaded only when more than one thread is asked for. */
const loadPool: ParallelInferenceLoader = () => import('./parallel/inference.js');

/**
 * Class probabilities and predictions for normalised 28x28 images (`count * 784` floats), in batches of
 * `batchSize` (256), on the calling thread or, with `workers` 'auto' or n > 1, shared with worker threads: the
 * results are the same (see PredictOptions). Every tensor is disposed and every worker has exited when it settles;
 * a failed worker rejects it with a ModelsError E_MODELS_WORKER_FAILED naming the worker.
 */
export function predict(
  model: tfl.LayersModel,
  images: Float32Array,
  options: PredictOptions = {},
): Promise<Predictions> {
  return predictWith(loadPool, model, images, options);
}

/** Predicts `data` (as {@link predict}) and scores it: the classification report, confusion matrix, log loss, top-3 accuracy and ECE. */
export function evaluate(
  model: tfl.LayersModel,
  data: LabelledImages,
  options: PredictOptions = {},
): Promise<ModelEvaluation> {
  return evaluateWith(loadPool, model, data, options);
}
