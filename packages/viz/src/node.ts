/**
 * @fmnist/viz/node: the Node-only half — PNG rasterizing with resvg (a prebuilt Rust binary from npm), writing
 * figures and the report to disk, and saving and loading studies. Everything browser-safe is re-exported, so Node code needs only this entry.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { writeFileAtomic } from '@fmnist/internal/node';
import { renderAsync } from '@resvg/resvg-js';
import { VizError } from './errors.js';
import { encodeGrayPng, type GrayPngOptions } from './png.js';
import { renderSvg, svgSize } from './render.js';
import { type ReportOptions, reportHtml, reportMarkdown } from './report.js';
import {
  type SeedsMetrics,
  type SeedsReportOptions,
  seedsFigureSpecs,
  seedsReportHtml,
  seedsReportMarkdown,
} from './seeds.js';
import { type FigureOptions, type FigureSpec, figureSpecs } from './specs.js';
import { type Study, validateStudy } from './study.js';

export * from './index.js';
export { loadStudy, STUDY_FILE, saveStudy } from './study-files.js';

/** File formats a figure can be written in: the SVG, a PNG of it, and the Vega-Lite spec as JSON. */
export type FigureFormat = 'svg' | 'png' | 'json';

const FIGURE_FORMATS: readonly FigureFormat[] = ['svg', 'png', 'json'];

/** Fonts tried in order; the figures name DejaVu Sans first (see `FONT_FAMILY`). */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
];

export interface PngRenderOptions {
  /** Pixels per SVG pixel. Default 2 (sharp on high-density screens and in print). */
  scale?: number;
  /** Font files for text. Default: Debian's DejaVu Sans and Liberation Sans where installed, else all system fonts. */
  fontFiles?: readonly string[];
}

function checkScale(scale: number): number {
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 8)) {
    throw new VizError('E_VIZ_INVALID_OPTION', `pngScale must be a number in (0, 8], got ${scale}.`);
  }
  return scale;
}

/** Rasterizes an SVG (e.g. from `renderSvg`) to PNG bytes with resvg, off the main thread. */
export async function svgToPng(svg: string, options: PngRenderOptions = {}): Promise<Uint8Array> {
  const scale = checkScale(options.scale ?? 2);
  const fontFiles = options.fontFiles ?? FONT_CANDIDATES.filter((file) => existsSync(file));
  try {
    const image = await renderAsync(svg, {
      fitTo: { mode: 'zoom', value: scale },
      font: {
        loadSystemFonts: fontFiles.length === 0,
        fontFiles: [...fontFiles],
        defaultFontFamily: 'DejaVu Sans',
        sansSerifFamily: 'DejaVu Sans',
      },
      // Image tiles are 28x28 pixels drawn larger: keep them blocky rather than blurred.
      imageRendering: 1,
      logLevel: 'off',
    });
    return new Uint8Array(image.asPng());
  } catch (error) {
    throw new VizError(
      'E_VIZ_RENDER_FAILED',
      `resvg could not rasterize the SVG: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Grayscale PNG encoding with zlib compression (the browser-safe `encodeGrayPng` stores blocks uncompressed). */
export function encodeGrayPngCompressed(
  pixels: Uint8Array,
  width: number,
  height: number,
  options: Omit<GrayPngOptions, 'deflate'> = {},
): Uint8Array {
  return encodeGrayPng(pixels, width, height, { ...options, deflate: (data) => deflateSync(data, { level: 9 }) });
}

/** A figure rendered: its spec, SVG, size, PNG (when asked for) and the files written (when `outDir` is given). */
export interface RenderedFigure extends FigureSpec {
  svg: string;
  /** CSS pixels of the SVG; the PNG is `scale` times larger. */
  width: number;
  height: number;
  png?: Uint8Array;
  /** Absolute paths written, by format. */
  files: Partial<Record<FigureFormat, string>>;
}

export interface FigureSet {
  figures: RenderedFigure[];
  /** Absolute directory the files went to, when `outDir` was given. */
  outDir?: string;
}

export interface RenderFiguresOptions extends FigureOptions {
  /** Directory to write `<id>.svg`, `<id>.png` and `<id>.vl.json` to (created if missing). Default: write nothing. */
  outDir?: string;
  /** Formats to produce. Default `['svg', 'png', 'json']`. SVG is always rendered (the PNG is drawn from it). */
  formats?: readonly FigureFormat[];
  /** Pixels per SVG pixel of the PNGs. Default 2. */
  pngScale?: number;
  /** Font files for the PNGs; see {@link PngRenderOptions}. */
  fontFiles?: readonly string[];
  /** Receives Vega-Lite's and Vega's warnings, if any (see `renderSvg`). */
  onWarning?: (message: string) => void;
}

/** Writes a figure or report file atomically (readers never see half a file); failures name the file. */
async function writeOutput(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (error) {
    throw new VizError(
      'E_VIZ_WRITE_FAILED',
      `Could not write ${path}: ${(error as Error).message}. Check the directory.`,
      { file: path, cause: error },
    );
  }
}

async function ensureDir(dir: string): Promise<string> {
  const absolute = resolve(dir);
  try {
    await mkdir(absolute, { recursive: true });
  } catch (error) {
    throw new VizError('E_VIZ_WRITE_FAILED', `Could not create directory ${absolute}: ${(error as Error).message}.`, {
      file: absolute,
      cause: error,
    });
  }
  return absolute;
}

function checkFormats(formats: readonly FigureFormat[]): readonly FigureFormat[] {
  for (const format of formats) {
    if (!FIGURE_FORMATS.includes(format)) {
      throw new VizError(
        'E_VIZ_INVALID_OPTION',
        `Unknown figure format ${JSON.stringify(format)}; use one or more of ${FIGURE_FORMATS.join(', ')}.`,
      );
    }
  }
  return formats;
}

/** Rasterizes one rendered figure and writes its files. */
async function finishFigure(
  figure: FigureSpec,
  svg: string,
  formats: readonly FigureFormat[],
  scale: number,
  outDir: string | undefined,
  fontFiles: readonly string[] | undefined,
): Promise<RenderedFigure> {
  const rendered: RenderedFigure = { ...figure, svg, ...svgSize(svg), files: {} };
  if (formats.includes('png')) {
    rendered.png = await svgToPng(svg, fontFiles ? { scale, fontFiles } : { scale });
  }
  if (outDir !== undefined) {
    const base = join(outDir, figure.id);
    if (formats.includes('svg')) {
      rendered.files.svg = `${base}.svg`;
      await writeOutput(rendered.files.svg, svg);
    }
    if (rendered.png) {
      rendered.files.png = `${base}.png`;
      await writeOutput(rendered.files.png, rendered.png);
    }
    if (formats.includes('json')) {
      rendered.files.json = `${base}.vl.json`;
      await writeOutput(rendered.files.json, `${JSON.stringify(figure.spec, null, 2)}\n`);
    }
  }
  return rendered;
}

/**
 * Renders every figure of a study (see `figureSpecs`) to SVG and, by default, PNG; with `outDir`, also writes
 * `<id>.svg`, `<id>.png` and `<id>.vl.json` (the Vega-Lite spec) there.
 */
export async function renderFigures(study: Study, options: RenderFiguresOptions = {}): Promise<FigureSet> {
  validateStudy(study);
  return renderSpecs(figureSpecs(study, options), options);
}

/** Renders figure specs to SVG and PNG and writes their files, as {@link renderFigures} does. */
async function renderSpecs(specs: readonly FigureSpec[], options: RenderFiguresOptions): Promise<FigureSet> {
  const formats = checkFormats(options.formats ?? FIGURE_FORMATS);
  const scale = checkScale(options.pngScale ?? 2);
  const outDir = options.outDir === undefined ? undefined : await ensureDir(options.outDir);
  // Vega renders on this thread; resvg rasterizes on its own threads, so PNGs overlap the next SVGs.
  const pending: Promise<RenderedFigure>[] = [];
  let renderError: unknown;
  for (const figure of specs) {
    let svg: string;
    try {
      svg = await renderSvg(figure.spec, figure.id, options.onWarning ? { onWarning: options.onWarning } : {});
    } catch (error) {
      renderError = error;
      break;
    }
    const task = finishFigure(figure, svg, formats, scale, outDir, options.fontFiles);
    // Awaited below; until then, a failure must not count as an unhandled rejection.
    task.catch(() => {});
    pending.push(task);
  }
  // Settle every task before reporting a failure, so no write is still running when this returns.
  const settled = await Promise.allSettled(pending);
  if (renderError !== undefined) throw renderError;
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const figures = settled.map((result) => (result as PromiseFulfilledResult<RenderedFigure>).value);
  return outDir === undefined ? { figures } : { figures, outDir };
}

export interface RenderReportOptions extends Omit<RenderFiguresOptions, 'outDir'>, ReportOptions {
  /** Directory for `report.html`, `report.md` and `figures/` (created if missing). */
  outDir: string;
}

export interface ReportFiles {
  /** Self-contained HTML: figures inlined as data URIs, no network needed. */
  htmlPath: string;
  /** Markdown linking `figures/<id>.svg`. */
  markdownPath: string;
  figuresDir: string;
  figures: RenderedFigure[];
}

/**
 * Writes a report into `options.outDir` (created if missing): the figures of `specs()` into `figures/`, then
 * `report.html` and `report.md` from `documents`. `caller` names the function in the error for a missing outDir.
 */
async function writeReport(
  caller: string,
  options: Omit<RenderFiguresOptions, 'outDir'> & { outDir: string },
  specs: () => readonly FigureSpec[],
  documents: (figures: RenderedFigure[]) => { html: string; markdown: string },
): Promise<ReportFiles> {
  if (typeof options?.outDir !== 'string' || options.outDir === '') {
    throw new VizError('E_VIZ_INVALID_OPTION', `${caller} needs options.outDir, the directory to write the report to.`);
  }
  const outDir = await ensureDir(options.outDir);
  const figuresDir = join(outDir, 'figures');
  const formats = options.formats ?? FIGURE_FORMATS;
  const { figures } = await renderSpecs(specs(), {
    ...options,
    outDir: figuresDir,
    formats: formats.includes('svg') ? formats : [...formats, 'svg'],
  });
  const { html, markdown } = documents(figures);
  const htmlPath = join(outDir, 'report.html');
  const markdownPath = join(outDir, 'report.md');
  await writeOutput(htmlPath, html);
  await writeOutput(markdownPath, markdown);
  return { htmlPath, markdownPath, figuresDir, figures };
}

/** Renders the figures into `outDir/figures/` and writes `outDir/report.html` and `outDir/report.md`. */
export function renderReport(study: Study, options: RenderReportOptions): Promise<ReportFiles> {
  return writeReport(
    'renderReport',
    options,
    () => {
      validateStudy(study);
      return figureSpecs(study, options);
    },
    (figures) => ({
      html: reportHtml(study, figures, options),
      markdown: reportMarkdown(study, figures, { ...options, figurePath: (id) => `figures/${id}.svg` }),
    }),
  );
}

export interface RenderSeedsReportOptions
  extends Pick<RenderFiguresOptions, 'formats' | 'pngScale' | 'fontFiles' | 'onWarning'>,
    SeedsReportOptions {
  /** Directory for `report.html`, `report.md` and `figures/` (created if missing). */
  outDir: string;
}

/**
 * Writes the report of a study over several seeds (see `aggregateSeeds`): `outDir/report.html`, `outDir/report.md`
 * and the figure of test accuracy per seed in `outDir/figures/`.
 */
export function renderSeedsReport(metrics: SeedsMetrics, options: RenderSeedsReportOptions): Promise<ReportFiles> {
  return writeReport(
    'renderSeedsReport',
    options,
    () => seedsFigureSpecs(metrics),
    (figures) => ({
      html: seedsReportHtml(metrics, figures, options),
      markdown: seedsReportMarkdown(metrics, figures, options),
    }),
  );
}
