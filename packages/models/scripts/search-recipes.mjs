// The recipe search behind the presets (packages/models/RECIPES.md): trains candidate recipes on the study's training
// part of the training split (55,000 images, seed 0) and scores them on its validation part (5,000 images). The test
// split is never loaded. Each result is appended as one JSON line to the results file; `--table` prints the Markdown
// table of every result so far.
// Build first (npx -y pnpm@10.28.2 build), then, from the repository root:
//   node packages/models/scripts/search-recipes.mjs [--only name,name] [--workers 2] [--results FILE]
//   node packages/models/scripts/search-recipes.mjs --table [--results FILE]
//   node packages/models/scripts/search-recipes.mjs --throughput [--only ...]   (training images/s of each candidate
//     over 2 epochs of 5,000 images, on a quiet machine: the searches' own timings share the CPU with other work)
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  countMultiplyAccumulates,
  countParameters,
  createModel,
  evaluate,
  kernelVariant,
  selectBackend,
  train,
} from '../dist/index.js';
import { loadValidationSplit } from './validation-split.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: join(here, 'recipe-candidates.json') },
    results: { type: 'string', default: join(here, '..', 'recipes.jsonl') },
    only: { type: 'string' },
    workers: { type: 'string', default: '2' },
    table: { type: 'boolean', default: false },
    throughput: { type: 'boolean', default: false },
  },
});

function readResults(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

function describe(result) {
  const { model, train: options } = result.recipe;
  const parts = [];
  if (model.blocks) parts.push(`blocks ${JSON.stringify(model.blocks)}`);
  if (model.batchNorm !== undefined) parts.push(model.batchNorm ? 'batch norm' : 'no batch norm');
  if (model.globalAveragePooling) parts.push('GAP head');
  if (model.denseUnits) parts.push(`dense ${JSON.stringify(model.denseUnits)}`);
  if (model.dropout !== undefined) parts.push(`dropout ${model.dropout}`);
  if (model.blockDropout) parts.push(`block dropout ${model.blockDropout}`);
  parts.push(`${options.epochs} ep, batch ${options.batchSize ?? 64}, lr ${options.learningRate ?? 1e-3}`);
  if (options.warmupEpochs) parts.push(`warm-up ${options.warmupEpochs} ep`);
  if (options.labelSmoothing) parts.push(`smoothing ${options.labelSmoothing}`);
  const augmentation = options.augmentation;
  if (augmentation) parts.push(`${augmentation.flip ? 'flip + ' : ''}shift ${augmentation.maxShift ?? 0}`);
  return parts.join(', ');
}

if (values.table) {
  const results = readResults(values.results);
  console.log(
    '| Candidate | Kind | Recipe | Parameters | MACs | Validation accuracy | Validation loss | Training s | Images/s |',
  );
  console.log('|---|---|---|--:|--:|--:|--:|--:|--:|');
  for (const result of results) {
    const model = createModel(result.kind, { ...result.recipe.model, seed: 0 });
    result.multiplyAccumulates = countMultiplyAccumulates(model).total;
    model.dispose();
    console.log(
      `| ${result.name} | ${result.kind} | ${describe(result)} | ${result.parameters.toLocaleString('en-US')} | ` +
        `${(result.multiplyAccumulates / 1e6).toFixed(2)} M | ${(result.validationAccuracy * 100).toFixed(2)}% | ` +
        `${result.validationLoss.toFixed(4)} | ${result.trainSeconds.toFixed(0)} | ${result.imagesPerSecond.toFixed(0)} |`,
    );
  }
  process.exit(0);
}

const candidates = JSON.parse(readFileSync(values.candidates, 'utf8'));
const only = values.only?.split(',');
const chosen = only ? candidates.filter((candidate) => only.includes(candidate.name)) : candidates;
if (only && chosen.length !== only.length) {
  const known = candidates.map((candidate) => candidate.name).join(', ');
  console.error(`--only names a candidate that ${values.candidates} does not hold; it holds: ${known}`);
  process.exit(2);
}
const workers = values.workers === 'auto' ? 'auto' : Number(values.workers);
const backend = await selectBackend('auto');
console.error(`backend: ${backend.reason}; ${kernelVariant()} kernels; ${workers} workers`);
const { train: trainData, validation } = await loadValidationSplit(0);

if (values.throughput) {
  const sample = { ...trainData, count: 5000 };
  for (const candidate of chosen) {
    const kind = candidate.kind ?? 'cnn';
    const model = createModel(kind, { ...candidate.model, seed: 0 });
    const history = await train(model, sample, { ...candidate.train, epochs: 2, seed: 0, workers });
    model.dispose();
    // The second epoch: the first includes starting the workers and warming the kernels up.
    const imagesPerSecond = history.epochs[1].imagesPerSecond;
    console.log(
      JSON.stringify({ name: candidate.name, imagesPerSecond, epochSeconds: trainData.count / imagesPerSecond }),
    );
  }
  process.exit(0);
}

for (const candidate of chosen) {
  const kind = candidate.kind ?? 'cnn';
  const model = createModel(kind, { ...candidate.model, seed: 0 });
  const parameters = countParameters(model);
  const multiplyAccumulates = countMultiplyAccumulates(model).total;
  console.error(`${candidate.name}: ${parameters} parameters, ${(multiplyAccumulates / 1e6).toFixed(2)} M MACs`);
  const history = await train(model, trainData, {
    ...candidate.train,
    seed: 0,
    workers,
    validation,
    onEpochEnd: (epoch) =>
      console.error(
        `  epoch ${epoch.epoch}: loss ${epoch.loss.toFixed(4)}, validation ${(epoch.validationAccuracy * 100).toFixed(2)}% ` +
          `(loss ${epoch.validationLoss.toFixed(4)}), ${epoch.seconds.toFixed(0)} s, ${epoch.imagesPerSecond.toFixed(0)} images/s`,
      ),
  });
  const scored = await evaluate(model, validation, { workers });
  model.dispose();
  const result = {
    name: candidate.name,
    kind,
    note: candidate.note ?? '',
    recipe: { model: candidate.model, train: candidate.train },
    parameters,
    multiplyAccumulates,
    validationAccuracy: scored.report.accuracy,
    validationLoss: scored.logLoss,
    validationAccuracyByEpoch: history.epochs.map((epoch) => epoch.validationAccuracy),
    trainSeconds: history.seconds,
    imagesPerSecond: history.imagesPerSecond,
    workers: history.workers,
    backend: `${history.backend} (${kernelVariant()})`,
    node: process.version,
    date: new Date().toISOString(),
  };
  appendFileSync(values.results, `${JSON.stringify(result)}\n`);
  console.error(
    `${candidate.name}: validation ${(result.validationAccuracy * 100).toFixed(2)}% in ${result.trainSeconds.toFixed(0)} s`,
  );
}
