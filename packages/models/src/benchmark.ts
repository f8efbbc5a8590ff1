/**
 * The figures `fmnist bench` reports: a reference model of docs/reference-models.md trained on the current backend
 * exactly as the PyTorch reference script trains its own (batch 64, Adam 1e-3), then timed on inference.
 */
import { createReferenceModel, type ReferenceInitialization } from './models.js';
import { predict } from './predict.js';
import { train } from './train.js';
import type { BatchProgress, EpochResult, LabeledImages, ModelKind } from './types.js';

/** Fixed by the reference protocol (docs/reference-models.md), so our figures and PyTorch's measure the same work. */
export const BENCHMARK_BATCH_SIZE = 64;
export const BENCHMARK_LEARNING_RATE = 1e-3;
export const BENCHMARK_INFERENCE_BATCH_SIZE = 256;

export interface BenchmarkOptions {
  /** Passes over the training images. Default 1. */
  epochs?: number;
  /**
   * Threads for training, and as many for inference: 'auto' = available cores, 1 = the calling thread. Default
   * 'auto'. Worker start-up is part of the timed inference figure.
   */
  workers?: 'auto' | number;
  /** Seeds the initial weights and the shuffling. Default 0. */
  seed?: number;
  /** How the weights start: tfjs' defaults (each framework's own default) or PyTorch's. Default 'tfjs'. */
  initialization?: ReferenceInitialization;
  onEpochEnd?: (epoch: EpochResult) => void;
  onBatchEnd?: (progress: BatchProgress) => void;
  signal?: AbortSignal;
}

export interface BenchmarkResult {
  model: ModelKind;
  backend: string;
  workers: number;
  epochs: number;
  trainImages: number;
  testImages: number;
  /** Training wall time over all epochs. */
  trainSeconds: number;
  /** Training images per second over whole epochs (train()'s own figure: data in memory, no validation). */
  trainImagesPerSecond: number;
  /**
   * Wall time to classify every test image in batches of 256 on `workers` threads (no warm-up, as in the PyTorch
   * script; starting the inference workers is included).
   */
  inferSeconds: number;
  inferImagesPerSecond: number;
  /** Fraction of test images classified correctly after training. */
  testAccuracy: number;
}

/** Trains `createReferenceModel(kind)` on `trainData`, then classifies `testData`; disposes the model. */
export async function benchmarkReferenceModel(
  kind: ModelKind,
  trainData: LabeledImages,
  testData: LabeledImages,
  options: BenchmarkOptions = {},
): Promise<BenchmarkResult> {
  const epochs = options.epochs ?? 1;
  const model = createReferenceModel(kind, {
    seed: options.seed ?? 0,
    initialization: options.initialization ?? 'tfjs',
  });
  try {
    const history = await train(model, trainData, {
      epochs,
      batchSize: BENCHMARK_BATCH_SIZE,
      learningRate: BENCHMARK_LEARNING_RATE,
      workers: options.workers ?? 'auto',
      seed: options.seed ?? 0,
      ...(options.onEpochEnd ? { onEpochEnd: options.onEpochEnd } : {}),
      ...(options.onBatchEnd ? { onBatchEnd: options.onBatchEnd } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const started = performance.now();
    const { predictions } = await predict(model, testData.images.subarray(0, testData.count * 784), {
      batchSize: BENCHMARK_INFERENCE_BATCH_SIZE,
      // As many threads as training used, so `workers` in the result describes both figures.
      workers: history.workers,
    });
    const inferSeconds = (performance.now() - started) / 1000;
    let correct = 0;
    for (let i = 0; i < testData.count; i++) if (predictions[i] === testData.labels[i]) correct++;
    return {
      model: kind,
      backend: history.backend,
      workers: history.workers,
      epochs: history.epochs.length,
      trainImages: trainData.count,
      testImages: testData.count,
      trainSeconds: history.seconds,
      trainImagesPerSecond: history.imagesPerSecond,
      inferSeconds,
      inferImagesPerSecond: testData.count / inferSeconds,
      testAccuracy: correct / testData.count,
    };
  } finally {
    model.dispose();
  }
}
