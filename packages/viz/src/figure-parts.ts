/** Pieces every figure is built from: the top-level spec with the theme, the model colors, pixel-placed image tiles. */
import type { VegaLiteSpec } from './specs.js';
import type { Study } from './study.js';
import { OKABE_ITO, VEGA_LITE_CONFIG } from './theme.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export function topLevel(title: string, subtitle: string | undefined, body: Record<string, unknown>): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: subtitle === undefined ? { text: title } : { text: title, subtitle },
    config: VEGA_LITE_CONFIG,
    ...body,
  } as unknown as VegaLiteSpec;
}

/** Color encoding that gives each model the same Okabe-Ito color in every figure. */
export function modelColor(study: Study) {
  const names = study.models.map((model) => model.displayName);
  return {
    field: 'model',
    type: 'nominal',
    title: 'Model',
    sort: names,
    scale: { domain: names, range: names.map((_, index) => OKABE_ITO[index % OKABE_ITO.length]) },
  };
}

/** A position in pixels: no scale, no axis (galleries lay their tiles out themselves). */
export function pixel(field: string) {
  return { field, type: 'quantitative', scale: null, axis: null };
}

/** A layer of image tiles, top-left corners at `imageX`/`imageY`, drawn with square (unsmoothed) pixels. */
export function tileLayer(tileSize: number) {
  return {
    mark: { type: 'image', width: tileSize, height: tileSize, align: 'left', baseline: 'top', smooth: false },
    encoding: {
      x: pixel('imageX'),
      y: pixel('imageY'),
      url: { field: 'url', type: 'nominal' },
      description: { field: 'description', type: 'nominal' },
    },
  };
}
