/** buildStudy and metricsFromStudy: the intervals, the paired test and the metrics.json contract. */
import { accuracy } from '@fmnist/metrics';
import { describe, expect, it } from 'vitest';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { buildStudy, metricsFromStudy, type TrainedModel } from './assemble.js';
import type { StudyModel } from './study.js';
import { validateStudy } from './study.js';

/** A trained model's input to buildStudy, taken from a fixture study's model (its scores and history). */
function trainedModel(model: StudyModel, withFit: boolean): TrainedModel {
  const test = { ...model.test, predictions: model.predictions, probabilities: model.probabilities };
  const fit = (figures: { accuracy: number; loss: number }) => ({
    report: { ...model.test.report, accuracy: figures.accuracy },
    logLoss: figures.loss,
  });
  return {
    name: model.name,
    displayName: model.displayName,
    architecture: model.architecture,
    parameters: model.parameters,
    // Extra fields per epoch, as @fmnist/models' histories have, are dropped.
    history: {
      epochs: model.history.map((epoch) => ({ ...epoch, learningRate: 0.001 })),
      seconds: model.trainSeconds,
      imagesPerSecond: model.trainImagesPerSecond,
      backend: model.backend,
    },
    test,
    ...(withFit && model.train && model.validation
      ? { train: fit(model.train), validation: fit(model.validation) }
      : {}),
  };
}

function fixture() {
  const source = makeFixtureStudy({ count: 400 });
  const models = [trainedModel(source.models[0]!, true), trainedModel(source.models[1]!, false)] as const;
  const labels = source.test.labels;
  const study = buildStudy({
    classNames: source.classNames,
    dataset: source.dataset,
    test: source.test,
    models,
    run: source.run,
    seed: 0,
  });
  return { source, labels, models, study };
}

describe('buildStudy', () => {
  const { source, labels, models, study } = fixture();
  const [linear, cnn] = models;

  it('gives each model a bootstrap 95% interval around its test accuracy', () => {
    for (const [index, model] of models.entries()) {
      const ci = study.models[index]!.test.accuracyCI;
      expect(ci.estimate).toBe(accuracy(labels, model.test.predictions));
      expect(ci.confidence).toBe(0.95);
      expect(ci.lower).toBeLessThan(ci.estimate);
      expect(ci.upper).toBeGreaterThan(ci.estimate);
    }
  });

  it('compares the challenger with the baseline on the same images (McNemar, paired difference)', () => {
    let baselineOnly = 0;
    let challengerOnly = 0;
    for (let index = 0; index < labels.length; index++) {
      const baselineRight = linear.test.predictions[index] === labels[index];
      const challengerRight = cnn.test.predictions[index] === labels[index];
      if (baselineRight && !challengerRight) baselineOnly++;
      if (challengerRight && !baselineRight) challengerOnly++;
    }
    expect(study.comparison.mcnemar).toMatchObject({ b: baselineOnly, c: challengerOnly });
    expect(study.comparison.mcnemar.pValue).toBeLessThan(0.05);
    const difference = study.comparison.accuracyDifferenceCI;
    expect(difference.estimate).toBeCloseTo(
      accuracy(labels, cnn.test.predictions) - accuracy(labels, linear.test.predictions),
      12,
    );
    expect(difference.lower).toBeGreaterThan(0);
  });

  it('keeps the history figures it draws, the 15-bin calibration, and the fit only where it was given', () => {
    expect(study.models[0]!.history).toEqual(source.models[0]!.history);
    expect(study.models[0]!.history[0]).not.toHaveProperty('learningRate');
    expect(study.models[0]!.test.calibration?.bins).toHaveLength(15);
    expect(study.models[0]!.train).toEqual(source.models[0]!.train);
    expect(study.models[0]!.validation).toEqual(source.models[0]!.validation);
    expect(study.models[1]).not.toHaveProperty('train');
    expect(study.models[1]!.trainSeconds).toBe(source.models[1]!.trainSeconds);
    expect(() => validateStudy(study)).not.toThrow();
  });

  it('gives the same intervals for the same seed', () => {
    expect(fixture().study.comparison).toEqual(study.comparison);
  });
});

describe('metricsFromStudy', () => {
  it('puts the report with logLoss, top3, ece and accuracyCI under models.<name>.test, and the history beside it', () => {
    const { study } = fixture();
    const metrics = metricsFromStudy(study);
    expect(metrics).toMatchObject({ format: 'fmnist-metrics', formatVersion: 1, createdAt: study.createdAt });
    expect(Object.keys(metrics.models)).toEqual(['linear', 'cnn']);
    const linear = metrics.models.linear!;
    expect(linear.test).toMatchObject({
      accuracy: study.models[0]!.test.report.accuracy,
      logLoss: expect.any(Number),
      top3: expect.any(Number),
      ece: expect.any(Number),
      accuracyCI: study.models[0]!.test.accuracyCI,
    });
    expect(linear.test.perClass).toHaveLength(10);
    expect(linear.history).toHaveLength(3);
    expect(linear.validation).toEqual(study.models[0]!.validation);
    expect(metrics.models.cnn).not.toHaveProperty('validation');
    expect(metrics.comparison).toEqual({
      baseline: 'linear',
      challenger: 'cnn',
      mcnemar: study.comparison.mcnemar,
      accuracyDifferenceCI: study.comparison.accuracyDifferenceCI,
    });
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
  });
});

describe('test-time augmentation', () => {
  it('is carried from the trained model to the study and metrics.json, and absent where it was not used', () => {
    const source = makeFixtureStudy({ count: 400 });
    const augmentation = { flip: true, shift: 1 };
    const study = buildStudy({
      classNames: source.classNames,
      dataset: source.dataset,
      test: source.test,
      models: [
        trainedModel(source.models[0]!, true),
        { ...trainedModel(source.models[1]!, true), testTimeAugmentation: augmentation },
      ],
      run: source.run,
      seed: 0,
    });
    expect(study.models[1]!.testTimeAugmentation).toEqual(augmentation);
    expect(study.models[0]).not.toHaveProperty('testTimeAugmentation');
    expect(() => validateStudy(study)).not.toThrow();
    const metrics = metricsFromStudy(study);
    expect(metrics.models.cnn!.testTimeAugmentation).toEqual(augmentation);
    expect(metrics.models.linear).not.toHaveProperty('testTimeAugmentation');
  });

  it('is checked by validateStudy', () => {
    const { study } = fixture();
    const bad = { ...study, models: [study.models[0]!, { ...study.models[1]!, testTimeAugmentation: { shift: 1 } }] };
    expect(() => validateStudy(bad as never)).toThrow(/study\.models\[1\] \(cnn\)\.testTimeAugmentation is/);
  });
});
