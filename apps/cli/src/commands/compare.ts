/** `fmnist compare`: the study. Trains the linear baseline and the CNN, tests both once, writes metrics, report, models. */
import { join } from 'node:path';
import { CLASS_NAMES, DEFAULT_VALIDATION_FRACTION, evenSample } from '@fmnist/dataset';
import { writeJsonAtomic } from '@fmnist/internal/node';
import {
  evaluate,
  type PresetName,
  presetRecipe,
  type Recipe,
  selectBackend,
  summary,
  type TrainOptions,
} from '@fmnist/models';
import { type AnalysisInput, buildStudy, metricsFromStudy, type TrainedModel } from '@fmnist/viz';
import { defineCommand } from 'citty';
import { analyzeModels, DATA_EFFICIENCY_SIZES, dataEfficiency, type SavedStudyModel } from '../analysis.js';
import {
  backendArgs,
  dataArgs,
  epochsArgs,
  type FlagValues,
  limitArgs,
  MAX_SEED,
  outArgs,
  outputArgs,
  parseBackend,
  parseDataDir,
  parseEpochs,
  parseLimit,
  parseOut,
  parsePreset,
  parseSeed,
  parseSeeds,
  parseWorkers,
  presetArgs,
  seedsArgs,
  workersArgs,
} from '../args.js';
import { runSeeds } from '../compare-seeds.js';
import { InterruptedError } from '../errors.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter, formatDuration, plural, type Reporter } from '../progress.js';
import { renderReportInto } from '../render.js';
import {
  defaultRunFolder,
  loadStudyData,
  peakResidentMiB,
  type RunData,
  RunRecorder,
  runInFolder,
  trainEvaluateSave,
  writeRunRecord,
} from '../run.js';
import { RUN_RECORD_FILE } from '../run-record.js';
import { handleInterruption, type Interruption } from '../signals.js';
import { packageVersions } from '../versions.js';

type StudyModelKind = 'linear' | 'cnn';

/** Training images scored after training to measure the generalization gap. */
const TRAIN_SCORE_IMAGES = 5000;

const DISPLAY_NAMES: Record<StudyModelKind, string> = { linear: 'Linear (softmax regression)', cnn: 'CNN' };

/** The study's early stopping on the validation loss, which keeps the best epoch's weights (model selection). */
const STUDY_EARLY_STOPPING = { patience: 3, restoreBest: true };

/**
 * Each model is built and trained with the preset's recipe (@fmnist/models' presets); the study adds early stopping
 * on the validation loss unless the preset's training options set their own.
 */
function studyRecipe(kind: StudyModelKind, preset: PresetName): Recipe & { train: TrainOptions } {
  const recipe = presetRecipe(kind, preset);
  return { ...recipe, train: { earlyStopping: STUDY_EARLY_STOPPING, ...recipe.train } };
}

const args = {
  ...outArgs('Folder for the run, new or empty (default: ./runs/<timestamp>/)'),
  ...presetArgs,
  epochs: {
    ...epochsArgs.epochs,
    description: "Epochs for both models (default: the preset's; early stopping may end sooner)",
  },
  'linear-epochs': { ...epochsArgs.epochs, description: 'Epochs for the linear baseline (overrides --epochs)' },
  'cnn-epochs': { ...epochsArgs.epochs, description: 'Epochs for the CNN (overrides --epochs)' },
  // No default here, so that a --seed given with a --seeds list can be told from none.
  seed: {
    type: 'string',
    description:
      'Seed of every random choice: subsets, split, initial weights, shuffling, augmentation ' +
      `(0 to ${MAX_SEED}, default 0; with a --seeds count, the first seed)`,
    valueHint: 'S',
  },
  ...seedsArgs,
  ...backendArgs,
  ...workersArgs,
  ...limitArgs,
  analysis: {
    type: 'boolean',
    default: true,
    description:
      'Measure robustness, cost and what each model learned after training (inference only, about a minute on ' +
      '2 cores); --no-analysis skips it',
  },
  'data-efficiency': {
    type: 'boolean',
    description:
      `Also train both models on stratified subsets of ${DATA_EFFICIENCY_SIZES.map((size) => size.toLocaleString('en-US')).join(', ')} ` +
      'images for the accuracy-against-data curve (off by default: 3 more trainings per model, about 40% more ' +
      'training time)',
  },
  ...dataArgs,
  ...outputArgs,
} as const;

/** Files that mark a folder as holding a run already. */
const RUN_FILES = [RUN_RECORD_FILE, 'metrics.json'];

function formatPValue(pValue: number): string {
  return pValue < 1e-3 ? pValue.toExponential(2) : pValue.toPrecision(3);
}

function parseOptions(values: FlagValues) {
  const preset = parsePreset(values);
  const epochs = parseEpochs(values);
  const epochsOf = (kind: StudyModelKind) =>
    parseEpochs(values, `${kind}-epochs`) ?? epochs ?? studyRecipe(kind, preset).train.epochs ?? 1;
  const seeds = parseSeeds(values);
  const options = {
    outDir: parseOut(values) ?? defaultRunFolder(),
    preset,
    epochs: { linear: epochsOf('linear'), cnn: epochsOf('cnn') },
    seed: seeds?.[0] ?? parseSeed(values),
    seeds,
    backend: parseBackend(values),
    workers: parseWorkers(values),
    limit: parseLimit(values),
    dataDir: parseDataDir(values),
    analysis: values.analysis !== false,
    dataEfficiency: values['data-efficiency'] === true,
  };
  checkOutputFolder('out', options.outDir, { kind: 'fresh', runFiles: RUN_FILES });
  return options;
}

type CompareOptions = ReturnType<typeof parseOptions>;

/** What one model of the run is built and trained with: the preset's recipe, the epochs flags, the seed, workers. */
function runRecipe(options: CompareOptions, kind: StudyModelKind) {
  const { model, train, testTimeAugmentation } = studyRecipe(kind, options.preset);
  return {
    model,
    train: { ...train, epochs: options.epochs[kind], seed: options.seed, workers: options.workers },
    ...(testTimeAugmentation ? { testTimeAugmentation } : {}),
  };
}

/**
 * The study with `options.seed` in `options.outDir`; `loaded`, the data files when already read (once for all seeds
 * of `--seeds`).
 */
async function runCompare(options: CompareOptions, reporter: Reporter, interruption: Interruption, loaded?: RunData) {
  const { outDir, seed, workers, preset } = options;
  const recorder = new RunRecorder({ command: 'compare', seed, preset, workers, backend: options.backend });
  reporter.info(`writing the study to ${outDir}`);
  return runInFolder(outDir, recorder, interruption, async () => {
    const backend = await selectBackend(options.backend);
    recorder.selectedBackend(backend);
    reporter.info(`backend: ${backend.reason}`);
    const data = await recorder.time('load', () =>
      loadStudyData({
        ...options,
        validationFraction: DEFAULT_VALIDATION_FRACTION,
        signal: interruption.signal,
        ...(loaded ? { loaded } : {}),
      }),
    );
    recorder.data = data.record;
    reporter.info(
      `data: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test images from ` +
        `${data.source}; normalized with mean ${data.normalization.mean.toFixed(4)}, std ${data.normalization.std.toFixed(4)}`,
    );

    const trained: TrainedModel[] = [];
    const saved: SavedStudyModel[] = [];
    for (const kind of ['linear', 'cnn'] as const) {
      interruption.throwIfInterrupted();
      const path = `models/${kind}`;
      const recipe = runRecipe(options, kind);
      const run = await recorder.time(kind, () =>
        trainEvaluateSave({
          kind,
          model: recipe.model,
          options: recipe.train,
          ...(recipe.testTimeAugmentation ? { testTimeAugmentation: recipe.testTimeAugmentation } : {}),
          data,
          modelDir: join(outDir, path),
          reporter,
          signal: interruption.signal,
          // Scored as the test was (the same test-time augmentation), so that the generalization gap compares like with like.
          inspect: async (model, scoring) => ({
            architecture: summary(model),
            validation: await evaluate(model, data.validation, scoring),
            train: await evaluate(model, evenSample(data.train, TRAIN_SCORE_IMAGES), scoring),
          }),
        }),
      );
      if (!run) {
        const kept = recorder.completed.join(', ') || 'nothing';
        throw new InterruptedError(`interrupted while training ${kind}; kept: ${kept}`);
      }
      const { history, test, extra } = run;
      recorder.completed.push(path);
      recorder.models[kind] = { ...run.record, path };
      reporter.info(
        `${kind}: test accuracy ${(test.report.accuracy * 100).toFixed(2)}% after ${plural(history.epochs.length, 'epoch')} ` +
          `(best ${history.bestEpoch}) in ${formatDuration(history.seconds)}`,
      );
      trained.push({
        name: kind,
        displayName: DISPLAY_NAMES[kind],
        parameters: run.parameters,
        history,
        test,
        ...(recipe.testTimeAugmentation ? { testTimeAugmentation: recipe.testTimeAugmentation } : {}),
        ...extra,
      });
      saved.push({
        name: kind,
        kind,
        modelDir: join(outDir, path),
        trainSeconds: history.seconds,
        trainImagesPerSecond: history.imagesPerSecond,
        peakResidentMiB: peakResidentMiB(),
      });
    }

    let analysis: AnalysisInput | undefined;
    if (options.analysis) {
      interruption.throwIfInterrupted();
      const start = performance.now();
      analysis = await recorder.time('analysis', () =>
        analyzeModels({ models: saved, data, seed, workers, reporter, signal: interruption.signal }),
      );
      analysis.seconds = (performance.now() - start) / 1000;
      reporter.info(`analysis: robustness, cost and learned features in ${formatDuration(analysis.seconds)}`);
    }
    if (options.dataEfficiency) {
      interruption.throwIfInterrupted();
      const curves = await recorder.time('dataEfficiency', () =>
        dataEfficiency({
          models: trained.map((model, index) => ({
            name: model.name,
            kind: saved[index]!.kind,
            testAccuracy: model.test.report.accuracy,
          })),
          data,
          recipe: (kind) => runRecipe(options, kind as StudyModelKind),
          reporter,
          signal: interruption.signal,
        }),
      );
      analysis = { ...analysis, dataEfficiency: curves };
    }

    interruption.throwIfInterrupted();
    const { study, metrics } = await recorder.time('metrics', async () => {
      const { testRaw } = data;
      const study = buildStudy({
        classNames: CLASS_NAMES,
        dataset: {
          trainCount: data.train.count,
          validationCount: data.validation.count,
          testCount: data.test.count,
          source: data.source,
          normalization: data.normalization,
        },
        test: {
          images: testRaw.images,
          labels: testRaw.labels,
          count: testRaw.count,
          rows: testRaw.rows,
          cols: testRaw.cols,
        },
        models: [trained[0]!, trained[1]!],
        run: {
          seed,
          backend: backend.name,
          workers: recorder.models.cnn?.workers ?? 1,
          wallSeconds: recorder.seconds(),
          versions: packageVersions(),
        },
        seed,
        ...(analysis ? { analysis } : {}),
      });
      const metrics = metricsFromStudy(study);
      await writeJsonAtomic(join(outDir, 'metrics.json'), metrics);
      recorder.completed.push('metrics.json');
      // Loaded on demand, as for the report: the Node entry brings in the rasterizer.
      const { saveStudy } = await import('@fmnist/viz/node');
      await saveStudy(join(outDir, 'study'), study);
      recorder.completed.push('study');
      return { study, metrics };
    });
    interruption.throwIfInterrupted();
    const report = await recorder.time('report', () => renderReportInto(study, outDir));
    recorder.completed.push(...report.files);
    await writeRunRecord(outDir, recorder.record('complete'));
    return { study, metrics, wallSeconds: recorder.seconds() };
  });
}

/** `--seeds`: the study once per seed (see compare-seeds.ts), then the aggregate printed. */
async function compareSeeds(
  options: CompareOptions,
  seeds: number[],
  reporter: Reporter,
  interruption: Interruption,
): Promise<void> {
  const { outDir } = options;
  const { metrics, wallSeconds } = await runSeeds({
    outDir,
    seeds,
    settings: { preset: options.preset, workers: options.workers, backend: options.backend },
    dataDir: options.dataDir,
    reporter,
    interruption,
    runSeed: async (seed, seedDir, loaded) =>
      (await runCompare({ ...options, seed, outDir: seedDir }, reporter, interruption, loaded)).metrics,
  });
  const { aggregate } = metrics;
  reporter.result({ outDir, wallSeconds, seeds: aggregate.seeds, aggregate }, () => {
    const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
    const points = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)} points`;
    const names = [aggregate.baseline, aggregate.challenger];
    const lines = names.map((name) => {
      const accuracy = aggregate.models[name]!.test.accuracy;
      const spread =
        accuracy.standardDeviation === null
          ? ''
          : ` (standard deviation ${(accuracy.standardDeviation * 100).toFixed(2)} points, ` +
            `${percent(accuracy.min)} to ${percent(accuracy.max)})`;
      return `${name}: mean test accuracy ${percent(accuracy.mean)}${spread} over ${plural(accuracy.count, 'seed')}`;
    });
    for (const run of aggregate.runs) {
      const difference = run.comparison.accuracyDifferenceCI;
      lines.push(
        `seed ${run.seed}: ${names.map((name) => `${name} ${percent(run.models[name]!.accuracy)}`).join(', ')}; ` +
          `${aggregate.challenger} minus ${aggregate.baseline} ${points(difference.estimate)} ` +
          `(95% CI ${points(difference.lower)} to ${points(difference.upper)}), ` +
          `McNemar p=${formatPValue(run.comparison.mcnemar.pValue)}`,
      );
    }
    lines.push(
      `${aggregate.challenger} more accurate on ${aggregate.challengerWins} of ${plural(aggregate.seeds.length, 'seed')} ` +
        `(McNemar p < ${aggregate.alpha} on ${aggregate.significantChallengerWins})`,
      `wrote ${outDir} in ${formatDuration(wallSeconds)} (open report.html; each seed's study in seed-<S>/)`,
    );
    return lines;
  });
}

export default defineCommand({
  meta: {
    name: 'compare',
    description: 'Train the linear baseline and the CNN, test both, write the report, metrics and models',
  },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const options = parseOptions(values);
    const interruption = handleInterruption({
      onInterrupt: () => reporter.info('stopping after the current step; press Ctrl-C again to quit at once'),
    });
    try {
      if (options.seeds) {
        await compareSeeds(options, options.seeds, reporter, interruption);
        return;
      }
      const { study, metrics, wallSeconds } = await runCompare(options, reporter, interruption);
      const { comparison } = study;
      reporter.result({ outDir: options.outDir, wallSeconds, ...metrics }, () => {
        const lines = study.models.map((model) => {
          const ci = model.test.accuracyCI;
          return (
            `${model.name}: test accuracy ${(model.test.report.accuracy * 100).toFixed(2)}% ` +
            `(95% CI ${(ci.lower * 100).toFixed(2)} to ${(ci.upper * 100).toFixed(2)}), log loss ${model.test.logLoss.toFixed(4)}, ` +
            `trained in ${formatDuration(model.trainSeconds)}`
          );
        });
        const difference = comparison.accuracyDifferenceCI;
        lines.push(
          `${metrics.comparison.challenger} minus ${metrics.comparison.baseline}: ${(difference.estimate * 100).toFixed(2)} points ` +
            `(95% CI ${(difference.lower * 100).toFixed(2)} to ${(difference.upper * 100).toFixed(2)}); ` +
            `McNemar b=${comparison.mcnemar.b}, c=${comparison.mcnemar.c}, p=${formatPValue(comparison.mcnemar.pValue)}`,
          `wrote ${options.outDir} in ${formatDuration(wallSeconds)} (open report.html)`,
        );
        return lines;
      });
    } finally {
      interruption.dispose();
    }
  },
});
