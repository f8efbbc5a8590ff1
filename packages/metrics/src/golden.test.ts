// Compares every metric with the values scikit-learn and scipy give for the same inputs (scripts/golden.py).
import { describe, expect, it } from 'vitest';
import golden from './__fixtures__/golden.json' with { type: 'json' };
import {
  accuracy,
  calibration,
  classificationReport,
  confusionMatrix,
  formatClassificationReport,
  logLoss,
  mcnemar,
  precisionRecallF1,
  topKAccuracy,
  type ZeroDivision,
} from './index.js';

const TOLERANCE = 1e-9;

/** Deep comparison within TOLERANCE, where the JSON's null stands for NaN. */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (expected === null) {
    expect(Number.isNaN(actual), `${path}: expected NaN, got ${String(actual)}`).toBe(true);
  } else if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), `${path}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(
      TOLERANCE,
    );
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((item, index) => {
      expectClose((actual as unknown[])[index], item, `${path}[${index}]`);
    });
  } else if (typeof expected === 'object') {
    for (const [key, item] of Object.entries(expected as object)) {
      expectClose((actual as Record<string, unknown>)[key], item, `${path}.${key}`);
    }
  } else {
    expect(actual, path).toBe(expected);
  }
}

/** Per-class results as the golden file stores them: one array per score. */
function columns(perClass: { precision: number; recall: number; f1: number; support: number }[]) {
  return {
    precision: perClass.map((metrics) => metrics.precision),
    recall: perClass.map((metrics) => metrics.recall),
    f1: perClass.map((metrics) => metrics.f1),
    support: perClass.map((metrics) => metrics.support),
  };
}

const ZERO_DIVISIONS: Record<string, ZeroDivision> = { '0': 0, '1': 1, nan: 'nan' };

describe('label metrics equal scikit-learn 1.2 within 1e-9', () => {
  for (const testCase of golden.labels) {
    const { yTrue, yPred, numClasses } = testCase;
    it(`${testCase.name}: accuracy and confusion matrix`, () => {
      expectClose(accuracy(yTrue, yPred), testCase.accuracy, 'accuracy');
      expect(confusionMatrix(yTrue, yPred, numClasses)).toEqual(testCase.confusionMatrix);
      // Typed arrays give the same counts as plain arrays.
      expect(confusionMatrix(Uint8Array.from(yTrue), Int32Array.from(yPred), numClasses)).toEqual(
        testCase.confusionMatrix,
      );
    });
    for (const [key, zeroDivision] of Object.entries(ZERO_DIVISIONS)) {
      const expected = testCase.zeroDivision[key as keyof typeof testCase.zeroDivision];
      it(`${testCase.name}: precision, recall and F1 for every average, zeroDivision ${key}`, () => {
        const perClass = precisionRecallF1(yTrue, yPred, { numClasses, average: 'none', zeroDivision });
        expectClose(columns(perClass), expected.none, 'none');
        for (const average of ['macro', 'micro', 'weighted'] as const) {
          expectClose(
            precisionRecallF1(yTrue, yPred, { numClasses, average, zeroDivision }),
            expected[average],
            average,
          );
        }
        const report = classificationReport(yTrue, yPred, { numClasses, zeroDivision });
        expectClose(report, { macro: expected.macro, micro: expected.micro, weighted: expected.weighted }, 'report');
        expectClose(report.accuracy, testCase.accuracy, 'report.accuracy');
      });
    }
    const text = 'text' in testCase ? testCase.text : undefined;
    if (text) {
      it(`${testCase.name}: text report is scikit-learn's character for character`, () => {
        const report = classificationReport(yTrue, yPred, { numClasses });
        expect(formatClassificationReport(report)).toBe(text.digits2);
        const classNames = Array.from({ length: numClasses }, (_, index) => `class ${index}`);
        expect(formatClassificationReport(report, { classNames, digits: 4 })).toBe(text.digits4names);
      });
    }
  }
});

describe('probability metrics equal scikit-learn 1.2 within 1e-9', () => {
  for (const testCase of golden.probabilities) {
    const { yTrue, proba, numClasses } = testCase;
    it(`${testCase.name}: logLoss with default and explicit eps`, () => {
      expectClose(logLoss(yTrue, proba), testCase.logLoss, 'logLoss');
      expectClose(logLoss(yTrue, proba, { eps: 1e-3 }), testCase['logLossEps1e-3'], 'logLoss eps');
      expectClose(logLoss(yTrue, Float64Array.from(proba.flat()), { numClasses }), testCase.logLoss, 'flat');
    });
    it(`${testCase.name}: topKAccuracy for every k`, () => {
      for (const [k, expected] of Object.entries(testCase.topK)) {
        expectClose(topKAccuracy(yTrue, proba, Number(k)), expected, `top-${k}`);
      }
    });
    it(`${testCase.name}: calibration bins and ECE equal the numpy reference`, () => {
      for (const [bins, expected] of Object.entries(testCase.calibration)) {
        expectClose(calibration(yTrue, proba, { bins: Number(bins) }), expected, `calibration ${bins}`);
      }
    });
  }
});

describe('mcnemar equals scipy.stats.binomtest', () => {
  it('gives the exact two-sided p-value for every (b, c), n up to 20,000, within 1e-9 relative', () => {
    for (const { b, c, pValue } of golden.mcnemar.pairs) {
      const yTrue = new Uint8Array(b + c);
      const predA = Uint8Array.from({ length: b + c }, (_, index) => (index < b ? 0 : 1));
      const predB = predA.map((value) => 1 - value);
      const result = mcnemar(yTrue, predA, predB);
      expect([result.b, result.c]).toEqual([b, c]);
      const scale = Math.max(pValue, Number.MIN_VALUE);
      expect(Math.abs(result.pValue - pValue) / scale, `b=${b} c=${c}: ${result.pValue} vs ${pValue}`).toBeLessThan(
        TOLERANCE,
      );
    }
  });
  it('counts b and c from label arrays as scipy does', () => {
    for (const testCase of golden.mcnemar.arrays) {
      const result = mcnemar(testCase.yTrue, testCase.predA, testCase.predB);
      expect([result.b, result.c]).toEqual([testCase.b, testCase.c]);
      expectClose(result.pValue, testCase.pValue, 'pValue');
    }
  });
});
