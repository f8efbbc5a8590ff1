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
import type { ConfidenceInterval, Study, StudyComparison, StudyEpoch, StudyModel } from './study.js';

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
    run: input.run,
  };
}

/**
 * The study's figures as plain JSON (metrics.json): per model, under `models.<name>`, the test classification report
 * with `confusionMatrix`, `logLoss`, `top3`, `ece` and `accuracyCI` beside its fields, the `history`, and the
 * training and validation fit when known; under `comparison`, the baseline's and challenger's names, McNemar's test
 * and the accuracy difference interval. Typed arrays (predictions, probabilities, images) are left out.
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
  };
}
