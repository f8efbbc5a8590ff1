/** A synthetic study from a seeded generator: plausible numbers, shapes for images, no training needed. */
import { CLASS_NAMES, createRandom } from '@fmnist/dataset';
import {
  accuracy,
  bootstrapCI,
  calibration,
  classificationReport,
  confusionMatrix,
  logLoss,
  mcnemar,
  pairedBootstrapDifferenceCI,
  topKAccuracy,
} from '@fmnist/metrics';
import type { Study, StudyModel } from '../study.js';

export const FIXTURE_CLASS_NAMES = CLASS_NAMES;

/** The class each class is most often mistaken for in FashionMNIST. */
const LOOKALIKE = [6, 3, 4, 4, 2, 7, 0, 9, 0, 7];

/** The dataset's seeded generator, so every fixture is the same on every run. */
export const seededRandom = createRandom;

/** 28x28 pictures: a class-specific bright rectangle with noise, so galleries show distinguishable tiles. */
function syntheticImages(labels: Uint8Array, random: () => number): Uint8Array {
  const size = 28;
  const images = new Uint8Array(labels.length * size * size);
  labels.forEach((label, index) => {
    const width = 6 + 2 * label;
    const height = 24 - label;
    const left = Math.floor((size - width) / 2);
    const top = Math.floor((size - height) / 2);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = x >= left && x < left + width && y >= top && y < top + height;
        images[index * size * size + y * size + x] = inside
          ? 140 + Math.floor(random() * 115)
          : Math.floor(random() * 20);
      }
    }
  });
  return images;
}

function syntheticModel(
  name: string,
  displayName: string,
  labels: Uint8Array,
  classAccuracy: readonly number[],
  random: () => number,
  epochs: number,
): StudyModel {
  const classes = classAccuracy.length;
  const count = labels.length;
  const predictions = new Uint8Array(count);
  const probabilities = new Float32Array(count * classes);
  for (let index = 0; index < count; index++) {
    const label = labels[index]!;
    let predicted = label;
    if (random() >= classAccuracy[label]!) {
      predicted = random() < 0.6 ? LOOKALIKE[label]! : (label + 1 + Math.floor(random() * (classes - 1))) % classes;
    }
    predictions[index] = predicted;
    // Top probability in [0.45, 1): the runner-up gets at most 60% of the rest (< 0.33), so argmax is `predicted`.
    const top = 0.45 + 0.549 * Math.sqrt(random());
    const runnerUp = predicted === label ? LOOKALIKE[label]! : label;
    const rest = 1 - top;
    const row = probabilities.subarray(index * classes, (index + 1) * classes);
    row[predicted] = top;
    row[runnerUp] = rest * 0.6;
    const others = Array.from({ length: classes }, (_, column) => column).filter(
      (column) => column !== predicted && column !== runnerUp,
    );
    const weights = others.map(() => random() + 0.01);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    others.forEach((column, position) => {
      row[column] = (rest * 0.4 * weights[position]!) / total;
    });
  }
  const numClasses = classes;
  const testAccuracy = accuracy(labels, predictions);
  const history = Array.from({ length: epochs }, (_, epoch) => {
    const progress = (epoch + 1) / epochs;
    return {
      epoch: epoch + 1,
      loss: 0.9 - 0.5 * progress + 0.02 * random(),
      accuracy: testAccuracy - 0.08 * (1 - progress) + 0.02,
      validationLoss: 0.95 - 0.45 * progress + 0.02 * random(),
      validationAccuracy: testAccuracy - 0.07 * (1 - progress) + 0.005,
      seconds: 2 + random(),
    };
  });
  const last = history.at(-1)!;
  return {
    name,
    displayName,
    architecture: `${name}: Flatten -> Dense(10, softmax)`,
    parameters: name === 'linear' ? 7850 : 421_642,
    trainSeconds: history.reduce((sum, epoch) => sum + epoch.seconds, 0),
    trainImagesPerSecond: name === 'linear' ? 50_000 : 2_000,
    backend: 'cpu',
    history,
    test: {
      report: classificationReport(labels, predictions, { numClasses }),
      confusionMatrix: confusionMatrix(labels, predictions, numClasses),
      logLoss: logLoss(labels, probabilities, { numClasses }),
      top3: topKAccuracy(labels, probabilities, 3, { numClasses }),
      ece: calibration(labels, probabilities, { numClasses }).ece,
      accuracyCI: bootstrapCI((t, p) => accuracy(t, p), labels, predictions, { resamples: 200, seed: 1 }),
      calibration: calibration(labels, probabilities, { numClasses, bins: 10 }),
    },
    predictions,
    probabilities,
    train: { accuracy: last.accuracy, loss: last.loss },
    validation: { accuracy: last.validationAccuracy, loss: last.validationLoss },
  };
}

export interface FixtureOptions {
  /** Test images. Default 600. */
  count?: number;
  seed?: number;
  epochs?: number;
  /** Per-class accuracy of the baseline and the challenger. */
  linearAccuracy?: readonly number[];
  cnnAccuracy?: readonly number[];
}

/** A two-model study (linear baseline, CNN challenger) of synthetic data, with every metric computed for real. */
export function makeFixtureStudy(options: FixtureOptions = {}): Study {
  const count = options.count ?? 600;
  const random = seededRandom(options.seed ?? 1);
  const epochs = options.epochs ?? 3;
  const labels = Uint8Array.from({ length: count }, () => Math.floor(random() * 10));
  const linear = syntheticModel(
    'linear',
    'Linear',
    labels,
    options.linearAccuracy ?? [0.8, 0.95, 0.74, 0.84, 0.76, 0.92, 0.55, 0.9, 0.93, 0.94],
    random,
    epochs,
  );
  const cnn = syntheticModel(
    'cnn',
    'CNN',
    labels,
    options.cnnAccuracy ?? [0.86, 0.98, 0.86, 0.91, 0.86, 0.97, 0.7, 0.96, 0.98, 0.96],
    random,
    epochs,
  );
  const test = mcnemar(labels, linear.predictions, cnn.predictions);
  return {
    title: 'Fixture study',
    createdAt: '2026-01-02T03:04:05.000Z',
    classNames: FIXTURE_CLASS_NAMES,
    dataset: {
      trainCount: 54_000,
      validationCount: 6_000,
      testCount: count,
      source: '/usr/share/datasets/fashion-mnist',
      normalization: { mean: 0.286, std: 0.353 },
    },
    test: { images: syntheticImages(labels, random), labels, count, rows: 28, cols: 28 },
    models: [linear, cnn],
    comparison: {
      mcnemar: test,
      accuracyDifferenceCI: pairedBootstrapDifferenceCI(labels, cnn.predictions, linear.predictions, {
        resamples: 200,
        seed: 1,
      }),
    },
    run: { seed: options.seed ?? 1, backend: 'cpu', workers: 2, wallSeconds: 42.5, versions: { node: '20.20.2' } },
  };
}
