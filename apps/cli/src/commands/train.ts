/** `fmnist train`: trains one model (linear, MLP or CNN) on the training split, tests it, and saves it. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CLASS_NAMES,
  computeNormalization,
  type DatasetSplit,
  loadFashionMnist,
  normalizeImages,
  selectExamples,
  stratifiedSplit,
} from '@fmnist/dataset';
import {
  countParameters,
  createModel,
  evaluate,
  MODEL_KINDS,
  type ModelKind,
  recommendedTrainOptions,
  saveModel,
  selectBackend,
  type TrainOptions,
  train,
} from '@fmnist/models';
import { defineCommand } from 'citty';
import { BACKEND_NAMES, backendArgs, dataArgs, outputArgs, parseChoiceFlag, parseIntegerFlag } from '../args.js';
import { InterruptedError, UsageError } from '../errors.js';
import { createReporter, formatDuration, plural } from '../progress.js';
import { handleInterruption } from '../signals.js';

const args = {
  model: { type: 'string', description: `Model to train: ${MODEL_KINDS.join(', ')}`, valueHint: 'KIND' },
  epochs: {
    type: 'string',
    description: 'Passes over the training images (default: the model’s tuned number)',
    valueHint: 'N',
  },
  limit: {
    type: 'string',
    description: 'Train on a stratified subset of N training images and test on at most N test images',
    valueHint: 'N',
  },
  seed: {
    type: 'string',
    description: 'Seed of the initial weights, shuffling, augmentation and --limit subset',
    default: '0',
  },
  out: {
    type: 'string',
    description: 'Directory to save the model to (default: ./runs/<model>-<timestamp>/)',
    valueHint: 'DIR',
  },
  workers: {
    type: 'string',
    description: 'Threads for training and test inference: auto (one per core) or a number (1 = the main thread)',
    default: 'auto',
    valueHint: 'N',
  },
  ...backendArgs,
  ...dataArgs,
  ...outputArgs,
} as const;

function text(values: Record<string, unknown>, name: string): string | undefined {
  return typeof values[name] === 'string' ? (values[name] as string) : undefined;
}

/** A stratified subset of `count` images (every class in its share), or the whole split. */
function subset(split: DatasetSplit, count: number | undefined, seed: number): DatasetSplit {
  if (count === undefined || count >= split.count) return split;
  const { validationIndices } = stratifiedSplit(split.labels, { validationFraction: count / split.count, seed });
  return selectExamples(split, validationIndices);
}

function defaultOutDir(kind: ModelKind): string {
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  let candidate = resolve('runs', `${kind}-${stamp}`);
  for (let suffix = 2; existsSync(candidate); suffix++) candidate = resolve('runs', `${kind}-${stamp}-${suffix}`);
  return candidate;
}

export default defineCommand({
  meta: { name: 'train', description: 'Train a model on FashionMNIST, test it on the test split and save it' },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const kind = parseChoiceFlag('model', text(values, 'model'), MODEL_KINDS);
    if (!kind) throw new UsageError(`--model is required: one of ${MODEL_KINDS.join(', ')}`);
    const tuned = recommendedTrainOptions(kind);
    const epochs = parseIntegerFlag('epochs', text(values, 'epochs'), { min: 1, max: 1000 }) ?? tuned.epochs ?? 1;
    const limit = parseIntegerFlag('limit', text(values, 'limit'), { min: 10, max: 60_000 });
    const seed = parseIntegerFlag('seed', text(values, 'seed'), { min: 0, max: 2 ** 31 - 1 }) ?? 0;
    const workersText = text(values, 'workers') ?? 'auto';
    const workers = workersText === 'auto' ? 'auto' : parseIntegerFlag('workers', workersText, { min: 1, max: 64 })!;
    const backendPreference = parseChoiceFlag('backend', text(values, 'backend'), BACKEND_NAMES) ?? 'auto';
    const outDir = resolve(text(values, 'out') ?? defaultOutDir(kind));
    const dataDir = text(values, 'data-dir');

    const interruption = handleInterruption({
      onInterrupt: () => reporter.info('stopping after the current step; press Ctrl-C again to quit at once'),
    });
    try {
      const backend = await selectBackend(backendPreference);
      reporter.info(`backend: ${backend.reason}`);
      const loadOptions = { ...(dataDir ? { dataDir } : {}), signal: interruption.signal };
      const [fullTrain, fullTest] = await Promise.all([
        loadFashionMnist({ split: 'train', ...loadOptions }),
        loadFashionMnist({ split: 'test', ...loadOptions }),
      ]);
      const trainSplit = subset(fullTrain, limit, seed);
      const testSplit = subset(fullTest, limit, seed);
      // Statistics of the images trained on; saved with the model so that inference standardises the same way.
      const normalization = computeNormalization(trainSplit.images);
      const trainData = { ...trainSplit, images: normalizeImages(trainSplit.images, normalization) };
      const testData = { ...testSplit, images: normalizeImages(testSplit.images, normalization) };

      const model = createModel(kind, { seed });
      const trainOptions: TrainOptions = { ...tuned, epochs, seed, workers };
      reporter.info(
        `training ${kind} (${countParameters(model).toLocaleString('en-US')} parameters) on ${trainData.count} images for ${plural(epochs, 'epoch')}`,
      );
      const progress = reporter.training(kind, epochs);
      let history: Awaited<ReturnType<typeof train>>;
      try {
        history = await train(model, trainData, {
          ...trainOptions,
          signal: interruption.signal,
          onBatchEnd: progress.onBatchEnd,
          onEpochEnd: progress.onEpochEnd,
        });
      } finally {
        progress.finish();
      }
      if (history.cancelled) {
        model.dispose();
        throw new InterruptedError('interrupted while training; nothing was saved');
      }
      // Inference on as many threads as training (the test split's batches shared with workers, same results).
      const evaluation = await evaluate(model, testData, { workers });
      const test = {
        accuracy: evaluation.report.accuracy,
        count: testData.count,
        logLoss: evaluation.logLoss,
        top3Accuracy: evaluation.top3,
        ece: evaluation.ece,
        macroF1: evaluation.report.macro.f1,
      };
      await saveModel(model, outDir, {
        kind,
        normalization,
        classNames: CLASS_NAMES,
        training: { options: trainOptions, history },
        test,
      });
      const parameters = countParameters(model);
      model.dispose();
      const trainImages = history.epochs.length * trainData.count;
      reporter.result(
        {
          model: kind,
          backend: backend.name,
          backendReason: backend.reason,
          workers: history.workers,
          parameters,
          epochs: history.epochs.length,
          trainImages,
          trainSeconds: history.seconds,
          trainImagesPerSecond: history.imagesPerSecond,
          test,
          modelDir: outDir,
          history: history.epochs,
        },
        () => [
          `${kind}: test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} images, log loss ${test.logLoss.toFixed(4)}`,
          `trained ${plural(history.epochs.length, 'epoch')} on ${trainData.count} images in ${formatDuration(history.seconds)} ` +
            `(${Math.round(history.imagesPerSecond).toLocaleString('en-US')} images/s, ${backend.name}, ${plural(history.workers, 'worker')})`,
          `saved to ${outDir}`,
        ],
      );
    } finally {
      interruption.dispose();
    }
  },
});
