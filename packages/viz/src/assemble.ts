/**
 * Assembles a two-model `Study` (and the metrics.json object drawn from it) out of trained models' test evaluations,
 * computing the bootstrap intervals, calibration and the paired comparison with @fmnist/metrics.
 */
import {
  accuracy,
  bootstrapCI,
  type ClassificationReport,
  calibration,
  mcnemar,
  pairedBootstrapDifferenceCI,
} from '@fmnist/metrics';
import { VizError } from './errors.js';
import type {
  ConfidenceInterval,
  Study,
  StudyAnalysis,
  StudyComparison,
  StudyDataEfficiencyPoint,
  StudyEpoch,
  StudyModel,
  StudyModelCost,
  StudyRobustnessCondition,
  StudyTestTimeAugmentation,
  StudyWeightImages,
} from './study.js';

/** Bootstrap resamples for the confidence intervals (enough for two stable decimals of a percentage). */
const BOOTSTRAP_RESAMPLES = 1000;
const CONFIDENCE = 0.95;
const CALIBRATION_BINS = 15;

/**
 * A model scored on a set of images: the fields {@link buildStudy} reads. `evaluate()` of @fmnist/models returns one
 * (its `ModelEvaluation` fits this type).
 */
export interface ModelScores {
  /** Predicted class of every image. */
  predictions: Uint8Array;
  /** Class probabilities of every image, row-major (`count * classes` values). */
  probabilities: Float32Array;
  /** `classificationReport()` of @fmnist/metrics. */
  report: ClassificationReport;
  /** `confusionMatrix[true][predicted]` counts. */
  confusionMatrix: readonly (readonly number[])[];
  logLoss: number;
  /** Fraction of images whose true class is among the three most probable. */
  top3: number;
  /** Expected calibration error of the top-class probability. */
  ece: number;
}

/** How a model trained: the fields {@link buildStudy} reads (@fmnist/models' `TrainingHistory` fits this type). */
export interface TrainingSummary {
  /** One entry per epoch run; other fields of each entry are ignored. */
  epochs: readonly StudyEpoch[];
  /** Wall time of training. */
  seconds: number;
  /** Training images per second over all epochs. */
  imagesPerSecond: number;
  /** tfjs backend it trained on, e.g. `'wasm'`. */
  backend: string;
}

/** A trained model and its scores, as {@link buildStudy} takes them. */
export interface TrainedModel {
  /** Short id used in file names, e.g. `'linear'`. */
  name: string;
  /** Name for people, used in legends. */
  displayName: string;
  /** Architecture summary, shown as preformatted text. */
  architecture: string;
  /** Trainable parameters. */
  parameters: number;
  history: TrainingSummary;
  /** Scores on the test images (`StudyInput.test`). */
  test: ModelScores;
  /** Scores on the validation images; only `report.accuracy` and `logLoss` are used. */
  validation?: Pick<ModelScores, 'report' | 'logLoss'>;
  /** Scores on (a sample of) the training images; only `report.accuracy` and `logLoss` are used. */
  train?: Pick<ModelScores, 'report' | 'logLoss'>;
  /** The test-time augmentation `test`, `validation` and `train` were scored with, if any. */
  testTimeAugmentation?: StudyTestTimeAugmentation;
}

/** One model's score on one robustness condition (an entry of @fmnist/models' `evaluateRobustness` fits this type). */
export interface RobustnessScore {
  condition: { family: string; severity: number; label: string };
  accuracy: number;
  /** `correct[i]` is 1 where the model got image i right, over every transformed copy, concatenated. */
  correct: Uint8Array;
}

/** The analysis measurements as the packages return them; {@link buildAnalysis} turns them into `study.analysis`. */
export interface AnalysisInput {
  robustness?: {
    /** Test images the transformations were applied to. */
    testImages: number;
    /** Seed of the subset and of the random transformations. */
    seed: number;
    /** By model name: one score per condition, clean first, the same conditions in the same order for every model. */
    scores: Readonly<Record<string, readonly RobustnessScore[]>>;
    /** One example image (`rows * cols` pixels) per condition, in the order of the scores. */
    examples: readonly Uint8Array[];
  };
  /** By model name. */
  cost?: Readonly<Record<string, StudyModelCost>>;
  /** By model name, smallest training set first. */
  dataEfficiency?: Readonly<Record<string, readonly StudyDataEfficiencyPoint[]>>;
  learned?: {
    /** @fmnist/models' `linearTemplates(model)`: one `rows * cols` array per class. */
    templates?: { model: string; rows: number; cols: number; templates: readonly Float32Array[] };
    /** @fmnist/models' `firstLayerFilters(model)`: `size` is `[rows, cols]` of each filter. */
    filters?: { model: string; size: readonly [number, number]; filters: readonly Float32Array[] };
    /** @fmnist/models' `occlusionSensitivity` of the same test images (`indices`) under each model, by model name. */
    occlusion?: {
      indices: readonly number[];
      patch: number;
      stride: number;
      maps: Readonly<Record<string, readonly Float32Array[]>>;
    };
  };
  /** Wall-clock seconds the measurements took. */
  seconds?: number;
}

function concatenate(arrays: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((sum, array) => sum + array.length, 0));
  let at = 0;
  for (const array of arrays) {
    out.set(array, at);
    at += array.length;
  }
  return out;
}

function weightImages(model: string, rows: number, cols: number, arrays: readonly Float32Array[]): StudyWeightImages {
  return { model, count: arrays.length, rows, cols, values: concatenate(arrays) };
}

/**
 * The study's analysis section from the measurements: robustness rows (clean first) with each model's accuracy and
 * McNemar's test of `modelNames[0]` against `modelNames[1]` computed from the per-image `correct` arrays (which are
 * not kept, so the study stays small), the cost table, the data-efficiency curves and the learned weights flattened
 * into one array each. Throws `VizError` `E_VIZ_INVALID_STUDY` when the models were scored on different conditions.
 */
export function buildAnalysis(input: AnalysisInput, modelNames: readonly string[]): StudyAnalysis {
  const analysis: StudyAnalysis = {};
  if (input.robustness) {
    const { scores, examples } = input.robustness;
    const scored = modelNames.filter((name) => scores[name] !== undefined);
    const reference = scores[scored[0] ?? ''] ?? [];
    for (const name of scored) {
      const entries = scores[name]!;
      if (
        entries.length !== reference.length ||
        entries.some(
          (entry, index) =>
            entry.condition.label !== reference[index]!.condition.label ||
            entry.correct.length !== reference[index]!.correct.length,
        )
      ) {
        throw new VizError(
          'E_VIZ_INVALID_STUDY',
          `robustness scores of '${name}' and '${scored[0]}' are not on the same conditions and images; score every model on the same copies.`,
        );
      }
    }
    if (examples.length !== reference.length) {
      throw new VizError(
        'E_VIZ_INVALID_STUDY',
        `robustness has ${examples.length} example images for ${reference.length} conditions; give one per condition.`,
      );
    }
    const [baseline, challenger] = scored;
    const conditions = reference.map((entry, index): StudyRobustnessCondition => {
      const row: StudyRobustnessCondition = {
        family: entry.condition.family,
        severity: entry.condition.severity,
        label: entry.condition.label,
        images: entry.correct.length,
        accuracy: Object.fromEntries(scored.map((name) => [name, scores[name]![index]!.accuracy])),
        example: examples[index]!,
      };
      if (baseline !== undefined && challenger !== undefined) {
        // Correct answers as predictions of a label that is always 1: McNemar's discordant pairs are the images
        // exactly one of the two models gets right.
        const right = new Uint8Array(entry.correct.length).fill(1);
        row.mcnemar = mcnemar(right, scores[baseline]![index]!.correct, scores[challenger]![index]!.correct);
      }
      return row;
    });
    analysis.robustness = { testImages: input.robustness.testImages, seed: input.robustness.seed, conditions };
  }
  if (input.cost) analysis.cost = input.cost;
  if (input.dataEfficiency) analysis.dataEfficiency = input.dataEfficiency;
  const learned = input.learned;
  if (learned) {
    analysis.learned = {};
    if (learned.templates) {
      const { model, rows, cols, templates } = learned.templates;
      analysis.learned.templates = weightImages(model, rows, cols, templates);
    }
    if (learned.filters) {
      const { model, size, filters } = learned.filters;
      analysis.learned.filters = weightImages(model, size[0], size[1], filters);
    }
    if (learned.occlusion) {
      const { indices, patch, stride, maps } = learned.occlusion;
      analysis.learned.occlusion = {
        indices: [...indices],
        patch,
        stride,
        maps: Object.fromEntries(Object.entries(maps).map(([name, list]) => [name, concatenate(list)])),
      };
    }
  }
  if (input.seconds !== undefined) analysis.seconds = input.seconds;
  return analysis;
}

export interface StudyInput {
  title?: string;
  /** Class names in label order. */
  classNames: readonly string[];
  dataset: Study['dataset'];
  /** The test images (raw 0-255 pixels) and labels both models were scored on. */
  test: Study['test'];
  /** The baseline first; comparisons are of the second model (the challenger) against the first. */
  models: readonly [TrainedModel, TrainedModel];
  run: Study['run'];
  /** Seeds the bootstrap resampling, so the same inputs give the same intervals. */
  seed: number;
  /** Robustness, cost, data efficiency and learned features; see {@link buildAnalysis}. */
  analysis?: AnalysisInput;
}

/** A study of a baseline and a challenger, so the paired comparison is always there. */
export type ComparisonStudy = Study & { comparison: StudyComparison };

/** One model's entry in {@link StudyMetrics}. */
export interface ModelMetrics {
  displayName: string;
  parameters: number;
  backend: string;
  trainSeconds: number;
  trainImagesPerSecond: number;
  /** The classification report (accuracy, per-class and averaged scores) with the other test figures beside it. */
  test: ClassificationReport & {
    confusionMatrix: readonly (readonly number[])[];
    logLoss: number;
    top3: number;
    ece: number;
    accuracyCI: ConfidenceInterval;
  };
  validation?: { accuracy: number; loss: number };
  train?: { accuracy: number; loss: number };
  /** The views the test, validation and training scores averaged over; absent: the image alone. */
  testTimeAugmentation?: StudyTestTimeAugmentation;
  /** The learning curves. */
  history: readonly StudyEpoch[];
}

/** The metrics.json contract of `fmnist compare`: plain JSON, no typed arrays. */
export interface StudyMetrics {
  format: 'fmnist-metrics';
  formatVersion: 1;
  createdAt: string;
  classNames: readonly string[];
  dataset: Study['dataset'];
  /** By model name, baseline first. */
  models: Record<string, ModelMetrics>;
  comparison: {
    baseline: string | undefined;
    challenger: string | undefined;
    mcnemar: StudyComparison['mcnemar'];
    /** Challenger's accuracy minus the baseline's, paired bootstrap over the same test images. */
    accuracyDifferenceCI: ConfidenceInterval;
  };
  /** Present when the study has an analysis: its numbers, without the images and weights. */
  analysis?: AnalysisMetrics;
}

/** The `analysis` section of metrics.json: `study.analysis` without typed arrays. */
export interface AnalysisMetrics {
  /** Wall-clock seconds of the robustness, cost and learned-feature measurements. */
  seconds?: number;
  robustness?: {
    testImages: number;
    seed: number;
    conditions: {
      family: string;
      severity: number;
      label: string;
      images: number;
      /** By model name. */
      accuracy: Record<string, number>;
      /** Challenger's accuracy minus the baseline's (with two models). */
      difference?: number;
      mcnemar?: { b: number; c: number; pValue: number };
    }[];
  };
  cost?: Readonly<Record<string, StudyModelCost>>;
  dataEfficiency?: Readonly<Record<string, readonly StudyDataEfficiencyPoint[]>>;
  learned?: {
    templates?: { model: string; count: number; rows: number; cols: number };
    filters?: { model: string; count: number; rows: number; cols: number };
    occlusion?: { indices: readonly number[]; patch: number; stride: number; models: string[] };
  };
}

function analysisMetrics(study: Study, analysis: StudyAnalysis): AnalysisMetrics {
  const [baseline, challenger] = study.models;
  const out: AnalysisMetrics = {};
  if (analysis.seconds !== undefined) out.seconds = analysis.seconds;
  if (analysis.robustness) {
    out.robustness = {
      testImages: analysis.robustness.testImages,
      seed: analysis.robustness.seed,
      conditions: analysis.robustness.conditions.map((condition) => ({
        family: condition.family,
        severity: condition.severity,
        label: condition.label,
        images: condition.images,
        accuracy: { ...condition.accuracy },
        ...(baseline && challenger
          ? { difference: condition.accuracy[challenger.name]! - condition.accuracy[baseline.name]! }
          : {}),
        ...(condition.mcnemar ? { mcnemar: condition.mcnemar } : {}),
      })),
    };
  }
  if (analysis.cost) out.cost = analysis.cost;
  if (analysis.dataEfficiency) out.dataEfficiency = analysis.dataEfficiency;
  const learned = analysis.learned;
  if (learned) {
    const shape = (images: StudyWeightImages) => ({
      model: images.model,
      count: images.count,
      rows: images.rows,
      cols: images.cols,
    });
    out.learned = {
      ...(learned.templates ? { templates: shape(learned.templates) } : {}),
      ...(learned.filters ? { filters: shape(learned.filters) } : {}),
      ...(learned.occlusion
        ? {
            occlusion: {
              indices: learned.occlusion.indices,
              patch: learned.occlusion.patch,
              stride: learned.occlusion.stride,
              models: Object.keys(learned.occlusion.maps),
            },
          }
        : {}),
    };
  }
  return out;
}

function studyModel(model: TrainedModel, labels: Uint8Array, numClasses: number, seed: number): StudyModel {
  const { history, test } = model;
  const accuracyCI: ConfidenceInterval = bootstrapCI(
    (yTrue, yPred) => accuracy(yTrue, yPred),
    labels,
    test.predictions,
    {
      resamples: BOOTSTRAP_RESAMPLES,
      confidence: CONFIDENCE,
      seed,
    },
  );
  const result: StudyModel = {
    name: model.name,
    displayName: model.displayName,
    architecture: model.architecture,
    parameters: model.parameters,
    trainSeconds: history.seconds,
    trainImagesPerSecond: history.imagesPerSecond,
    backend: history.backend,
    history: history.epochs.map((epoch) => ({
      epoch: epoch.epoch,
      loss: epoch.loss,
      accuracy: epoch.accuracy,
      ...(epoch.validationLoss === undefined ? {} : { validationLoss: epoch.validationLoss }),
      ...(epoch.validationAccuracy === undefined ? {} : { validationAccuracy: epoch.validationAccuracy }),
      seconds: epoch.seconds,
    })),
    test: {
      report: test.report,
      confusionMatrix: test.confusionMatrix,
      logLoss: test.logLoss,
      top3: test.top3,
      ece: test.ece,
      accuracyCI,
      calibration: calibration(labels, test.probabilities, { bins: CALIBRATION_BINS, numClasses }),
    },
    predictions: test.predictions,
    probabilities: test.probabilities,
  };
  if (model.train) result.train = { accuracy: model.train.report.accuracy, loss: model.train.logLoss };
  if (model.validation) {
    result.validation = { accuracy: model.validation.report.accuracy, loss: model.validation.logLoss };
  }
  if (model.testTimeAugmentation) result.testTimeAugmentation = { ...model.testTimeAugmentation };
  return result;
}

/**
 * Assembles the study of a baseline (`models[0]`) and a challenger (`models[1]`) scored on the same test images: per
 * model a bootstrap 95% interval of the test accuracy (1,000 resamples seeded with `seed`) and a 15-bin calibration of
 * its probabilities; for the pair, McNemar's test and the paired bootstrap 95% interval of the accuracy difference
 * (challenger minus baseline). `createdAt` is the current time. The result is what `renderReport` and
 * {@link metricsFromStudy} take.
 */
export function buildStudy(input: StudyInput): ComparisonStudy {
  const labels = input.test.labels;
  const [baseline, challenger] = input.models;
  const models = input.models.map((model) => studyModel(model, labels, input.classNames.length, input.seed));
  return {
    ...(input.title === undefined ? {} : { title: input.title }),
    createdAt: new Date().toISOString(),
    classNames: input.classNames,
    dataset: input.dataset,
    test: input.test,
    models,
    comparison: {
      mcnemar: mcnemar(labels, baseline.test.predictions, challenger.test.predictions),
      accuracyDifferenceCI: pairedBootstrapDifferenceCI(
        labels,
        challenger.test.predictions,
        baseline.test.predictions,
        {
          resamples: BOOTSTRAP_RESAMPLES,
          confidence: CONFIDENCE,
          seed: input.seed,
        },
      ),
    },
    ...(input.analysis ? { analysis: buildAnalysis(input.analysis, [baseline.name, challenger.name]) } : {}),
    run: input.run,
  };
}

/**
 * The study's figures as plain JSON (metrics.json): per model, under `models.<name>`, the test classification report
 * with `confusionMatrix`, `logLoss`, `top3`, `ece` and `accuracyCI` beside its fields, the `history`, the
 * training and validation fit when known, and the `testTimeAugmentation` they were scored with when there was one; under `comparison`, the baseline's and challenger's names, McNemar's test
 * and the accuracy difference interval; under `analysis` (when the study has one), the robustness table, cost, data
 * efficiency and the shapes of the learned weights. Typed arrays (predictions, probabilities, images) are left out.
 */
export function metricsFromStudy(study: ComparisonStudy): StudyMetrics {
  const [baseline, challenger] = study.models;
  return {
    format: 'fmnist-metrics',
    formatVersion: 1,
    createdAt: study.createdAt,
    classNames: study.classNames,
    dataset: study.dataset,
    models: Object.fromEntries(
      study.models.map((model): [string, ModelMetrics] => [
        model.name,
        {
          displayName: model.displayName,
          parameters: model.parameters,
          backend: model.backend,
          trainSeconds: model.trainSeconds,
          trainImagesPerSecond: model.trainImagesPerSecond,
          test: {
            ...model.test.report,
            confusionMatrix: model.test.confusionMatrix,
            logLoss: model.test.logLoss,
            top3: model.test.top3,
            ece: model.test.ece,
            accuracyCI: model.test.accuracyCI,
          },
          ...(model.validation ? { validation: model.validation } : {}),
          ...(model.train ? { train: model.train } : {}),
          ...(model.testTimeAugmentation ? { testTimeAugmentation: model.testTimeAugmentation } : {}),
          history: model.history,
        },
      ]),
    ),
    comparison: {
      baseline: baseline?.name,
      challenger: challenger?.name,
      mcnemar: study.comparison.mcnemar,
      accuracyDifferenceCI: study.comparison.accuracyDifferenceCI,
    },
    ...(study.analysis ? { analysis: analysisMetrics(study, study.analysis) } : {}),
  };
}
