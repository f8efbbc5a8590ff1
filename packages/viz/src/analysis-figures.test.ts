/** The analysis figures: each renders (SVG well-formed, PNG decodes), has alt text with its numbers, and draws data. */
import { describe, expect, it } from 'vitest';
import { withFixtureAnalysis } from './__fixtures__/analysis.js';
import { decodePng, unfilter } from './__fixtures__/png.js';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { assertWellFormedXml } from './__fixtures__/xml.js';
import { count, percent } from './format.js';
import { renderFigures } from './node.js';
import { encodeRgbPng } from './png.js';
import { figureSpecs } from './specs.js';
import { DIVERGING_PALETTE, divergingColor } from './theme.js';

const study = withFixtureAnalysis(makeFixtureStudy({ count: 300 }));
const analysis = study.analysis!;
const ANALYSIS_IDS = [
  'robustness-examples',
  'robustness-shift',
  'robustness-rotation',
  'robustness-flip',
  'robustness-noise',
  'robustness-occlusion',
  'robustness-contrast',
  'robustness-invert',
  'cost-accuracy',
  'data-efficiency',
  'templates-linear',
  'filters-cnn',
  'occlusion',
];

describe('analysis figures', () => {
  const warnings: string[] = [];
  const rendered = renderFigures(study, { pngScale: 1, onWarning: (message) => warnings.push(message) });
  const figureOf = async (id: string) => (await rendered).figures.find((figure) => figure.id === id)!;

  it('come after the other figures, one per robustness family, then cost, data efficiency and what was learned', () => {
    const ids = figureSpecs(study).map((figure) => figure.id);
    expect(ids.slice(-ANALYSIS_IDS.length)).toEqual(ANALYSIS_IDS);
    expect(figureSpecs(makeFixtureStudy({ count: 300 })).map((figure) => figure.id)).not.toContain('cost-accuracy');
  });

  it.each(ANALYSIS_IDS)('%s renders to well-formed SVG and a PNG that decodes, with alt text', async (id) => {
    const figure = await figureOf(id);
    expect(assertWellFormedXml(figure.svg)).toBe('svg');
    expect(figure.svg).toContain('<desc>');
    expect(figure.alt.length).toBeGreaterThan(80);
    const png = decodePng(figure.png!);
    expect(png.width).toBe(Math.round(figure.width));
    expect(unfilter(png).length).toBe(png.width * png.height * png.bytesPerPixel);
  });

  it('raise no Vega-Lite or Vega warnings', async () => {
    await rendered;
    expect(warnings).toEqual([]);
  });

  it('robustness charts plot both models at every condition of the family, clean first', async () => {
    const shift = await figureOf('robustness-shift');
    const values = (
      shift.spec as unknown as { data: { values: { model: string; condition: string; accuracy: number }[] } }
    ).data.values;
    expect(values.map((value) => value.condition)).toEqual([
      ...['clean', 'shift 1 px', 'shift 2 px', 'shift 3 px', 'shift 4 px'],
      ...['clean', 'shift 1 px', 'shift 2 px', 'shift 3 px', 'shift 4 px'],
    ]);
    const row = analysis.robustness!.conditions.find((condition) => condition.label === 'shift 2 px')!;
    expect(values[2]).toMatchObject({ model: 'Linear', accuracy: row.accuracy.linear });
    expect(shift.alt).toContain(`shift 2 px ${percent(row.accuracy.cnn!)}`);
  });

  it('the example strip shows every condition once and the clean image once per family', async () => {
    const svg = (await figureOf('robustness-examples')).svg;
    const families = 7;
    expect((svg.match(/<image /g) ?? []).length).toBe(analysis.robustness!.conditions.length - 1 + families);
  });

  it('the learned-feature grids hold one tile per template, filter and map, and a palette strip', async () => {
    const tiles = async (id: string) => ((await figureOf(id)).svg.match(/<image /g) ?? []).length;
    expect(await tiles('templates-linear')).toBe(10 + 1);
    expect(await tiles('filters-cnn')).toBe(32 + 1);
    // The eight images, then a map per image under each of the two models.
    expect(await tiles('occlusion')).toBe(8 * 3 + 1);
  });

  it('cost and data-efficiency alt texts quote the numbers', async () => {
    expect((await figureOf('cost-accuracy')).alt).toContain(`CNN ${count(2_631_040)} multiply-accumulates`);
    expect((await figureOf('data-efficiency')).alt).toContain(`${percent(0.781)} with 1,000`);
  });
});

describe('the diverging palette and RGB PNGs', () => {
  it('runs from blue through grey to red and clamps', () => {
    const hex = (rgb: number[]) => `#${rgb.map((value) => value.toString(16).padStart(2, '0')).join('')}`.toUpperCase();
    expect(hex(divergingColor(-1))).toBe(DIVERGING_PALETTE[0]);
    expect(hex(divergingColor(0))).toBe(DIVERGING_PALETTE[3]);
    expect(hex(divergingColor(1))).toBe(DIVERGING_PALETTE[6]);
    expect(divergingColor(5)).toEqual(divergingColor(1));
    expect(divergingColor(Number.NaN)).toEqual(divergingColor(0));
  });

  it('encodeRgbPng writes truecolor pixels that decode back, enlarged by scale', () => {
    const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
    const png = decodePng(encodeRgbPng(pixels, 2, 2, { scale: 2 }));
    expect([png.width, png.height, png.colorType, png.bytesPerPixel]).toEqual([4, 4, 2, 3]);
    const decoded = unfilter(png);
    expect([...decoded.subarray(0, 6)]).toEqual([255, 0, 0, 255, 0, 0]);
    expect([...decoded.subarray(45, 48)]).toEqual([9, 9, 9]);
    expect(() => encodeRgbPng(pixels, 3, 2)).toThrow(/encodeRgbPng: got 12 values for a 3x2 image; expected 18/);
  });
});
