/**
 * The study report as a small document model written out twice, as Markdown and as self-contained HTML, with a
 * conclusion composed from the study's numbers. Browser-safe: it takes rendered SVGs and returns strings.
 */
import {
  accuracyDrop,
  classesByF1,
  confusedPairs,
  disagreements,
  findCondition,
  generalizationGap,
  robustnessFamilies,
} from './analysis.js';
import { bytes, count, countOf, decimal, duration, percent, points, pValue, times } from './format.js';
import { toBase64 } from './png.js';
import {
  type ConfidenceInterval,
  type Study,
  type StudyAnalysis,
  type StudyModel,
  type StudyTestTimeAugmentation,
  testTimeViewCount,
} from './study.js';

export interface ReportOptions {
  /** Report title. Default: `study.title`, else 'FashionMNIST study'. */
  title?: string;
  /** Confused class pairs listed per model. Default 5. */
  confusedPairsPerModel?: number;
  /** Significance level of McNemar's test. Default 0.05. */
  alpha?: number;
}

/** What the report needs of a rendered figure (a `RenderedFigure` has all of it). */
export interface ReportFigure {
  id: string;
  title: string;
  alt: string;
  svg: string;
  width?: number;
  height?: number;
}

export interface MarkdownReportOptions extends ReportOptions {
  /** Link of a figure from the Markdown file. Default `figures/<id>.svg`. */
  figurePath?: (id: string) => string;
}

export type Align = 'left' | 'right';

/** One piece of a report; the Markdown and HTML writers below turn a list of them into a document. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string; lead?: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][]; align: Align[] }
  | { kind: 'code'; text: string }
  | { kind: 'figure'; id: string };

function interval(ci: ConfidenceInterval, format: (value: number) => string): string {
  return `${format(ci.lower)} to ${format(ci.upper)}`;
}

function confidenceLabel(ci: ConfidenceInterval): string {
  return `${Math.round(ci.confidence * 100)}% CI`;
}

function className(study: Study, index: number): string {
  return study.classNames[index] ?? `class ${index}`;
}

/**
 * The views of test-time augmentation in words, as @fmnist/models' `testTimeViews` makes them, e.g. 'the image and
 * its copies moved 1 pixel up, down, left and right, each also mirrored left-right'.
 */
export function testTimeViewsText(augmentation: StudyTestTimeAugmentation): string {
  const { flip, shift } = augmentation;
  if (shift === 0) return flip ? 'the image and its mirror image (left-right)' : 'the image alone';
  const moved = `the image and its copies moved ${countOf(shift, 'pixel')} up, down, left and right`;
  return flip ? `${moved}, each also mirrored left-right` : moved;
}

/** The models scored with more than one view of each image, with their view count. */
function augmentedModels(study: Study): { model: StudyModel; views: number }[] {
  return study.models
    .map((model) => ({ model, views: testTimeViewCount(model.testTimeAugmentation) }))
    .filter((entry) => entry.views > 1);
}

/** How a model's scores were computed, for the Models section: its views in words, or one view of each image. */
function scoringSentence(model: StudyModel): string {
  const augmentation = model.testTimeAugmentation;
  const views = testTimeViewCount(augmentation);
  if (!augmentation || views === 1) return `${model.displayName} classifies each image once.`;
  const scores = ['test', ...(model.validation ? ['validation'] : []), ...(model.train ? ['training-sample'] : [])];
  const list = scores.length === 1 ? scores[0] : `${scores.slice(0, -1).join(', ')} and ${scores.at(-1)}`;
  return (
    `${model.displayName}'s ${list} scores average its class probabilities over ${views} views of each image: ` +
    `${testTimeViewsText(augmentation)}` +
    (augmentation.shift > 0 ? " (pixels a shift uncovers take the image's background value)." : '.')
  );
}

/** The training-to-test accuracy gap as a sentence fragment, or undefined without training figures. */
function gapPhrase(model: StudyModel): string | undefined {
  const gap = generalizationGap(model);
  const value = gap.trainToTest ?? gap.validationToTest;
  if (value === undefined) return undefined;
  const source = gap.trainToTest === undefined ? 'validation' : 'training';
  const reading =
    value > 0.03
      ? 'a noticeable overfit'
      : value > 0.01
        ? 'a modest gap'
        : value >= -0.01
          ? 'hardly any gap'
          : `better on test than on ${source}`;
  return `${model.displayName} ${points(value)} (${source} ${percent(model.test.report.accuracy + value)} → test ${percent(model.test.report.accuracy)}, ${reading})`;
}

/**
 * The conclusion, one statement per item, composed from the numbers: the winner and by how much (with its
 * interval), McNemar's verdict, where each model fails, what the challenger gains, the generalization gap,
 * calibration and cost.
 */
export function studyConclusion(study: Study, options: ReportOptions = {}): string[] {
  const alpha = options.alpha ?? 0.05;
  const statements: string[] = [];
  const [baseline, challenger] = study.models;
  if (!baseline) return statements;
  const accuracyText = (model: StudyModel) =>
    `${percent(model.test.report.accuracy)} (${confidenceLabel(model.test.accuracyCI)} ` +
    `${interval(model.test.accuracyCI, (value) => percent(value))})`;
  if (challenger) {
    const difference = challenger.test.report.accuracy - baseline.test.report.accuracy;
    const [winner, loser] = difference >= 0 ? [challenger, baseline] : [baseline, challenger];
    const ci = study.comparison?.accuracyDifferenceCI;
    // The study's interval is challenger minus baseline; state it as the winner's lead, so the signs read naturally.
    const lead = ci && difference < 0 ? { ...ci, estimate: -ci.estimate, lower: -ci.upper, upper: -ci.lower } : ci;
    const ciText = lead ? ` (${confidenceLabel(lead)} ${interval(lead, (value) => points(value))})` : '';
    const excludesZero = ci ? ci.lower > 0 || ci.upper < 0 : undefined;
    let verdict = '';
    if (excludesZero === true) verdict = ' The interval excludes zero, so the gap is not an accident of this test set.';
    if (excludesZero === false)
      verdict = ' The interval includes zero: on this test set the two cannot be told apart by accuracy.';
    statements.push(
      difference === 0
        ? `${baseline.displayName} and ${challenger.displayName} are equally accurate: ${accuracyText(baseline)}.`
        : `${winner.displayName} is the more accurate model: ${accuracyText(winner)} against ${accuracyText(loser)} for ` +
            `${loser.displayName}, ahead by ${points(Math.abs(difference)).replace('+', '')}${ciText}.${verdict}`,
    );
    const { challengerOnlyCount, baselineOnlyCount } = disagreements(
      study.test.labels,
      baseline,
      challenger,
      study.classNames.length,
      0,
    );
    const mcnemar = study.comparison?.mcnemar;
    if (mcnemar) {
      const significant = mcnemar.pValue < alpha;
      statements.push(
        `McNemar's test on the ${countOf(challengerOnlyCount + baselineOnlyCount, 'test image')} exactly one model gets right ` +
          `(${challenger.displayName} alone: ${count(challengerOnlyCount)}, ${baseline.displayName} alone: ` +
          `${count(baselineOnlyCount)}) gives p = ${pValue(mcnemar.pValue)}: ` +
          (significant
            ? `the models' error rates differ significantly at the ${percent(alpha, 0)} level.`
            : `no significant difference at the ${percent(alpha, 0)} level.`),
      );
    }
  } else {
    statements.push(`${baseline.displayName} reaches ${accuracyText(baseline)} test accuracy.`);
  }
  for (const model of study.models) {
    const worst = classesByF1(model).slice(0, 3);
    const [pair] = confusedPairs(model.test.confusionMatrix, 1);
    const pairText = pair
      ? `; its most frequent confusion is ${className(study, pair.trueClass)} taken for ` +
        `${className(study, pair.predictedClass)} (${countOf(pair.count, 'image')}, ${percent(pair.rate)} of ` +
        `${className(study, pair.trueClass)})`
      : '';
    statements.push(
      `${model.displayName} fails most on ${worst
        .map((entry) => `${className(study, entry.classIndex)} (F1 ${decimal(entry.f1, 2)})`)
        .join(', ')}${pairText}.`,
    );
  }
  if (challenger) {
    const changes = challenger.test.report.perClass
      .map((scores, classIndex) => ({
        classIndex,
        change: scores.f1 - (baseline.test.report.perClass[classIndex]?.f1 ?? 0),
      }))
      .sort((a, b) => b.change - a.change);
    // Changes that round to 0.00 are no change.
    const gains = changes.filter((entry) => entry.change >= 0.005);
    const losses = changes.filter((entry) => entry.change <= -0.005).reverse();
    const list = (entries: typeof changes) =>
      entries
        .slice(0, 3)
        .map(
          (entry) =>
            `${className(study, entry.classIndex)} (${entry.change >= 0 ? '+' : ''}${decimal(entry.change, 2)})`,
        )
        .join(', ') + (entries.length > 3 ? ` and ${entries.length - 3} more` : '');
    statements.push(
      (gains.length > 0
        ? `${challenger.displayName}'s largest F1 gains over ${baseline.displayName} are on ${list(gains)}`
        : `${challenger.displayName} improves F1 on no class over ${baseline.displayName}`) +
        (losses.length > 0 ? `; it is worse on ${list(losses)}.` : '; it is no worse on any class.'),
    );
  }
  const gaps = study.models.map(gapPhrase).filter((text): text is string => text !== undefined);
  if (gaps.length > 0) statements.push(`Generalization gap (accuracy lost from training to test): ${gaps.join('; ')}.`);
  if (challenger) {
    const [better, worse] = challenger.test.ece <= baseline.test.ece ? [challenger, baseline] : [baseline, challenger];
    statements.push(
      `${better.displayName} is the better calibrated (expected calibration error ${decimal(better.test.ece)} against ` +
        `${decimal(worse.test.ece)}); log loss ${decimal(challenger.test.logLoss)} for ${challenger.displayName}, ` +
        `${decimal(baseline.test.logLoss)} for ${baseline.displayName}.`,
    );
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a');
    const timeRatio = challenger.trainSeconds / baseline.trainSeconds;
    const speed =
      !Number.isFinite(timeRatio) || Math.abs(timeRatio - 1) < 0.05
        ? 'took about as long to train'
        : timeRatio > 1
          ? `took ${timeRatio.toFixed(1)}× as long to train`
          : `trained ${(1 / timeRatio).toFixed(1)}× faster`;
    statements.push(
      `${challenger.displayName} has ${ratio(challenger.parameters, baseline.parameters)} the parameters ` +
        `(${count(challenger.parameters)} against ${count(baseline.parameters)}) and ${speed} ` +
        `(${duration(challenger.trainSeconds)} against ${duration(baseline.trainSeconds)}).`,
    );
  }
  if (study.analysis) statements.push(...analysisConclusion(study, study.analysis, alpha));
  return statements;
}

/** Conditions the conclusion quotes, when the study has them: one per family, a telling severity. */
const QUOTED_CONDITIONS: readonly (readonly [string, number])[] = [
  ['shift', 2],
  ['rotation', 20],
  ['flip', 1],
  ['noise', 0.2],
  ['occlusion', 10],
  ['contrast', 0.25],
  ['invert', 1],
];

/** The robustness, cost and data-efficiency statements of the conclusion. */
function analysisConclusion(study: Study, analysis: StudyAnalysis, alpha: number): string[] {
  const statements: string[] = [];
  const [baseline, challenger] = study.models;
  const { robustness, cost, dataEfficiency } = analysis;
  if (robustness && baseline) {
    const quoted = QUOTED_CONDITIONS.flatMap(([family, severity]) => {
      const condition = findCondition(robustness, family, severity);
      return condition ? [condition] : [];
    });
    if (quoted.length > 0) {
      statements.push(
        `Accuracy lost to each transformation against the clean images (on ${count(robustness.testImages)} test ` +
          `images): ${quoted
            .map(
              (condition) =>
                `${condition.label} costs ${study.models
                  .map((model) => {
                    const drop = accuracyDrop(robustness, condition, model.name);
                    return drop < 0
                      ? `${model.displayName} nothing (it gains ${pointCount(-drop)})`
                      : `${model.displayName} ${pointCount(drop)}`;
                  })
                  .join(' and ')}`,
            )
            .join('; ')}.`,
      );
    }
    const transformed = robustness.conditions.filter((condition) => condition.family !== 'clean');
    for (const model of study.models) {
      const ranked = [...transformed].sort(
        (a, b) => accuracyDrop(robustness, a, model.name) - accuracyDrop(robustness, b, model.name),
      );
      const [least] = ranked;
      const most = ranked.at(-1);
      if (!least || !most) continue;
      statements.push(
        `${model.displayName} is strongest under ${least.label} (${change(accuracyDrop(robustness, least, model.name))}) ` +
          `and breaks under ${most.label} (${change(accuracyDrop(robustness, most, model.name))}, ` +
          `${percent(most.accuracy[model.name] ?? Number.NaN)} left).`,
      );
    }
    if (challenger && transformed.length > 0) {
      const ahead = transformed.filter(
        (condition) => (condition.accuracy[challenger.name] ?? 0) > (condition.accuracy[baseline.name] ?? 0),
      );
      const significant = ahead.filter((condition) => (condition.mcnemar?.pValue ?? 1) < alpha);
      const behind = transformed.filter(
        (condition) => (condition.accuracy[challenger.name] ?? 0) < (condition.accuracy[baseline.name] ?? 0),
      );
      statements.push(
        `${challenger.displayName} is more accurate than ${baseline.displayName} under ${ahead.length} of the ` +
          `${transformed.length} transformations (significantly, McNemar p < ${alpha}, under ${significant.length})` +
          (behind.length > 0
            ? `; ${baseline.displayName} is ahead under ${behind.map((condition) => condition.label).join(', ')}.`
            : `; ${baseline.displayName} is ahead under none.`),
      );
    }
  }
  const baselineCost = baseline ? cost?.[baseline.name] : undefined;
  const challengerCost = challenger ? cost?.[challenger.name] : undefined;
  if (baseline && challenger && baselineCost && challengerCost) {
    const gain = challenger.test.report.accuracy - baseline.test.report.accuracy;
    statements.push(
      `What ${challenger.displayName} costs against ${baseline.displayName}, for ${points(gain)} of test accuracy: ` +
        `${times(challengerCost.multiplyAccumulates, baselineCost.multiplyAccumulates)} the multiply-accumulates ` +
        `(${count(challengerCost.multiplyAccumulates)} against ${count(baselineCost.multiplyAccumulates)} per image), ` +
        `${times(challengerCost.parameters, baselineCost.parameters)} the parameters, ` +
        `${times(challengerCost.inference.latencyMs.p50, baselineCost.inference.latencyMs.p50)} the single-image ` +
        `latency (p50 ${decimal(challengerCost.inference.latencyMs.p50, 2)} ms against ` +
        `${decimal(baselineCost.inference.latencyMs.p50, 2)} ms), ` +
        `${times(baselineCost.inference.imagesPerSecond, challengerCost.inference.imagesPerSecond)} fewer images per ` +
        `second at batch ${challengerCost.inference.batchSize} (${count(challengerCost.inference.imagesPerSecond)} ` +
        `against ${count(baselineCost.inference.imagesPerSecond)}) and ` +
        `${times(challengerCost.sizeOnDiskBytes, baselineCost.sizeOnDiskBytes)} the size on disk ` +
        `(${bytes(challengerCost.sizeOnDiskBytes)} against ${bytes(baselineCost.sizeOnDiskBytes)}).` +
        augmentedModels(study)
          .map(
            ({ model, views }) =>
              ` These are single forward passes; ${model.displayName}'s test accuracy averages ${views} views of each ` +
              `image, ${views} passes per prediction.`,
          )
          .join(''),
    );
  }
  const baselineCurve = baseline ? dataEfficiency?.[baseline.name] : undefined;
  const challengerCurve = challenger ? dataEfficiency?.[challenger.name] : undefined;
  if (baseline && challenger && baselineCurve && challengerCurve) {
    const shared = challengerCurve.filter((point) =>
      baselineCurve.some((other) => other.trainImages === point.trainImages),
    );
    const first = shared[0];
    const last = shared.at(-1);
    if (first && last && first !== last) {
      const at = (curve: typeof baselineCurve, images: number) =>
        curve.find((point) => point.trainImages === images)?.testAccuracy ?? Number.NaN;
      const leadFirst = first.testAccuracy - at(baselineCurve, first.trainImages);
      const leadLast = last.testAccuracy - at(baselineCurve, last.trainImages);
      statements.push(
        `With ${count(first.trainImages)} training images ${baseline.displayName} reaches ` +
          `${percent(at(baselineCurve, first.trainImages))} and ${challenger.displayName} ${percent(first.testAccuracy)}; ` +
          `with ${count(last.trainImages)}, ${percent(at(baselineCurve, last.trainImages))} and ` +
          `${percent(last.testAccuracy)}: ${challenger.displayName}'s lead goes from ${points(leadFirst)} to ` +
          `${points(leadLast)}.`,
      );
    }
  }
  return statements;
}

/** A fraction as percentage points in words: `0.251` → `'25.1 points'`. */
function pointCount(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.abs(fraction * 100).toFixed(1)} points` : 'n/a';
}

/** Accuracy lost (positive) or gained (negative) in words: `'25.1 points lost'`, `'0.4 points gained'`. */
function change(drop: number): string {
  return `${pointCount(drop)} ${drop < 0 ? 'gained' : 'lost'}`;
}

function buildDocument(study: Study, figures: readonly ReportFigure[], options: ReportOptions): Block[] {
  const has = new Set(figures.map((figure) => figure.id));
  const figure = (id: string): Block[] => (has.has(id) ? [{ kind: 'figure', id }] : []);
  const [baseline, challenger] = study.models;
  const blocks: Block[] = [];
  const title = options.title ?? study.title ?? 'FashionMNIST study';
  blocks.push({ kind: 'heading', level: 1, text: title });
  blocks.push({
    kind: 'paragraph',
    text:
      `${study.models.map((model) => model.displayName).join(' against ')} on ${count(study.test.count)} ` +
      `FashionMNIST test images. Created ${study.createdAt}.`,
  });

  blocks.push({ kind: 'heading', level: 2, text: 'Conclusion' });
  blocks.push({ kind: 'list', items: studyConclusion(study, options) });

  blocks.push({ kind: 'heading', level: 2, text: 'Data' });
  blocks.push({
    kind: 'table',
    header: ['Split', 'Images'],
    align: ['left', 'right'],
    rows: [
      ['Training', count(study.dataset.trainCount)],
      ['Validation', count(study.dataset.validationCount)],
      ['Test', count(study.dataset.testCount)],
    ],
  });
  blocks.push({
    kind: 'paragraph',
    text:
      `Source: ${study.dataset.source}. Pixels scaled to [0, 1], then normalized with mean ` +
      `${decimal(study.dataset.normalization.mean, 4)} and standard deviation ${decimal(study.dataset.normalization.std, 4)}. ` +
      `${study.classNames.length} classes: ${study.classNames.join(', ')}.`,
  });
  blocks.push(...figure('class-samples'));

  blocks.push({ kind: 'heading', level: 2, text: 'Models' });
  blocks.push({
    kind: 'table',
    header: ['Model', 'Parameters', 'Epochs', 'Training time', 'Training images/s', 'Backend'],
    align: ['left', 'right', 'right', 'right', 'right', 'left'],
    rows: study.models.map((model) => [
      model.displayName,
      count(model.parameters),
      String(model.history.length),
      duration(model.trainSeconds),
      count(model.trainImagesPerSecond),
      model.backend,
    ]),
  });
  const augmented = augmentedModels(study);
  if (augmented.length > 0) {
    blocks.push({
      kind: 'paragraph',
      lead: 'Test-time augmentation.',
      text: study.models.map(scoringSentence).join(' '),
    });
  }
  for (const model of study.models) {
    blocks.push({ kind: 'heading', level: 3, text: model.displayName });
    blocks.push({ kind: 'code', text: model.architecture });
  }
  blocks.push(...figure('learning-curves'));

  blocks.push({ kind: 'heading', level: 2, text: 'Results' });
  const ciLabel = baseline ? confidenceLabel(baseline.test.accuracyCI) : '95% CI';
  blocks.push({
    kind: 'table',
    header: [
      'Model',
      'Test accuracy',
      ciLabel,
      'Macro F1',
      'Weighted F1',
      'Top-3 accuracy',
      'Log loss',
      'ECE',
      'Train accuracy',
      'Validation accuracy',
    ],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: study.models.map((model) => [
      model.displayName,
      percent(model.test.report.accuracy, 2),
      interval(model.test.accuracyCI, (value) => percent(value, 2)),
      decimal(model.test.report.macro.f1),
      decimal(model.test.report.weighted.f1),
      percent(model.test.top3, 2),
      decimal(model.test.logLoss),
      decimal(model.test.ece),
      model.train ? percent(model.train.accuracy, 2) : 'n/a',
      model.validation ? percent(model.validation.accuracy, 2) : 'n/a',
    ]),
  });
  if (augmented.length > 0) blocks.push({ kind: 'paragraph', text: resultsScoringText(study) });
  if (baseline && challenger && study.comparison) {
    const { mcnemar, accuracyDifferenceCI: ci } = study.comparison;
    blocks.push({ kind: 'heading', level: 3, text: `${challenger.displayName} against ${baseline.displayName}` });
    blocks.push({
      kind: 'table',
      header: ['Statistic', 'Value'],
      align: ['left', 'right'],
      rows: [
        [`Accuracy difference (${challenger.displayName} − ${baseline.displayName})`, points(ci.estimate, 2)],
        [confidenceLabel(ci), interval(ci, (value) => points(value, 2))],
        [`Images only ${baseline.displayName} gets right (McNemar b)`, count(mcnemar.b)],
        [`Images only ${challenger.displayName} gets right (McNemar c)`, count(mcnemar.c)],
        ["McNemar's exact p-value", pValue(mcnemar.pValue)],
        [
          `Significant at ${percent(options.alpha ?? 0.05, 0)}`,
          mcnemar.pValue < (options.alpha ?? 0.05) ? 'yes' : 'no',
        ],
      ],
    });
  }

  blocks.push({ kind: 'heading', level: 2, text: 'Per-class analysis' });
  const header = ['Class', 'Support'];
  const align: Align[] = ['left', 'right'];
  for (const model of study.models) {
    header.push(`${model.displayName} precision`, `${model.displayName} recall`, `${model.displayName} F1`);
    align.push('right', 'right', 'right');
  }
  if (baseline && challenger) {
    header.push('F1 change');
    align.push('right');
  }
  blocks.push({
    kind: 'table',
    header,
    align,
    rows: study.classNames.map((name, classIndex) => {
      const row = [name, count(baseline?.test.report.perClass[classIndex]?.support ?? Number.NaN)];
      for (const model of study.models) {
        const scores = model.test.report.perClass[classIndex];
        row.push(
          decimal(scores?.precision ?? Number.NaN),
          decimal(scores?.recall ?? Number.NaN),
          decimal(scores?.f1 ?? Number.NaN),
        );
      }
      if (baseline && challenger) {
        const change =
          (challenger.test.report.perClass[classIndex]?.f1 ?? Number.NaN) -
          (baseline.test.report.perClass[classIndex]?.f1 ?? Number.NaN);
        row.push(`${change >= 0 ? '+' : ''}${decimal(change)}`);
      }
      return row;
    }),
  });
  blocks.push(...figure('per-class-metrics'));
  for (const model of study.models) blocks.push(...figure(`confusion-${model.name}`));

  blocks.push({ kind: 'heading', level: 2, text: 'Most confused class pairs' });
  const pairsPerModel = options.confusedPairsPerModel ?? 5;
  for (const model of study.models) {
    blocks.push({ kind: 'heading', level: 3, text: model.displayName });
    const pairs = confusedPairs(model.test.confusionMatrix, pairsPerModel);
    blocks.push(
      pairs.length === 0
        ? { kind: 'paragraph', text: 'No confusions.' }
        : {
            kind: 'table',
            header: ['True class', 'Predicted as', 'Images', 'Share of true class'],
            align: ['left', 'left', 'right', 'right'],
            rows: pairs.map((pair) => [
              className(study, pair.trueClass),
              className(study, pair.predictedClass),
              count(pair.count),
              percent(pair.rate),
            ]),
          },
    );
  }

  blocks.push({ kind: 'heading', level: 2, text: 'Calibration' });
  blocks.push({
    kind: 'paragraph',
    text:
      'How far each model’s confidence can be trusted: the expected calibration error (ECE) is the average gap ' +
      `between confidence and accuracy, weighted by how many predictions fall at each confidence. ` +
      study.models.map((model) => `${model.displayName}: ECE ${decimal(model.test.ece)}`).join('; ') +
      '.',
  });
  blocks.push(...figure('calibration'));

  blocks.push({ kind: 'heading', level: 2, text: 'Galleries' });
  blocks.push({
    kind: 'paragraph',
    text:
      'The errors a model makes while most sure of itself, and the images on which the two models disagree: ' +
      'each tile is a 28×28 test image, enlarged, with the true class and the predictions.',
  });
  for (const model of study.models) blocks.push(...figure(`mistakes-${model.name}`));
  blocks.push(...figure('disagreements'));

  if (study.analysis) blocks.push(...analysisBlocks(study, study.analysis, figure));

  blocks.push({ kind: 'heading', level: 2, text: 'Run' });
  blocks.push({
    kind: 'table',
    header: ['Setting', 'Value'],
    align: ['left', 'left'],
    rows: [
      ['Seed', String(study.run.seed)],
      ['Backend', study.run.backend],
      ['Workers', String(study.run.workers)],
      ['Wall time', duration(study.run.wallSeconds)],
      ...(study.analysis?.seconds === undefined
        ? []
        : [['Analysis time (robustness, cost, learned features)', duration(study.analysis.seconds)]]),
      ...Object.entries(study.run.versions).map(([name, version]) => [name, version]),
    ],
  });
  // Figures the document did not place (e.g. added later) still appear, at the end.
  const placed = new Set(blocks.flatMap((block) => (block.kind === 'figure' ? [block.id] : [])));
  const rest = figures.filter((item) => !placed.has(item.id));
  if (rest.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: 'More figures' });
    for (const item of rest) blocks.push({ kind: 'figure', id: item.id });
  }
  return blocks;
}

/**
 * Under the results table, when a model averages views: whose scores do, and which analysis sections measure single
 * images instead.
 */
function resultsScoringText(study: Study): string {
  const parts = study.models.map((model, index) => {
    const views = testTimeViewCount(model.testTimeAugmentation);
    const scores = index === 0 ? `${model.displayName}'s scores in this table` : `${model.displayName}'s`;
    return views > 1 ? `${scores} average ${views} views of each image` : `${scores} come from the image alone`;
  });
  let text = `${parts.join('; ')} (see Models).`;
  const analysis = study.analysis;
  const single = [
    ...(analysis?.robustness ? ['robustness'] : []),
    ...(analysis?.cost ? ['inference cost'] : []),
    ...(analysis?.learned?.occlusion ? ['occlusion sensitivity'] : []),
  ];
  if (single.length > 0) {
    const list = single.length === 1 ? single[0] : `${single.slice(0, -1).join(', ')} and ${single.at(-1)}`;
    text +=
      ` The ${list} measurements below run each network once on single images, without these views, so its ` +
      'accuracy on clean images there can differ from its test accuracy here.';
  }
  return text;
}

/** The Robustness, Cost, Data efficiency and What each model learned sections. */
function analysisBlocks(study: Study, analysis: StudyAnalysis, figure: (id: string) => Block[]): Block[] {
  const blocks: Block[] = [];
  const [baseline, challenger] = study.models;
  const { robustness, cost, dataEfficiency, learned } = analysis;
  if (robustness) {
    blocks.push({ kind: 'heading', level: 2, text: 'Robustness' });
    const subset =
      robustness.testImages < study.test.count
        ? `a seeded stratified subset of ${count(robustness.testImages)} of the ${count(study.test.count)} test images (seed ${robustness.seed})`
        : `all ${count(robustness.testImages)} test images`;
    blocks.push({
      kind: 'paragraph',
      text:
        `Each model classified transformed copies of ${subset}, the same copies for every model: shifts in the four ` +
        'directions and rotations both ways (averaged), a horizontal flip, Gaussian noise (standard deviation on ' +
        '[0, 1] pixels), one random occluding square per image, lowered contrast, and inverted images (a check out ' +
        'of distribution). Pixels a transformation uncovers are black, the background. McNemar’s exact test compares ' +
        'the two models on the same transformed images.' +
        augmentedModels(study)
          .map(
            ({ model }) =>
              ` ${model.displayName} classifies each copy once, without its test-time views, so its clean row can ` +
              `differ from its test accuracy in Results` +
              (robustness.testImages < study.test.count
                ? ` (measured on all ${count(study.test.count)} test images, not this subset).`
                : '.'),
          )
          .join(''),
    });
    const header = ['Condition', 'Images'];
    const align: Align[] = ['left', 'right'];
    for (const model of study.models) {
      header.push(model.displayName);
      align.push('right');
    }
    if (baseline && challenger) {
      header.push(`Difference (${challenger.displayName} − ${baseline.displayName})`, 'McNemar p');
      align.push('right', 'right');
    }
    blocks.push({
      kind: 'table',
      header,
      align,
      rows: robustness.conditions.map((condition) => {
        const row = [condition.label, count(condition.images)];
        for (const model of study.models) row.push(percent(condition.accuracy[model.name] ?? Number.NaN, 2));
        if (baseline && challenger) {
          row.push(
            points(
              (condition.accuracy[challenger.name] ?? Number.NaN) - (condition.accuracy[baseline.name] ?? Number.NaN),
              2,
            ),
            condition.mcnemar ? pValue(condition.mcnemar.pValue) : 'n/a',
          );
        }
        return row;
      }),
    });
    blocks.push(...figure('robustness-examples'));
    for (const { family } of robustnessFamilies(robustness)) blocks.push(...figure(`robustness-${family}`));
  }
  if (cost) {
    blocks.push({ kind: 'heading', level: 2, text: 'Cost' });
    const models = study.models.filter((model) => cost[model.name]);
    blocks.push({
      kind: 'table',
      header: [
        'Model',
        'Test accuracy',
        'Parameters',
        'Multiply-accumulates per image',
        'Size on disk',
        'Training time',
        'Training images/s',
        'Inference images/s',
        'Latency p50',
        'Latency p95',
        'Peak memory',
      ],
      align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      rows: models.map((model) => {
        const entry = cost[model.name]!;
        return [
          model.displayName,
          percent(model.test.report.accuracy, 2),
          count(entry.parameters),
          count(entry.multiplyAccumulates),
          bytes(entry.sizeOnDiskBytes),
          duration(entry.trainSeconds),
          count(entry.trainImagesPerSecond),
          count(entry.inference.imagesPerSecond),
          `${decimal(entry.inference.latencyMs.p50, 2)} ms`,
          `${decimal(entry.inference.latencyMs.p95, 2)} ms`,
          `${count(entry.peakResidentMiB)} MiB`,
        ];
      }),
    });
    const batch = models.map((model) => cost[model.name]!.inference.batchSize)[0] ?? 256;
    blocks.push({
      kind: 'paragraph',
      text:
        'Multiply-accumulates are counted from the layers (dense: inputs × outputs; convolution: output positions × ' +
        'kernel area × input channels × filters). Size on disk is the saved model folder. Inference is measured on ' +
        `one thread after a warm-up: images per second in batches of ${batch}, and the latency of classifying one ` +
        'image at a time (median and 95th percentile). Peak memory is the process’s resident high-water mark up to the ' +
        'end of that model’s training and testing (the models train one after the other, so it includes the data).' +
        augmentedModels(study)
          .map(
            ({ model, views }) =>
              ` These are single forward passes; ${model.displayName}’s test accuracy averages ${views} views of ` +
              `each image, so each of its predictions as scored costs ${views} passes: ${views} times the ` +
              'multiply-accumulates and about 1/' +
              `${views} of the images per second (its saved model’s classifier applies the views by default).`,
          )
          .join(''),
    });
    blocks.push(...figure('cost-accuracy'));
  }
  if (dataEfficiency && Object.keys(dataEfficiency).length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: 'Data efficiency' });
    const sizes = [...new Set(Object.values(dataEfficiency).flatMap((curve) => curve.map((p) => p.trainImages)))].sort(
      (a, b) => a - b,
    );
    const accuracyAt = (name: string, size: number) =>
      dataEfficiency[name]?.find((point) => point.trainImages === size)?.testAccuracy ?? Number.NaN;
    const header = ['Training images', ...study.models.map((model) => model.displayName)];
    const align: Align[] = ['right', ...study.models.map((): Align => 'right')];
    if (baseline && challenger) {
      header.push(`Difference (${challenger.displayName} − ${baseline.displayName})`);
      align.push('right');
    }
    blocks.push({
      kind: 'paragraph',
      text:
        'Each model trained with its own recipe on stratified subsets of the training images (the same subsets for ' +
        'both, validation data held out as in the full run), and tested on the same test images; the largest size is ' +
        'the full run.' +
        augmentedModels(study)
          .map(
            ({ model, views }) =>
              ` ${model.displayName} is tested at every size as in the full run, averaging ${views} views of each image.`,
          )
          .join(''),
    });
    blocks.push({
      kind: 'table',
      header,
      align,
      rows: sizes.map((size) => {
        const row = [count(size), ...study.models.map((model) => percent(accuracyAt(model.name, size), 2))];
        if (baseline && challenger)
          row.push(points(accuracyAt(challenger.name, size) - accuracyAt(baseline.name, size), 2));
        return row;
      }),
    });
    blocks.push(...figure('data-efficiency'));
  }
  if (learned && (learned.templates || learned.filters || learned.occlusion)) {
    blocks.push({ kind: 'heading', level: 2, text: 'What each model learned' });
    const parts: string[] = [];
    if (learned.templates) {
      parts.push(
        'The linear model scores each class with one weight per pixel: drawn as an image, each class’s weights form ' +
          'a template of the garment (red where brightness raises the score, blue where it lowers it).',
      );
    }
    if (learned.filters) {
      parts.push(
        `The CNN instead learns ${learned.filters.count} small ${learned.filters.rows}×${learned.filters.cols} ` +
          'filters in its first layer, local patterns it looks for everywhere in the image.',
      );
    }
    if (learned.occlusion) {
      parts.push(
        `Occlusion sensitivity treats both models alike: a ${learned.occlusion.patch}×${learned.occlusion.patch} ` +
          `square of background slides over ${countOf(learned.occlusion.indices.length, 'test image')} ` +
          `(${learned.occlusion.stride} pixels at a time), and each place is colored by how much the probability of ` +
          'the true class drops when it is covered.',
      );
    }
    blocks.push({ kind: 'paragraph', text: parts.join(' ') });
    if (learned.templates) blocks.push(...figure(`templates-${learned.templates.model}`));
    if (learned.filters) blocks.push(...figure(`filters-${learned.filters.model}`));
    if (learned.occlusion) blocks.push(...figure('occlusion'));
  }
  return blocks;
}

function markdownText(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** The report as Markdown; figures are linked (by default `figures/<id>.svg`), not embedded. */
export function reportMarkdown(
  study: Study,
  figures: readonly ReportFigure[],
  options: MarkdownReportOptions = {},
): string {
  return markdownFromBlocks(buildDocument(study, figures, options), figures, options.figurePath);
}

/** A document as Markdown; figures are linked with `figurePath` (default `figures/<id>.svg`), not embedded. */
export function markdownFromBlocks(
  blocks: readonly Block[],
  figures: readonly ReportFigure[],
  figurePath?: (id: string) => string,
): string {
  const path = figurePath ?? ((id: string) => `figures/${id}.svg`);
  const byId = new Map(figures.map((figure) => [figure.id, figure]));
  let figureNumber = 0;
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level)} ${markdownText(block.text)}`);
        break;
      case 'paragraph':
        out.push(block.lead ? `**${markdownText(block.lead)}** ${markdownText(block.text)}` : markdownText(block.text));
        break;
      case 'list':
        out.push(block.items.map((item) => `- ${markdownText(item)}`).join('\n'));
        break;
      case 'table': {
        const row = (cells: readonly string[]) => `| ${cells.map(markdownText).join(' | ')} |`;
        const rule = `| ${block.align.map((side) => (side === 'right' ? '---:' : '---')).join(' | ')} |`;
        out.push([row(block.header), rule, ...block.rows.map(row)].join('\n'));
        break;
      }
      case 'code': {
        const fence = block.text.includes('```') ? '~~~~' : '```';
        out.push(`${fence}text\n${block.text.replace(/\n$/, '')}\n${fence}`);
        break;
      }
      case 'figure': {
        const item = byId.get(block.id);
        if (!item) break;
        figureNumber++;
        const alt = item.alt.replace(/[[\]\n]/g, ' ');
        out.push(`![${alt}](${path(item.id)})\n\n*Figure ${figureNumber}. ${markdownText(item.title)}*`);
        break;
      }
    }
  }
  return `${out.join('\n\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #1b1b1b; background: #fff;
  max-width: 1180px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #d0d0d0; padding: 0.3rem 0.6rem; vertical-align: top; }
th { background: #f3f3f3; }
td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 0.7rem; overflow-x: auto; font-size: 0.85rem; }
figure { margin: 1.4rem 0; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9rem; color: #333; margin-top: 0.4rem; }
li { margin: 0.3rem 0; }
`;

/**
 * The report as one self-contained HTML page: styles inline and figures embedded as SVG data URIs, so it opens
 * offline and can be mailed as a single file. A Content-Security-Policy forbids any network access.
 */
export function reportHtml(study: Study, figures: readonly ReportFigure[], options: ReportOptions = {}): string {
  const title = options.title ?? study.title ?? 'FashionMNIST study';
  return htmlFromBlocks(title, buildDocument(study, figures, options), figures);
}

/** A document as one self-contained HTML page (see {@link reportHtml}). */
export function htmlFromBlocks(title: string, blocks: readonly Block[], figures: readonly ReportFigure[]): string {
  const byId = new Map(figures.map((figure) => [figure.id, figure]));
  let figureNumber = 0;
  const body: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        body.push(`<h${block.level}>${escapeHtml(block.text)}</h${block.level}>`);
        break;
      case 'paragraph':
        body.push(`<p>${block.lead ? `<strong>${escapeHtml(block.lead)}</strong> ` : ''}${escapeHtml(block.text)}</p>`);
        break;
      case 'list':
        body.push(`<ul>\n${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>`);
        break;
      case 'table': {
        const cell = (tag: string, text: string, index: number) =>
          `<${tag}${block.align[index] === 'right' ? ' class="right"' : ''}>${escapeHtml(text)}</${tag}>`;
        body.push(
          `<table>\n<thead><tr>${block.header.map((text, index) => cell('th', text, index)).join('')}</tr></thead>\n<tbody>\n` +
            block.rows
              .map((row) => `<tr>${row.map((text, index) => cell('td', text, index)).join('')}</tr>`)
              .join('\n') +
            '\n</tbody>\n</table>',
        );
        break;
      }
      case 'code':
        body.push(`<pre><code>${escapeHtml(block.text)}</code></pre>`);
        break;
      case 'figure': {
        const item = byId.get(block.id);
        if (!item) break;
        figureNumber++;
        const size =
          item.width && item.height ? ` width="${Math.round(item.width)}" height="${Math.round(item.height)}"` : '';
        const source = `data:image/svg+xml;base64,${toBase64(new TextEncoder().encode(item.svg))}`;
        body.push(
          `<figure id="figure-${escapeHtml(item.id)}">\n<img src="${source}" alt="${escapeHtml(item.alt)}"${size}>\n` +
            `<figcaption><strong>Figure ${figureNumber}.</strong> ${escapeHtml(item.title)}</figcaption>\n</figure>`,
        );
        break;
      }
    }
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
