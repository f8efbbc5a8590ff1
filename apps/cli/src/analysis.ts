/**
 * The analysis `fmnist compare` adds once both models are trained and saved, wired from the packages' functions:
 * robustness on transformed test images (@fmnist/dataset's conditions, @fmnist/models' evaluateRobustness), cost
 * (multiply-accumulates, size on disk, inference speed, memory), what each model learned (templates, filters,
 * occlusion maps), and with `--data-efficiency` the models retrained on stratified subsets. @fmnist/viz turns the
 * result into the study's analysis section.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type DatasetSplit, ROBUSTNESS_CONDITIONS, stratifiedSubset, transformForCondition } from '@fmnist/dataset';
import {
  countMultiplyAccumulates,
  countParameters,
  createModel,
  evaluate,
  evaluateRobustness,
  firstLayerFilters,
  linearTemplates,
  loadModel,
  type ModelKind,
  type ModelOptions,
  measureInference,
  occlusionSensitivity,
  type RobustnessEntry,
  type TestTimeAugmentation,
  type TrainOptions,
  train,
} from '@fmnist/models';
import type { AnalysisInput, StudyDataEfficiencyPoint, StudyModelCost } from '@fmnist/viz';
import { InterruptedError } from './errors.js';
import { plural, type Reporter } from './progress.js';
import type { StudyData } from './run.js';

/**
 * Test images the robustness conditions are applied to: a seeded stratified subset of the test set, the same for
 * every model. The 18 conditions make 33 copies of it (4 per shift, 2 per rotation), so 2,000 images mean 68,000
 * classifications per model (with the clean ones), which keeps the whole analysis within about a minute on 2 cores;
 * all 10,000 would take about five times as long.
 */
export const ROBUSTNESS_TEST_IMAGES = 2000;
/** Test images in the inference throughput pass (batches of {@link INFERENCE_BATCH_SIZE}). */
export const INFERENCE_IMAGES = 2048;
export const INFERENCE_BATCH_SIZE = 256;
/** Single-image calls the latency percentiles come from. */
export const LATENCY_REPEATS = 200;
/** Test images of the occlusion maps: the first test image of each of the first 8 classes to appear. */
export const OCCLUSION_IMAGES = 8;
export const OCCLUSION_PATCH = 6;
export const OCCLUSION_STRIDE = 2;
/** Training-set sizes of `--data-efficiency`, besides the full run. */
export const DATA_EFFICIENCY_SIZES = [1000, 5000, 15_000] as const;

/** A model trained and saved by the study, and what its training cost. */
export interface SavedStudyModel {
  name: string;
  kind: ModelKind;
  modelDir: string;
  trainSeconds: number;
  trainImagesPerSecond: number;
  /** The process's resident high-water mark at the end of this model's training and testing, in MiB. */
  peakResidentMiB: number;
}

/** Bytes of the files under `dir`, recursively. */
export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await folderBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/** The first test image of each class in test order, until `count` classes are found. */
export function firstOfEachClass(labels: Uint8Array, count: number): number[] {
  const seen = new Set<number>();
  const indices: number[] = [];
  for (let index = 0; index < labels.length && indices.length < count; index++) {
    if (seen.has(labels[index]!)) continue;
    seen.add(labels[index]!);
    indices.push(index);
  }
  return indices;
}

function pick(images: Float32Array, pixels: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * pixels);
  indices.forEach((index, position) => {
    out.set(images.subarray(index * pixels, (index + 1) * pixels), position * pixels);
  });
  return out;
}

/**
 * Measures every saved model: robustness on the same seeded copies of {@link ROBUSTNESS_TEST_IMAGES} test images,
 * cost, and what it learned (the linear model's templates, the CNN's first-layer filters, occlusion maps of the same
 * test images for both). Each model is loaded back from its folder, so what is measured is what was saved.
 */
export async function analyzeModels(options: {
  models: readonly SavedStudyModel[];
  data: StudyData;
  seed: number;
  workers: 'auto' | number;
  reporter: Reporter;
  signal: AbortSignal;
}): Promise<AnalysisInput> {
  const { data, seed, reporter } = options;
  const { testRaw, normalization } = data;
  const size = { rows: testRaw.rows, cols: testRaw.cols };
  const pixels = size.rows * size.cols;
  const robustTest: DatasetSplit = stratifiedSubset(testRaw, { size: ROBUSTNESS_TEST_IMAGES, seed });
  const first = testRaw.images.subarray(0, pixels);
  const examples = [
    first.slice(),
    ...ROBUSTNESS_CONDITIONS.map((condition) => transformForCondition(first, size, condition, seed)[0]!),
  ];
  const occlusionIndices = firstOfEachClass(testRaw.labels, OCCLUSION_IMAGES);
  const occlusionImages = pick(data.test.images, pixels, occlusionIndices);
  const occlusionLabels = occlusionIndices.map((index) => testRaw.labels[index]!);
  const inferenceImages = data.test.images.subarray(0, Math.min(data.test.count, INFERENCE_IMAGES) * pixels);

  const scores: Record<string, RobustnessEntry[]> = {};
  const cost: Record<string, StudyModelCost> = {};
  const maps: Record<string, Float32Array[]> = {};
  const learned: NonNullable<AnalysisInput['learned']> = {};
  for (const saved of options.models) {
    if (options.signal.aborted) throw new InterruptedError('interrupted during the analysis');
    const { model } = await loadModel(saved.modelDir);
    try {
      reporter.info(
        `analysis: ${saved.name} on ${robustTest.count} test images under ${ROBUSTNESS_CONDITIONS.length} transformations`,
      );
      scores[saved.name] = await evaluateRobustness(model, robustTest, normalization, {
        seed,
        batchSize: INFERENCE_BATCH_SIZE,
        workers: options.workers,
      });
      const timing = await measureInference(model, inferenceImages, {
        batchSize: INFERENCE_BATCH_SIZE,
        latencyRepeats: LATENCY_REPEATS,
      });
      cost[saved.name] = {
        parameters: countParameters(model),
        multiplyAccumulates: countMultiplyAccumulates(model).total,
        sizeOnDiskBytes: await folderBytes(saved.modelDir),
        trainSeconds: saved.trainSeconds,
        trainImagesPerSecond: saved.trainImagesPerSecond,
        inference: {
          batchSize: timing.batchSize,
          imagesPerSecond: timing.imagesPerSecond,
          latencyMs: timing.latencyMs,
        },
        peakResidentMiB: saved.peakResidentMiB,
      };
      maps[saved.name] = await occlusionSensitivity(model, occlusionImages, occlusionLabels, {
        patch: OCCLUSION_PATCH,
        stride: OCCLUSION_STRIDE,
      });
      if (saved.kind === 'linear') {
        learned.templates = { model: saved.name, ...size, templates: linearTemplates(model) };
      }
      if (saved.kind === 'cnn') learned.filters = { model: saved.name, ...firstLayerFilters(model) };
    } finally {
      model.dispose();
    }
  }
  learned.occlusion = { indices: occlusionIndices, patch: OCCLUSION_PATCH, stride: OCCLUSION_STRIDE, maps };
  return {
    robustness: { testImages: robustTest.count, seed, scores, examples },
    cost,
    learned,
  };
}

/**
 * `--data-efficiency`: trains each model anew with its recipe on stratified subsets of the training images
 * ({@link DATA_EFFICIENCY_SIZES} smaller than the training set; same validation images for early stopping) and tests
 * it on the test images with the recipe's test-time augmentation, as the full run was, whose test accuracy is the last
 * point. Nothing is saved.
 */
export async function dataEfficiency(options: {
  models: readonly { name: string; kind: ModelKind; testAccuracy: number }[];
  data: StudyData;
  /** The options of `createModel` and of `train` (with the seed and workers) and the test-time augmentation the full run used. */
  recipe: (kind: ModelKind) => {
    model: ModelOptions;
    train: TrainOptions;
    testTimeAugmentation?: TestTimeAugmentation;
  };
  reporter: Reporter;
  signal: AbortSignal;
}): Promise<Record<string, StudyDataEfficiencyPoint[]>> {
  const { data, reporter } = options;
  const sizes = DATA_EFFICIENCY_SIZES.filter((size) => size < data.train.count);
  const curves: Record<string, StudyDataEfficiencyPoint[]> = {};
  for (const { name, kind, testAccuracy } of options.models) {
    const points: StudyDataEfficiencyPoint[] = [];
    for (const size of sizes) {
      const { model: modelOptions, train: recipe, testTimeAugmentation } = options.recipe(kind);
      const subset = stratifiedSubset(data.train, { size, seed: recipe.seed ?? 0 });
      const epochs = recipe.epochs ?? 1;
      const model = createModel(kind, { ...modelOptions, seed: recipe.seed ?? 0 });
      try {
        reporter.info(
          `data efficiency: training ${name} on ${subset.count} images for up to ${plural(epochs, 'epoch')}`,
        );
        const progress = reporter.training(`${name} ${subset.count}`, epochs);
        let cancelled: boolean;
        try {
          const history = await train(model, subset, {
            ...recipe,
            ...(data.validation.count > 0 ? { validation: data.validation } : {}),
            signal: options.signal,
            onBatchEnd: progress.onBatchEnd,
            onEpochEnd: progress.onEpochEnd,
          });
          cancelled = history.cancelled;
        } finally {
          progress.finish();
        }
        if (cancelled) throw new InterruptedError(`interrupted while training ${name} on ${subset.count} images`);
        const test = await evaluate(model, data.test, {
          workers: recipe.workers ?? 1,
          ...(testTimeAugmentation ? { testTimeAugmentation } : {}),
        });
        points.push({ trainImages: subset.count, testAccuracy: test.report.accuracy });
        reporter.info(
          `data efficiency: ${name} on ${subset.count} images: test accuracy ${(test.report.accuracy * 100).toFixed(2)}%`,
        );
      } finally {
        model.dispose();
      }
    }
    points.push({ trainImages: data.train.count, testAccuracy });
    curves[name] = points;
  }
  return curves;
}
