/** Look shared by every figure: fonts that exist on the rendering machine and a color-blind-safe palette. */

/**
 * Font stack of every figure. DejaVu Sans and Liberation Sans are Debian's standard fonts (`fonts-dejavu-core`);
 * resvg picks the first one installed, browsers fall back to their sans-serif.
 */
export const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/** Okabe and Ito's palette for categorical colors, distinguishable with every common color-vision deficiency. */
export const OKABE_ITO: readonly string[] = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#D55E00', // vermillion
  '#F0E442', // yellow
  '#000000',
];

/** Vega-Lite `config` of every figure. Sequential colors use viridis, which is also color-blind-safe. */
export const VEGA_LITE_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  title: { fontSize: 15, anchor: 'start', subtitleFontSize: 12, subtitleColor: '#333333', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 160, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 240, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  range: { category: [...OKABE_ITO], heatmap: { scheme: 'viridis' }, ramp: { scheme: 'viridis' } },
  view: { stroke: '#dddddd' },
} as const;

/**
 * ColorBrewer's red-blue diverging palette (7 classes), negative (blue) to positive (red) through a light grey: for
 * signed weights and sensitivity maps, readable with the common color-vision deficiencies.
 */
export const DIVERGING_PALETTE: readonly string[] = [
  '#2166AC',
  '#67A9CF',
  '#D1E5F0',
  '#F7F7F7',
  '#FDDBC7',
  '#EF8A62',
  '#B2182B',
];

const DIVERGING_RGB = DIVERGING_PALETTE.map((hex) => [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)));

/** The color of `value` on {@link DIVERGING_PALETTE}, from -1 (blue) through 0 (grey) to 1 (red), clamped, as RGB. */
export function divergingColor(value: number): [number, number, number] {
  const clamped = Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 0;
  const position = ((clamped + 1) / 2) * (DIVERGING_RGB.length - 1);
  const low = Math.min(Math.floor(position), DIVERGING_RGB.length - 2);
  const share = position - low;
  const [a, b] = [DIVERGING_RGB[low]!, DIVERGING_RGB[low + 1]!];
  return [0, 1, 2].map((channel) => Math.round(a[channel]! + (b[channel]! - a[channel]!) * share)) as [
    number,
    number,
    number,
  ];
}
