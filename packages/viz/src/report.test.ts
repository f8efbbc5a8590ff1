import { describe, expect, it } from 'vitest';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { assertWellFormedXml } from './__fixtures__/xml.js';
import { percent, pValue } from './format.js';
import { type ReportFigure, reportHtml, reportMarkdown, studyConclusion } from './report.js';
import type { Study } from './study.js';

const study = makeFixtureStudy({ count: 800 });
const [linear, cnn] = study.models as [Study['models'][0], Study['models'][0]];
const figures: ReportFigure[] = [
  {
    id: 'learning-curves',
    title: 'Learning curves',
    alt: 'Lines & more',
    svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    width: 10,
    height: 10,
  },
  {
    id: 'confusion-cnn',
    title: 'Confusion: CNN',
    alt: 'Heatmap',
    svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
  },
];

describe('reportMarkdown', () => {
  const markdown = reportMarkdown(study, figures);

  it('has the sections the issue lists, in reading order', () => {
    const headings = markdown.split('\n').filter((line) => /^##? /.test(line));
    expect(headings).toEqual([
      '# Fixture study',
      '## Conclusion',
      '## Data',
      '## Models',
      '## Results',
      '## Per-class analysis',
      '## Most confused class pairs',
      '## Calibration',
      '## Galleries',
      '## Run',
    ]);
    expect(markdown).toContain('### CNN against Linear');
  });

  it('quotes the study’s numbers: accuracies with intervals, McNemar, parameters, data counts', () => {
    expect(markdown).toContain(
      `| Linear | ${percent(linear.test.report.accuracy, 2)} | ${percent(linear.test.accuracyCI.lower, 2)} to ${percent(linear.test.accuracyCI.upper, 2)} |`,
    );
    expect(markdown).toContain(`| McNemar's exact p-value | ${pValue(study.comparison!.mcnemar.pValue)} |`);
    expect(markdown).toContain(`| Images only Linear gets right (McNemar b) | ${study.comparison!.mcnemar.b} |`);
    expect(markdown).toContain('| Training | 54,000 |');
    expect(markdown).toContain('| CNN | 421,642 |');
    expect(markdown).toContain('```text\ncnn: Flatten -> Dense(10, softmax)\n```');
  });

  it('links figures under figures/ with alt text and numbers them', () => {
    expect(markdown).toContain('![Lines & more](figures/learning-curves.svg)\n\n*Figure 1. Learning curves*');
    expect(markdown).toContain('(figures/confusion-cnn.svg)\n\n*Figure 2. Confusion: CNN*');
    expect(reportMarkdown(study, figures, { figurePath: (id) => `img/${id}.png` })).toContain(
      '(img/confusion-cnn.png)',
    );
  });

  it('lists the most confused pairs with their share of the true class', () => {
    const row = cnn.test.confusionMatrix
      .flatMap((cells, trueClass) => cells.map((value, predictedClass) => ({ value, trueClass, predictedClass })))
      .filter((cell) => cell.trueClass !== cell.predictedClass)
      .sort((a, b) => b.value - a.value)[0]!;
    const total = cnn.test.confusionMatrix[row.trueClass]!.reduce((sum, value) => sum + value, 0);
    const name = (index: number) => study.classNames[index]!;
    expect(markdown).toContain(
      `| ${name(row.trueClass)} | ${name(row.predictedClass)} | ${row.value} | ${percent(row.value / total)} |`,
    );
  });
});

describe('studyConclusion', () => {
  it('names the winner, the gap with its interval and McNemar’s verdict from the numbers', () => {
    const conclusion = studyConclusion(study);
    const difference = cnn.test.report.accuracy - linear.test.report.accuracy;
    expect(conclusion[0]).toMatch(/^CNN is the more accurate model/);
    const ci = study.comparison!.accuracyDifferenceCI;
    expect(conclusion[0]).toContain(
      `ahead by ${(difference * 100).toFixed(1)} pp (95% CI +${(ci.lower * 100).toFixed(1)} pp to +${(ci.upper * 100).toFixed(1)} pp)`,
    );
    expect(conclusion[0]).toContain('The interval excludes zero');
    expect(conclusion[1]).toContain(`p = ${pValue(study.comparison!.mcnemar.pValue)}`);
    expect(conclusion[1]).toContain('differ significantly at the 5% level');
    expect(conclusion.join(' ')).toMatch(/Linear fails most on Shirt \(F1 0\.\d\d\)/);
    expect(conclusion.join(' ')).toContain('Generalization gap');
  });

  it('states a winning baseline’s lead with the interval turned round to match', () => {
    const swapped: Study = {
      ...study,
      models: [cnn, linear],
      comparison: {
        mcnemar: { b: 200, c: 100, pValue: 1e-8 },
        accuracyDifferenceCI: { estimate: -0.066, lower: -0.074, upper: -0.057, confidence: 0.95 },
      },
    };
    const conclusion = studyConclusion(swapped);
    expect(conclusion[0]).toMatch(
      /^CNN is the more accurate model: .* for Linear, ahead by [\d.]+ pp \(95% CI \+5\.7 pp to \+7\.4 pp\)\./,
    );
    // Linear is worse on most classes: three named, the rest counted.
    expect(conclusion[4]).toMatch(/^Linear.* over CNN.*; it is worse on [^,]+, [^,]+, [^,]+ and \d+ more\.$/);
  });

  it('changes with the numbers: a tie within noise and a non-significant test are reported as such', () => {
    const close: Study = {
      ...study,
      models: [
        linear,
        {
          ...cnn,
          test: { ...cnn.test, report: { ...cnn.test.report, accuracy: linear.test.report.accuracy - 0.002 } },
        },
      ],
      comparison: {
        mcnemar: { b: 40, c: 38, pValue: 0.91 },
        accuracyDifferenceCI: { estimate: -0.002, lower: -0.011, upper: 0.007, confidence: 0.95 },
      },
    };
    const conclusion = studyConclusion(close);
    expect(conclusion[0]).toMatch(/^Linear is the more accurate model/);
    expect(conclusion[0]).toContain('The interval includes zero');
    expect(conclusion[1]).toContain('no significant difference at the 5% level');
  });

  it('speaks of one model alone when there is no challenger', () => {
    const { comparison: _comparison, ...rest } = study;
    const conclusion = studyConclusion({ ...rest, models: [linear] });
    expect(conclusion[0]).toBe(
      `Linear reaches ${percent(linear.test.report.accuracy)} (95% CI ${percent(linear.test.accuracyCI.lower)} to ${percent(linear.test.accuracyCI.upper)}) test accuracy.`,
    );
  });
});

describe('reportHtml', () => {
  const html = reportHtml(study, figures);

  it('is one self-contained page: figures as data URIs, a CSP that forbids the network, no external URLs', () => {
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
    const sources = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);
    expect(sources).toHaveLength(2);
    for (const source of sources) expect(source).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(sources[0]!.split(',')[1]!, 'base64').toString()).toBe(figures[0]!.svg);
  });

  it('escapes text and keeps the markup well formed', () => {
    expect(html).toContain('alt="Lines &#38; more"');
    const body = html.slice(html.indexOf('<body>'), html.indexOf('</body>') + 7).replace(/<img ([^>]*)>/g, '<img $1/>');
    expect(assertWellFormedXml(body)).toBe('body');
  });
});

describe('studyConclusion on cost', () => {
  it('says how much longer or faster the challenger trained, from the times', () => {
    const withTimes = (baselineSeconds: number, challengerSeconds: number) =>
      studyConclusion({
        ...study,
        models: [
          { ...linear, trainSeconds: baselineSeconds },
          { ...cnn, trainSeconds: challengerSeconds },
        ],
      }).at(-1);
    expect(withTimes(10, 125)).toContain('took 12.5× as long to train (2 min 05 s against 10.0 s)');
    expect(withTimes(30, 10)).toContain('trained 3.0× faster');
    expect(withTimes(10, 10.2)).toContain('took about as long to train');
  });
});

describe('test-time augmentation in the report', () => {
  /** The fixture study with the CNN scored over the views of `augmentation`. */
  const augmented = (augmentation: { flip: boolean; shift: number }): Study => ({
    ...study,
    models: [linear, { ...cnn, testTimeAugmentation: augmentation }],
  });

  it('says where the models and their results are introduced that the CNN’s scores average its views', () => {
    const markdown = reportMarkdown(augmented({ flip: true, shift: 1 }), figures);
    const models = markdown.slice(markdown.indexOf('## Models'), markdown.indexOf('### Linear'));
    expect(models).toContain(
      "**Test-time augmentation.** Linear classifies each image once. CNN's test, validation and training-sample " +
        'scores average its class probabilities over 10 views of each image: the image and its copies moved 1 pixel ' +
        "up, down, left and right, each also mirrored left-right (pixels a shift uncovers take the image's " +
        'background value).',
    );
    const results = markdown.slice(markdown.indexOf('## Results'), markdown.indexOf('### CNN against Linear'));
    expect(results).toContain(
      "Linear's scores in this table come from the image alone; CNN's average 10 views of each image (see Models).",
    );
    // No analysis in this study, so no analysis section to warn about.
    expect(markdown).not.toContain('single images');
    expect(reportHtml(augmented({ flip: true, shift: 1 }), figures)).toContain(
      '<strong>Test-time augmentation.</strong> Linear classifies each image once.',
    );
  });

  it('counts and describes the views of other settings', () => {
    expect(reportMarkdown(augmented({ flip: false, shift: 2 }), figures)).toContain(
      'over 5 views of each image: the image and its copies moved 2 pixels up, down, left and right (pixels',
    );
    expect(reportMarkdown(augmented({ flip: true, shift: 0 }), figures)).toContain(
      'over 2 views of each image: the image and its mirror image (left-right).',
    );
  });

  it('reads as before without test-time augmentation, or with one view', () => {
    for (const plain of [study, augmented({ flip: false, shift: 0 })]) {
      const markdown = reportMarkdown(plain, figures);
      expect(markdown).not.toMatch(/Test-time augmentation|views|from the image alone/);
      expect(markdown).toBe(reportMarkdown(study, figures));
    }
  });
});
