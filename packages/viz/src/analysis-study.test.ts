/** The analysis section of a study: assembled from per-image scores, validated, saved and loaded, in metrics.json. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mcnemar } from '@fmnist/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_CONDITIONS, fixtureAnalysisInput, withFixtureAnalysis } from './__fixtures__/analysis.js';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { buildAnalysis, buildStudy, type ComparisonStudy, metricsFromStudy } from './assemble.js';
import { VizError } from './errors.js';
import { type Study, validateStudy } from './study.js';
import { loadStudy, saveStudy } from './study-files.js';

/** Without calibration bins, whose NaN accuracies come back from JSON as null (see study-files.test.ts). */
function fixture(): Study {
  const study = makeFixtureStudy({ count: 300 });
  const models = study.models.map((model) => {
    const { calibration: _dropped, ...test } = model.test;
    return { ...model, test };
  });
  return withFixtureAnalysis({ ...study, models });
}

function codeAndMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return VizError.isInstance(error) ? `${error.code}: ${error.message}` : `not a VizError: ${String(error)}`;
  }
  return 'no error';
}

describe('buildAnalysis', () => {
  const study = makeFixtureStudy({ count: 300 });
  const input = fixtureAnalysisInput(study);
  const analysis = buildAnalysis(input, ['linear', 'cnn']);

  it('makes one robustness row per condition, clean first, with both accuracies and the images scored', () => {
    const rows = analysis.robustness!.conditions;
    expect(rows.map((row) => row.label)).toEqual(['clean', ...FIXTURE_CONDITIONS.map((condition) => condition.label)]);
    rows.forEach((row, index) => {
      const linear = input.robustness!.scores.linear![index]!;
      expect(row.accuracy).toEqual({ linear: linear.accuracy, cnn: input.robustness!.scores.cnn![index]!.accuracy });
      expect(row.images).toBe(linear.correct.length);
      expect(row.example).toBe(input.robustness!.examples[index]);
    });
    // Shifts are scored on four copies of the 200 images, rotations on two.
    expect(rows.find((row) => row.label === 'shift 2 px')!.images).toBe(800);
    expect(rows.find((row) => row.label === 'rotation 20°')!.images).toBe(400);
  });

  it("computes McNemar's test from the per-image correct arrays, baseline first, and keeps no per-image arrays", () => {
    const scores = input.robustness!.scores;
    analysis.robustness!.conditions.forEach((row, index) => {
      const linear = scores.linear![index]!.correct;
      const cnn = scores.cnn![index]!.correct;
      let b = 0;
      let c = 0;
      for (let image = 0; image < linear.length; image++) {
        if (linear[image] && !cnn[image]) b++;
        if (cnn[image] && !linear[image]) c++;
      }
      expect(row.mcnemar).toEqual(mcnemar(new Uint8Array(linear.length).fill(1), linear, cnn));
      expect(row.mcnemar).toMatchObject({ b, c });
      expect(Object.keys(row)).not.toContain('correct');
    });
  });

  it('flattens templates, filters and occlusion maps into one array each', () => {
    const learned = analysis.learned!;
    expect(learned.templates).toMatchObject({ model: 'linear', count: 10, rows: 28, cols: 28 });
    expect(learned.templates!.values).toHaveLength(10 * 784);
    expect(learned.templates!.values.subarray(784, 2 * 784)).toEqual(input.learned!.templates!.templates[1]);
    expect(learned.filters).toMatchObject({ model: 'cnn', count: 32, rows: 3, cols: 3 });
    expect(learned.occlusion!.maps.cnn).toHaveLength(8 * 784);
    expect(analysis.seconds).toBe(37.25);
  });

  it('refuses scores of the models on different conditions or without one example per condition', () => {
    const scores = input.robustness!.scores;
    const shorter = { ...input.robustness!, scores: { ...scores, cnn: scores.cnn!.slice(1) } };
    expect(codeAndMessage(() => buildAnalysis({ robustness: shorter }, ['linear', 'cnn']))).toMatch(
      /^E_VIZ_INVALID_STUDY: robustness scores of 'cnn' and 'linear' are not on the same conditions/,
    );
    const fewExamples = { ...input.robustness!, examples: input.robustness!.examples.slice(2) };
    expect(codeAndMessage(() => buildAnalysis({ robustness: fewExamples }, ['linear', 'cnn']))).toMatch(
      /E_VIZ_INVALID_STUDY: robustness has 17 example images for 19 conditions/,
    );
  });

  it('goes into the study through buildStudy and into metrics.json without typed arrays', () => {
    const [linear, cnn] = study.models;
    const asTrained = (model: typeof linear) => ({
      name: model!.name,
      displayName: model!.displayName,
      architecture: model!.architecture,
      parameters: model!.parameters,
      history: { epochs: model!.history, seconds: 1, imagesPerSecond: 1, backend: 'cpu' },
      test: { ...model!.test, predictions: model!.predictions, probabilities: model!.probabilities },
    });
    const built = buildStudy({
      classNames: study.classNames,
      dataset: study.dataset,
      test: study.test,
      models: [asTrained(linear), asTrained(cnn)],
      run: study.run,
      seed: 1,
      analysis: input,
    });
    expect(built.analysis).toEqual(analysis);
    validateStudy(built);
    const metrics = metricsFromStudy(built);
    const json = JSON.parse(JSON.stringify(metrics));
    expect(json).toEqual(metrics);
    const row = metrics.analysis!.robustness!.conditions[5]!;
    expect(row).toEqual({
      family: analysis.robustness!.conditions[5]!.family,
      severity: analysis.robustness!.conditions[5]!.severity,
      label: analysis.robustness!.conditions[5]!.label,
      images: analysis.robustness!.conditions[5]!.images,
      accuracy: analysis.robustness!.conditions[5]!.accuracy,
      difference: row.accuracy.cnn! - row.accuracy.linear!,
      mcnemar: analysis.robustness!.conditions[5]!.mcnemar,
    });
    expect(metrics.analysis!.cost).toEqual(input.cost);
    expect(metrics.analysis!.dataEfficiency).toEqual(input.dataEfficiency);
    expect(metrics.analysis!.learned).toEqual({
      templates: { model: 'linear', count: 10, rows: 28, cols: 28 },
      filters: { model: 'cnn', count: 32, rows: 3, cols: 3 },
      occlusion: { indices: [0, 1, 2, 3, 4, 5, 6, 7], patch: 6, stride: 2, models: ['linear', 'cnn'] },
    });
    expect(metrics.analysis!.seconds).toBe(37.25);
    // A study without an analysis keeps metrics.json as it was.
    const { analysis: _dropped, ...without } = built;
    expect(metricsFromStudy(without as ComparisonStudy)).not.toHaveProperty('analysis');
  });
});

describe('validateStudy on the analysis section', () => {
  const study = fixture();
  const analysis = study.analysis!;
  const robustness = analysis.robustness!;
  const rows = robustness.conditions;

  it('accepts the fixture', () => {
    expect(() => validateStudy(study)).not.toThrow();
  });

  it.each([
    [
      'a first row that is not clean',
      { robustness: { ...robustness, conditions: rows.slice(1) } },
      /conditions must start with the 'clean' condition/,
    ],
    [
      'an accuracy above 1',
      {
        robustness: {
          ...robustness,
          conditions: [rows[0]!, { ...rows[1]!, accuracy: { linear: 1.5, cnn: 0.5 } }, ...rows.slice(2)],
        },
      },
      /conditions\[1\] \(shift 1 px\)\.accuracy\.linear is 1\.5/,
    ],
    [
      'an example of the wrong size',
      {
        robustness: {
          ...robustness,
          conditions: [rows[0]!, { ...rows[1]!, example: new Uint8Array(10) }, ...rows.slice(2)],
        },
      },
      /conditions\[1\] \(shift 1 px\)\.example must be a Uint8Array of test\.rows \* test\.cols = 784 pixels/,
    ],
    [
      'a cost entry of an unknown model',
      { cost: { ...analysis.cost, mlp: analysis.cost!.cnn! } },
      /study\.analysis\.cost names model 'mlp', which is not in study\.models/,
    ],
    [
      'a negative latency',
      {
        cost: {
          ...analysis.cost,
          cnn: {
            ...analysis.cost!.cnn!,
            inference: { ...analysis.cost!.cnn!.inference, latencyMs: { p50: -1, p95: 1 } },
          },
        },
      },
      /study\.analysis\.cost\.cnn\.inference\.latencyMs\.p50 is -1/,
    ],
    [
      'training sizes that shrink',
      {
        dataEfficiency: {
          linear: [
            { trainImages: 5000, testAccuracy: 0.8 },
            { trainImages: 1000, testAccuracy: 0.7 },
          ],
        },
      },
      /study\.analysis\.dataEfficiency\.linear\[1\]\.trainImages is 1000; sizes must grow/,
    ],
    [
      'templates of the wrong length',
      { learned: { templates: { ...analysis.learned!.templates!, values: new Float32Array(5) } } },
      /study\.analysis\.learned\.templates\.values must be a Float32Array of count \* rows \* cols = 7840 values/,
    ],
    [
      'an occlusion index past the test set',
      { learned: { occlusion: { ...analysis.learned!.occlusion!, indices: [0, 1, 2, 3, 4, 5, 6, 300] } } },
      /study\.analysis\.learned\.occlusion\.indices\[7\] is 300; test images run from 0 to 299/,
    ],
  ])('rejects %s with E_VIZ_INVALID_STUDY naming the field', (_, change, message) => {
    const result = codeAndMessage(() => validateStudy({ ...study, analysis: { ...analysis, ...change } } as Study));
    expect(result).toMatch(/^E_VIZ_INVALID_STUDY: /);
    expect(result).toMatch(message);
  });
});

describe('saveStudy / loadStudy with an analysis', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-analysis-study-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('round-trips the analysis exactly: examples, templates, filters and maps as typed arrays', async () => {
    const study = fixture();
    const dir = join(root, 'study');
    await saveStudy(dir, study);
    const loaded = await loadStudy(dir);
    expect(loaded).toEqual(study);
    expect(loaded.analysis!.robustness!.conditions[3]!.example).toBeInstanceOf(Uint8Array);
    expect(loaded.analysis!.learned!.templates!.values).toBeInstanceOf(Float32Array);
    expect(loaded.analysis!.learned!.occlusion!.maps.linear).toBeInstanceOf(Float32Array);
  });
});
