/**
 * predict() on real test images with 1 and 2 threads, alternated, from the built package (worker start-up included,
 * as `fmnist bench` times it). The reference CNN is untrained: inference costs the same whatever the weights.
 *
 *   npx -y pnpm@10.28.2 --filter @fmnist/models build
 *   node packages/models/bench/parallel-inference.mjs [counts, default 2048,4096,10000] [rounds, default 3]
 *
 * Prints one JSON line per count: the best images/s of each thread count, their ratio, and every run.
 */
import { computeNormalization, loadFashionMnist, normalizeImages } from '@fmnist/dataset';
import { createReferenceModel, predict, selectBackend } from '@fmnist/models';

const counts = (process.argv[2] ?? '2048,4096,10000').split(',').map(Number);
const rounds = Number(process.argv[3] ?? 3);
const backend = await selectBackend('wasm');
const test = await loadFashionMnist({ split: 'test' });
const images = normalizeImages(test.images, computeNormalization(test.images));
const model = createReferenceModel('cnn', { seed: 0 });
// The calling thread warm, as after training in `fmnist bench`.
await predict(model, images.subarray(0, 512 * 784));
for (const count of counts) {
  const runs = { 1: [], 2: [] };
  for (let round = 0; round < rounds; round++) {
    for (const workers of [1, 2]) {
      const started = performance.now();
      await predict(model, images.subarray(0, count * 784), { batchSize: 256, workers });
      runs[workers].push(Math.round(count / ((performance.now() - started) / 1000)));
    }
  }
  const best = (values) => Math.max(...values);
  console.log(
    JSON.stringify({
      backend: backend.name,
      images: count,
      best1: best(runs[1]),
      best2: best(runs[2]),
      ratio: Number((best(runs[2]) / best(runs[1])).toFixed(2)),
      runs1: runs[1],
      runs2: runs[2],
    }),
  );
}
model.dispose();
