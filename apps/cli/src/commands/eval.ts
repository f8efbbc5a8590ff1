/** `fmnist eval`: loads a saved model and scores it on the test split, standardized as the model was trained. */
import { loadFashionMnist, normalizeImages } from '@fmnist/dataset';
import { evaluate, loadModel, selectBackend, testTimeViews } from '@fmnist/models';
import { defineCommand } from 'citty';
import {
  backendArgs,
  dataArgs,
  modelDirArgs,
  outputArgs,
  parseBackend,
  parseDataDir,
  parseModelDir,
  parseTestTimeAugmentation,
  parseWorkers,
  testTimeAugmentationArgs,
  workersArgs,
} from '../args.js';
import { createReporter } from '../progress.js';

const args = {
  ...modelDirArgs,
  workers: {
    ...workersArgs.workers,
    description: 'Inference threads: auto (one per idle core, from 4096 images) or 1 to 64 (1: the main thread)',
  },
  ...testTimeAugmentationArgs,
  ...backendArgs,
  ...dataArgs,
  ...outputArgs,
} as const;

export default defineCommand({
  meta: { name: 'eval', description: 'Score a saved model on the FashionMNIST test split' },
  args,
  async run({ args: values }) {
    const reporter = createReporter(values);
    const modelDir = parseModelDir(values);
    const backendPreference = parseBackend(values);
    const dataDir = parseDataDir(values);
    const workers = parseWorkers(values);

    const backend = await selectBackend(backendPreference);
    reporter.info(`backend: ${backend.reason}`);
    const { model, metadata } = await loadModel(modelDir);
    try {
      const split = await loadFashionMnist({ split: 'test', ...(dataDir ? { dataDir } : {}) });
      const data = { ...split, images: normalizeImages(split.images, metadata.normalization) };
      // Scored as the model is meant to be used: through its test-time views, when its metadata names them (unless
      // --no-test-time-augmentation).
      const tta = parseTestTimeAugmentation(values) ? metadata.testTimeAugmentation : undefined;
      const views = tta ? ` (averaging ${testTimeViews(tta).length} views of each)` : '';
      reporter.info(`evaluating ${metadata.kind} from ${modelDir} on ${data.count} test images${views}`);
      const started = performance.now();
      const evaluation = await evaluate(model, data, { workers, ...(tta ? { testTimeAugmentation: tta } : {}) });
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
          ...(tta ? { testTimeAugmentation: tta } : {}),
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
