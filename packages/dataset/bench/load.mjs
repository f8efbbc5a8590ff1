// Load time of both FashionMNIST splits from the .gz files, from the built package: the first load in this process
// (cold: module and file caches still empty) and the median of the next ones (warm). Run with `pnpm bench`.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

const WARM_RUNS = 10;
const dataDir = process.env.FMNIST_BENCH_DATA_DIR ?? '/usr/share/datasets/fashion-mnist';

const importStart = performance.now();
const { loadFashionMnist } = await import('../dist/index.js');
const importMs = performance.now() - importStart;

let lastCpuMs = 0;

async function loadBoth() {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const [train, test] = await Promise.all([
    loadFashionMnist({ split: 'train', dataDir }),
    loadFashionMnist({ split: 'test', dataDir }),
  ]);
  if (train.count !== 60_000 || test.count !== 10_000)
    throw new Error(`unexpected counts ${train.count}/${test.count}`);
  const cpu = process.cpuUsage(cpuStart);
  // CPU time of all threads (zlib runs on the thread pool); unlike wall time it barely moves with machine load.
  lastCpuMs = (cpu.user + cpu.system) / 1000;
  return performance.now() - start;
}

const coldMs = await loadBoth();
const coldCpuMs = lastCpuMs;
const warm = [];
const warmCpu = [];
for (let run = 0; run < WARM_RUNS; run++) {
  warm.push(await loadBoth());
  warmCpu.push(lastCpuMs);
}
warmCpu.sort((a, b) => a - b);
warm.sort((a, b) => a - b);
const warmMedianMs = warm[Math.floor(warm.length / 2)];

const result = {
  dataDir,
  importMs: Math.round(importMs),
  coldLoadBothSplitsMs: Math.round(coldMs),
  warmLoadBothSplitsMedianMs: Math.round(warmMedianMs),
  warmLoadBothSplitsMinMs: Math.round(warm[0]),
  warmRunsMs: warm.map(Math.round),
  coldCpuMs: Math.round(coldCpuMs),
  warmCpuMedianMs: Math.round(warmCpu[Math.floor(warmCpu.length / 2)]),
  loadAverage1m: Number(loadavg()[0].toFixed(2)),
  cpus: availableParallelism(),
  goalWarmMs: 400,
};
console.log(JSON.stringify(result));
console.error(
  `@fmnist/dataset: both splits from ${dataDir}: cold ${result.coldLoadBothSplitsMs} ms, warm median ` +
    `${result.warmLoadBothSplitsMedianMs} ms (fastest ${result.warmLoadBothSplitsMinMs} ms) over ${WARM_RUNS} runs ` +
    `(goal <= 400 ms); CPU time warm ` +
    `${result.warmCpuMedianMs} ms; load average ${result.loadAverage1m} on ${result.cpus} CPUs`,
);
