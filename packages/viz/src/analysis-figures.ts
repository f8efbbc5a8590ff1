/**
 * The figures of a study's analysis: accuracy under each transformation family, what the transformations look like,
 * accuracy against cost and against training-set size, and what each model learned (weight templates, first-layer
 * filters, occlusion maps). Weight-like images are PNG tiles on a diverging palette, placed by pixel like the galleries.
 */
import { accuracyDrop, largestMagnitude, robustnessFamilies } from './analysis.js';
import { modelColor, pixel, topLevel } from './figure-parts.js';
import { count, decimal, percent, points } from './format.js';
import { dataUri, encodeGrayPng, encodeRgbPng } from './png.js';
import type { FigureSpec } from './specs.js';
import type { Study, StudyAnalysis, StudyRobustness, StudyRobustnessCondition, StudyWeightImages } from './study.js';
import { divergingColor } from './theme.js';

/** Names for people of the transformation families, for titles and axis labels. */
const FAMILY_TITLES: Readonly<Record<string, string>> = {
  shift: 'Shift',
  rotation: 'Rotation',
  flip: 'Horizontal flip',
  noise: 'Gaussian noise',
  occlusion: 'Occluding square',
  contrast: 'Lower contrast',
  invert: 'Inverted images',
};

/** What the severity of a family measures, for the x axis. */
const FAMILY_AXES: Readonly<Record<string, string>> = {
  shift: 'Shift (pixels, four directions averaged)',
  rotation: 'Rotation (degrees, both directions averaged)',
  flip: 'Condition',
  noise: 'Noise standard deviation (pixels on [0, 1])',
  occlusion: 'Side of the square (pixels)',
  contrast: 'Contrast factor',
  invert: 'Condition',
};

export function familyTitle(family: string): string {
  return FAMILY_TITLES[family] ?? family.charAt(0).toUpperCase() + family.slice(1);
}

/** RGB pixels of `values` on the diverging palette, `scale` mapping to the palette's ends. */
function divergingPixels(values: ArrayLike<number>, scale: number): Uint8Array {
  const rgb = new Uint8Array(values.length * 3);
  for (let index = 0; index < values.length; index++) {
    const color = divergingColor(scale > 0 ? values[index]! / scale : 0);
    rgb.set(color, index * 3);
  }
  return rgb;
}

function divergingUri(values: ArrayLike<number>, width: number, height: number, scale: number): string {
  return dataUri('image/png', encodeRgbPng(divergingPixels(values, scale), width, height));
}

function grayUri(pixels: Uint8Array, width: number, height: number): string {
  return dataUri('image/png', encodeGrayPng(pixels, width, height));
}

/** The palette from -1 to 1 as a strip, for a legend under a grid. */
function paletteStripUri(): string {
  const steps = 101;
  return divergingUri(
    Array.from({ length: steps }, (_, index) => -1 + (2 * index) / (steps - 1)),
    steps,
    1,
    1,
  );
}

interface GridTile {
  row: number;
  column: number;
  url: string;
  /** Lines under the tile. */
  caption?: string[];
  /** Read aloud for the tile. */
  description: string;
}

interface GridLayout {
  tileSize: number;
  cellWidth: number;
  captionLines: number;
  /** Room left of the grid for the row labels (0: none). */
  labelWidth: number;
  rowLabels?: readonly string[];
  /** A strip of the diverging palette under the grid, with words at its left end, middle and right end. */
  legend?: readonly [string, string, string];
}

const CAPTION_LINE_HEIGHT = 13;
const LEGEND_WIDTH = 240;

/** Image tiles on a grid of rows and columns, captions under them, labels left of the rows, by pixel position. */
function imageGrid(tiles: readonly GridTile[], layout: GridLayout): Record<string, unknown> {
  const { tileSize, cellWidth, captionLines, labelWidth } = layout;
  const cellHeight = tileSize + (captionLines > 0 ? 6 + captionLines * CAPTION_LINE_HEIGHT : 0) + 10;
  const rows = Math.max(0, ...tiles.map((tile) => tile.row)) + 1;
  const columns = Math.max(0, ...tiles.map((tile) => tile.column)) + 1;
  const left = (tile: GridTile) => labelWidth + tile.column * cellWidth;
  const images = tiles.map((tile) => ({
    url: tile.url,
    imageX: left(tile) + (cellWidth - tileSize) / 2,
    imageY: tile.row * cellHeight,
    description: tile.description,
  }));
  const captions = tiles
    .filter((tile) => tile.caption && tile.caption.length > 0)
    .map((tile) => ({
      textX: left(tile) + cellWidth / 2,
      textY: tile.row * cellHeight + tileSize + 6,
      caption: tile.caption!.join('\n'),
    }));
  const layers: Record<string, unknown>[] = [
    {
      data: { values: images },
      mark: { type: 'image', width: tileSize, height: tileSize, align: 'left', baseline: 'top', smooth: false },
      encoding: {
        x: pixel('imageX'),
        y: pixel('imageY'),
        url: { field: 'url', type: 'nominal' },
        description: { field: 'description', type: 'nominal' },
      },
    },
  ];
  if (captions.length > 0) {
    layers.push({
      data: { values: captions },
      mark: {
        type: 'text',
        align: 'center',
        baseline: 'top',
        fontSize: 10,
        lineBreak: '\n',
        lineHeight: CAPTION_LINE_HEIGHT,
      },
      encoding: { x: pixel('textX'), y: pixel('textY'), text: { field: 'caption', type: 'nominal' } },
    });
  }
  if (layout.rowLabels && layout.rowLabels.length > 0) {
    layers.push({
      data: {
        values: layout.rowLabels.map((label, row) => ({
          label,
          textX: labelWidth - 10,
          textY: row * cellHeight + tileSize / 2,
        })),
      },
      mark: { type: 'text', align: 'right', baseline: 'middle', fontSize: 12 },
      encoding: { x: pixel('textX'), y: pixel('textY'), text: { field: 'label', type: 'nominal' } },
    });
  }
  let height = rows * cellHeight;
  if (layout.legend) {
    const top = height + 4;
    layers.push(
      {
        data: { values: [{ url: paletteStripUri(), imageX: labelWidth, imageY: top }] },
        mark: {
          type: 'image',
          width: LEGEND_WIDTH,
          height: 12,
          aspect: false,
          align: 'left',
          baseline: 'top',
          smooth: false,
        },
        encoding: { x: pixel('imageX'), y: pixel('imageY'), url: { field: 'url', type: 'nominal' } },
      },
      ...(['left', 'center', 'right'] as const).map((align, index) => ({
        data: {
          values: [{ text: layout.legend![index], textX: labelWidth + (index * LEGEND_WIDTH) / 2, textY: top + 16 }],
        },
        mark: { type: 'text', align, baseline: 'top', fontSize: 10 },
        encoding: { x: pixel('textX'), y: pixel('textY'), text: { field: 'text', type: 'nominal' } },
      })),
    );
    height = top + 32;
  }
  return {
    width: Math.max(labelWidth + columns * cellWidth, layout.legend ? labelWidth + LEGEND_WIDTH + 20 : 0),
    height,
    view: { stroke: null },
    layer: layers,
  };
}

function robustnessFamilyFigure(
  study: Study,
  robustness: StudyRobustness,
  family: string,
  conditions: readonly StudyRobustnessCondition[],
): FigureSpec {
  const labels = conditions.map((condition) => condition.label);
  const values = study.models.flatMap((model) =>
    conditions.map((condition) => ({
      model: model.displayName,
      condition: condition.label,
      accuracy: condition.accuracy[model.name],
      images: condition.images,
    })),
  );
  const worst = conditions.at(-1)!;
  const summary = study.models
    .map((model) => {
      const path = conditions
        .map((condition) => `${condition.label} ${percent(condition.accuracy[model.name] ?? Number.NaN)}`)
        .join(', ');
      return `${model.displayName}: ${path} (${points(-accuracyDrop(robustness, worst, model.name))} at the worst)`;
    })
    .join('; ');
  const title = `Robustness: ${familyTitle(family)}`;
  const tooltip = [
    { field: 'model', title: 'Model' },
    { field: 'condition', title: 'Condition' },
    { field: 'accuracy', title: 'Accuracy', format: '.2%' },
    { field: 'images', title: 'Images', format: ',d' },
  ];
  return {
    id: `robustness-${family}`,
    title,
    alt:
      `A line chart of test accuracy (0 to 100%) under ${familyTitle(family).toLowerCase()}, from the clean images ` +
      `to the strongest setting, one line per model, on ${count(robustness.testImages)} test images. ${summary}.`,
    spec: topLevel(title, `Test accuracy on ${count(robustness.testImages)} test images, clean first`, {
      data: { values },
      width: Math.max(240, 90 * conditions.length),
      height: 220,
      encoding: {
        x: {
          field: 'condition',
          type: 'ordinal',
          sort: labels,
          title: FAMILY_AXES[family] ?? 'Condition',
          axis: { labelAngle: 0 },
        },
        y: {
          field: 'accuracy',
          type: 'quantitative',
          title: 'Test accuracy',
          scale: { domain: [0, 1] },
          axis: { format: '.0%' },
        },
        color: modelColor(study),
        tooltip,
      },
      layer: [
        { mark: { type: 'line', strokeWidth: 2 } },
        { mark: { type: 'point', filled: true, size: 60, opacity: 1 } },
      ],
    }),
  };
}

function robustnessExamplesFigure(study: Study, robustness: StudyRobustness): FigureSpec {
  const { rows, cols } = study.test;
  const families = robustnessFamilies(robustness);
  const tiles: GridTile[] = families.flatMap(({ conditions }, row) =>
    conditions.map((condition, column) => ({
      row,
      column,
      url: grayUri(condition.example, cols, rows),
      caption: [condition.label],
      description: `The first robustness test image, ${condition.label}`,
    })),
  );
  const title = 'What the transformations look like';
  return {
    id: 'robustness-examples',
    title,
    alt:
      `A grid of the same test image under every transformation, one row per family (${families
        .map(({ family }) => familyTitle(family).toLowerCase())
        .join(', ')}), the clean image first in each row and the settings growing stronger to the right: ` +
      `${robustness.conditions.map((condition) => condition.label).join(', ')}.`,
    spec: topLevel(
      title,
      'The first test image, clean and transformed (shifts and rotations: the first of their copies)',
      imageGrid(tiles, {
        tileSize: 56,
        cellWidth: 100,
        captionLines: 1,
        labelWidth: 130,
        rowLabels: families.map(({ family }) => familyTitle(family)),
      }),
    ),
  };
}

function costFigure(study: Study, cost: NonNullable<StudyAnalysis['cost']>): FigureSpec | undefined {
  const values = study.models.flatMap((model) => {
    const entry = cost[model.name];
    return entry
      ? [
          {
            model: model.displayName,
            macs: entry.multiplyAccumulates,
            accuracy: model.test.report.accuracy,
            parameters: entry.parameters,
            latency: entry.inference.latencyMs.p50,
          },
        ]
      : [];
  });
  if (values.length === 0) return undefined;
  const lowest = Math.max(1, Math.min(...values.map((value) => value.macs)));
  const highest = Math.max(1, ...values.map((value) => value.macs));
  const domain = [10 ** Math.floor(Math.log10(lowest)), 10 ** Math.ceil(Math.log10(highest) + 1e-9)];
  if (domain[0] === domain[1]) domain[1] = domain[0]! * 10;
  const ticks: number[] = [];
  for (let tick = domain[0]!; tick <= domain[1]!; tick *= 10) ticks.push(tick);
  const title = 'Accuracy against computation';
  const encoding = {
    x: {
      field: 'macs',
      type: 'quantitative',
      title: 'Multiply-accumulates per image (log scale)',
      scale: { type: 'log', domain },
      axis: { values: ticks, format: '~s' },
    },
    y: {
      field: 'accuracy',
      type: 'quantitative',
      title: 'Test accuracy',
      scale: { zero: false, padding: 20 },
      axis: { format: '.1%' },
    },
  };
  return {
    id: 'cost-accuracy',
    title,
    alt:
      `A scatter plot of test accuracy against the multiply-accumulates each model needs per image, on a log axis: ` +
      `${values.map((value) => `${value.model} ${count(value.macs)} multiply-accumulates, ${percent(value.accuracy)}`).join('; ')}.`,
    spec: topLevel(title, 'One point per model; further right costs more, higher is more accurate', {
      data: { values },
      width: 380,
      height: 240,
      encoding,
      layer: [
        {
          mark: { type: 'point', filled: true, size: 140, opacity: 1 },
          encoding: {
            color: modelColor(study),
            tooltip: [
              { field: 'model', title: 'Model' },
              { field: 'macs', title: 'Multiply-accumulates', format: ',d' },
              { field: 'accuracy', title: 'Test accuracy', format: '.2%' },
              { field: 'parameters', title: 'Parameters', format: ',d' },
              { field: 'latency', title: 'Latency p50 (ms)', format: '.3f' },
            ],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 10, dy: -10, fontSize: 11 },
          encoding: { text: { field: 'model', type: 'nominal' } },
        },
      ],
    }),
  };
}

function dataEfficiencyFigure(study: Study, curves: NonNullable<StudyAnalysis['dataEfficiency']>): FigureSpec {
  const values = study.models.flatMap((model) =>
    (curves[model.name] ?? []).map((point) => ({
      model: model.displayName,
      trainImages: point.trainImages,
      accuracy: point.testAccuracy,
    })),
  );
  const sizes = [...new Set(values.map((value) => value.trainImages))].sort((a, b) => a - b);
  const summary = study.models
    .map(
      (model) =>
        `${model.displayName}: ${(curves[model.name] ?? [])
          .map((point) => `${percent(point.testAccuracy)} with ${count(point.trainImages)}`)
          .join(', ')}`,
    )
    .join('; ');
  const title = 'Accuracy against training-set size';
  return {
    id: 'data-efficiency',
    title,
    alt:
      `A line chart of test accuracy against the number of training images (log axis), each model trained with ` +
      `its own recipe on stratified subsets. ${summary}.`,
    spec: topLevel(title, 'Stratified subsets of the training images, each model with its own recipe', {
      data: { values },
      width: 380,
      height: 240,
      encoding: {
        x: {
          field: 'trainImages',
          type: 'quantitative',
          title: 'Training images (log scale)',
          scale: { type: 'log' },
          axis: { values: sizes, format: ',d', labelAngle: 0 },
        },
        y: {
          field: 'accuracy',
          type: 'quantitative',
          title: 'Test accuracy',
          scale: { zero: false },
          axis: { format: '.0%' },
        },
        color: modelColor(study),
        tooltip: [
          { field: 'model', title: 'Model' },
          { field: 'trainImages', title: 'Training images', format: ',d' },
          { field: 'accuracy', title: 'Test accuracy', format: '.2%' },
        ],
      },
      layer: [
        { mark: { type: 'line', strokeWidth: 2 } },
        { mark: { type: 'point', filled: true, size: 60, opacity: 1 } },
      ],
    }),
  };
}

/** One weight image of a set, as a view (no copy). */
function weightImage(images: StudyWeightImages, index: number): Float32Array {
  const size = images.rows * images.cols;
  return images.values.subarray(index * size, (index + 1) * size);
}

function displayNameOf(study: Study, name: string): string {
  return study.models.find((model) => model.name === name)?.displayName ?? name;
}

function templatesFigure(study: Study, templates: StudyWeightImages): FigureSpec {
  const name = displayNameOf(study, templates.model);
  const scales = Array.from({ length: templates.count }, (_, index) => largestMagnitude(weightImage(templates, index)));
  const columns = Math.min(5, templates.count);
  const tiles = scales.map((scale, index) => ({
    row: Math.floor(index / columns),
    column: index % columns,
    url: divergingUri(weightImage(templates, index), templates.cols, templates.rows, scale),
    caption: [study.classNames[index] ?? `class ${index}`],
    description: `Weights of class ${study.classNames[index] ?? index}, largest magnitude ${decimal(scale)}`,
  }));
  const title = `What ${name} learned: one template per class`;
  return {
    id: `templates-${templates.model}`,
    title,
    alt:
      `${templates.count} images of ${templates.rows} by ${templates.cols} weights, one per class ` +
      `(${study.classNames.slice(0, templates.count).join(', ')}): ${name} scores a class by weighting each pixel's ` +
      `brightness, red where a bright pixel raises the score and blue where it lowers it, each image scaled to its ` +
      `largest absolute weight (from ${decimal(Math.min(...scales))} to ${decimal(Math.max(...scales))}). A template ` +
      `looks like the average garment of its class, minus its look-alikes.`,
    spec: topLevel(
      title,
      'Red: a bright pixel raises the class score; blue: lowers it. Each template scaled to its largest weight',
      imageGrid(tiles, {
        tileSize: 84,
        cellWidth: 124,
        captionLines: 1,
        labelWidth: 0,
        legend: ['lowers the score', '0', 'raises the score'],
      }),
    ),
  };
}

function filtersFigure(study: Study, filters: StudyWeightImages): FigureSpec {
  const name = displayNameOf(study, filters.model);
  const columns = Math.min(8, filters.count);
  const tiles = Array.from({ length: filters.count }, (_, index) => {
    const values = weightImage(filters, index);
    return {
      row: Math.floor(index / columns),
      column: index % columns,
      url: divergingUri(values, filters.cols, filters.rows, largestMagnitude(values)),
      caption: [`#${index + 1}`],
      description: `Filter ${index + 1}`,
    };
  });
  const title = `What ${name} learned: first-layer filters`;
  return {
    id: `filters-${filters.model}`,
    title,
    alt:
      `${filters.count} convolution filters of ${filters.rows} by ${filters.cols} weights, the first layer of ` +
      `${name}, each drawn red for positive and blue for negative weights and scaled to its largest absolute weight: ` +
      `the small patterns (edges, bars, spots) the network looks for at every place in the image.`,
    spec: topLevel(
      title,
      `${filters.count} filters of ${filters.rows}×${filters.cols}; red positive, blue negative, each to its own scale`,
      imageGrid(tiles, {
        tileSize: 48,
        cellWidth: 64,
        captionLines: 1,
        labelWidth: 0,
        legend: ['negative', '0', 'positive'],
      }),
    ),
  };
}

function occlusionFigure(study: Study, occlusion: NonNullable<NonNullable<StudyAnalysis['learned']>['occlusion']>) {
  const { rows, cols } = study.test;
  const size = rows * cols;
  const models = study.models.filter((model) => occlusion.maps[model.name]);
  const scale = Math.max(...models.map((model) => largestMagnitude(occlusion.maps[model.name]!)), 1e-6);
  const tiles: GridTile[] = [];
  occlusion.indices.forEach((testIndex, column) => {
    const label = study.test.labels[testIndex]!;
    tiles.push({
      row: 0,
      column,
      url: grayUri(study.test.images.subarray(testIndex * size, (testIndex + 1) * size), cols, rows),
      caption: [study.classNames[label] ?? `class ${label}`],
      description: `Test image ${testIndex}, a ${study.classNames[label] ?? label}`,
    });
  });
  const peaks = models.map((model) => {
    const maps = occlusion.maps[model.name]!;
    return occlusion.indices.map((_, position) =>
      largestMagnitude(maps.subarray(position * size, (position + 1) * size)),
    );
  });
  models.forEach((model, modelIndex) => {
    const maps = occlusion.maps[model.name]!;
    occlusion.indices.forEach((testIndex, column) => {
      const peak = peaks[modelIndex]![column]!;
      tiles.push({
        row: modelIndex + 1,
        column,
        url: divergingUri(maps.subarray(column * size, (column + 1) * size), cols, rows, scale),
        caption: [`peak ${decimal(peak, 2)}`],
        description: `${model.displayName} on test image ${testIndex}: largest drop ${decimal(peak, 2)}`,
      });
    });
  });
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const title = 'Where each model looks: occlusion sensitivity';
  return {
    id: 'occlusion',
    title,
    alt:
      `${occlusion.indices.length} test images (top row) and, under them, one map per model: how much the ` +
      `probability of the true class drops when a ${occlusion.patch}-pixel grey square covers each place (red: the ` +
      `probability drops, so the model relies on that place; blue: it rises). Both models on one scale, up to ` +
      `${decimal(scale, 2)}. Mean largest drop per image: ${models
        .map((model, index) => `${model.displayName} ${decimal(mean(peaks[index]!), 2)}`)
        .join(', ')}.`,
    spec: topLevel(
      title,
      `Drop in the true class's probability under a ${occlusion.patch}×${occlusion.patch} square (stride ` +
        `${occlusion.stride}); both models on one scale`,
      imageGrid(tiles, {
        tileSize: 72,
        cellWidth: 100,
        captionLines: 1,
        labelWidth: 200,
        rowLabels: ['Test image', ...models.map((model) => model.displayName)],
        legend: [`rises ${decimal(scale, 2)}`, '0', `drops ${decimal(scale, 2)}`],
      }),
    ),
  };
}

/** The analysis figures of a study, in report order; none when it has no analysis. */
export function analysisFigureSpecs(study: Study): FigureSpec[] {
  const analysis = study.analysis;
  if (!analysis) return [];
  const figures: FigureSpec[] = [];
  const { robustness, cost, dataEfficiency, learned } = analysis;
  if (robustness) {
    figures.push(robustnessExamplesFigure(study, robustness));
    for (const { family, conditions } of robustnessFamilies(robustness)) {
      figures.push(robustnessFamilyFigure(study, robustness, family, conditions));
    }
  }
  if (cost) {
    const figure = costFigure(study, cost);
    if (figure) figures.push(figure);
  }
  if (dataEfficiency && Object.keys(dataEfficiency).length > 0) {
    figures.push(dataEfficiencyFigure(study, dataEfficiency));
  }
  if (learned?.templates) figures.push(templatesFigure(study, learned.templates));
  if (learned?.filters) figures.push(filtersFigure(study, learned.filters));
  if (learned?.occlusion && learned.occlusion.indices.length > 0)
    figures.push(occlusionFigure(study, learned.occlusion));
  return figures;
}
