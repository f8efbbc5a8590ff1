// Tuning run for the CNN defaults: validation accuracy per epoch (55,000 / 5,000 stratified split of the training
// images), then test accuracy, for one CnnOptions configuration trained with recommendedTrainOptions('cnn').
// Build first (npx -y pnpm@10.28.2 build), then, from packages/models:
//   node scripts/tune.mjs [epochs=8] ['{"blocks":[[32],[64]]}'] [backend=wasm]
import {
  computeNormalization,
  loadFashionMnist,
  normalizeImages,
  selectExamples,
  stratifiedSplit,
} from '@fmnist/dataset';
import {
  countParameters,
  createCnnModel,
  evaluate,
  recommendedTrainOptions,
  selectBackend,
  train,
} from '../dist/index.js';

const epochs = Number(process.argv[2] ?? 8);
const options = JSON.parse(process.argv[3] ?? '{}');
const backend = await selectBackend(process.argv[4] ?? 'wasm');
const [trainSplit, testSplit] = await Promise.all([
  loadFashionMnist({ split: 'train' }),
  loadFashionMnist({ split: 'test' }),
]);
const { trainIndices, validationIndices } = stratifiedSplit(trainSplit.labels, {
  validationFraction: 5000 / 60000,
  seed: 0,
});
const trainPart = selectExamples(trainSplit, trainIndices);
const normalization = computeNormalization(trainPart.images);
const labelled = (split) => ({ ...split, images: normalizeImages(split.images, normalization) });

const model = createCnnModel(options);
console.log(
  `${backend.reason}; options ${JSON.stringify(options)}; ${countParameters(model)} parameters; ${epochs} epochs`,
);
const history = await train(model, labelled(trainPart), {
  ...recommendedTrainOptions('cnn'),
  epochs,
  workers: 'auto',
  validation: labelled(selectExamples(trainSplit, validationIndices)),
  onEpochEnd: (epoch) =>
    console.log(
      `epoch ${epoch.epoch}: loss ${epoch.loss.toFixed(4)}, accuracy ${epoch.accuracy.toFixed(4)}, ` +
        `validation accuracy ${epoch.validationAccuracy?.toFixed(4)}, ${epoch.seconds.toFixed(0)} s, ` +
        `${epoch.imagesPerSecond.toFixed(0)} images/s`,
    ),
});
const { report } = await evaluate(model, labelled(testSplit));
console.log(
  `test accuracy ${report.accuracy.toFixed(4)}; ${history.seconds.toFixed(0)} s of training at ` +
    `${history.imagesPerSecond.toFixed(0)} images/s with ${history.workers} workers`,
);
