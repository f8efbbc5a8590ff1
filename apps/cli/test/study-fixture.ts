/** A synthetic study (random predictions of chosen skill) for tests that need one without training. */
import { CLASS_NAMES, createRandom } from '@fmnist/dataset';
import { calibration, classificationReport, confusionMatrix, logLoss, topKAccuracy } from '@fmnist/metrics';
import type { ModelEvaluation, TrainingHistory } from '@fmnist/models';
import { buildStudy, type TrainedModel } from '@fmnist/viz';

export const COUNT = 300;
const CLASSES = 10;

/** The dataset's seeded generator, so the fixture is the same on every run. */
export const random = createRandom;

/** Predictions right with probability `skill`, with probabilities peaked on the predicted class. */
export function fakeModel(name: string, labels: Uint8Array, skill: number, seed: number): TrainedModel {
  const next = random(seed);
  const predictions = new Uint8Array(COUNT);
  const probabilities = new Float32Array(COUNT * CLASSES);
  for (let index = 0; index < COUNT; index++) {
    const predicted = next() < skill ? labels[index]! : Math.floor(next() * CLASSES);
    predictions[index] = predicted;
    const peak = 0.5 + next() * 0.45;
    for (let k = 0; k < CLASSES; k++) {
      probabilities[index * CLASSES + k] = k === predicted ? peak : (1 - peak) / (CLASSES - 1);
    }
  }
  const options = { numClasses: CLASSES };
  const test: ModelEvaluation = {
    predictions,
    probabilities,
    report: classificationReport(labels, predictions, options),
    confusionMatrix: confusionMatrix(labels, predictions, CLASSES),
    logLoss: logLoss(labels, probabilities, options),
    top3: topKAccuracy(labels, probabilities, 3, options),
    ece: calibration(labels, probabilities, options).ece,
  };
  const history: TrainingHistory = {
    epochs: [1, 2].map((epoch) => ({
      epoch,
      loss: 1 / epoch,
      accuracy: skill - 0.1 / epoch,
      validationLoss: 1.1 / epoch,
      validationAccuracy: skill - 0.12 / epoch,
      learningRate: 0.001,
      seconds: 2,
      imagesPerSecond: 1000,
    })),
    bestEpoch: 2,
    stoppedEarly: false,
    cancelled: false,
    seconds: 4,
    imagesPerSecond: 1000,
    backend: 'cpu',
    workers: 1,
  };
  return { name, displayName: name.toUpperCase(), architecture: `${name} layers`, parameters: 1234, history, test };
}

/** Labels cycling through the classes, and a study of a weak linear model against a stronger CNN on them. */
export function fixtureStudy() {
  const next = random(7);
  const labels = Uint8Array.from({ length: COUNT }, (_, index) => index % CLASSES);
  const images = Uint8Array.from({ length: COUNT * 784 }, () => Math.floor(next() * 256));
  const models: [TrainedModel, TrainedModel] = [fakeModel('linear', labels, 0.7, 1), fakeModel('cnn', labels, 0.9, 2)];
  const study = buildStudy({
    classNames: CLASS_NAMES,
    dataset: {
      trainCount: 1000,
      validationCount: 100,
      testCount: COUNT,
      source: 'fixture',
      normalization: { mean: 0.3, std: 0.35 },
    },
    test: { images, labels, count: COUNT, rows: 28, cols: 28 },
    models,
    run: { seed: 0, backend: 'cpu', workers: 1, wallSeconds: 10, versions: { node: process.versions.node } },
    seed: 0,
  });
  return { labels, models, study };
}
