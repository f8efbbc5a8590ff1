/** The study's figures as Vega-Lite specs: plain JSON that renders the same in Node, a notebook or a web page. */
import type { TopLevelSpec } from 'vega-lite';
import {
  classesByF1,
  classSamples,
  confusedPairs,
  type Disagreement,
  disagreements,
  mostConfidentMistakes,
  reliability,
} from './analysis.js';
import { analysisFigureSpecs } from './analysis-figures.js';
import { VizError } from './errors.js';
import { modelColor, pixel, tileLayer, topLevel } from './figure-parts.js';
import { count, decimal, percent } from './format.js';
import { dataUri, encodeGrayPng } from './png.js';
import type { Study, StudyModel } from './study.js';

/** A Vega-Lite specification (the JSON users can re-render elsewhere). */
export type VegaLiteSpec = TopLevelSpec;

/** One figure before rendering. */
export interface FigureSpec {
  /** Stable file-name stem, e.g. `'confusion-cnn'`, `'learning-curves'`. */
  id: string;
  title: string;
  /** Text alternative for people who cannot see the figure, with its main numbers. */
  alt: string;
  spec: VegaLiteSpec;
}

export interface FigureOptions {
  /** Most confident mistakes shown per model. Default 24. */
  mistakesPerModel?: number;
  /** Disagreements shown each way (challenger right and baseline wrong, and the reverse). Default 16. */
  disagreementsEachWay?: number;
  /** Test images shown per class in the sample grid. Default 8. */
  samplesPerClass?: number;
  /** Confidence bins of the reliability diagram when the study has none. Default 15. */
  calibrationBins?: number;
}

function checkCount(value: number | undefined, fallback: number, name: string, max: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved > max) {
    throw new VizError(
      'E_VIZ_INVALID_OPTION',
      `${name} must be a whole number from 0 to ${max}, got ${String(value)}.`,
    );
  }
  return resolved;
}

function confusionFigure(study: Study, model: StudyModel): FigureSpec {
  const names = study.classNames;
  const matrix = model.test.confusionMatrix;
  let maxCount = 0;
  for (const row of matrix) for (const value of row) maxCount = Math.max(maxCount, value);
  const cells: Record<string, unknown>[] = [];
  matrix.forEach((row, trueClass) => {
    const rowTotal = row.reduce((sum, value) => sum + value, 0);
    row.forEach((value, predictedClass) => {
      const rate = rowTotal === 0 ? 0 : value / rowTotal;
      cells.push({
        trueClass: names[trueClass],
        predictedClass: names[predictedClass],
        count: value,
        rate,
        // Viridis is dark at its low end: white text there, black on the bright half.
        countText: maxCount > 0 && value / maxCount > 0.55 ? 'dark' : 'light',
        rateText: rate > 0.55 ? 'dark' : 'light',
      });
    });
  });
  const axes = {
    x: { field: 'predictedClass', type: 'ordinal', sort: names, title: 'Predicted class', axis: { labelAngle: -40 } },
    y: { field: 'trueClass', type: 'ordinal', sort: names, title: 'True class' },
  };
  const heatmap = (field: 'count' | 'rate', title: string, domain: number[], format: string) => ({
    title,
    width: 34 * names.length,
    height: 34 * names.length,
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...axes,
          color: {
            field,
            type: 'quantitative',
            scale: { scheme: 'viridis', domain },
            title: field === 'count' ? 'Images' : 'Share of true class',
            legend: { format, orient: 'bottom', gradientLength: 34 * names.length - 60, titleLimit: 400 },
          },
          tooltip: [
            { field: 'trueClass', title: 'True' },
            { field: 'predictedClass', title: 'Predicted' },
            { field: 'count', title: 'Images' },
            { field: 'rate', title: 'Share of true class', format: '.1%' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'text', fontSize: 9 },
        encoding: {
          ...axes,
          text: { field, type: 'quantitative', format },
          color: {
            field: field === 'count' ? 'countText' : 'rateText',
            type: 'nominal',
            scale: { domain: ['dark', 'light'], range: ['black', 'white'] },
            legend: null,
          },
        },
      },
    ],
  });
  const diagonal = matrix.reduce((sum, row, index) => sum + (row[index] ?? 0), 0);
  const total = matrix.reduce((sum, row) => sum + row.reduce((rowSum, value) => rowSum + value, 0), 0);
  const [worst] = confusedPairs(matrix, 1);
  const worstText = worst
    ? ` The largest confusion is ${names[worst.trueClass]} predicted as ${names[worst.predictedClass]}: ` +
      `${count(worst.count)} images, ${percent(worst.rate)} of ${names[worst.trueClass]}.`
    : ' There are no confusions.';
  const title = `Confusion matrix: ${model.displayName}`;
  return {
    id: `confusion-${model.name}`,
    title,
    alt:
      `Two heatmaps of ${model.displayName}'s predictions on ${count(total)} test images, true class on the vertical ` +
      `axis and predicted class on the horizontal axis: counts on the left, each row as a share of its true class on ` +
      `the right. ${count(diagonal)} images (${percent(total === 0 ? 0 : diagonal / total)}) lie on the diagonal, ` +
      `i.e. are classified correctly.${worstText}`,
    spec: topLevel(title, `${count(total)} test images; rows are true classes, columns predictions`, {
      data: { values: cells },
      hconcat: [
        heatmap('count', 'Counts', [0, Math.max(1, maxCount)], 'd'),
        heatmap('rate', 'Row-normalized', [0, 1], '.0%'),
      ],
      resolve: { scale: { color: 'independent' } },
    }),
  };
}

const SPLITS = ['train', 'validation'];

function learningCurvesFigure(study: Study): FigureSpec {
  const rows: Record<string, unknown>[] = [];
  for (const model of study.models) {
    for (const epoch of model.history) {
      const add = (split: string, metric: string, value: number | undefined) => {
        if (value !== undefined && Number.isFinite(value)) {
          rows.push({ model: model.displayName, epoch: epoch.epoch, split, metric, value });
        }
      };
      add('train', 'loss', epoch.loss);
      add('train', 'accuracy', epoch.accuracy);
      add('validation', 'loss', epoch.validationLoss);
      add('validation', 'accuracy', epoch.validationAccuracy);
    }
  }
  const panel = (metric: string, title: string, format: string) => ({
    title,
    width: 320,
    height: 220,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title, scale: { zero: false }, axis: { format } },
      color: modelColor(study),
      tooltip: [
        { field: 'model', title: 'Model' },
        { field: 'split', title: 'Data' },
        { field: 'epoch', title: 'Epoch' },
        { field: 'value', title, format: metric === 'loss' ? '.4f' : '.2%' },
      ],
    },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          strokeDash: {
            field: 'split',
            type: 'nominal',
            title: 'Data',
            scale: {
              domain: SPLITS,
              range: [
                [1, 0],
                [6, 3],
              ],
            },
            // Merged with the shape legend below (same field): a solid circle and a dashed triangle.
            legend: {
              symbolStrokeWidth: 2,
              symbolSize: 120,
              encode: { symbols: { update: { stroke: { value: '#333333' } } } },
            },
          },
        },
      },
      // Shapes tell the splits apart where there is no line to dash (a single epoch).
      {
        mark: { type: 'point', filled: true, size: 60, opacity: 1 },
        encoding: {
          shape: {
            field: 'split',
            type: 'nominal',
            scale: { domain: SPLITS, range: ['circle', 'triangle-up'] },
          },
        },
      },
    ],
  });
  const summary = study.models
    .map((model) => {
      const last = model.history.at(-1);
      if (!last) return `${model.displayName} has no recorded epochs`;
      const validation =
        last.validationAccuracy === undefined ? '' : `, validation accuracy ${percent(last.validationAccuracy)}`;
      return (
        `${model.displayName} trained ${model.history.length} epochs, ending at training loss ${decimal(last.loss)}, ` +
        `training accuracy ${percent(last.accuracy)}${validation}`
      );
    })
    .join('; ');
  const title = 'Learning curves';
  return {
    id: 'learning-curves',
    title,
    alt:
      `Two line charts over training epochs: loss on the left and accuracy on the right, solid lines and ` +
      `circles for the training data, dashed lines and triangles for the validation data, one color per model. ${summary}.`,
    spec: topLevel(title, 'Solid lines and circles: training data; dashed lines and triangles: validation data', {
      data: { values: rows },
      hconcat: [panel('loss', 'Loss (cross-entropy)', '.3f'), panel('accuracy', 'Accuracy', '.0%')],
      resolve: { scale: { y: 'independent' } },
    }),
  };
}

const SCORE_NAMES = [
  ['precision', 'Precision'],
  ['recall', 'Recall'],
  ['f1', 'F1'],
] as const;

function perClassFigure(study: Study): FigureSpec {
  const rows: Record<string, unknown>[] = [];
  for (const model of study.models) {
    model.test.report.perClass.forEach((scores, classIndex) => {
      for (const [key, label] of SCORE_NAMES) {
        rows.push({
          model: model.displayName,
          className: study.classNames[classIndex],
          metric: label,
          value: scores[key],
        });
      }
    });
  }
  const summary = study.models
    .map((model) => {
      const [worst] = classesByF1(model);
      const best = classesByF1(model).at(-1);
      return worst && best
        ? `${model.displayName}: lowest F1 ${decimal(worst.f1, 2)} on ${study.classNames[worst.classIndex]}, ` +
            `highest ${decimal(best.f1, 2)} on ${study.classNames[best.classIndex]}`
        : model.displayName;
    })
    .join('; ');
  const title = 'Per-class precision, recall and F1';
  return {
    id: 'per-class-metrics',
    title,
    alt:
      `Grouped bar charts of precision, recall and F1 (0 to 1) for each of the ${study.classNames.length} classes, ` +
      `one bar per model side by side. ${summary}.`,
    spec: topLevel(title, 'Test set; one bar per model', {
      data: { values: rows },
      width: 62 * study.classNames.length,
      height: 130,
      mark: { type: 'bar' },
      encoding: {
        row: {
          field: 'metric',
          type: 'nominal',
          sort: SCORE_NAMES.map(([, label]) => label),
          title: null,
          header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' },
        },
        x: { field: 'className', type: 'nominal', sort: study.classNames, title: 'Class', axis: { labelAngle: -30 } },
        xOffset: { field: 'model', type: 'nominal', sort: study.models.map((model) => model.displayName) },
        y: { field: 'value', type: 'quantitative', title: 'Score', scale: { domain: [0, 1] } },
        color: modelColor(study),
        tooltip: [
          { field: 'model', title: 'Model' },
          { field: 'className', title: 'Class' },
          { field: 'metric', title: 'Metric' },
          { field: 'value', title: 'Value', format: '.3f' },
        ],
      },
    }),
  };
}

interface Tile {
  index: number;
  lines: string[];
  /** Read aloud for the tile (aria-label). */
  description: string;
}

/** Pixel layout of an image gallery: tiles in rows, caption lines under each. */
interface GalleryLayout {
  columns: number;
  tileSize: number;
  cellWidth: number;
  captionLines: number;
}

const CAPTION_LINE_HEIGHT = 13;

function tileUri(study: Study, index: number): string {
  const size = study.test.rows * study.test.cols;
  return dataUri(
    'image/png',
    encodeGrayPng(study.test.images.subarray(index * size, (index + 1) * size), study.test.cols, study.test.rows),
  );
}

/** One gallery as a layered Vega-Lite view with pixel positions (no axes), or a line of text when it is empty. */
function gallery(
  study: Study,
  tiles: readonly Tile[],
  layout: GalleryLayout,
  title: string | undefined,
  emptyText: string,
) {
  const cellHeight = layout.tileSize + 8 + layout.captionLines * CAPTION_LINE_HEIGHT + 10;
  // Anchored to the grid, not to its bounds, which captions wider than their cell push outwards.
  const heading = title === undefined ? {} : { title: { text: title, frame: 'group' } };
  if (tiles.length === 0) {
    return {
      ...heading,
      width: layout.columns * layout.cellWidth,
      height: 30,
      data: { values: [{ text: emptyText }] },
      mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 12 },
      encoding: { x: { value: 0 }, y: { value: 15 }, text: { field: 'text' } },
    };
  }
  const values = tiles.map((tile, position) => {
    const column = position % layout.columns;
    const row = Math.floor(position / layout.columns);
    const left = column * layout.cellWidth;
    const top = row * cellHeight;
    return {
      url: tileUri(study, tile.index),
      imageX: left + (layout.cellWidth - layout.tileSize) / 2,
      imageY: top,
      textX: left + layout.cellWidth / 2,
      textY: top + layout.tileSize + 6,
      caption: tile.lines.join('\n'),
      description: tile.description,
      testIndex: tile.index,
    };
  });
  const rows = Math.ceil(tiles.length / layout.columns);
  return {
    ...heading,
    width: layout.columns * layout.cellWidth,
    height: rows * cellHeight,
    view: { stroke: null },
    data: { values },
    layer: [
      tileLayer(layout.tileSize),
      {
        mark: {
          type: 'text',
          align: 'center',
          baseline: 'top',
          fontSize: 10,
          lineBreak: '\n',
          lineHeight: CAPTION_LINE_HEIGHT,
        },
        encoding: {
          x: pixel('textX'),
          y: pixel('textY'),
          text: { field: 'caption', type: 'nominal' },
          description: { field: 'description', type: 'nominal' },
        },
      },
    ],
  };
}

// Cells wide enough for the longest caption ("linear: T-shirt/top 100%") in DejaVu Sans at 10px.
const GALLERY_LAYOUT: GalleryLayout = { columns: 8, tileSize: 84, cellWidth: 148, captionLines: 2 };

function mistakesFigure(study: Study, model: StudyModel, limit: number): FigureSpec {
  const names = study.classNames;
  const mistakes = mostConfidentMistakes(study.test.labels, model, names.length, limit);
  const wrong = model.predictions.reduce(
    (sum, predicted, index) => sum + (predicted === study.test.labels[index] ? 0 : 1),
    0,
  );
  const tiles = mistakes.map(
    (mistake): Tile => ({
      index: mistake.index,
      lines: [
        `true: ${names[mistake.trueClass]}`,
        `pred: ${names[mistake.predictedClass]} ${percent(mistake.probability, 0)}`,
      ],
      description:
        `Test image ${mistake.index}: a ${names[mistake.trueClass]} predicted as ${names[mistake.predictedClass]} ` +
        `with probability ${percent(mistake.probability)}`,
    }),
  );
  const pairs = new Map<string, number>();
  for (const mistake of mistakes) {
    const key = `${names[mistake.trueClass]} predicted as ${names[mistake.predictedClass]}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  const common = [...pairs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const title = `Most confident mistakes: ${model.displayName}`;
  return {
    id: `mistakes-${model.name}`,
    title,
    alt:
      `A grid of the ${mistakes.length} test images ${model.displayName} got wrong with the highest confidence ` +
      `(of ${count(wrong)} errors in all), each labeled with its true class, the predicted class and the predicted ` +
      `probability, from ${mistakes[0] ? percent(mistakes[0].probability) : 'n/a'} down to ` +
      `${mistakes.at(-1) ? percent(mistakes.at(-1)!.probability) : 'n/a'}. ` +
      (common.length > 0
        ? `The most frequent among them: ${common.map(([key, times]) => `${key} (${times})`).join(', ')}.`
        : ''),
    spec: topLevel(
      title,
      `${mistakes.length} of ${count(wrong)} errors, highest predicted probability first`,
      gallery(study, tiles, GALLERY_LAYOUT, undefined, `${model.displayName} made no mistakes.`),
    ),
  };
}

function disagreementFigure(study: Study, baseline: StudyModel, challenger: StudyModel, limit: number): FigureSpec {
  const names = study.classNames;
  const found = disagreements(study.test.labels, baseline, challenger, names.length, limit);
  const layout: GalleryLayout = { ...GALLERY_LAYOUT, captionLines: 3 };
  const tile = (item: Disagreement, rightModel: StudyModel, wrongModel: StudyModel): Tile => ({
    index: item.index,
    lines: [
      `true: ${names[item.trueClass]}`,
      `${rightModel.name}: ${names[item.right.predictedClass]} ${percent(item.right.probability, 0)}`,
      `${wrongModel.name}: ${names[item.wrong.predictedClass]} ${percent(item.wrong.probability, 0)}`,
    ],
    description:
      `Test image ${item.index}, a ${names[item.trueClass]}: ${rightModel.displayName} is right ` +
      `(${percent(item.right.probability)}), ${wrongModel.displayName} says ${names[item.wrong.predictedClass]} ` +
      `(${percent(item.wrong.probability)})`,
  });
  const challengerTitle =
    `${challenger.displayName} right, ${baseline.displayName} wrong: ` +
    `${count(found.challengerOnlyCount)} images (showing ${found.challengerOnly.length})`;
  const baselineTitle =
    `${baseline.displayName} right, ${challenger.displayName} wrong: ` +
    `${count(found.baselineOnlyCount)} images (showing ${found.baselineOnly.length})`;
  const title = `Where ${challenger.displayName} and ${baseline.displayName} disagree`;
  return {
    id: 'disagreements',
    title,
    alt:
      `Two grids of test images on which exactly one of the two models is right. Top: ` +
      `${count(found.challengerOnlyCount)} images ${challenger.displayName} classifies correctly and ` +
      `${baseline.displayName} does not. Bottom: ${count(found.baselineOnlyCount)} images where it is the other way ` +
      `round. Each tile shows the true class and both models' predictions with their probabilities; the wrong ` +
      `model's most confident errors come first.`,
    spec: topLevel(title, 'Tiles: true class, the right model, the wrong model (its most confident errors first)', {
      vconcat: [
        gallery(
          study,
          found.challengerOnly.map((item) => tile(item, challenger, baseline)),
          layout,
          challengerTitle,
          'None.',
        ),
        gallery(
          study,
          found.baselineOnly.map((item) => tile(item, baseline, challenger)),
          layout,
          baselineTitle,
          'None.',
        ),
      ],
      spacing: 24,
    }),
  };
}

function classSamplesFigure(study: Study, perClass: number): FigureSpec {
  const names = study.classNames;
  const samples = classSamples(study.test.labels, names.length, perClass);
  const tileSize = 56;
  const gap = 6;
  const labelWidth = 100;
  const values: Record<string, unknown>[] = [];
  const labels: Record<string, unknown>[] = [];
  samples.forEach((indices, classIndex) => {
    const top = classIndex * (tileSize + gap);
    labels.push({ className: names[classIndex], textX: labelWidth - 10, textY: top + tileSize / 2 });
    indices.forEach((index, column) => {
      values.push({
        url: tileUri(study, index),
        imageX: labelWidth + column * (tileSize + gap),
        imageY: top,
        description: `Test image ${index}, a ${names[classIndex]}`,
      });
    });
  });
  const title = 'Test images by class';
  return {
    id: 'class-samples',
    title,
    alt:
      `A grid of FashionMNIST test images, one row per class (${names.join(', ')}), showing the first ` +
      `${perClass} test images of each class as 28 by 28 grayscale pictures, light garments on a black background.`,
    spec: topLevel(title, `The first ${perClass} test images of each class`, {
      width: labelWidth + perClass * (tileSize + gap),
      height: names.length * (tileSize + gap),
      view: { stroke: null },
      layer: [
        {
          data: { values: labels },
          mark: { type: 'text', align: 'right', baseline: 'middle', fontSize: 12 },
          encoding: { x: pixel('textX'), y: pixel('textY'), text: { field: 'className', type: 'nominal' } },
        },
        { data: { values }, ...tileLayer(tileSize) },
      ],
    }),
  };
}

function calibrationFigure(study: Study, bins: number): FigureSpec {
  const rows: Record<string, unknown>[] = [];
  const eces: string[] = [];
  for (const model of study.models) {
    const result = reliability(study, model, bins);
    eces.push(`${model.displayName} ${decimal(model.test.ece, 3)}`);
    for (const bin of result.bins) {
      if (bin.count > 0) {
        rows.push({
          model: model.displayName,
          confidence: bin.confidence,
          accuracy: bin.accuracy,
          count: bin.count,
          range: `${decimal(bin.lower, 2)}–${decimal(bin.upper, 2)}`,
        });
      }
    }
  }
  const color = modelColor(study);
  // Log-scale ticks at powers of ten only: Vega's default log ticks crowd a short axis.
  const largestBin = Math.max(1, ...rows.map((row) => row.count as number));
  const countTicks = Array.from({ length: Math.ceil(Math.log10(largestBin)) + 1 }, (_, power) => 10 ** power);
  const tooltip = [
    { field: 'model', title: 'Model' },
    { field: 'range', title: 'Confidence bin' },
    { field: 'confidence', title: 'Mean confidence', format: '.3f' },
    { field: 'accuracy', title: 'Accuracy', format: '.3f' },
    { field: 'count', title: 'Images' },
  ];
  const unit = { type: 'quantitative', scale: { domain: [0, 1] } };
  const title = 'Reliability diagram';
  return {
    id: 'calibration',
    title,
    alt:
      `A reliability diagram: for each model, test predictions are grouped by their top probability (confidence) ` +
      `and the accuracy of each group is plotted against its mean confidence; the dashed diagonal is perfect ` +
      `calibration, points below it are over-confident. Below it, the number of predictions per group on a log ` +
      `scale. Expected calibration error: ${eces.join(', ')}.`,
    spec: topLevel(title, `Expected calibration error (lower is better): ${eces.join(', ')}`, {
      data: { values: rows },
      vconcat: [
        {
          width: 360,
          height: 300,
          layer: [
            {
              data: {
                values: [
                  { confidence: 0, accuracy: 0 },
                  { confidence: 1, accuracy: 1 },
                ],
              },
              mark: { type: 'line', strokeDash: [4, 4], color: '#777777' },
              encoding: {
                x: { field: 'confidence', ...unit, title: 'Mean confidence (top probability)' },
                y: { field: 'accuracy', ...unit, title: 'Accuracy' },
              },
            },
            {
              mark: { type: 'line', point: true, strokeWidth: 2 },
              encoding: {
                x: { field: 'confidence', ...unit },
                y: { field: 'accuracy', ...unit },
                color,
                tooltip,
              },
            },
          ],
        },
        {
          width: 360,
          height: 110,
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'confidence', ...unit, title: 'Mean confidence (top probability)' },
            y: {
              field: 'count',
              type: 'quantitative',
              scale: { type: 'log' },
              title: 'Images (log)',
              axis: { values: countTicks, format: ',d' },
            },
            color,
            tooltip,
          },
        },
      ],
    }),
  };
}

/**
 * Every figure of a study, as Vega-Lite specs with titles and alt text: confusion matrices, learning curves,
 * per-class scores, confident mistakes, disagreements (with two or more models), class samples and reliability; with
 * `study.analysis`, also robustness per transformation family and example images, accuracy against computation and
 * against training-set size, weight templates, first-layer filters and occlusion maps.
 */
export function figureSpecs(study: Study, options: FigureOptions = {}): FigureSpec[] {
  const mistakesPerModel = checkCount(options.mistakesPerModel, 24, 'mistakesPerModel', 1000);
  const disagreementsEachWay = checkCount(options.disagreementsEachWay, 16, 'disagreementsEachWay', 1000);
  const samplesPerClass = checkCount(options.samplesPerClass, 8, 'samplesPerClass', 100);
  const calibrationBins = checkCount(options.calibrationBins, 15, 'calibrationBins', 1000);
  if (calibrationBins < 1) throw new VizError('E_VIZ_INVALID_OPTION', 'calibrationBins must be at least 1, got 0.');
  const figures: FigureSpec[] = [];
  figures.push(classSamplesFigure(study, samplesPerClass));
  figures.push(learningCurvesFigure(study));
  for (const model of study.models) figures.push(confusionFigure(study, model));
  figures.push(perClassFigure(study));
  figures.push(calibrationFigure(study, calibrationBins));
  for (const model of study.models) figures.push(mistakesFigure(study, model, mistakesPerModel));
  const [baseline, challenger] = study.models;
  if (baseline && challenger) figures.push(disagreementFigure(study, baseline, challenger, disagreementsEachWay));
  figures.push(...analysisFigureSpecs(study));
  // The alt text also goes into the spec, where Vega makes it the SVG's aria-label: the files describe themselves.
  return figures.map((figure) => ({ ...figure, spec: { ...figure.spec, description: figure.alt } as VegaLiteSpec }));
}
