import { describe, expect, it } from 'vitest';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { assertWellFormedXml } from './__fixtures__/xml.js';
import { type ComparisonStudy, metricsFromStudy, type StudyMetrics } from './assemble.js';
import { VizError } from './errors.js';
import { renderSvg } from './render.js';
import type { ReportFigure } from './report.js';
import {
  aggregateSeeds,
  type SeedStudy,
  seedsConclusion,
  seedsFigureSpecs,
  seedsReportHtml,
  seedsReportMarkdown,
} from './seeds.js';

/** A fixture study per seed: the synthetic models' predictions (and so every score) differ with the seed. */
function seedMetrics(seed: number): StudyMetrics {
  return metricsFromStudy(makeFixtureStudy({ seed, count: 400 }) as ComparisonStudy);
}

const SEEDS = [0, 1, 5];
const studies = SEEDS.map((seed) => ({ seed, folder: `seed-${seed}`, metrics: seedMetrics(seed) }));
const metrics = aggregateSeeds(studies, { createdAt: '2026-01-02T03:04:05.000Z' });
const { aggregate } = metrics;

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

describe('aggregateSeeds', () => {
  it('summarizes each score over the seeds: mean, sample standard deviation, min and max', () => {
    expect(aggregate.seeds).toEqual(SEEDS);
    expect([aggregate.baseline, aggregate.challenger]).toEqual(['linear', 'cnn']);
    for (const name of ['linear', 'cnn']) {
      const accuracies = studies.map((study) => study.metrics.models[name]!.test.accuracy);
      // The fixture's seeds give different scores, so the spread is a real one.
      expect(new Set(accuracies).size).toBe(3);
      const summary = aggregate.models[name]!.test.accuracy;
      expect(summary.count).toBe(3);
      expect(summary.mean).toBeCloseTo(mean(accuracies), 12);
      const squares = accuracies.map((value) => (value - mean(accuracies)) ** 2);
      expect(summary.standardDeviation).toBeCloseTo(Math.sqrt(squares.reduce((a, b) => a + b) / 2), 12);
      expect(summary.min).toBe(Math.min(...accuracies));
      expect(summary.max).toBe(Math.max(...accuracies));
      const f1 = studies.map((study) => study.metrics.models[name]!.test.macro.f1);
      expect(aggregate.models[name]!.test.macroF1.mean).toBeCloseTo(mean(f1), 12);
      const logLoss = studies.map((study) => study.metrics.models[name]!.test.logLoss);
      expect(aggregate.models[name]!.test.logLoss.max).toBe(Math.max(...logLoss));
      const ece = studies.map((study) => study.metrics.models[name]!.test.ece);
      expect(aggregate.models[name]!.test.ece.min).toBe(Math.min(...ece));
    }
  });

  it('keeps each seed’s comparison as computed and counts the challenger’s wins', () => {
    aggregate.runs.forEach((run, index) => {
      expect(run.seed).toBe(SEEDS[index]);
      expect(run.folder).toBe(`seed-${SEEDS[index]}`);
      expect(run.comparison).toEqual({
        mcnemar: studies[index]!.metrics.comparison.mcnemar,
        accuracyDifferenceCI: studies[index]!.metrics.comparison.accuracyDifferenceCI,
      });
    });
    const differences = studies.map(
      ({ metrics: seed }) => seed.models.cnn!.test.accuracy - seed.models.linear!.test.accuracy,
    );
    expect(aggregate.challengerWins).toBe(differences.filter((difference) => difference > 0).length);
    expect(aggregate.challengerWins).toBeGreaterThan(0);
    expect(aggregate.significantChallengerWins).toBe(
      studies.filter(
        ({ metrics: seed }, index) => differences[index]! > 0 && seed.comparison.mcnemar.pValue < aggregate.alpha,
      ).length,
    );
    expect(aggregate.accuracyDifference.mean).toBeCloseTo(mean(differences), 12);
  });

  it('gives no standard deviation for one seed, and the seed’s own scores', () => {
    const one = aggregateSeeds([studies[1]!]).aggregate;
    expect(one.models.cnn!.test.accuracy).toMatchObject({
      count: 1,
      standardDeviation: null,
      mean: studies[1]!.metrics.models.cnn!.test.accuracy,
    });
  });

  it('refuses no seeds, a seed given twice and seeds that compare other models, naming the seed', () => {
    expect(() => aggregateSeeds([])).toThrow(VizError);
    expect(() => aggregateSeeds([studies[0]!, studies[0]!])).toThrow(/seed 0 is given twice/);
    const swapped: StudyMetrics = {
      ...studies[2]!.metrics,
      comparison: { ...studies[2]!.metrics.comparison, baseline: 'cnn', challenger: 'linear' },
    };
    expect(() => aggregateSeeds([studies[0]!, { seed: 5, folder: 'seed-5', metrics: swapped }])).toThrow(
      /seed 5 compares linear with cnn/,
    );
  });
});

describe('the seeds report', () => {
  const [figure] = seedsFigureSpecs(metrics);
  const rendered: ReportFigure = {
    ...figure!,
    svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
  };

  it('draws test accuracy per seed for both models, its alt text giving every point', async () => {
    expect(figure!.id).toBe('seeds-accuracy');
    for (const run of aggregate.runs) {
      for (const name of ['linear', 'cnn']) {
        expect(figure!.alt).toContain(`${(run.models[name]!.accuracy * 100).toFixed(2)}% (seed ${run.seed})`);
      }
    }
    const svg = await renderSvg(figure!.spec, figure!.id);
    expect(assertWellFormedXml(svg)).toBe('svg');
    expect(svg).toContain('Test accuracy per seed');
  });

  it('has the conclusion, the table over seeds and the per-seed table with each comparison', () => {
    const markdown = seedsReportMarkdown(metrics, [rendered]);
    expect(markdown.split('\n').filter((line) => /^##? /.test(line))).toEqual([
      '# FashionMNIST study over 3 seeds',
      '## Conclusion',
      '## Over the seeds',
      '## Each seed',
    ]);
    for (const statement of seedsConclusion(metrics)) expect(markdown).toContain(statement.slice(0, 40));
    expect(markdown).toContain(`on ${aggregate.challengerWins} of 3 seeds`);
    const cnnAccuracy = aggregate.models.cnn!.test.accuracy;
    expect(markdown).toContain(`| CNN | Test accuracy | ${(cnnAccuracy.mean * 100).toFixed(2)}% |`);
    for (const run of aggregate.runs) {
      expect(markdown).toMatch(
        new RegExp(
          `^\\| ${run.seed} \\| ${(run.models.linear!.accuracy * 100).toFixed(2)}% \\| .*\\| seed-${run.seed} \\|$`,
          'm',
        ),
      );
    }
    expect(markdown).toContain('(figures/seeds-accuracy.svg)');
  });

  it('writes self-contained HTML with both tables and the figure embedded', () => {
    const html = seedsReportHtml(metrics, [rendered], { title: 'Seeds & more' });
    expect(html).toContain('<title>Seeds &#38; more</title>');
    expect(html).toContain('id="figure-seeds-accuracy"');
    expect(html).toContain('<th class="right">McNemar p</th>');
    expect(html.match(/<table>/g)).toHaveLength(2);
    expect(html).toMatch(/<img src="data:image\/svg\+xml;base64,[^"]+" alt="Dot plots of test accuracy/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('seeds scored with test-time augmentation', () => {
  const augmentation = { flip: true, shift: 1 };
  /** A seed's metrics with the CNN scored over the views of `views`. */
  const withViews = (seed: number, views: { flip: boolean; shift: number } | undefined): SeedStudy => {
    const seedStudy = studies[SEEDS.indexOf(seed)]!;
    const { testTimeAugmentation: _none, ...cnn } = seedStudy.metrics.models.cnn!;
    return {
      ...seedStudy,
      metrics: {
        ...seedStudy.metrics,
        models: { ...seedStudy.metrics.models, cnn: { ...cnn, ...(views ? { testTimeAugmentation: views } : {}) } },
      },
    };
  };

  it('records the views per model and says in the introduction what the CNN’s scores average', () => {
    const augmented = aggregateSeeds(SEEDS.map((seed) => withViews(seed, augmentation)));
    expect(augmented.aggregate.models.cnn!.testTimeAugmentation).toEqual(augmentation);
    expect(augmented.aggregate.models.linear).not.toHaveProperty('testTimeAugmentation');
    const markdown = seedsReportMarkdown(augmented, []);
    const introduction = markdown.slice(0, markdown.indexOf('## Conclusion'));
    expect(introduction).toContain(
      "CNN's test scores average its class probabilities over 10 views of each image: the image and its copies " +
        'moved 1 pixel up, down, left and right, each also mirrored left-right. The robustness, cost and occlusion ' +
        'sections of the seeds’ reports, where they have them, measure it on single images',
    );
    expect(seedsReportMarkdown(metrics, [])).not.toContain('views');
  });

  it('refuses seeds scored with different views, naming the seed', () => {
    expect(() => aggregateSeeds([withViews(0, augmentation), withViews(1, undefined)])).toThrow(
      /the study of seed 1 scores cnn with test-time augmentation null, not \{"flip":true,"shift":1\} as seed 0 does/,
    );
  });
});
