/** Classification reports as text (laid out like scikit-learn's `classification_report`) and as Markdown tables. */
import type { AverageMetrics, ClassificationReport } from './classification.js';
import { MetricsError } from './errors.js';
import { assertInteger } from './validate.js';

export interface FormatReportOptions {
  /** One name per class, in class order. Default: the class indices. */
  classNames?: readonly string[];
  /** Digits after the decimal point. Default 2, as scikit-learn. */
  digits?: number;
}

/**
 * `value` with `digits` decimals as Python's `format(value, '.{digits}f')`: like `toFixed`, except that exact ties
 * round to even, and NaN prints as `nan`.
 */
export function formatFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'nan';
  const rounded = value.toFixed(digits);
  // toFixed(100) is the exact decimal value of any double that can sit exactly on a tie at `digits` decimals.
  const exact = Math.abs(value).toFixed(100);
  const point = exact.indexOf('.');
  const cut = point + 1 + digits;
  if (exact[cut] !== '5' || !/^0*$/.test(exact.slice(cut + 1))) return rounded;
  const kept = exact.slice(0, digits === 0 ? point : cut);
  const lastDigit = Number(kept[kept.length - 1]);
  return lastDigit % 2 === 0 ? `${value < 0 ? '-' : ''}${kept}` : rounded;
}

function resolveNames(report: ClassificationReport, options: FormatReportOptions): { names: string[]; digits: number } {
  const digits = options.digits ?? 2;
  assertInteger(digits, 'digits', 0);
  const names = options.classNames
    ? [...options.classNames]
    : Array.from({ length: report.numClasses }, (_, index) => String(index));
  if (names.length !== report.numClasses) {
    throw new MetricsError(
      'E_METRICS_INVALID_OPTION',
      `classNames has ${names.length} names but the report has ${report.numClasses} classes; pass one name per class.`,
    );
  }
  return { names, digits };
}

function averageRows(report: ClassificationReport): [string, AverageMetrics][] {
  return [
    ['macro avg', report.macro],
    ['weighted avg', report.weighted],
  ];
}

/**
 * The report as scikit-learn's `classification_report` prints it: per-class rows, then accuracy, macro and weighted
 * averages. (scikit-learn prints a "micro avg" row instead of "accuracy" when a class is absent from both label
 * arrays; the values are the same.)
 */
export function formatClassificationReport(report: ClassificationReport, options: FormatReportOptions = {}): string {
  const { names, digits } = resolveNames(report, options);
  const width = Math.max(...names.map((name) => name.length), 'weighted avg'.length, digits);
  const cell = (text: string) => ` ${text.padStart(9)}`;
  const row = (name: string, metrics: AverageMetrics, support: number) =>
    `${name.padStart(width)} ${cell(formatFixed(metrics.precision, digits))}${cell(formatFixed(metrics.recall, digits))}${cell(formatFixed(metrics.f1, digits))}${cell(String(support))}\n`;
  let text = `${''.padStart(width)} ${['precision', 'recall', 'f1-score', 'support'].map(cell).join('')}\n\n`;
  report.perClass.forEach((metrics, index) => {
    text += row(names[index]!, metrics, metrics.support);
  });
  text += `\n${'accuracy'.padStart(width)} ${cell('')}${cell('')}${cell(formatFixed(report.accuracy, digits))}${cell(String(report.support))}\n`;
  for (const [name, metrics] of averageRows(report)) text += row(name, metrics, report.support);
  return text;
}

/** The report as a Markdown table: one row per class, then accuracy, macro and weighted averages. */
export function classificationReportMarkdown(report: ClassificationReport, options: FormatReportOptions = {}): string {
  const { names, digits } = resolveNames(report, options);
  const number = (value: number) => formatFixed(value, digits);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |\n`;
  const escapeCell = (name: string) => name.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
  let text = line(['class', 'precision', 'recall', 'f1-score', 'support']);
  text += line([':--', '--:', '--:', '--:', '--:']);
  report.perClass.forEach((metrics, index) => {
    text += line([
      escapeCell(names[index]!),
      number(metrics.precision),
      number(metrics.recall),
      number(metrics.f1),
      String(metrics.support),
    ]);
  });
  text += line(['**accuracy**', '', '', number(report.accuracy), String(report.support)]);
  for (const [name, metrics] of averageRows(report)) {
    text += line([
      `**${name}**`,
      number(metrics.precision),
      number(metrics.recall),
      number(metrics.f1),
      String(report.support),
    ]);
  }
  return text;
}
