/**
 * A study repeated over several seeds: each seed's metrics.json summarized per model (mean, sample standard
 * deviation, minimum and maximum of the test scores over seeds), each seed's comparison as it was computed, how often
 * the challenger wins, and the report and figure of it all. Plain data in, plain data out; browser-safe.
 */
import { type SummaryStatistics, summaryStatistics } from '@fmnist/metrics';
import type { StudyMetrics } from './assemble.js';
import { VizError } from './errors.js';
import { topLevel } from './figure-parts.js';
import { decimal, percent, points, pValue } from './format.js';
import {
  type Align,
  type Block,
  htmlFromBlocks,
  markdownFromBlocks,
  type ReportFigure,
  testTimeViewsText,
} from './report.js';
import type { FigureSpec } from './specs.js';
import {
  type ConfidenceInterval,
  type StudyComparison,
  type StudyTestTimeAugmentation,
  testTimeViewCount,
} from './study.js';
import { OKABE_ITO } from './theme.js';

/** One seed's finished study: its seed, its folder (relative to the seeds' report) and its metrics.json. */
export interface SeedStudy {
  seed: number;
  /** Where the seed's study is, relative to where the seeds' report goes, e.g. `seed-0`. */
  folder: string;
  metrics: StudyMetrics;
}

/** The test scores summarized over seeds, by their names in metrics.json. */
export const SEED_SCORES = ['accuracy', 'macroF1', 'logLoss', 'ece'] as const;

export type SeedScore = (typeof SEED_SCORES)[number];

/** One model's scores on one seed's test images. */
export type SeedModelScores = Record<SeedScore, number> & { trainSeconds: number };

/** One seed's row: each model's scores and the comparison of the challenger with the baseline on that seed. */
export interface SeedRun {
  seed: number;
  folder: string;
  /** By model name. */
  models: Record<string, SeedModelScores>;
  /** McNemar's test and the paired bootstrap interval of the accuracy difference, as the seed's study computed them. */
  comparison: {
    mcnemar: StudyComparison['mcnemar'];
    /** Challenger's accuracy minus the baseline's. */
    accuracyDifferenceCI: ConfidenceInterval;
  };
}

/** The `aggregate` section of a seeds metrics.json. */
export interface SeedsAggregate {
  /** The seeds summarized, in the order they ran. */
  seeds: number[];
  /** Model names, as in each seed's metrics.json: the baseline and the challenger compared with it. */
  baseline: string;
  challenger: string;
  /**
   * By model name, baseline first: the count, mean, sample standard deviation (n - 1; null for one seed), minimum
   * and maximum over seeds of each test score and of the training seconds, and the test-time augmentation the
   * scores were measured with (the first seed's; absent: the image alone).
   */
  models: Record<
    string,
    {
      displayName: string;
      test: Record<SeedScore, SummaryStatistics>;
      trainSeconds: SummaryStatistics;
      testTimeAugmentation?: StudyTestTimeAugmentation;
    }
  >;
  /** The challenger's test accuracy minus the baseline's, summarized over seeds. */
  accuracyDifference: SummaryStatistics;
  /** Seeds on which the challenger's test accuracy is higher than the baseline's. */
  challengerWins: number;
  /** Of those, the seeds on which McNemar's test also finds the difference significant at `alpha`. */
  significantChallengerWins: number;
  /** Significance level of `significantChallengerWins`. */
  alpha: number;
  /** One entry per seed, in `seeds` order. */
  runs: SeedRun[];
}

/** The metrics.json of a study over several seeds: the aggregate, and what the seeds share. */
export interface SeedsMetrics {
  format: 'fmnist-seeds-metrics';
  formatVersion: 1;
  createdAt: string;
  /** The first seed's image counts and data source (every seed has the same counts; the split differs). */
  dataset: Pick<StudyMetrics['dataset'], 'trainCount' | 'validationCount' | 'testCount' | 'source'>;
  aggregate: SeedsAggregate;
}

export interface AggregateSeedsOptions {
  /** Significance level for counting significant wins. Default 0.05. */
  alpha?: number;
  /** ISO 8601 time stamp. Default: now. */
  createdAt?: string;
}

function invalid(message: string): VizError {
  return new VizError('E_VIZ_INVALID_STUDY', message);
}

function scoresOf(metrics: StudyMetrics, name: string, seed: number): SeedModelScores {
  const model = metrics.models[name];
  if (!model) throw invalid(`the study of seed ${seed} has no model '${name}'`);
  return {
    accuracy: model.test.accuracy,
    macroF1: model.test.macro.f1,
    logLoss: model.test.logLoss,
    ece: model.test.ece,
    trainSeconds: model.trainSeconds,
  };
}

/**
 * Summarizes the studies of several seeds (at least one; distinct seeds; the same baseline and challenger in each).
 * Throws VizError E_VIZ_INVALID_STUDY naming the seed that does not fit.
 */
export function aggregateSeeds(studies: readonly SeedStudy[], options: AggregateSeedsOptions = {}): SeedsMetrics {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) {
    throw new VizError('E_VIZ_INVALID_OPTION', `alpha must be a number between 0 and 1, got ${String(alpha)}.`);
  }
  const [first] = studies;
  if (!first) throw invalid('no seeds to aggregate: pass at least one seed’s study');
  const { baseline, challenger } = first.metrics.comparison;
  if (baseline === undefined || challenger === undefined) {
    throw invalid(`the study of seed ${first.seed} compares no two models`);
  }
  const seen = new Set<number>();
  const runs = studies.map(({ seed, folder, metrics }): SeedRun => {
    if (seen.has(seed)) throw invalid(`seed ${seed} is given twice`);
    seen.add(seed);
    if (metrics.comparison.baseline !== baseline || metrics.comparison.challenger !== challenger) {
      throw invalid(
        `the study of seed ${seed} compares ${metrics.comparison.challenger} with ${metrics.comparison.baseline}, ` +
          `not ${challenger} with ${baseline} as seed ${first.seed} does`,
      );
    }
    for (const name of [baseline, challenger]) {
      const views = metrics.models[name]?.testTimeAugmentation;
      const firstViews = first.metrics.models[name]?.testTimeAugmentation;
      if (views?.flip !== firstViews?.flip || views?.shift !== firstViews?.shift) {
        throw invalid(
          `the study of seed ${seed} scores ${name} with test-time augmentation ${JSON.stringify(views ?? null)}, ` +
            `not ${JSON.stringify(firstViews ?? null)} as seed ${first.seed} does; aggregate studies scored alike`,
        );
      }
    }
    return {
      seed,
      folder,
      models: { [baseline]: scoresOf(metrics, baseline, seed), [challenger]: scoresOf(metrics, challenger, seed) },
      comparison: {
        mcnemar: metrics.comparison.mcnemar,
        accuracyDifferenceCI: metrics.comparison.accuracyDifferenceCI,
      },
    };
  });
  const summarize = (name: string, pick: (scores: SeedModelScores) => number) =>
    summaryStatistics(runs.map((run) => pick(run.models[name]!)));
  const models: SeedsAggregate['models'] = {};
  for (const name of [baseline, challenger]) {
    const { displayName, testTimeAugmentation } = first.metrics.models[name]!;
    models[name] = {
      displayName,
      test: Object.fromEntries(
        SEED_SCORES.map((score) => [score, summarize(name, (scores) => scores[score])]),
      ) as Record<SeedScore, SummaryStatistics>,
      trainSeconds: summarize(name, (scores) => scores.trainSeconds),
      ...(testTimeAugmentation ? { testTimeAugmentation: { ...testTimeAugmentation } } : {}),
    };
  }
  const differences = runs.map((run) => run.models[challenger]!.accuracy - run.models[baseline]!.accuracy);
  const wins = runs.filter((_, index) => differences[index]! > 0);
  return {
    format: 'fmnist-seeds-metrics',
    formatVersion: 1,
    createdAt: options.createdAt ?? new Date().toISOString(),
    dataset: {
      trainCount: first.metrics.dataset.trainCount,
      validationCount: first.metrics.dataset.validationCount,
      testCount: first.metrics.dataset.testCount,
      source: first.metrics.dataset.source,
    },
    aggregate: {
      seeds: runs.map((run) => run.seed),
      baseline,
      challenger,
      models,
      accuracyDifference: summaryStatistics(differences),
      challengerWins: wins.length,
      significantChallengerWins: wins.filter((run) => run.comparison.mcnemar.pValue < alpha).length,
      alpha,
      runs,
    },
  };
}

function seedList(seeds: readonly number[]): string {
  if (seeds.length <= 1) return seeds.join('');
  return `${seeds.slice(0, -1).join(', ')} and ${seeds.at(-1)}`;
}

/** The figure of test accuracy per seed: one panel per model (their accuracies differ too much for one scale). */
export function seedsFigureSpecs(metrics: SeedsMetrics): FigureSpec[] {
  const { aggregate } = metrics;
  const names = [aggregate.baseline, aggregate.challenger];
  const displayNames = names.map((name) => aggregate.models[name]!.displayName);
  const values = aggregate.runs.flatMap((run) =>
    names.map((name, index) => ({ model: displayNames[index], seed: run.seed, accuracy: run.models[name]!.accuracy })),
  );
  const cell = {
    width: Math.max(160, 48 * aggregate.runs.length),
    height: 220,
    layer: [
      {
        mark: { type: 'point', filled: true, size: 90, opacity: 1 },
        encoding: {
          x: { field: 'seed', type: 'ordinal', title: 'Seed', sort: aggregate.seeds, axis: { labelAngle: 0 } },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'Test accuracy',
            scale: { zero: false, padding: 16 },
            axis: { format: '.1%' },
          },
          color: {
            field: 'model',
            type: 'nominal',
            scale: { domain: displayNames, range: displayNames.map((_, index) => OKABE_ITO[index % OKABE_ITO.length]) },
            legend: null,
          },
          tooltip: [
            { field: 'model', title: 'Model' },
            { field: 'seed', title: 'Seed' },
            { field: 'accuracy', title: 'Test accuracy', format: '.2%' },
          ],
        },
      },
      {
        // The mean over seeds, dashed across the panel.
        transform: [{ aggregate: [{ op: 'mean', field: 'accuracy', as: 'mean' }] }],
        mark: { type: 'rule', strokeDash: [6, 3], color: '#555555' },
        encoding: { y: { field: 'mean', type: 'quantitative' } },
      },
    ],
  };
  const describe = (name: string, index: number) => {
    const summary = aggregate.models[name]!.test.accuracy;
    const perSeed = aggregate.runs.map((run) => `${percent(run.models[name]!.accuracy, 2)} (seed ${run.seed})`);
    return `${displayNames[index]}: ${perSeed.join(', ')}; mean ${percent(summary.mean, 2)}`;
  };
  const title = 'Test accuracy per seed';
  return [
    {
      id: 'seeds-accuracy',
      title,
      alt:
        `Dot plots of test accuracy for each seed, one panel per model (each with its own scale), with a dashed line at ` +
        `the mean over the seeds. ` +
        `${names.map(describe).join('. ')}.`,
      spec: topLevel(title, 'Dashed: the mean over the seeds', {
        data: { values },
        facet: {
          column: {
            field: 'model',
            type: 'nominal',
            sort: displayNames,
            title: null,
            header: { labelFontSize: 13, labelFontWeight: 'bold' },
          },
        },
        spec: cell,
        resolve: { scale: { y: 'independent' } },
      }),
    },
  ];
}

/** The statements of the seeds report's conclusion, from the numbers. */
export function seedsConclusion(metrics: SeedsMetrics): string[] {
  const { aggregate } = metrics;
  const seeds = aggregate.seeds.length;
  const baseline = aggregate.models[aggregate.baseline]!;
  const challenger = aggregate.models[aggregate.challenger]!;
  const difference = aggregate.accuracyDifference;
  const statements = [
    `${challenger.displayName} is more accurate than ${baseline.displayName} on ${aggregate.challengerWins} of ` +
      `${seeds} ${seeds === 1 ? 'seed' : 'seeds'} (significantly, by McNemar's test at the ${percent(aggregate.alpha, 0)} ` +
      `level, on ${aggregate.significantChallengerWins}); the difference averages ${points(difference.mean, 2)}` +
      (seeds > 1 ? ` (from ${points(difference.min, 2)} to ${points(difference.max, 2)}).` : '.'),
  ];
  for (const model of [challenger, baseline]) {
    const accuracy = model.test.accuracy;
    statements.push(
      seeds > 1
        ? `${model.displayName}'s test accuracy is ${percent(accuracy.mean, 2)} on average, with a standard deviation ` +
            `of ${points(accuracy.standardDeviation ?? 0, 2).replace('+', '')} over the seeds, from ` +
            `${percent(accuracy.min, 2)} to ${percent(accuracy.max, 2)}.`
        : `${model.displayName}'s test accuracy is ${percent(accuracy.mean, 2)}.`,
    );
  }
  return statements;
}

function seedsDocument(metrics: SeedsMetrics, figures: readonly ReportFigure[], title: string): Block[] {
  const { aggregate, dataset } = metrics;
  const names = [aggregate.baseline, aggregate.challenger];
  const baseline = aggregate.models[aggregate.baseline]!;
  const challenger = aggregate.models[aggregate.challenger]!;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: title },
    {
      kind: 'paragraph',
      text:
        `${baseline.displayName} against ${challenger.displayName}, trained and tested once per seed ` +
        `(${aggregate.seeds.length === 1 ? 'seed' : 'seeds'} ${seedList(aggregate.seeds)}) on ` +
        `${dataset.testCount.toLocaleString('en-US')} FashionMNIST test images. Each seed is a whole study of its own: ` +
        'it chooses the validation split (and any subset), the initial weights, the shuffling and the augmentation, so ' +
        'the spread below is what rerunning the study with another seed gives. Each seed’s full report is in its ' +
        `folder (${aggregate.runs.map((run) => `${run.folder}/report.html`).join(', ')}). Created ${metrics.createdAt}.` +
        names
          .map((name) => aggregate.models[name]!)
          .map((model) => {
            const views = testTimeViewCount(model.testTimeAugmentation);
            if (!model.testTimeAugmentation || views === 1) return '';
            return (
              ` ${model.displayName}'s test scores average its class probabilities over ${views} views of each image: ` +
              `${testTimeViewsText(model.testTimeAugmentation)}. The robustness, cost and occlusion sections of the ` +
              'seeds’ reports, where they have them, measure it on single images, so its clean accuracy there can ' +
              'differ from these.'
            );
          })
          .join(''),
    },
    { kind: 'heading', level: 2, text: 'Conclusion' },
    { kind: 'list', items: seedsConclusion(metrics) },
    { kind: 'heading', level: 2, text: 'Over the seeds' },
  ];
  const scoreRows: [SeedScore, string, (value: number) => string][] = [
    ['accuracy', 'Test accuracy', (value) => percent(value, 2)],
    ['macroF1', 'Macro F1', (value) => decimal(value, 4)],
    ['logLoss', 'Log loss', (value) => decimal(value, 4)],
    ['ece', 'Expected calibration error', (value) => decimal(value, 4)],
  ];
  blocks.push({
    kind: 'table',
    header: ['Model', 'Score', 'Mean', 'Standard deviation', 'Min', 'Max'],
    align: ['left', 'left', 'right', 'right', 'right', 'right'],
    rows: names.flatMap((name) =>
      scoreRows.map(([score, label, format]) => {
        const summary = aggregate.models[name]!.test[score];
        const spread =
          summary.standardDeviation === null
            ? 'n/a'
            : score === 'accuracy'
              ? points(summary.standardDeviation, 2).replace('+', '')
              : decimal(summary.standardDeviation, 4);
        return [
          aggregate.models[name]!.displayName,
          label,
          format(summary.mean),
          spread,
          format(summary.min),
          format(summary.max),
        ];
      }),
    ),
  });
  blocks.push({
    kind: 'paragraph',
    text:
      'Standard deviations are sample standard deviations over the seeds (divided by n − 1); with one seed there is ' +
      'none. Accuracy’s is in percentage points.',
  });
  blocks.push({ kind: 'heading', level: 2, text: 'Each seed' });
  const header = [
    'Seed',
    ...names.map((name) => aggregate.models[name]!.displayName),
    `Difference (${challenger.displayName} − ${baseline.displayName})`,
    '95% CI',
    'McNemar b / c',
    'McNemar p',
    'Folder',
  ];
  const align: Align[] = ['right', ...names.map((): Align => 'right'), 'right', 'right', 'right', 'right', 'left'];
  blocks.push({
    kind: 'table',
    header,
    align,
    rows: aggregate.runs.map((run) => {
      const ci = run.comparison.accuracyDifferenceCI;
      return [
        String(run.seed),
        ...names.map((name) => percent(run.models[name]!.accuracy, 2)),
        points(run.models[aggregate.challenger]!.accuracy - run.models[aggregate.baseline]!.accuracy, 2),
        `${points(ci.lower, 2).replace(' pp', '')} to ${points(ci.upper, 2)}`,
        `${run.comparison.mcnemar.b} / ${run.comparison.mcnemar.c}`,
        pValue(run.comparison.mcnemar.pValue),
        run.folder,
      ];
    }),
  });
  blocks.push({
    kind: 'paragraph',
    text:
      `McNemar’s b counts the test images only ${baseline.displayName} gets right, c those only ` +
      `${challenger.displayName} gets right; the interval is the seed’s paired bootstrap interval of the difference.`,
  });
  if (figures.some((figure) => figure.id === 'seeds-accuracy')) blocks.push({ kind: 'figure', id: 'seeds-accuracy' });
  return blocks;
}

export interface SeedsReportOptions {
  /** Report title. Default: `FashionMNIST study over N seeds`. */
  title?: string;
}

function seedsTitle(metrics: SeedsMetrics, options: SeedsReportOptions): string {
  const seeds = metrics.aggregate.seeds.length;
  return options.title ?? `FashionMNIST study over ${seeds} ${seeds === 1 ? 'seed' : 'seeds'}`;
}

/** The seeds report as Markdown, linking `figures/<id>.svg`. */
export function seedsReportMarkdown(
  metrics: SeedsMetrics,
  figures: readonly ReportFigure[],
  options: SeedsReportOptions = {},
): string {
  return markdownFromBlocks(seedsDocument(metrics, figures, seedsTitle(metrics, options)), figures);
}

/** The seeds report as one self-contained HTML page. */
export function seedsReportHtml(
  metrics: SeedsMetrics,
  figures: readonly ReportFigure[],
  options: SeedsReportOptions = {},
): string {
  const title = seedsTitle(metrics, options);
  return htmlFromBlocks(title, seedsDocument(metrics, figures, title), figures);
}
