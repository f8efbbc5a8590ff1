/** buildStudy and metricsFromStudy: the intervals, the paired test and the metrics.json contract. */
import { accuracy } from '@fmnist/metrics';
import { describe, expect, it } from 'vitest';
import { metricsFromStudy } from '../src/study.js';
import { fixtureStudy } from './study-fixture.js';

describe('buildStudy', () => {
  const { labels, models, study } = fixtureStudy();
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
});

describe('metricsFromStudy', () => {
  it('puts the report with logLoss, top3, ece and accuracyCI under models.<name>.test, and the history beside it', () => {
    const { study } = fixtureStudy();
    const metrics = metricsFromStudy(study);
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
    expect(linear.history).toHaveLength(2);
    expect(metrics.comparison).toMatchObject({ baseline: 'linear', challenger: 'cnn' });
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);
  });
});
