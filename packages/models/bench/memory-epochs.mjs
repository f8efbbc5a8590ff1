/**
 * Resident memory at the end of every epoch of a long run of the default CNN (built package, wasm, 2 workers,
 * validation every epoch, early stopping that keeps the best weights, as `fmnist compare` trains it): shows whether
 * memory levels off or keeps growing.
 *
 *   npx -y pnpm@10.28.2 --filter @fmnist/models build
 *   node packages/models/bench/memory-epochs.mjs [training images, default 6400] [epochs, default 40]
 *
 * Prints the resident MiB after each epoch, then one JSON line with the first, lowest, highest and last of them.
 */
import { computeNormalization, loadFashionMnist, normalizeImages } from '@fmnist/dataset';
import { createModel, recommendedTrainOptions, selectBackend, train } from '@fmnist/models';

const count = Number(process.argv[2] ?? 6400);
const epochs = Number(process.argv[3] ?? 40);
const validationCount = 1000;
await selectBackend('wasm');
const split = await loadFashionMnist({ split: 'train' });
const pixels = split.images.subarray(0, (count + validationCount) * 784);
const images = normalizeImages(pixels, computeNormalization(pixels));
const data = { images: images.subarray(0, count * 784), labels: split.labels.subarray(0, count), count };
const validation = {
  images: images.subarray(count * 784),
  labels: split.labels.subarray(count, count + validationCount),
  count: validationCount,
};
const model = createModel('cnn', { seed: 0 });
const residentMiB = [];
await train(model, data, {
  ...recommendedTrainOptions('cnn'),
  epochs,
  workers: 2,
  validation,
  earlyStopping: { patience: epochs, restoreBest: true },
  onEpochEnd: (epoch) => {
    residentMiB.push(Math.round(process.memoryUsage.rss() / 2 ** 20));
    console.log(`epoch ${epoch.epoch}: ${residentMiB.at(-1)} MiB resident`);
  },
});
model.dispose();
console.log(
  JSON.stringify({
    count,
    epochs,
    first: residentMiB[0],
    lowest: Math.min(...residentMiB),
    highest: Math.max(...residentMiB),
    last: residentMiB.at(-1),
  }),
);
