// Timings of the built package (dist/) on FashionMNIST-sized and larger inputs. Run: pnpm --filter @fmnist/metrics bench
import { performance } from 'node:perf_hooks';
import {
  accuracy,
  bootstrapCI,
  classificationReport,
  logLoss,
  mcnemar,
  pairedBootstrapDifferenceCI,
  topKAccuracy,
} from '../dist/index.js';

/** Median and fastest wall time in milliseconds of `run`, after warm-up calls. */
function time(run, { repeats = 15, warmup = 3 } = {}) {
  for (let index = 0; index < warmup; index++) run();
  const samples = [];
  for (let index = 0; index < repeats; index++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], fastest: samples[0] };
}

function report(name, { median, fastest }) {
  console.log(
    `${name.padEnd(58)} median ${median.toFixed(2).padStart(8)} ms   fastest ${fastest.toFixed(2).padStart(8)} ms`,
  );
}

// A deterministic generator, so every run times the same data.
let state = 12345;
const random = () => {
  state = (state * 1103515245 + 12345) >>> 0;
  return state / 4294967296;
};

const numClasses = 10;
const size = 1_000_000;
const yTrue = Uint8Array.from({ length: size }, () => Math.floor(random() * numClasses));
const predA = yTrue.map((label) => (random() < 0.9 ? label : Math.floor(random() * numClasses)));
const predB = yTrue.map((label) => (random() < 0.85 ? label : Math.floor(random() * numClasses)));

console.log(`@fmnist/metrics benchmarks, Node ${process.version}\n`);
report(
  'classificationReport, 1,000,000 labels (Uint8Array)',
  time(() => classificationReport(yTrue, predA, { numClasses })),
);
const yTrueArray = Array.from(yTrue);
const predArray = Array.from(predA);
report(
  'classificationReport, 1,000,000 labels (number[])',
  time(() => classificationReport(yTrueArray, predArray, { numClasses })),
);
report(
  'mcnemar, 1,000,000 labels',
  time(() => mcnemar(yTrue, predA, predB)),
);

const testSize = 10_000;
const testTrue = yTrue.subarray(0, testSize);
const proba = new Float32Array(testSize * numClasses);
for (let row = 0; row < testSize; row++) {
  let sum = 0;
  for (let column = 0; column < numClasses; column++) sum += proba[row * numClasses + column] = Math.exp(4 * random());
  for (let column = 0; column < numClasses; column++) proba[row * numClasses + column] /= sum;
}
report(
  'logLoss, 10,000 x 10 probabilities',
  time(() => logLoss(testTrue, proba, { numClasses })),
);
report(
  'topKAccuracy k=3, 10,000 x 10 probabilities',
  time(() => topKAccuracy(testTrue, proba, 3, { numClasses })),
);
const options = { resamples: 1000 };
report(
  'bootstrapCI(accuracy), 10,000 labels, 1,000 resamples',
  time(() => bootstrapCI(accuracy, testTrue, predA.subarray(0, testSize), options), { repeats: 5, warmup: 1 }),
);
const wrappedAccuracy = (truth, predicted) => accuracy(truth, predicted);
report(
  'bootstrapCI(wrapped accuracy: calls it per resample), same',
  time(() => bootstrapCI(wrappedAccuracy, testTrue, predA.subarray(0, testSize), options), { repeats: 5, warmup: 1 }),
);
report(
  'pairedBootstrapDifferenceCI, 10,000 labels, 1,000 resamples',
  time(() => pairedBootstrapDifferenceCI(testTrue, predA.subarray(0, testSize), predB.subarray(0, testSize), options), {
    repeats: 5,
    warmup: 1,
  }),
);
