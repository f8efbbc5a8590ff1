// The search behind the presets' test-time augmentation (packages/models/RECIPES.md): scores trained study models on
// their own validation split (rebuilt from each model's seed, as `fmnist compare --seed S` made it) through each
// candidate set of views, and appends one JSON line per model and candidate to the results file. The test split is
// never loaded. `--table` prints the Markdown table of the results so far.
// Build first (npx -y pnpm@10.28.2 build), then, from the repository root:
//   node packages/models/scripts/search-test-time.mjs RUN/seed-0/models/cnn RUN/seed-1/models/cnn ... [--workers 2]
//   node packages/models/scripts/search-test-time.mjs --table
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluate, loadModel, selectBackend, testTimeViews } from '../dist/index.js';
import { loadValidationSplit } from './validation-split.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    results: { type: 'string', default: join(here, '..', 'test-time.jsonl') },
    workers: { type: 'string', default: '2' },
    table: { type: 'boolean', default: false },
  },
});

/** The candidates: none, a mirror image, 1- and 2-pixel shifts, each with and without the mirror image. */
const CANDIDATES = [
  undefined,
  { flip: true, shift: 0 },
  { flip: false, shift: 1 },
  { flip: true, shift: 1 },
  { flip: false, shift: 2 },
  { flip: true, shift: 2 },
];

const describe = (augmentation) =>
  augmentation === undefined
    ? 'none (1 view)'
    : `${[augmentation.flip ? 'mirror' : '', augmentation.shift ? `shifts of ${augmentation.shift} px` : '']
        .filter(Boolean)
        .join(' + ')} (${testTimeViews(augmentation).length} views)`;

if (values.table) {
  const results = existsSync(values.results)
    ? readFileSync(values.results, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line))
    : [];
  const models = [...new Set(results.map((result) => result.model))];
  const byKey = new Map(
    results.map((result) => [`${result.model}|${JSON.stringify(result.testTimeAugmentation ?? null)}`, result]),
  );
  console.log(`| Views | ${models.map((model) => `${model} validation accuracy`).join(' | ')} | Mean gain (points) |`);
  console.log(`|---|${models.map(() => '--:').join('|')}|--:|`);
  for (const candidate of CANDIDATES) {
    const cells = models.map((model) => byKey.get(`${model}|${JSON.stringify(candidate ?? null)}`));
    if (cells.some((cell) => cell === undefined)) continue;
    const gains = cells.map(
      (cell, index) => cell.validationAccuracy - byKey.get(`${models[index]}|null`).validationAccuracy,
    );
    const mean = (gains.reduce((sum, gain) => sum + gain, 0) / gains.length) * 100;
    console.log(
      `| ${describe(candidate)} | ${cells.map((cell) => `${(cell.validationAccuracy * 100).toFixed(2)}%`).join(' | ')} | ` +
        `${mean >= 0 ? '+' : ''}${mean.toFixed(2)} |`,
    );
  }
  process.exit(0);
}

if (positionals.length === 0) {
  console.error("name one or more trained model folders (e.g. a study run's seed-0/models/cnn), or pass --table");
  process.exit(2);
}
const workers = values.workers === 'auto' ? 'auto' : Number(values.workers);
const backend = await selectBackend('auto');
console.error(`backend: ${backend.reason}; ${workers} workers`);
for (const folder of positionals) {
  const { model, metadata } = await loadModel(resolve(folder));
  const seed = metadata.model?.seed ?? metadata.training?.options?.seed ?? 0;
  const { validation, normalization } = await loadValidationSplit(seed);
  const expected = metadata.training?.options?.validationImages;
  if (expected !== validation.count || normalization.mean !== metadata.normalization.mean) {
    console.error(`${folder}: its split is not the study's validation split of seed ${seed}; skipped`);
    model.dispose();
    continue;
  }
  const name = `${metadata.kind} seed ${seed}${metadata.training?.options?.epochs ? `, ${metadata.training.options.epochs} ep` : ''}`;
  for (const testTimeAugmentation of CANDIDATES) {
    const started = performance.now();
    const scored = await evaluate(model, validation, {
      workers,
      ...(testTimeAugmentation ? { testTimeAugmentation } : {}),
    });
    const result = {
      model: name,
      folder: resolve(folder),
      ...(testTimeAugmentation ? { testTimeAugmentation } : {}),
      views: testTimeViews(testTimeAugmentation).length,
      validationAccuracy: scored.report.accuracy,
      validationLoss: scored.logLoss,
      seconds: (performance.now() - started) / 1000,
      date: new Date().toISOString(),
    };
    appendFileSync(values.results, `${JSON.stringify(result)}\n`);
    console.error(`${name}: ${describe(testTimeAugmentation)}: ${(result.validationAccuracy * 100).toFixed(2)}%`);
  }
  model.dispose();
}
