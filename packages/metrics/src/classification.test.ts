import { describe, expect, it } from 'vitest';
import {
  accuracy,
  classificationReport,
  classificationReportFromConfusionMatrix,
  confusionMatrix,
  precisionRecallF1,
  type ZeroDivision,
} from './index.js';
import { thrown } from './test-helpers.js';

function expectScores(actual: { precision: number; recall: number; f1: number }, expected: number[]): void {
  expect([actual.precision, actual.recall, actual.f1].map((value) => Number(value.toFixed(12)))).toEqual(
    expected.map((value) => Number(value.toFixed(12))),
  );
}

describe('classificationReport on a hand-checked case', () => {
  // Confusion matrix [[2, 1, 0], [0, 1, 1], [0, 0, 1]].
  const yTrue = [0, 0, 0, 1, 1, 2];
  const yPred = [0, 0, 1, 1, 2, 2];
  const report = classificationReport(yTrue, yPred, { numClasses: 3 });

  it('gives per-class precision, recall, F1 and support', () => {
    expectScores(report.perClass[0]!, [1, 2 / 3, 0.8]);
    expectScores(report.perClass[1]!, [0.5, 0.5, 0.5]);
    expectScores(report.perClass[2]!, [0.5, 1, 2 / 3]);
    expect(report.perClass.map((metrics) => metrics.support)).toEqual([3, 2, 1]);
    expect(report.support).toBe(6);
    expect(report.numClasses).toBe(3);
  });

  it('gives accuracy and the macro, weighted and micro averages', () => {
    expect(report.accuracy).toBeCloseTo(4 / 6, 15);
    expectScores(report.macro, [2 / 3, 13 / 18, 59 / 90]);
    expectScores(report.weighted, [0.75, 4 / 6, 61 / 90]);
    expectScores(report.micro, [4 / 6, 4 / 6, 4 / 6]);
  });

  it('is the same whether computed from labels or from the confusion matrix', () => {
    expect(classificationReportFromConfusionMatrix(confusionMatrix(yTrue, yPred, 3))).toEqual(report);
  });

  it('is what precisionRecallF1 returns for each average', () => {
    expect(precisionRecallF1(yTrue, yPred, { numClasses: 3, average: 'none' })).toEqual(report.perClass);
    expect(precisionRecallF1(yTrue, yPred, { numClasses: 3, average: 'macro' })).toEqual(report.macro);
    expect(precisionRecallF1(yTrue, yPred, { numClasses: 3, average: 'weighted' })).toEqual(report.weighted);
    expect(precisionRecallF1(yTrue, yPred, { numClasses: 3, average: 'micro' })).toEqual(report.micro);
  });
});

describe('zero division corners', () => {
  // Class 2 is predicted but never true; class 3 is neither true nor predicted.
  const yTrue = [0, 0, 1, 1];
  const yPred = [0, 2, 1, 1];
  const reportWith = (zeroDivision: ZeroDivision) =>
    classificationReport(yTrue, yPred, { numClasses: 4, zeroDivision });

  it('a class never true has recall = zeroDivision and F1 = 0; a class never seen has all three = zeroDivision', () => {
    for (const zeroDivision of [0, 1] as const) {
      const report = reportWith(zeroDivision);
      expectScores(report.perClass[2]!, [0, zeroDivision, 0]);
      expectScores(report.perClass[3]!, [zeroDivision, zeroDivision, zeroDivision]);
    }
    const report = reportWith('nan');
    expect(report.perClass[2]!.precision).toBe(0);
    expect(report.perClass[2]!.recall).toBeNaN();
    expect(report.perClass[2]!.f1).toBe(0);
    expect([report.perClass[3]!.precision, report.perClass[3]!.recall, report.perClass[3]!.f1]).toEqual([
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ]);
  });

  it('defaults to zeroDivision 0', () => {
    expect(classificationReport(yTrue, yPred, { numClasses: 4 })).toEqual(reportWith(0));
  });

  it('macro and weighted averages include the substituted 0 or 1', () => {
    expectScores(reportWith(0).macro, [0.5, 0.375, 5 / 12]);
    expectScores(reportWith(1).macro, [0.75, 0.875, 2 / 3]);
    expectScores(reportWith(0).weighted, [1, 0.75, 5 / 6]);
  });

  it("with 'nan', averages skip the undefined scores", () => {
    expectScores(reportWith('nan').macro, [2 / 3, 0.75, 5 / 9]);
    expectScores(reportWith('nan').weighted, [1, 0.75, 5 / 6]);
    expectScores(reportWith('nan').micro, [0.75, 0.75, 0.75]);
  });

  it('a class present but never predicted has precision = zeroDivision, recall 0 and F1 0', () => {
    for (const zeroDivision of [0, 1, 'nan'] as const) {
      const [, missed] = precisionRecallF1([0, 1, 1], [0, 0, 0], { numClasses: 2, average: 'none', zeroDivision });
      expect(missed!.precision).toBe(zeroDivision === 'nan' ? Number.NaN : zeroDivision);
      expect([missed!.recall, missed!.f1]).toEqual([0, 0]);
    }
  });

  it("with 'nan', a weighted average whose defined scores all weigh 0 falls back to their plain mean", () => {
    // Precision: class 0 is never predicted (NaN), class 1 has precision 0 but support 0.
    const weighted = precisionRecallF1([0, 0], [1, 1], { numClasses: 2, average: 'weighted', zeroDivision: 'nan' });
    expectScores(weighted, [0, 0, 0]);
  });
});

describe('option and input errors', () => {
  it('rejects an unknown average or zeroDivision, naming the accepted values', () => {
    const average = 'binary' as 'macro';
    const error = thrown(() => precisionRecallF1([0], [0], { numClasses: 2, average }));
    expect(error.code).toBe('E_METRICS_INVALID_OPTION');
    expect(error.message).toContain("'none', 'macro', 'micro', 'weighted'");
    const zeroDivision = 'warn' as unknown as ZeroDivision;
    expect(thrown(() => classificationReport([0], [0], { numClasses: 2, zeroDivision })).message).toContain(
      "0, 1 or 'nan'",
    );
  });

  it('rejects bad confusion matrices', () => {
    expect(thrown(() => classificationReportFromConfusionMatrix([[1, 2], [3]])).code).toBe('E_METRICS_INVALID_SHAPE');
    expect(
      thrown(() =>
        classificationReportFromConfusionMatrix([
          [1, -2],
          [3, 4],
        ]),
      ).message,
    ).toContain('matrix[0][1]');
    expect(thrown(() => classificationReportFromConfusionMatrix([[0]])).code).toBe('E_METRICS_EMPTY_INPUT');
  });
});

describe('accuracy', () => {
  it('is the fraction of equal labels, for arrays and typed arrays', () => {
    expect(accuracy([0, 1, 2, 3], [0, 1, 0, 0])).toBe(0.5);
    expect(accuracy(new Uint8Array([9, 9, 9]), new Int32Array([9, 9, 1]))).toBeCloseTo(2 / 3, 15);
  });

  it('checks labels against numClasses when given, naming argument and index', () => {
    expect(thrown(() => accuracy([0, 1], [0, 5], { numClasses: 3 })).message).toContain('yPred[1] is 5');
    expect(thrown(() => accuracy([0, -1], [0, 1])).code).toBe('E_METRICS_LABEL_OUT_OF_RANGE');
    expect(thrown(() => accuracy([0, 0.5], [0, 1])).code).toBe('E_METRICS_LABEL_NOT_INTEGER');
    expect(thrown(() => accuracy([0, 1], [0])).code).toBe('E_METRICS_LENGTH_MISMATCH');
  });
});
