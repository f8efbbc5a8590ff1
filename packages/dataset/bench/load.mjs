// Load time of both FashionMNIST splits from the .gz files, from the built package: the first load in this process
// (cold: module and file caches still empty) and the median of the next ones (warm). Run with `pnpm bench`.
import { performance } from 'node:perf_hooks';

const WARM_RUNS = 5;
const dataDir = process.env.FMNIST_BENCH_DATA_DIR ?? '/usr/share/datasets/fashion-mnist';

const importStart = performance.now();
const { loadFashionMnist } = await import('../dist/index.js');
const importMs = performance.now() - importStart;

async function loadBoth() {
  const start = performance.now();
  const [train, test] = await Promise.all([
    loadFashionMnist({ split: 'train', dataDir }),
    loadFashionMnist({ split: 'test', dataDir }),
  ]);
  if (train.count !== 60_000 || test.count !== 10_000)
    throw new Error(`unexpected counts ${train.count}/${test.count}`);
  return performance.now() - start;
}

const coldMs = await loadBoth();
const warm = [];
for (let run = 0; run < WARM_RUNS; run++) warm.push(await loadBoth());
warm.sort((a, b) => a - b);
const warmMedianMs = warm[Math.floor(warm.length / 2)];

const result = {
  dataDir,
  importMs: Math.round(importMs),
  coldLoadBothSplitsMs: Math.round(coldMs),
  warmLoadBothSplitsMedianMs: Math.round(warmMedianMs),
  warmRunsMs: warm.map(Math.round),
  goalWarmMs: 400,
};
console.log(JSON.stringify(result));
console.error(
  `@fmnist/dataset: both splits from ${dataDir}: cold ${result.coldLoadBothSplitsMs} ms, warm median ` +
    `${result.warmLoadBothSplitsMedianMs} ms over ${WARM_RUNS} runs (goal <= 400 ms)`,
);
