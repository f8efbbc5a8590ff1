/**
 * Builds the study (the input of @fmnist/viz's report) and metrics.json from trained models' evaluations.
 * To move: this is plain data assembly over @fmnist/metrics and belongs in @fmnist/viz (next to the Study type); it
 * lives here until that package offers it.
 */
import {
  accuracy,
  bootstrapCI,
  type ConfidenceInterval,
  calibration,
  mcnemar,
  pairedBootstrapDifferenceCI,
} from '@fmnist/metrics';
import type { ModelEvaluation, TrainingHistory } from '@fmnist/models';
import type { Study, StudyComparison, StudyModel } from '@fmnist/viz';

/** A study of a baseline and a challenger, so the paired comparison is always there. */
export type ComparisonStudy = Study & { comparison: StudyComparison };

/** Bootstrap resamples for the confidence intervals (enough for two stable decimals of a percentage). */
const BOOTSTRAP_RESAMPLES = 1000;
const CONFIDENCE = 0.95;
const CALIBRATION_BINS = 15;

export interface TrainedModel {
  name: string;
  displayName: string;
  architecture: string;
  parameters: number;
  history: TrainingHistory;
  test: ModelEvaluation;
  validation?: ModelEvaluation;
  train?: ModelEvaluation;
}

export interface StudyInput {
  title?: string;
  classNames: readonly string[];
  dataset: Study['dataset'];
  test: Study['test'];
  /** The baseline first; comparisons are of the second model against the first. */
  models: [TrainedModel, TrainedModel];
  run: Study['run'];
  seed: number;
}

function studyModel(model: TrainedModel, labels: Uint8Array, seed: number): StudyModel {
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
      calibration: calibration(labels, test.probabilities, { bins: CALIBRATION_BINS, numClasses: 10 }),
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

/** Computes the intervals and the paired tests and assembles the study. */
export function buildStudy(input: StudyInput): ComparisonStudy {
  const labels = input.test.labels;
  const [baseline, challenger] = input.models;
  const models = input.models.map((model) => studyModel(model, labels, input.seed));
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

/** metrics.json: per model the test report with logLoss/top3/ece/accuracyCI and the history; the paired comparison. */
export function metricsFromStudy(study: ComparisonStudy) {
  const [baseline, challenger] = study.models;
  return {
    format: 'fmnist-metrics',
    formatVersion: 1,
    createdAt: study.createdAt,
    classNames: study.classNames,
    dataset: study.dataset,
    models: Object.fromEntries(
      study.models.map((model) => [
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
      /** Challenger's accuracy minus the baseline's, paired bootstrap over the same test images. */
      accuracyDifferenceCI: study.comparison.accuracyDifferenceCI,
    },
  };
}
