/** The `Study` type: everything a model comparison produced, as plain data the figures and the report are drawn from. */
import type { Calibration, ClassificationReport } from '@fmnist/metrics';
import { VizError } from './errors.js';

/** A point estimate with a confidence interval, e.g. `{ estimate: 0.91, lower: 0.904, upper: 0.915, confidence: 0.95 }`. */
export interface ConfidenceInterval {
  estimate: number;
  lower: number;
  upper: number;
  /** Coverage, e.g. 0.95. */
  confidence: number;
}

/** One row of a training history. */
export interface StudyEpoch {
  /** 1-based. */
  epoch: number;
  loss: number;
  accuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
  seconds: number;
}

/** One trained model and how it did on the test set. */
export interface StudyModel {
  /** Short id used in file names, e.g. `'linear'` or `'cnn'`. */
  name: string;
  /** Name for people, e.g. `'Linear (softmax regression)'`; figures use it in legends. */
  displayName: string;
  /** Architecture summary, e.g. the layer table of `model.summary()`; shown as preformatted text. */
  architecture: string;
  /** Trainable parameters. */
  parameters: number;
  trainSeconds: number;
  trainImagesPerSecond: number;
  /** tfjs backend it trained on, e.g. `'cpu'`, `'wasm'`, `'tensorflow'`. */
  backend: string;
  history: readonly StudyEpoch[];
  test: {
    /** `classificationReport(labels, predictions, { numClasses })` of `@fmnist/metrics`. */
    report: ClassificationReport;
    /** `confusionMatrix[true][predicted]` counts, classes x classes. */
    confusionMatrix: readonly (readonly number[])[];
    logLoss: number;
    /** Fraction of test images whose true class is among the three most probable. */
    top3: number;
    /** Expected calibration error of the top-class probability. */
    ece: number;
    accuracyCI: ConfidenceInterval;
    /** `calibration(labels, probabilities)` of `@fmnist/metrics`; computed from `probabilities` when absent. */
    calibration?: Calibration;
  };
  /** Predicted class of every test image (`test.count` values). */
  predictions: Uint8Array;
  /** Class probabilities of every test image, row-major (`test.count * classNames.length` values). */
  probabilities: Float32Array;
  /** Final figures on the training and validation sets, for the generalization gap. */
  train?: { accuracy: number; loss: number };
  validation?: { accuracy: number; loss: number };
}

/** Paired comparison of the baseline (`models[0]`) with the challenger (`models[1]`) on the same test images. */
export interface StudyComparison {
  /**
   * McNemar's test on the discordant pairs: `b` images the baseline gets right and the challenger wrong, `c` the
   * reverse.
   */
  mcnemar: { b: number; c: number; pValue: number; statistic?: number };
  /** Challenger accuracy minus baseline accuracy, with its interval (e.g. a paired bootstrap). */
  accuracyDifferenceCI: ConfidenceInterval;
}

/** Everything a study produced. Plain data: JSON-serializable apart from the typed arrays. */
export interface Study {
  title?: string;
  /** ISO 8601 time the study finished. */
  createdAt: string;
  /** Class names in label order (FashionMNIST has ten). */
  classNames: readonly string[];
  dataset: {
    trainCount: number;
    validationCount: number;
    testCount: number;
    /** Where the data came from, e.g. a directory or URL. */
    source: string;
    normalization: { mean: number; std: number };
  };
  /** The test images, raw 0-255 pixels, row-major: `images.length === count * rows * cols`. */
  test: { images: Uint8Array; labels: Uint8Array; count: number; rows: number; cols: number };
  /** The models compared; the first is the baseline, the second the challenger. */
  models: readonly StudyModel[];
  /** Present when there are at least two models. */
  comparison?: StudyComparison;
  run: {
    seed: number;
    backend: string;
    workers: number;
    wallSeconds: number;
    /** Package and runtime versions, e.g. `{ node: '20.20.2', '@tensorflow/tfjs-core': '4.22.0' }`. */
    versions: Readonly<Record<string, string>>;
  };
}

function fail(message: string): never {
  throw new VizError('E_VIZ_INVALID_STUDY', `${message} Fix the study object before rendering it.`);
}

/**
 * Checks that a study is consistent (array lengths, label ranges, matrix shape) and throws a `VizError` with code
 * `E_VIZ_INVALID_STUDY` naming the first bad field otherwise.
 */
export function validateStudy(study: Study): void {
  const classes = study.classNames.length;
  if (classes < 2) fail(`study.classNames has ${classes} names; expected at least 2.`);
  const { test } = study;
  if (!Number.isInteger(test.count) || test.count < 1) fail(`study.test.count is ${test.count}; expected at least 1.`);
  if (test.images.length !== test.count * test.rows * test.cols) {
    fail(
      `study.test.images has ${test.images.length} pixels; expected count * rows * cols = ` +
        `${test.count} * ${test.rows} * ${test.cols} = ${test.count * test.rows * test.cols}.`,
    );
  }
  if (test.labels.length !== test.count)
    fail(`study.test.labels has ${test.labels.length} values; expected ${test.count}.`);
  const badLabel = test.labels.findIndex((label) => label >= classes);
  if (badLabel >= 0)
    fail(`study.test.labels[${badLabel}] is ${test.labels[badLabel]}; classes run from 0 to ${classes - 1}.`);
  if (study.models.length < 1) fail('study.models is empty; expected at least one model.');
  study.models.forEach((model, m) => {
    const at = `study.models[${m}] (${model.name})`;
    if (model.predictions.length !== test.count) {
      fail(`${at}.predictions has ${model.predictions.length} values; expected test.count = ${test.count}.`);
    }
    if (model.probabilities.length !== test.count * classes) {
      fail(
        `${at}.probabilities has ${model.probabilities.length} values; expected test.count * classes = ` +
          `${test.count * classes}.`,
      );
    }
    const badPrediction = model.predictions.findIndex((label) => label >= classes);
    if (badPrediction >= 0) fail(`${at}.predictions[${badPrediction}] is out of range 0..${classes - 1}.`);
    const matrix = model.test.confusionMatrix;
    if (matrix.length !== classes || matrix.some((row) => row.length !== classes)) {
      fail(`${at}.test.confusionMatrix must be ${classes} x ${classes}.`);
    }
    if (model.test.report.perClass.length !== classes) {
      fail(`${at}.test.report.perClass has ${model.test.report.perClass.length} entries; expected ${classes}.`);
    }
  });
  study.models.forEach((model, m) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(model.name)) {
      fail(
        `study.models[${m}].name is ${JSON.stringify(model.name)}; use letters, digits, '-' and '_' (it names files).`,
      );
    }
  });
  const names = new Set(study.models.map((model) => model.name));
  if (names.size !== study.models.length) fail('study.models have repeated names; each name must be unique.');
}
