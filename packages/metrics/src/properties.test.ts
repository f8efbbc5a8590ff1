// Property tests: invariants every input must satisfy, on random labels and probabilities from fast-check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialTwoSidedPValue } from './binomial.js';
import {
  accuracy,
  classificationReport,
  classificationReportFromConfusionMatrix,
  confusionMatrix,
  logLoss,
  mcnemar,
  topKAccuracy,
} from './index.js';

/** numClasses and two label arrays of one length. */
const labelPairs = fc
  .integer({ min: 1, max: 8 })
  .chain((numClasses) =>
    fc
      .array(fc.tuple(fc.nat(numClasses - 1), fc.nat(numClasses - 1)), { minLength: 1, maxLength: 60 })
      .map((pairs) => ({ numClasses, yTrue: pairs.map(([t]) => t), yPred: pairs.map(([, p]) => p) })),
  );

/** Labels with softmax probabilities from random scores. */
const probabilityCases = fc.integer({ min: 2, max: 6 }).chain((numClasses) =>
  fc
    .array(
      fc.tuple(
        fc.nat(numClasses - 1),
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: numClasses, maxLength: numClasses }),
      ),
      { minLength: 1, maxLength: 40 },
    )
    .map((rows) => ({
      numClasses,
      yTrue: rows.map(([label]) => label),
      proba: rows.map(([, scores]) => {
        const exps = scores.map(Math.exp);
        const sum = exps.reduce((a, b) => a + b, 0);
        return exps.map((value) => value / sum);
      }),
    })),
);

describe('label metric invariants', () => {
  it('the confusion matrix counts every sample once, rows summing to the supports', () => {
    fc.assert(
      fc.property(labelPairs, ({ numClasses, yTrue, yPred }) => {
        const matrix = confusionMatrix(yTrue, yPred, numClasses);
        const report = classificationReport(yTrue, yPred, { numClasses });
        expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(yTrue.length);
        expect(matrix.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(report.perClass.map((m) => m.support));
        expect(classificationReportFromConfusionMatrix(matrix)).toEqual(report);
      }),
    );
  });

  it('micro precision, recall and F1 all equal accuracy, and every score lies in [0, 1]', () => {
    fc.assert(
      fc.property(labelPairs, fc.constantFrom(0 as const, 1 as const), ({ numClasses, yTrue, yPred }, zeroDivision) => {
        const report = classificationReport(yTrue, yPred, { numClasses, zeroDivision });
        const expected = accuracy(yTrue, yPred);
        expect(report.accuracy).toBeCloseTo(expected, 12);
        for (const value of Object.values(report.micro)) expect(value).toBeCloseTo(expected, 12);
        for (const metrics of [...report.perClass, report.macro, report.weighted]) {
          for (const value of [metrics.precision, metrics.recall, metrics.f1]) {
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });

  it('does not depend on the order of the samples', () => {
    fc.assert(
      fc.property(labelPairs, ({ numClasses, yTrue, yPred }) => {
        const reversed = classificationReport([...yTrue].reverse(), [...yPred].reverse(), { numClasses });
        expect(reversed).toEqual(classificationReport(yTrue, yPred, { numClasses }));
      }),
    );
  });
});

describe('comparison invariants', () => {
  it('swapping the models swaps b and c and keeps the p-value', () => {
    fc.assert(
      fc.property(labelPairs, fc.infiniteStream(fc.nat(7)), ({ yTrue, yPred }, stream) => {
        const other = yTrue.map(() => stream.next().value);
        const forward = mcnemar(yTrue, yPred, other);
        const backward = mcnemar(yTrue, other, yPred);
        expect([backward.b, backward.c, backward.pValue]).toEqual([forward.c, forward.b, forward.pValue]);
      }),
    );
  });

  it('the two-sided p-value lies in (0, 1], is symmetric in k and n - k, and grows towards the middle', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, fraction) => {
        const k = Math.min(n, Math.floor(fraction * (n + 1)));
        const pValue = binomialTwoSidedPValue(k, n);
        expect(pValue).toBeGreaterThanOrEqual(0);
        expect(pValue).toBeLessThanOrEqual(1);
        expect(binomialTwoSidedPValue(n - k, n)).toBe(pValue);
        if (2 * k < n - 1) expect(binomialTwoSidedPValue(k + 1, n)).toBeGreaterThanOrEqual(pValue);
      }),
    );
  });
});

describe('probability metric invariants', () => {
  it('top-k accuracy never falls as k grows and reaches 1 at k = numClasses; log loss is non-negative', () => {
    fc.assert(
      fc.property(probabilityCases, ({ numClasses, yTrue, proba }) => {
        let previous = 0;
        for (let k = 1; k <= numClasses; k++) {
          const value = topKAccuracy(yTrue, proba, k);
          expect(value).toBeGreaterThanOrEqual(previous);
          previous = value;
        }
        expect(previous).toBe(1);
        expect(logLoss(yTrue, proba)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});
