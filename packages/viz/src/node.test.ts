import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng, unfilter } from './__fixtures__/png.js';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { assertWellFormedXml } from './__fixtures__/xml.js';
import { type ComparisonStudy, metricsFromStudy } from './assemble.js';
import { VizError } from './errors.js';
import { aggregateSeeds, renderFigures, renderReport, renderSeedsReport, svgToPng } from './node.js';

const scratch = await mkdtemp(join(tmpdir(), 'fmnist-viz-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return VizError.isInstance(error) ? error.code : `not a VizError: ${String(error)}`;
  }
  return undefined;
}

describe('svgToPng', () => {
  it('draws text with the installed fonts (dark pixels where the glyphs are)', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><rect width="120" height="30" fill="white"/>' +
      '<text x="4" y="22" font-family="DejaVu Sans, sans-serif" font-size="20">Shirt</text></svg>';
    const png = decodePng(await svgToPng(svg, { scale: 1 }));
    expect([png.width, png.height]).toEqual([120, 30]);
    const pixels = unfilter(png);
    let dark = 0;
    for (let index = 0; index < pixels.length; index += png.bytesPerPixel) if (pixels[index]! < 100) dark++;
    expect(dark).toBeGreaterThan(80);
  });

  it('rejects a scale outside (0, 8]', async () => {
    expect(
      await errorCode(svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', { scale: 0 })),
    ).toBe('E_VIZ_INVALID_OPTION');
  });
});

describe('renderFigures', () => {
  const study = makeFixtureStudy({ count: 400 });
  const outDir = join(scratch, 'figures');
  const rendered = renderFigures(study, { outDir, pngScale: 1.5, mistakesPerModel: 8 });

  it('renders every figure to SVG and a PNG of the SVG size times the scale that inflates to its full length', async () => {
    const { figures } = await rendered;
    expect(figures).toHaveLength(9);
    for (const figure of figures) {
      assertWellFormedXml(figure.svg);
      const png = decodePng(figure.png!);
      expect(png.width).toBe(Math.round(figure.width * 1.5));
      expect(png.height).toBe(Math.round(figure.height * 1.5));
      expect(png.bitDepth).toBe(8);
      expect(png.scanlines.length).toBe(png.height * (1 + png.width * png.bytesPerPixel));
    }
  });

  it('writes <id>.svg, <id>.png and the Vega-Lite spec <id>.vl.json to outDir', async () => {
    const { figures } = await rendered;
    const learning = figures.find((figure) => figure.id === 'learning-curves')!;
    expect(learning.files).toEqual({
      svg: join(outDir, 'learning-curves.svg'),
      png: join(outDir, 'learning-curves.png'),
      json: join(outDir, 'learning-curves.vl.json'),
    });
    expect(await readFile(learning.files.svg!, 'utf8')).toBe(learning.svg);
    expect((await readFile(learning.files.png!)).equals(Buffer.from(learning.png!))).toBe(true);
    const spec = JSON.parse(await readFile(learning.files.json!, 'utf8'));
    expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
    expect(spec).toEqual(JSON.parse(JSON.stringify(learning.spec)));
  });

  it('produces only the formats asked for, and writes nothing without outDir', async () => {
    const svgOnly = await renderFigures(study, { outDir: join(scratch, 'svg-only'), formats: ['svg'] });
    for (const figure of svgOnly.figures) {
      expect(figure.png).toBeUndefined();
      expect(Object.keys(figure.files)).toEqual(['svg']);
    }
    const inMemory = await renderFigures(study, { formats: ['svg'] });
    expect(inMemory.outDir).toBeUndefined();
    for (const figure of inMemory.figures) expect(figure.files).toEqual({});
  });

  it('rejects unknown formats, invalid studies and unwritable directories with their codes', async () => {
    expect(await errorCode(renderFigures(study, { formats: ['gif' as 'png'] }))).toBe('E_VIZ_INVALID_OPTION');
    expect(await errorCode(renderFigures({ ...study, classNames: ['one'] }))).toBe('E_VIZ_INVALID_STUDY');
    const file = join(scratch, 'a-file');
    await writeFile(file, 'x');
    expect(await errorCode(renderFigures(study, { outDir: join(file, 'below') }))).toBe('E_VIZ_WRITE_FAILED');
    // A figure file that cannot be replaced (a directory in its place) fails that render, not the process.
    const blocked = join(scratch, 'blocked');
    await mkdir(join(blocked, 'class-samples.svg'), { recursive: true });
    expect(await errorCode(renderFigures(study, { outDir: blocked, formats: ['svg'] }))).toBe('E_VIZ_WRITE_FAILED');
    // No temporary file (`.<name>.tmp-<pid>-<hex>`) is left behind.
    expect((await readdir(blocked)).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});

describe('renderReport', () => {
  it('writes report.html, report.md and figures/ for a full 10,000-image study, the Markdown linking files that exist', async () => {
    const study = makeFixtureStudy({ count: 10_000 });
    const outDir = join(scratch, 'report');
    const started = performance.now();
    // SVG only: PNGs are covered above, and this test is about the report at full size.
    const result = await renderReport(study, { outDir, formats: ['svg'] });
    console.info(`renderReport, 10,000 test images: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    expect(result.htmlPath).toBe(join(outDir, 'report.html'));
    expect(result.figures).toHaveLength(9);
    const markdown = await readFile(result.markdownPath, 'utf8');
    const links = [...markdown.matchAll(/\]\((figures\/[^)]+)\)/g)].map((match) => match[1]!);
    expect(links).toHaveLength(9);
    for (const link of links) expect((await readFile(join(outDir, link), 'utf8')).startsWith('<svg')).toBe(true);
    const html = await readFile(result.htmlPath, 'utf8');
    expect(html.match(/<img src="data:image\/svg\+xml;base64,/g)).toHaveLength(9);
  });

  it('needs an outDir', async () => {
    expect(await errorCode(renderReport(makeFixtureStudy({ count: 50 }), {} as { outDir: string }))).toBe(
      'E_VIZ_INVALID_OPTION',
    );
  });
});

describe('renderSeedsReport', () => {
  it('writes report.html, report.md and the figure of accuracy per seed (SVG, PNG, spec), the Markdown linking it', async () => {
    const metrics = aggregateSeeds(
      [3, 4].map((seed) => ({
        seed,
        folder: `seed-${seed}`,
        metrics: metricsFromStudy(makeFixtureStudy({ seed, count: 200 }) as ComparisonStudy),
      })),
    );
    const outDir = join(scratch, 'seeds');
    const { htmlPath, markdownPath, figures } = await renderSeedsReport(metrics, { outDir, pngScale: 1 });
    expect(figures.map((figure) => figure.id)).toEqual(['seeds-accuracy']);
    expect((await readdir(join(outDir, 'figures'))).sort()).toEqual([
      'seeds-accuracy.png',
      'seeds-accuracy.svg',
      'seeds-accuracy.vl.json',
    ]);
    const png = decodePng(await readFile(join(outDir, 'figures', 'seeds-accuracy.png')));
    expect([png.width, png.height]).toEqual([Math.round(figures[0]!.width), Math.round(figures[0]!.height)]);
    expect(await readFile(markdownPath, 'utf8')).toContain('](figures/seeds-accuracy.svg)');
    expect(await readFile(htmlPath, 'utf8')).toContain('<h1>FashionMNIST study over 2 seeds</h1>');
    expect(await errorCode(renderSeedsReport(metrics, { outDir: '' }))).toBe('E_VIZ_INVALID_OPTION');
  });
});
