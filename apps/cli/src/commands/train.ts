/** `fmnist train`: trains one model (linear, MLP or CNN) on the training split, tests it, and saves it. */
import { METADATA_FILE, MODEL_KINDS, presetRecipe, selectBackend } from '@fmnist/models';
import { defineCommand } from 'citty';
import {
  backendArgs,
  dataArgs,
  epochsArgs,
  type FlagValues,
  limitArgs,
  modelArgs,
  outArgs,
  outputArgs,
  parseBackend,
  parseDataDir,
  parseEpochs,
  parseLimit,
  parseModelKind,
  parseOut,
  parsePreset,
  parseSeed,
  parseWorkers,
  presetArgs,
  seedArgs,
  workersArgs,
} from '../args.js';
import { InterruptedError, UsageError } from '../errors.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter, formatDuration, plural } from '../progress.js';
import { defaultRunFolder, loadStudyData, RunRecorder, trainEvaluateSave, writeRunRecord } from '../run.js';
import { handleInterruption } from '../signals.js';

const args = {
  model: { ...modelArgs.model, description: `Model to train: ${MODEL_KINDS.join(', ')}` },
  ...presetArgs,
  epochs: { ...epochsArgs.epochs, description: "Passes over the training images (default: the preset's)" },
  ...limitArgs,
  ...seedArgs,
  ...outArgs('Folder to save the model and run.json to (default: ./runs/<model>-<timestamp>/)'),
  ...workersArgs,
  ...backendArgs,
  ...dataArgs,
  ...outputArgs,
} as const;

function parseOptions(values: FlagValues) {
  const kind = parseModelKind(values);
  if (!kind) throw new UsageError(`--model is required: one of ${MODEL_KINDS.join(', ')}`);
  const preset = parsePreset(values);
  // train holds no validation data, so a preset's early stopping (which watches the validation loss) does not apply.
  const {
    model,
    train: { earlyStopping: _, ...train },
    testTimeAugmentation,
  } = presetRecipe(kind, preset);
  const recipe = { model, train, testTimeAugmentation };
  const options = {
    kind,
    preset,
    recipe,
    epochs: parseEpochs(values) ?? recipe.train.epochs ?? 1,
    limit: parseLimit(values),
    seed: parseSeed(values),
    workers: parseWorkers(values),
    backend: parseBackend(values),
    outDir: parseOut(values) ?? defaultRunFolder(`${kind}-`),
    dataDir: parseDataDir(values),
  };
  // A folder holding a saved model is replaced; anything else is refused before training starts.
  checkOutputFolder('out', options.outDir, { kind: 'replace', marker: METADATA_FILE, what: 'a saved model' });
  return options;
}

export default defineCommand({
  meta: { name: 'train', description: 'Train a model on FashionMNIST, test it on the test split and save it' },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const { kind, preset, recipe, epochs, seed, workers, outDir, ...options } = parseOptions(values);
    const recorder = new RunRecorder({ command: 'train', seed, preset, workers, backend: options.backend });
    const interruption = handleInterruption({
      onInterrupt: () => reporter.info('stopping after the current step; press Ctrl-C again to quit at once'),
    });
    try {
      const backend = await selectBackend(options.backend);
      recorder.selectedBackend(backend);
      reporter.info(`backend: ${backend.reason}`);
      const data = await recorder.time('load', () =>
        loadStudyData({ ...options, seed, validationFraction: 0, signal: interruption.signal }),
      );
      recorder.data = data.record;
      const run = await recorder.time(kind, () =>
        trainEvaluateSave({
          kind,
          model: recipe.model,
          options: { ...recipe.train, epochs, seed, workers },
          ...(recipe.testTimeAugmentation ? { testTimeAugmentation: recipe.testTimeAugmentation } : {}),
          data,
          modelDir: outDir,
          reporter,
          signal: interruption.signal,
        }),
      );
      if (!run) throw new InterruptedError('interrupted while training; nothing was saved');
      recorder.models[kind] = { ...run.record, path: '.' };
      recorder.completed.push('.');
      await writeRunRecord(outDir, recorder.record('complete'));
      const { history, record } = run;
      const test = record.test!;
      reporter.result(
        {
          model: kind,
          preset,
          backend: backend.name,
          backendReason: backend.reason,
          workers: history.workers,
          parameters: run.parameters,
          epochs: history.epochs.length,
          trainImages: history.epochs.length * data.train.count,
          trainSeconds: history.seconds,
          trainImagesPerSecond: history.imagesPerSecond,
          test,
          modelDir: outDir,
          history: history.epochs,
        },
        () => [
          `${kind}: test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} images, log loss ${test.logLoss?.toFixed(4)}`,
          `trained ${plural(history.epochs.length, 'epoch')} on ${data.train.count} images in ${formatDuration(history.seconds)} ` +
            `(${Math.round(history.imagesPerSecond).toLocaleString('en-US')} images/s, ${backend.name}, ${plural(history.workers, 'worker')})`,
          `saved to ${outDir}`,
        ],
      );
    } finally {
      interruption.dispose();
    }
  },
});
