/** Vega-Lite spec → SVG with Vega's headless SVG renderer: no canvas, no browser, the same in Node and browsers. */
import type { LoggerInterface, View } from 'vega';
import { VizError } from './errors.js';
import type { VegaLiteSpec } from './specs.js';

/** Size of a rendered figure in CSS pixels. */
export interface SvgSize {
  width: number;
  height: number;
}

/**
 * Vega and Vega-Lite are ES modules with top-level await, which `require()` cannot load: importing them on first use
 * keeps the CommonJS build of this package working (and lets bundlers split them off).
 */
async function loadVega() {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return { parse: vega.parse, View: vega.View, compile: vegaLite.compile };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Vega labels the SVG only when it draws into a page; a headless SVG gets its title and description here, as
 * `<title>` and `<desc>`, so a figure file opened on its own still has its text alternative.
 */
function describe(svg: string, spec: VegaLiteSpec): string {
  const title = typeof spec.title === 'string' ? spec.title : (spec.title as { text?: unknown } | undefined)?.text;
  const parts: string[] = [];
  if (typeof title === 'string') parts.push(`<title>${escapeXml(title)}</title>`);
  if (typeof spec.description === 'string') parts.push(`<desc>${escapeXml(spec.description)}</desc>`);
  const rootEnd = svg.indexOf('>', svg.indexOf('<svg')) + 1;
  return rootEnd > 0 ? svg.slice(0, rootEnd) + parts.join('') + svg.slice(rootEnd) : svg;
}

export interface RenderSvgOptions {
  /**
   * Receives Vega-Lite's and Vega's warnings about the spec. Default: dropped, so a command-line tool's output stays
   * clean; this package's tests assert its own figures raise none.
   */
  onWarning?: (message: string) => void;
}

/** A Vega logger that hands warnings and errors to one callback instead of the console. */
function forwardingLogger(onWarning: (message: string) => void): LoggerInterface {
  let level = 2; // vega.Warn
  const forward = (...args: readonly unknown[]) => {
    onWarning(args.map(String).join(' '));
    return logger;
  };
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error: forward,
    warn: forward,
    info: () => logger,
    debug: () => logger,
  } as LoggerInterface;
  return logger;
}

/** Renders a Vega-Lite spec to an SVG document string, with the spec's title and description as `<title>`/`<desc>`. */
export async function renderSvg(
  spec: VegaLiteSpec,
  figureId = 'figure',
  options: RenderSvgOptions = {},
): Promise<string> {
  let view: View | undefined;
  try {
    const { parse, View, compile } = await loadVega();
    const logger = forwardingLogger(options.onWarning ?? (() => {}));
    const vegaSpec = compile(spec, { logger }).spec;
    view = new View(parse(vegaSpec), { renderer: 'none', logger });
    return describe(await view.toSVG(), spec);
  } catch (error) {
    throw new VizError(
      'E_VIZ_RENDER_FAILED',
      `Could not render figure '${figureId}' to SVG: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  } finally {
    view?.finalize();
  }
}

/** Width and height of an SVG from its root element's `width`/`height` attributes. */
export function svgSize(svg: string): SvgSize {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) {
    throw new VizError('E_VIZ_RENDER_FAILED', 'The SVG has no positive width and height on its root element.');
  }
  return { width, height };
}
