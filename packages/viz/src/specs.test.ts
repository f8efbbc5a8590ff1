import { describe, expect, it } from 'vitest';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { assertWellFormedXml } from './__fixtures__/xml.js';
import { VizError } from './errors.js';
import { count } from './format.js';
import { renderSvg, svgSize } from './render.js';
import { figureSpecs, type VegaLiteSpec } from './specs.js';
import { type Study, validateStudy } from './study.js';
import { OKABE_ITO } from './theme.js';

const study = makeFixtureStudy({ count: 500 });

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return VizError.isInstance(error) ? error.code : `not a VizError: ${String(error)}`;
  }
  return undefined;
}

describe('figureSpecs and renderSvg', () => {
  const figures = figureSpecs(study);
  // Rendered once, shared by the tests below.
  const warnings: string[] = [];
  const svgs = new Map<string, Promise<string>>(
    figures.map((figure) => [
      figure.id,
      renderSvg(figure.spec, figure.id, { onWarning: (message) => warnings.push(`${figure.id}: ${message}`) }),
    ]),
  );
  const svgOf = (id: string) => svgs.get(id) ?? Promise.reject(new Error(`no figure ${id}`));

  it('makes every figure the issue asks for, with unique ids, titles and alt text', () => {
    expect(figures.map((figure) => figure.id)).toEqual([
      'class-samples',
      'learning-curves',
      'confusion-linear',
      'confusion-cnn',
      'per-class-metrics',
      'calibration',
      'mistakes-linear',
      'mistakes-cnn',
      'disagreements',
    ]);
    for (const figure of figures) {
      expect(figure.title.length).toBeGreaterThan(5);
      expect(figure.alt.length).toBeGreaterThan(80);
    }
  });

  it.each(figures.map((figure) => [figure.id, figure] as const))(
    '%s renders to well-formed SVG with its title, the figure font and a size',
    async (id, figure) => {
      const svg = await svgOf(id);
      expect(assertWellFormedXml(svg)).toBe('svg');
      const { width, height } = svgSize(svg);
      expect(width).toBeGreaterThan(200);
      expect(height).toBeGreaterThan(100);
      expect(svg).toContain(`>${figure.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;')}<`);
      expect(svg).toContain('font-family="DejaVu Sans');
      expect(svg).toContain(`<desc>${figure.alt.replace(/&/g, '&#38;').replace(/'/g, '&#39;')}</desc>`);
    },
  );

  it('raise no Vega-Lite or Vega warnings', async () => {
    await Promise.all(svgs.values());
    expect(warnings).toEqual([]);
  });

  it('hands warnings to onWarning instead of the console', async () => {
    const seen: string[] = [];
    const bad = {
      data: { values: [{ a: 1 }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative', aggregate: 'nonsense' } },
    };
    await renderSvg(bad as unknown as VegaLiteSpec, 'bad', { onWarning: (message) => seen.push(message) });
    expect(seen.join('\n')).toMatch(/nonsense/);
  });

  it('the specs are plain JSON: a JSON round trip renders the same SVG', async () => {
    const figure = figures.find((item) => item.id === 'per-class-metrics')!;
    const copy = JSON.parse(JSON.stringify(figure.spec));
    expect(await renderSvg(copy)).toBe(await svgOf(figure.id));
  });

  it('galleries hold one image per mistake, disagreement and class sample', async () => {
    const images = async (id: string) => ((await svgOf(id)).match(/<image /g) ?? []).length;
    const errors = study.models[0]!.predictions.filter(
      (predicted, index) => predicted !== study.test.labels[index],
    ).length;
    expect(await images('mistakes-linear')).toBe(Math.min(24, errors));
    expect(await images('class-samples')).toBe(10 * 8);
    expect(await images('disagreements')).toBe(32);
    const small = figureSpecs(study, { mistakesPerModel: 5, samplesPerClass: 2, disagreementsEachWay: 3 });
    const smallImages = async (id: string) =>
      ((await renderSvg(small.find((figure) => figure.id === id)!.spec)).match(/<image /g) ?? []).length;
    expect(await smallImages('mistakes-cnn')).toBe(5);
    expect(await smallImages('class-samples')).toBe(20);
    expect(await smallImages('disagreements')).toBe(6);
  });

  it('gives each model the same Okabe-Ito color in the charts', async () => {
    for (const id of ['per-class-metrics', 'learning-curves', 'calibration']) {
      const svg = (await svgOf(id)).toLowerCase();
      expect(svg).toContain(OKABE_ITO[0]!.toLowerCase());
      expect(svg).toContain(OKABE_ITO[1]!.toLowerCase());
    }
  });

  it('alt text carries the figure’s numbers', () => {
    const confusion = figures.find((figure) => figure.id === 'confusion-cnn')!;
    const cnn = study.models[1]!;
    const correct = cnn.predictions.filter((predicted, index) => predicted === study.test.labels[index]).length;
    expect(confusion.alt).toContain(`${count(correct)} images`);
    expect(figures.find((figure) => figure.id === 'calibration')!.alt).toContain(cnn.test.ece.toFixed(3));
  });

  it('a one-model study renders without the disagreement figure', async () => {
    const single: Study = { ...study, models: [study.models[0]!] };
    const { comparison: _comparison, ...withoutComparison } = single;
    const figuresOfOne = figureSpecs(withoutComparison);
    expect(figuresOfOne.map((figure) => figure.id)).not.toContain('disagreements');
    for (const figure of figuresOfOne) assertWellFormedXml(await renderSvg(figure.spec, figure.id));
  });

  it('a model without mistakes gets a gallery that says so', async () => {
    const perfect = { ...study.models[1]!, name: 'oracle', displayName: 'Oracle', predictions: study.test.labels };
    const figure = figureSpecs({ ...study, models: [perfect] }).find((item) => item.id === 'mistakes-oracle')!;
    const svg = await renderSvg(figure.spec);
    expect(svg).toContain('Oracle made no mistakes.');
    expect(svg).not.toContain('<image ');
  });

  it('rejects out-of-range options with E_VIZ_INVALID_OPTION', () => {
    expect(codeOf(() => figureSpecs(study, { mistakesPerModel: -1 }))).toBe('E_VIZ_INVALID_OPTION');
    expect(codeOf(() => figureSpecs(study, { samplesPerClass: 2.5 }))).toBe('E_VIZ_INVALID_OPTION');
    expect(codeOf(() => figureSpecs(study, { calibrationBins: 0 }))).toBe('E_VIZ_INVALID_OPTION');
  });
});

describe('validateStudy', () => {
  it('accepts the fixture', () => {
    expect(() => validateStudy(study)).not.toThrow();
  });

  it('names the first inconsistent field', () => {
    const linear = study.models[0]!;
    const cases: [Study, RegExp][] = [
      [
        { ...study, models: [{ ...linear, probabilities: new Float32Array(3) }] },
        /models\[0\] \(linear\)\.probabilities has 3 values/,
      ],
      [
        { ...study, models: [{ ...linear, predictions: new Uint8Array(2) }] },
        /predictions has 2 values; expected test.count = 500/,
      ],
      [{ ...study, test: { ...study.test, images: new Uint8Array(5) } }, /study\.test\.images has 5 pixels/],
      [{ ...study, models: [] }, /study\.models is empty/],
      [{ ...study, models: [linear, linear] }, /repeated names/],
      [{ ...study, models: [{ ...linear, name: '../x' }] }, /name is "\.\.\/x"/],
      [
        { ...study, test: { ...study.test, labels: Uint8Array.from(study.test.labels, () => 12) } },
        /labels\[0\] is 12/,
      ],
    ];
    for (const [bad, message] of cases) {
      expect(codeOf(() => validateStudy(bad))).toBe('E_VIZ_INVALID_STUDY');
      expect(() => validateStudy(bad)).toThrow(message);
    }
  });
});
