import { describe, expect, it } from 'vitest';
import { formatFixed } from './format.js';
import {
  classificationReport,
  classificationReportMarkdown,
  formatClassificationReport,
  MetricsError,
} from './index.js';

describe('formatFixed', () => {
  it("rounds like Python's format(value, '.Nf'): exact ties to even, everything else to nearest", () => {
    const cases: [number, number, string][] = [
      [0.125, 2, '0.12'],
      [0.375, 2, '0.38'],
      [2.5, 0, '2'],
      [3.5, 0, '4'],
      [0.5, 0, '0'],
      [1.5, 0, '2'],
      [0.0625, 3, '0.062'],
      [0.665, 2, '0.67'],
      [1.005, 2, '1.00'],
      [1, 2, '1.00'],
      [-0.125, 2, '-0.12'],
    ];
    for (const [value, digits, expected] of cases) expect(formatFixed(value, digits), `${value}`).toBe(expected);
  });

  it('prints NaN as nan', () => {
    expect(formatFixed(Number.NaN, 2)).toBe('nan');
  });
});

describe('report formatting', () => {
  // Class 2 is predicted but never true, so its recall is undefined.
  const report = classificationReport([0, 0, 1, 1], [0, 2, 1, 1], { numClasses: 3, zeroDivision: 'nan' });

  it('lays text out like scikit-learn, with class names, widths and nan', () => {
    const text = formatClassificationReport(report, { classNames: ['T-shirt/top', 'Trouser', 'Pullover'] });
    expect(text).toBe(
      [
        '              precision    recall  f1-score   support',
        '',
        ' T-shirt/top       1.00      0.50      0.67         2',
        '     Trouser       1.00      1.00      1.00         2',
        '    Pullover       0.00       nan      0.00         0',
        '',
        '    accuracy                           0.75         4',
        '   macro avg       0.67      0.75      0.56         4',
        'weighted avg       1.00      0.75      0.83         4',
        '',
      ].join('\n'),
    );
  });

  it('widens the name column for long class names', () => {
    const text = formatClassificationReport(report, { classNames: ['a very long class name', 'b', 'c'], digits: 3 });
    expect(text.split('\n')[2]).toBe('a very long class name      1.000     0.500     0.667         2');
  });

  it('writes a Markdown table with escaped names', () => {
    expect(classificationReportMarkdown(report, { classNames: ['a|b', 'c', 'd'] })).toBe(
      [
        '| class | precision | recall | f1-score | support |',
        '| :-- | --: | --: | --: | --: |',
        '| a\\|b | 1.00 | 0.50 | 0.67 | 2 |',
        '| c | 1.00 | 1.00 | 1.00 | 2 |',
        '| d | 0.00 | nan | 0.00 | 0 |',
        '| **accuracy** |  |  | 0.75 | 4 |',
        '| **macro avg** | 0.67 | 0.75 | 0.56 | 4 |',
        '| **weighted avg** | 1.00 | 0.75 | 0.83 | 4 |',
        '',
      ].join('\n'),
    );
  });

  it('uses class indices without names and rejects a wrong number of names', () => {
    expect(classificationReportMarkdown(report)).toContain('| 2 | 0.00 | nan |');
    expect(() => formatClassificationReport(report, { classNames: ['a'] })).toThrow(MetricsError);
    expect(() => classificationReportMarkdown(report, { digits: -1 })).toThrow(/digits/);
  });
});
