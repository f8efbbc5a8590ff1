/** The `Study` type: everything a model comparison produced, as plain data the figures and the report are drawn from. */

import { testTimeViews } from '@fmnist/internal';
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
  /**
   * Test-time augmentation the model was scored with (@fmnist/models' `TestTimeAugmentation`): its test, validation
   * and training scores average the class probabilities over several views of each image. Absent: one view, the image
   * alone. The analysis measures single images either way.
   */
  testTimeAugmentation?: StudyTestTimeAugmentation;
}

/** Which views of each image a model's probabilities were averaged over (@fmnist/models' `TestTimeAugmentation`). */
export interface StudyTestTimeAugmentation {
  /** Each view also mirrored left-right. */
  flip: boolean;
  /** Copies moved this many pixels up, down, left and right besides the image itself; 0: the image alone. */
  shift: number;
}

/**
 * How many views `augmentation` averages over, as @fmnist/models' `testTimeViews` makes them: the image, four copies
 * when `shift > 0`, and all of those mirrored when `flip`; 1 without augmentation.
 */
export function testTimeViewCount(augmentation: StudyTestTimeAugmentation | undefined): number {
  return testTimeViews(augmentation).length;
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

/** One row of the robustness table: a transformation at one severity; the first row is the clean test images. */
export interface StudyRobustnessCondition {
  /** `'clean'` or the transformation: `shift`, `rotation`, `flip`, `noise`, `occlusion`, `contrast`, `invert`. */
  family: string;
  /** Pixels (shift), degrees (rotation), noise standard deviation, square side (occlusion), contrast factor; 0 clean. */
  severity: number;
  /** For people: `'clean'`, `'shift 2 px'`, `'rotation 20°'`, `'noise 0.2'`. */
  label: string;
  /** Images each model classified: the robustness test images times the condition's copies (4 shifts, 2 rotations). */
  images: number;
  /** Accuracy of each model on those images, by model name. */
  accuracy: Readonly<Record<string, number>>;
  /** McNemar's test of the baseline (`models[0]`) against the challenger (`models[1]`) on the same images. */
  mcnemar?: { b: number; c: number; pValue: number };
  /** The first robustness test image under this condition (its first copy): `rows * cols` raw pixels. */
  example: Uint8Array;
}

/** Accuracy of every model on transformed copies of the test images, the same copies for every model. */
export interface StudyRobustness {
  /** Test images the transformations were applied to: all of them, or a seeded stratified subset. */
  testImages: number;
  /** Seed of that subset and of the random transformations (noise, occluding squares). */
  seed: number;
  /** Clean first, then each transformation at each severity, mildest first within a family. */
  conditions: readonly StudyRobustnessCondition[];
}

/** What one model costs to train, store and run. */
export interface StudyModelCost {
  parameters: number;
  /** Multiply-accumulates to classify one image, counted from the layers. */
  multiplyAccumulates: number;
  /** Bytes of the saved model folder. */
  sizeOnDiskBytes: number;
  trainSeconds: number;
  trainImagesPerSecond: number;
  inference: {
    /** Images per forward pass of the throughput measurement (256). */
    batchSize: number;
    /** Test images classified per second at `batchSize`, on the calling thread. */
    imagesPerSecond: number;
    /** Milliseconds to classify one image, median and 95th percentile after warm-up. */
    latencyMs: { p50: number; p95: number };
  };
  /** The process's peak resident memory (MiB) up to the end of this model's training and testing. */
  peakResidentMiB: number;
}

/** Test accuracy after training on a stratified subset of the training images. */
export interface StudyDataEfficiencyPoint {
  trainImages: number;
  testAccuracy: number;
}

/** Weights or maps drawn as a grid of small images: `count` arrays of `rows * cols` values, one after another. */
export interface StudyWeightImages {
  /** The model they belong to (a name of `study.models`). */
  model: string;
  count: number;
  rows: number;
  cols: number;
  /** `count * rows * cols` values. */
  values: Float32Array;
}

/** What each model learned. */
export interface StudyLearned {
  /** The linear model's weight templates, one per class (the kernel column of each class). */
  templates?: StudyWeightImages;
  /** The CNN's first-layer convolution filters (averaged over input channels). */
  filters?: StudyWeightImages;
  /**
   * Occlusion sensitivity of the same test images under every model: the drop in the true class's probability when a
   * `patch`-pixel square covers each place, moved `stride` pixels at a time.
   */
  occlusion?: {
    /** Indices into `study.test`. */
    indices: readonly number[];
    patch: number;
    stride: number;
    /** By model name: `indices.length * test.rows * test.cols` drops, one map per image. */
    maps: Readonly<Record<string, Float32Array>>;
  };
}

/** Where each model breaks, what it costs, how it grows with data and what it learned. Every part is optional. */
export interface StudyAnalysis {
  robustness?: StudyRobustness;
  /** By model name. */
  cost?: Readonly<Record<string, StudyModelCost>>;
  /** By model name: test accuracy against training-set size, smallest first (the last is usually the full run). */
  dataEfficiency?: Readonly<Record<string, readonly StudyDataEfficiencyPoint[]>>;
  learned?: StudyLearned;
  /** Wall-clock seconds the robustness, cost and learned-feature measurements took together. */
  seconds?: number;
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
  /** Robustness, cost, data efficiency and learned features; see {@link StudyAnalysis}. */
  analysis?: StudyAnalysis;
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
    const augmentation = model.testTimeAugmentation;
    if (augmentation !== undefined && (typeof augmentation.flip !== 'boolean' || !isCount(augmentation.shift))) {
      fail(
        `${at}.testTimeAugmentation is ${JSON.stringify(augmentation)}; expected { flip: true or false, shift: a whole number of pixels }.`,
      );
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
  if (study.analysis !== undefined) validateAnalysis(study, study.analysis);
}

function isFraction(value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

function isCount(value: unknown, min = 0): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

function isAmount(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Keys of a by-model record must be model names. */
function checkModelKeys(record: object, at: string, names: ReadonlySet<string>): void {
  for (const key of Object.keys(record)) {
    if (!names.has(key)) fail(`${at} names model '${key}', which is not in study.models (${[...names].join(', ')}).`);
  }
}

function checkWeightImages(images: StudyWeightImages, at: string, names: ReadonlySet<string>): void {
  if (!names.has(images.model)) fail(`${at}.model is '${images.model}', which is not in study.models.`);
  if (!isCount(images.count, 1) || !isCount(images.rows, 1) || !isCount(images.cols, 1)) {
    fail(`${at} has count ${images.count}, rows ${images.rows}, cols ${images.cols}; expected whole numbers >= 1.`);
  }
  if (!(images.values instanceof Float32Array) || images.values.length !== images.count * images.rows * images.cols) {
    fail(
      `${at}.values must be a Float32Array of count * rows * cols = ${images.count * images.rows * images.cols} values.`,
    );
  }
}

function validateAnalysis(study: Study, analysis: StudyAnalysis): void {
  const names = new Set(study.models.map((model) => model.name));
  const pixels = study.test.rows * study.test.cols;
  const { robustness, cost, dataEfficiency, learned } = analysis;
  if (analysis.seconds !== undefined && !isAmount(analysis.seconds)) {
    fail(`study.analysis.seconds is ${analysis.seconds}; expected a number >= 0.`);
  }
  if (robustness) {
    if (!isCount(robustness.testImages, 1)) {
      fail(`study.analysis.robustness.testImages is ${robustness.testImages}; expected a whole number >= 1.`);
    }
    if (robustness.conditions.length === 0 || robustness.conditions[0]?.family !== 'clean') {
      fail("study.analysis.robustness.conditions must start with the 'clean' condition.");
    }
    robustness.conditions.forEach((condition, index) => {
      const at = `study.analysis.robustness.conditions[${index}] (${condition.label})`;
      if (typeof condition.family !== 'string' || typeof condition.label !== 'string' || condition.label === '') {
        fail(`${at} needs a family and a label.`);
      }
      if (!Number.isFinite(condition.severity)) fail(`${at}.severity is ${condition.severity}; expected a number.`);
      if (!isCount(condition.images, 1)) fail(`${at}.images is ${condition.images}; expected a whole number >= 1.`);
      for (const name of names) {
        if (!isFraction(condition.accuracy[name])) {
          fail(`${at}.accuracy.${name} is ${condition.accuracy[name]}; expected a fraction from 0 to 1.`);
        }
      }
      checkModelKeys(condition.accuracy, `${at}.accuracy`, names);
      const test = condition.mcnemar;
      if (test && !(isCount(test.b) && isCount(test.c) && isFraction(test.pValue))) {
        fail(`${at}.mcnemar must have whole counts b and c and a pValue from 0 to 1.`);
      }
      if (!(condition.example instanceof Uint8Array) || condition.example.length !== pixels) {
        fail(`${at}.example must be a Uint8Array of test.rows * test.cols = ${pixels} pixels.`);
      }
    });
  }
  if (cost) {
    checkModelKeys(cost, 'study.analysis.cost', names);
    for (const [name, entry] of Object.entries(cost)) {
      const fields = {
        parameters: entry.parameters,
        multiplyAccumulates: entry.multiplyAccumulates,
        sizeOnDiskBytes: entry.sizeOnDiskBytes,
        trainSeconds: entry.trainSeconds,
        trainImagesPerSecond: entry.trainImagesPerSecond,
        'inference.batchSize': entry.inference?.batchSize,
        'inference.imagesPerSecond': entry.inference?.imagesPerSecond,
        'inference.latencyMs.p50': entry.inference?.latencyMs?.p50,
        'inference.latencyMs.p95': entry.inference?.latencyMs?.p95,
        peakResidentMiB: entry.peakResidentMiB,
      };
      for (const [field, value] of Object.entries(fields)) {
        if (!isAmount(value)) fail(`study.analysis.cost.${name}.${field} is ${value}; expected a number >= 0.`);
      }
    }
  }
  if (dataEfficiency) {
    checkModelKeys(dataEfficiency, 'study.analysis.dataEfficiency', names);
    for (const [name, points] of Object.entries(dataEfficiency)) {
      points.forEach((point, index) => {
        const at = `study.analysis.dataEfficiency.${name}[${index}]`;
        if (!isCount(point.trainImages, 1)) fail(`${at}.trainImages is ${point.trainImages}; expected >= 1.`);
        if (!isFraction(point.testAccuracy)) fail(`${at}.testAccuracy is ${point.testAccuracy}; expected 0 to 1.`);
        if (index > 0 && point.trainImages <= points[index - 1]!.trainImages) {
          fail(`${at}.trainImages is ${point.trainImages}; sizes must grow from one point to the next.`);
        }
      });
    }
  }
  if (learned?.templates) checkWeightImages(learned.templates, 'study.analysis.learned.templates', names);
  if (learned?.filters) checkWeightImages(learned.filters, 'study.analysis.learned.filters', names);
  const occlusion = learned?.occlusion;
  if (occlusion) {
    const at = 'study.analysis.learned.occlusion';
    const badIndex = occlusion.indices.findIndex((index) => !isCount(index) || index >= study.test.count);
    if (badIndex >= 0) {
      fail(
        `${at}.indices[${badIndex}] is ${occlusion.indices[badIndex]}; test images run from 0 to ${study.test.count - 1}.`,
      );
    }
    if (!isCount(occlusion.patch, 1) || !isCount(occlusion.stride, 1)) {
      fail(`${at} has patch ${occlusion.patch} and stride ${occlusion.stride}; expected whole numbers >= 1.`);
    }
    checkModelKeys(occlusion.maps, `${at}.maps`, names);
    for (const [name, maps] of Object.entries(occlusion.maps)) {
      if (!(maps instanceof Float32Array) || maps.length !== occlusion.indices.length * pixels) {
        fail(
          `${at}.maps.${name} must be a Float32Array of indices.length * rows * cols = ${occlusion.indices.length * pixels} values.`,
        );
      }
    }
  }
}
