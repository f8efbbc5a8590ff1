/**
 * A synthetic analysis for the fixture study, built the way the CLI builds a real one (through `buildAnalysis`):
 * seeded per-image scores under the conditions, example images transformed by hand, plausible costs, data
 * efficiency curves, weight templates, filters and occlusion maps.
 */
import { createRandom } from '@fmnist/internal';
import { type AnalysisInput, buildAnalysis, type RobustnessScore } from '../assemble.js';
import type { Study, StudyAnalysis, StudyModelCost } from '../study.js';

/** The conditions with the copies each makes (shifts: four directions, rotations: both signs). */
export const FIXTURE_CONDITIONS: readonly { family: string; severity: number; label: string; copies: number }[] = [
  ...[1, 2, 3, 4].map((px) => ({ family: 'shift', severity: px, label: `shift ${px} px`, copies: 4 })),
  ...[10, 20, 30].map((deg) => ({ family: 'rotation', severity: deg, label: `rotation ${deg}°`, copies: 2 })),
  { family: 'flip', severity: 1, label: 'horizontal flip', copies: 1 },
  ...[0.05, 0.1, 0.2, 0.3].map((std) => ({ family: 'noise', severity: std, label: `noise ${std}`, copies: 1 })),
  ...[6, 10, 14].map((side) => ({ family: 'occlusion', severity: side, label: `occlusion ${side} px`, copies: 1 })),
  ...[0.5, 0.25].map((factor) => ({ family: 'contrast', severity: factor, label: `contrast ${factor}`, copies: 1 })),
  { family: 'invert', severity: 1, label: 'inverted', copies: 1 },
];

/** Accuracy each fixture model loses per unit of severity, by family: the CNN shrugs off shifts, the linear model not. */
const DROP_PER_UNIT: Record<string, Record<string, number>> = {
  linear: { shift: 0.12, rotation: 0.012, flip: 0.1, noise: 0.5, occlusion: 0.02, contrast: 0.1, invert: 0.7 },
  cnn: { shift: 0.03, rotation: 0.008, flip: 0.06, noise: 0.9, occlusion: 0.015, contrast: 0.3, invert: 0.75 },
};

function transformExample(image: Uint8Array, size: number, family: string, severity: number): Uint8Array {
  const out = new Uint8Array(image.length);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < size && y < size ? image[y * size + x]! : 0);
  const random = createRandom(Math.round(severity * 1000));
  const mean = image.reduce((sum, value) => sum + value, 0) / image.length;
  const angle = (severity * Math.PI) / 180;
  const center = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let value: number;
      switch (family) {
        case 'shift':
          value = at(x - severity, y);
          break;
        case 'rotation': {
          const dx = x - center;
          const dy = y - center;
          value = at(
            Math.round(center + dx * Math.cos(angle) - dy * Math.sin(angle)),
            Math.round(center + dx * Math.sin(angle) + dy * Math.cos(angle)),
          );
          break;
        }
        case 'flip':
          value = at(size - 1 - x, y);
          break;
        case 'noise':
          value = at(x, y) + (random() - 0.5) * 2 * 255 * severity * Math.sqrt(3);
          break;
        case 'occlusion': {
          const start = Math.floor((size - severity) / 2);
          const inside = x >= start && x < start + severity && y >= start && y < start + severity;
          value = inside ? 0 : at(x, y);
          break;
        }
        case 'contrast':
          value = mean + severity * (at(x, y) - mean);
          break;
        case 'invert':
          value = 255 - at(x, y);
          break;
        default:
          value = at(x, y);
      }
      out[y * size + x] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return out;
}

/** Scores of one model: per image right or wrong, seeded, at the clean accuracy less the family's drop. */
function scoresOf(name: string, cleanAccuracy: number, testImages: number, seed: number): RobustnessScore[] {
  const random = createRandom(seed);
  const score = (condition: { family: string; severity: number; label: string }, copies: number, accuracy: number) => {
    const correct = Uint8Array.from({ length: testImages * copies }, () => (random() < accuracy ? 1 : 0));
    return {
      condition,
      accuracy: correct.reduce((sum, value) => sum + value, 0) / correct.length,
      correct,
    };
  };
  return [
    score({ family: 'clean', severity: 0, label: 'clean' }, 1, cleanAccuracy),
    ...FIXTURE_CONDITIONS.map(({ copies, ...condition }) =>
      score(
        condition,
        copies,
        Math.max(0.05, cleanAccuracy - DROP_PER_UNIT[name]![condition.family]! * condition.severity),
      ),
    ),
  ];
}

/** A blob of weights around (cx, cy), positive, with a negative ring: something that looks like a map. */
function blob(size: number, cx: number, cy: number, scale: number): Float32Array {
  const values = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const distance = Math.hypot(x - cx, y - cy) / (size / 6);
      values[y * size + x] = scale * Math.exp(-distance * distance) - 0.2 * scale * Math.exp(-distance / 2);
    }
  }
  return values;
}

export const FIXTURE_COST: Record<string, StudyModelCost> = {
  linear: {
    parameters: 7850,
    multiplyAccumulates: 7840,
    sizeOnDiskBytes: 32_410,
    trainSeconds: 7.4,
    trainImagesPerSecond: 50_000,
    inference: { batchSize: 256, imagesPerSecond: 95_000, latencyMs: { p50: 0.06, p95: 0.11 } },
    peakResidentMiB: 412.5,
  },
  cnn: {
    parameters: 421_642,
    multiplyAccumulates: 2_631_040,
    sizeOnDiskBytes: 1_690_112,
    trainSeconds: 7.9,
    trainImagesPerSecond: 2_000,
    inference: { batchSize: 256, imagesPerSecond: 2_900, latencyMs: { p50: 1.2, p95: 1.9 } },
    peakResidentMiB: 820.25,
  },
};

/** The inputs `buildAnalysis` takes, for the fixture study (robustness on its first `testImages` images). */
export function fixtureAnalysisInput(
  study: Study,
  options: { testImages?: number; seed?: number } = {},
): AnalysisInput {
  const testImages = options.testImages ?? Math.min(200, study.test.count);
  const seed = options.seed ?? 7;
  const { rows, cols } = study.test;
  const first = study.test.images.subarray(0, rows * cols);
  const [linear, cnn] = study.models;
  const accuracyOf = (index: number) => study.models[index]!.test.report.accuracy;
  const random = createRandom(seed + 1);
  const filters = Array.from({ length: 32 }, () => Float32Array.from({ length: 9 }, () => random() - 0.5));
  const indices = Array.from({ length: Math.min(8, study.test.count) }, (_, index) => index);
  return {
    robustness: {
      testImages,
      seed,
      scores: {
        [linear!.name]: scoresOf('linear', accuracyOf(0), testImages, seed),
        [cnn!.name]: scoresOf('cnn', accuracyOf(1), testImages, seed + 100),
      },
      examples: [
        first.slice(),
        ...FIXTURE_CONDITIONS.map((condition) => transformExample(first, cols, condition.family, condition.severity)),
      ],
    },
    cost: {
      linear: { ...FIXTURE_COST.linear!, trainSeconds: linear!.trainSeconds },
      cnn: { ...FIXTURE_COST.cnn!, trainSeconds: cnn!.trainSeconds },
    },
    dataEfficiency: {
      linear: [
        { trainImages: 1000, testAccuracy: 0.752 },
        { trainImages: 5000, testAccuracy: 0.801 },
        { trainImages: 15_000, testAccuracy: 0.823 },
        { trainImages: 55_000, testAccuracy: accuracyOf(0) },
      ],
      cnn: [
        { trainImages: 1000, testAccuracy: 0.781 },
        { trainImages: 5000, testAccuracy: 0.846 },
        { trainImages: 15_000, testAccuracy: 0.874 },
        { trainImages: 55_000, testAccuracy: accuracyOf(1) },
      ],
    },
    learned: {
      templates: {
        model: 'linear',
        rows,
        cols,
        templates: Array.from({ length: 10 }, (_, label) => blob(cols, 6 + label * 1.6, 14, 0.1 + 0.03 * label)),
      },
      filters: { model: 'cnn', size: [3, 3], filters },
      occlusion: {
        indices,
        patch: 6,
        stride: 2,
        maps: {
          linear: indices.map((index) => blob(cols, 10 + index, 12, 0.3)),
          cnn: indices.map((index) => blob(cols, 16 - index, 15, 0.5)),
        },
      },
    },
    seconds: 37.25,
  };
}

/** The fixture study's analysis section. */
export function fixtureAnalysis(study: Study, options: { testImages?: number; seed?: number } = {}): StudyAnalysis {
  return buildAnalysis(
    fixtureAnalysisInput(study, options),
    study.models.map((model) => model.name),
  );
}

/** The fixture study with an analysis. */
export function withFixtureAnalysis(study: Study): Study {
  return { ...study, analysis: fixtureAnalysis(study) };
}
