/** `fmnist eval`: loads a saved model and scores it on the test split, standardised as the model was trained. */
import { resolve } from 'node:path';
import { loadFashionMnist, normalizeImages } from '@fmnist/dataset';
import { evaluate, loadModel, selectBackend } from '@fmnist/models';
import { defineCommand } from 'citty';
import {
  BACKEND_NAMES,
  backendArgs,
  dataArgs,
  outputArgs,
  parseChoiceFlag,
  parseWorkersFlag,
  workersArgs,
} from '../args.js';
import { UsageError } from '../errors.js';
import { createReporter } from '../progress.js';

const args = {
  'model-dir': {
    type: 'string',
    description: 'Directory (or http(s) URL) of a model saved by fmnist train',
    valueHint: 'DIR',
  },
  workers: {
    ...workersArgs.workers,
    description: 'Inference threads: auto (one per idle core, from 4096 images) or a number (1 = the main thread)',
  },
  ...backendArgs,
  ...dataArgs,
  ...outputArgs,
} as const;

export default defineCommand({
  meta: { name: 'eval', description: 'Score a saved model on the FashionMNIST test split' },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const modelDirText = typeof values['model-dir'] === 'string' ? values['model-dir'] : undefined;
    if (!modelDirText) throw new UsageError('--model-dir is required: the directory a model was saved to');
    const modelDir = /^https?:\/\//i.test(modelDirText) ? modelDirText : resolve(modelDirText);
    const backendPreference =
      parseChoiceFlag('backend', typeof values.backend === 'string' ? values.backend : undefined, BACKEND_NAMES) ??
      'auto';
    const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined;
    const workers = parseWorkersFlag(typeof values.workers === 'string' ? values.workers : undefined);

    const backend = await selectBackend(backendPreference);
    reporter.info(`backend: ${backend.reason}`);
    const { model, metadata } = await loadModel(modelDir);
    try {
      const split = await loadFashionMnist({ split: 'test', ...(dataDir ? { dataDir } : {}) });
      const data = { ...split, images: normalizeImages(split.images, metadata.normalization) };
      reporter.info(`evaluating ${metadata.kind} from ${modelDir} on ${data.count} test images`);
      const started = performance.now();
      const evaluation = await evaluate(model, data, { workers });
      const evaluateSeconds = (performance.now() - started) / 1000;
      const test = {
        accuracy: evaluation.report.accuracy,
        count: data.count,
        logLoss: evaluation.logLoss,
        top3Accuracy: evaluation.top3,
        ece: evaluation.ece,
        macroF1: evaluation.report.macro.f1,
        perClass: evaluation.report.perClass.map((metrics, label) => ({
          className: metadata.classNames[label],
          ...metrics,
        })),
        confusionMatrix: evaluation.confusionMatrix,
      };
      reporter.result(
        {
          model: metadata.kind,
          modelDir,
          backend: backend.name,
          test,
          evaluateSeconds,
          imagesPerSecond: data.count / evaluateSeconds,
        },
        () => [
          `${metadata.kind}: test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} images, ` +
            `macro F1 ${test.macroF1.toFixed(4)}, log loss ${test.logLoss.toFixed(4)}, top-3 ${(test.top3Accuracy * 100).toFixed(2)}%`,
          ...test.perClass.map(
            (metrics) =>
              `  ${String(metrics.className).padEnd(12)} precision ${metrics.precision.toFixed(3)}  recall ${metrics.recall.toFixed(3)}  F1 ${metrics.f1.toFixed(3)}`,
          ),
        ],
      );
    } finally {
      model.dispose();
    }
  },
});
