/** The report's analysis sections and the conclusion's statements drawn from the analysis numbers. */
import { describe, expect, it } from 'vitest';
import { FIXTURE_COST, withFixtureAnalysis } from './__fixtures__/analysis.js';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { accuracyDrop, findCondition } from './analysis.js';
import { bytes, count, percent, points, pValue } from './format.js';
import { reportHtml, reportMarkdown, studyConclusion } from './report.js';

const study = withFixtureAnalysis(makeFixtureStudy({ count: 400 }));
const analysis = study.analysis!;
const robustness = analysis.robustness!;
const [linear, cnn] = study.models as [(typeof study.models)[0], (typeof study.models)[0]];
const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>';
const figures = ['robustness-examples', 'robustness-shift', 'cost-accuracy', 'data-efficiency', 'occlusion'].map(
  (id) => ({ id, title: `Figure ${id}`, alt: `Alt of ${id}`, svg }),
);

describe('report sections of the analysis', () => {
  const markdown = reportMarkdown(study, figures);

  it('adds Robustness, Cost, Data efficiency and What each model learned before Run', () => {
    const headings = markdown.split('\n').filter((line) => /^## /.test(line));
    expect(headings.slice(-5)).toEqual([
      '## Robustness',
      '## Cost',
      '## Data efficiency',
      '## What each model learned',
      '## Run',
    ]);
    // No analysis, no sections.
    expect(reportMarkdown(makeFixtureStudy({ count: 400 }), figures)).not.toContain('## Robustness');
  });

  it('has the robustness table: condition, images, both models, difference and McNemar p', () => {
    expect(markdown).toContain('| Condition | Images | Linear | CNN | Difference (CNN − Linear) | McNemar p |');
    const row = findCondition(robustness, 'noise', 0.2)!;
    expect(markdown).toContain(
      `| noise 0.2 | ${count(row.images)} | ${percent(row.accuracy.linear!, 2)} | ${percent(row.accuracy.cnn!, 2)} | ` +
        `${points(row.accuracy.cnn! - row.accuracy.linear!, 2)} | ${pValue(row.mcnemar!.pValue)} |`,
    );
    expect(markdown).toContain('a seeded stratified subset of 200 of the 400 test images (seed 7)');
    expect(markdown.indexOf('figures/robustness-examples.svg')).toBeGreaterThan(markdown.indexOf('## Robustness'));
  });

  it('has the cost table with MACs, size on disk, inference speed, latency and memory', () => {
    const cost = FIXTURE_COST.cnn!;
    expect(markdown).toContain(
      `| CNN | ${percent(cnn.test.report.accuracy, 2)} | ${count(cost.parameters)} | 2,631,040 | ${bytes(cost.sizeOnDiskBytes)} |`,
    );
    expect(markdown).toContain('| 2,900 | 1.20 ms | 1.90 ms | 820 MiB |');
    expect(markdown).toContain('| Analysis time (robustness, cost, learned features) | 37.3 s |');
  });

  it('has the data-efficiency table and the learned-features text', () => {
    expect(markdown).toContain(`| 1,000 | 75.20% | 78.10% | +2.90 pp |`);
    expect(markdown).toMatch(/a 6×6 square of background slides over 8 test images/);
  });

  it('the HTML report has the same sections', () => {
    const html = reportHtml(study, figures);
    for (const heading of ['Robustness', 'Cost', 'Data efficiency', 'What each model learned']) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    expect(html).toContain('id="figure-robustness-shift"');
  });
});

describe('the conclusion from the analysis numbers', () => {
  const conclusion = studyConclusion(study);
  const drop = (family: string, severity: number, model: string) =>
    `${(accuracyDrop(robustness, findCondition(robustness, family, severity)!, model) * 100).toFixed(1)} points`;

  it('says how many points a 2-pixel shift, noise, occlusion and inversion cost each model', () => {
    const sentence = conclusion.find((line) => line.startsWith('Accuracy lost to each transformation'))!;
    expect(sentence).toContain('(on 200 test images)');
    expect(sentence).toContain(
      `shift 2 px costs Linear ${drop('shift', 2, 'linear')} and CNN ${drop('shift', 2, 'cnn')}`,
    );
    expect(sentence).toContain(`noise 0.2 costs Linear ${drop('noise', 0.2, 'linear')}`);
    expect(sentence).toContain(`occlusion 10 px costs Linear ${drop('occlusion', 10, 'linear')}`);
    expect(sentence).toContain(
      `inverted costs Linear ${drop('invert', 1, 'linear')} and CNN ${drop('invert', 1, 'cnn')}`,
    );
  });

  it('names where each model is strongest and where it breaks', () => {
    const transformed = robustness.conditions.slice(1);
    const worst = (model: string) =>
      [...transformed].sort((a, b) => accuracyDrop(robustness, b, model) - accuracyDrop(robustness, a, model))[0]!;
    const line = conclusion.find((text) => text.startsWith('Linear is strongest under'))!;
    expect(line).toContain(`breaks under ${worst('linear').label}`);
    expect(line).toContain(`${percent(worst('linear').accuracy.linear!)} left`);
    expect(conclusion.some((text) => text.startsWith('CNN is strongest under'))).toBe(true);
    const ahead = transformed.filter((condition) => condition.accuracy.cnn! > condition.accuracy.linear!).length;
    expect(conclusion).toContainEqual(
      expect.stringContaining(`CNN is more accurate than Linear under ${ahead} of the 18`),
    );
  });

  it('says what the CNN’s accuracy costs in MACs, parameters, latency, throughput and size', () => {
    const line = conclusion.find((text) => text.startsWith('What CNN costs against Linear'))!;
    expect(line).toContain(`for ${points(cnn.test.report.accuracy - linear.test.report.accuracy)} of test accuracy:`);
    expect(line).toContain(
      `${(2_631_040 / 7840).toFixed(1)}× the multiply-accumulates (2,631,040 against 7,840 per image)`,
    );
    expect(line).toContain(`${(421_642 / 7850).toFixed(1)}× the parameters`);
    expect(line).toContain('20.0× the single-image latency (p50 1.20 ms against 0.06 ms)');
    expect(line).toContain(`${(95_000 / 2900).toFixed(1)}× fewer images per second at batch 256`);
  });

  it('says how the lead changes with the training-set size', () => {
    expect(conclusion).toContainEqual(
      `With 1,000 training images Linear reaches 75.2% and CNN 78.1%; with 55,000, ` +
        `${percent(linear.test.report.accuracy)} and ${percent(cnn.test.report.accuracy)}: CNN's lead goes from ` +
        `+2.9 pp to ${points(cnn.test.report.accuracy - linear.test.report.accuracy)}.`,
    );
  });
});

describe('the analysis sections of a study whose CNN averages test-time views', () => {
  const augmented = {
    ...study,
    models: [linear, { ...cnn, testTimeAugmentation: { flip: true, shift: 1 } }],
  };
  const markdown = reportMarkdown(augmented, figures);
  const section = (heading: string) => {
    const start = markdown.indexOf(`## ${heading}`);
    return markdown.slice(start, markdown.indexOf('\n## ', start + 1));
  };

  it('says under the results that robustness, cost and occlusion measure single images', () => {
    expect(section('Results')).toContain(
      "Linear's scores in this table come from the image alone; CNN's average 10 views of each image (see Models). " +
        'The robustness, inference cost and occlusion sensitivity measurements below run each network once on single ' +
        'images, without these views, so its accuracy on clean images there can differ from its test accuracy here.',
    );
  });

  it('says in the robustness, cost and data-efficiency sections how the CNN was measured there', () => {
    expect(section('Robustness')).toContain(
      'CNN classifies each copy once, without its test-time views, so its clean row can differ from its test ' +
        'accuracy in Results (measured on all 400 test images, not this subset).',
    );
    expect(section('Cost')).toContain(
      'These are single forward passes; CNN’s test accuracy averages 10 views of each image, so each of its ' +
        'predictions as scored costs 10 passes: 10 times the multiply-accumulates and about 1/10 of the images per ' +
        'second (its saved model’s classifier applies the views by default).',
    );
    expect(section('Data efficiency')).toContain(
      'CNN is tested at every size as in the full run, averaging 10 views of each image.',
    );
    const line = studyConclusion(augmented).find((text) => text.startsWith('What CNN costs against Linear'))!;
    expect(line).toMatch(
      /These are single forward passes; CNN's test accuracy averages 10 views of each image, 10 passes per prediction\.$/,
    );
  });

  it('says none of it for a study without test-time augmentation', () => {
    const plain = reportMarkdown(study, figures);
    expect(plain).not.toMatch(/single images|single forward passes|views/);
    expect(studyConclusion(study).join(' ')).not.toContain('views');
  });
});
