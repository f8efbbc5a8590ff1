import { mcnemar } from '@fmnist/metrics';
import { describe, expect, it } from 'vitest';
import { makeFixtureStudy } from './__fixtures__/study.js';
import {
  classesByF1,
  classSamples,
  confusedPairs,
  disagreements,
  generalizationGap,
  mostConfidentMistakes,
  reliability,
} from './analysis.js';

const labels = Uint8Array.of(0, 1, 2, 0, 1, 2);
// Two classes of three; probabilities of the predicted class set per image.
function model(predictions: number[], top: number[]) {
  const probabilities = new Float32Array(predictions.length * 3).fill(0.05);
  predictions.forEach((predicted, index) => {
    probabilities[index * 3 + predicted] = top[index]!;
  });
  return { predictions: Uint8Array.from(predictions), probabilities };
}

describe('mostConfidentMistakes', () => {
  it('lists only wrong predictions, most confident first, ties by test index, up to the limit', () => {
    const mistakes = mostConfidentMistakes(labels, model([1, 1, 0, 2, 0, 2], [0.6, 0.9, 0.8, 0.8, 0.7, 0.9]), 3, 3);
    expect(mistakes.map((mistake) => mistake.index)).toEqual([2, 3, 4]);
    expect(mistakes[0]).toEqual({ index: 2, trueClass: 2, predictedClass: 0, probability: expect.closeTo(0.8, 6) });
    expect(mostConfidentMistakes(labels, model([0, 1, 2, 0, 1, 2], [1, 1, 1, 1, 1, 1]), 3, 10)).toEqual([]);
  });
});

describe('disagreements', () => {
  it('splits the images exactly one model gets right, and its counts are McNemar c and b', () => {
    const study = makeFixtureStudy({ count: 400 });
    const [baseline, challenger] = study.models;
    const found = disagreements(study.test.labels, baseline!, challenger!, 10, 5);
    const test = mcnemar(study.test.labels, baseline!.predictions, challenger!.predictions);
    expect(found.baselineOnlyCount).toBe(test.b);
    expect(found.challengerOnlyCount).toBe(test.c);
    expect(found.challengerOnly).toHaveLength(Math.min(5, test.c));
    for (const item of found.challengerOnly) {
      expect(challenger!.predictions[item.index]).toBe(item.trueClass);
      expect(baseline!.predictions[item.index]).not.toBe(item.trueClass);
    }
    const wrongConfidence = found.challengerOnly.map((item) => item.wrong.probability);
    expect(wrongConfidence).toEqual([...wrongConfidence].sort((a, b) => b - a));
  });
});

describe('class pairs, samples, gaps', () => {
  it('confusedPairs gives counts and the share of the true class, largest first', () => {
    const pairs = confusedPairs(
      [
        [8, 2, 0],
        [5, 5, 0],
        [0, 1, 9],
      ],
      2,
    );
    expect(pairs).toEqual([
      { trueClass: 1, predictedClass: 0, count: 5, rate: 0.5 },
      { trueClass: 0, predictedClass: 1, count: 2, rate: 0.2 },
    ]);
  });

  it('classSamples takes the first test images of each class in order', () => {
    expect(classSamples(Uint8Array.of(2, 0, 2, 2, 1, 0), 3, 2)).toEqual([[1, 5], [4], [0, 2]]);
  });

  it('classesByF1 ranks worst first; generalizationGap subtracts test accuracy', () => {
    const study = makeFixtureStudy({ count: 300 });
    const linear = study.models[0]!;
    const ranked = classesByF1(linear);
    expect(ranked[0]!.f1).toBe(Math.min(...linear.test.report.perClass.map((scores) => scores.f1)));
    expect(generalizationGap(linear).trainToTest).toBeCloseTo(linear.train!.accuracy - linear.test.report.accuracy, 12);
    const { train: _train, validation: _validation, ...bare } = linear;
    expect(generalizationGap(bare)).toEqual({});
  });

  it('reliability uses the study bins when present and computes them from probabilities otherwise', () => {
    const study = makeFixtureStudy({ count: 300 });
    const linear = study.models[0]!;
    expect(reliability(study, linear, 15)).toBe(linear.test.calibration);
    const { calibration: _calibration, ...test } = linear.test;
    const computed = reliability(study, { ...linear, test }, 5);
    expect(computed.bins).toHaveLength(5);
    expect(computed.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(300);
  });
});
