/**
 * Imports a model saved by `fmnist train` or `fmnist compare` into the package: measures its test accuracy with the
 * weights in float32, uint8 and float16, each as the model is meant to be used (averaged over the views of its
 * metadata's `testTimeAugmentation`, as `loadPretrained` will classify), keeps the smallest encoding that costs at most
 * 0.1 point, and rewrites src/models/ (the model's files as a module of their own, and the catalog with what was
 * measured and through how many views) in one atomic step. The same folder and command give byte-identical files.
 *
 * Usage: pnpm --filter @fmnist/pretrained import-model MODEL_DIR NAME [--command "fmnist ..."] [--data-dir DIR]
 *   MODEL_DIR  the model's folder (relative to where pnpm was started) (model.json, weights.bin, metadata.json), with the run's run.json in it or two levels
 *              up (runs/<run>/models/<kind>)
 *   NAME       the name loadPretrained will take (cnn, linear, ...)
 *   --command  the command that trained it, as the README shows it (default: fmnist and the run's arguments)
 *   --data-dir the FashionMNIST files to test on (default: as loadFashionMnist finds them)
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadFashionMnist } from '@fmnist/dataset';
import { sha256Hex } from '@fmnist/internal';
import { writeFileAtomic, writeFolderAtomic } from '@fmnist/internal/node';
import {
  createClassifier,
  kernelVariant,
  type ModelMetadata,
  type TestTimeAugmentation,
  testTimeViews,
} from '@fmnist/models';
import type { io } from '@tensorflow/tfjs-core';
import type { CatalogEntry, PretrainedFiles, PretrainedInfo, TestAccuracy } from '../src/types.js';
import { countCorrect, EVALUATION_BACKEND, EVALUATION_BATCH_SIZE, selectEvaluationBackend } from './evaluate.js';
import { type Encoding, encodeWeights, MIN_QUANTIZED_VALUES } from './quantize.js';

const MODELS_DIR = fileURLToPath(new URL('../src/models/', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const README_START = '<!-- models:start (written by scripts/import-model.ts) -->';
const README_END = '<!-- models:end -->';
const CATALOG_FILE = 'catalog.generated.ts';
/** The most test accuracy quantization may cost: 0.1 point. */
const MAX_ACCURACY_COST = 0.001;
/** Tried in this order (smallest first); the first within MAX_ACCURACY_COST is shipped. */
const QUANTIZED: Encoding[] = ['uint8', 'float16'];

interface RunRecord {
  arguments: string[];
  startedAt: string;
  seed: number;
  workers: number | string;
  versions: Record<string, string>;
  data: { source: string; files: { split: string; role: string; path: string; sha256: string }[] };
  models: Record<string, { workers?: number | string; trainSeconds?: number }>;
}

/** A model folder or argument the script cannot import; the command line prints its message and exits 2. */
class ImportError extends Error {}

function fail(message: string): never {
  throw new ImportError(message);
}

async function readRun(modelDir: string): Promise<RunRecord> {
  for (const candidate of [join(modelDir, 'run.json'), join(modelDir, '..', '..', 'run.json')]) {
    if (existsSync(candidate)) return JSON.parse(await readFile(candidate, 'utf8')) as RunRecord;
  }
  fail(`${modelDir} has no run.json beside it or two levels up: import a model saved by fmnist train or compare`);
}

/** The three files of a model with its weights stored in `encoding`, and their metadata updated to match. */
function encodedFiles(
  modelJson: io.ModelJSON,
  metadata: ModelMetadata,
  weights: Uint8Array,
  encoding: Encoding,
): { text: PretrainedFiles; weights: Uint8Array; modelText: string; metadataText: string } {
  const manifest = modelJson.weightsManifest[0]!;
  const encoded = encodeWeights(manifest.weights, weights, encoding);
  const modelText = JSON.stringify({
    ...modelJson,
    weightsManifest: [{ ...manifest, weights: encoded.specs }],
  });
  const digest = (bytes: Uint8Array) => ({ bytes: bytes.length, sha256: sha256Hex(bytes) });
  const metadataText = `${JSON.stringify(
    {
      ...metadata,
      files: { 'model.json': digest(new TextEncoder().encode(modelText)), 'weights.bin': digest(encoded.data) },
    },
    null,
    2,
  )}\n`;
  return {
    text: {
      'model.json': modelText,
      'metadata.json': metadataText,
      'weights.bin': Buffer.from(encoded.data).toString('base64'),
    },
    weights: encoded.data,
    modelText,
    metadataText,
  };
}

function catalogSource(entries: [string, PretrainedInfo][]): string {
  const lines = entries.map(
    ([name, info]) =>
      `  ${JSON.stringify(name)}: {\n    info: ${JSON.stringify(info, null, 2).replaceAll('\n', '\n    ')},\n    load: () => import('./${name}.generated.js'),\n  },`,
  );
  return [
    '// Generated by packages/pretrained/scripts/import-model.ts; do not edit. What each shipped model is, and its loader.',
    "import type { CatalogEntry } from '../types.js';",
    '',
    '/** The names of the shipped models. */',
    `export type PretrainedModelName = ${entries.map(([name]) => `'${name}'`).join(' | ') || 'never'};`,
    '',
    'export const CATALOG: Record<PretrainedModelName, CatalogEntry> = {',
    ...lines,
    '};',
    '',
  ].join('\n');
}

function filesSource(name: string, files: PretrainedFiles): string {
  return [
    `// Generated by packages/pretrained/scripts/import-model.ts; do not edit. The files of pretrained model '${name}':`,
    '// model.json and metadata.json as text, weights.bin in base64.',
    "import type { PretrainedFiles } from '../types.js';",
    '',
    'export const files: PretrainedFiles = {',
    ...Object.entries(files).map(([file, content]) => `  ${JSON.stringify(file)}: ${JSON.stringify(content)},`),
    '};',
    '',
  ].join('\n');
}

const percent = (accuracy: number) => `${(accuracy * 100).toFixed(2)}%`;

function duration(seconds: number | null): string {
  if (seconds === null) return 'unrecorded';
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${Math.round(seconds)} s` : `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** How a model's test figures were measured per image: the views averaged, or the image alone. */
function viewsText(info: PretrainedInfo): string {
  const { testTimeAugmentation } = info;
  const views = testTimeViews(testTimeAugmentation).length;
  if (testTimeAugmentation === undefined || views === 1) return 'the image alone';
  return `the mean of ${views} views (\`testTimeAugmentation\` \`{ flip: ${testTimeAugmentation.flip}, shift: ${testTimeAugmentation.shift} }\`)`;
}

/** The README's table of the shipped models, from what the catalog records. */
function readmeSection(entries: [string, PretrainedInfo][]): string {
  const accuracy = (info: PretrainedInfo, encoding: Encoding) => {
    const entry = info.test.measured.find((measured) => measured.encoding === encoding);
    if (entry === undefined) return 'not measured';
    const text = `${percent(entry.accuracy)} (${entry.correct.toLocaleString('en-US')})`;
    return encoding === info.quantization.encoding ? `**${text}**` : text;
  };
  const header = ['Name', 'Parameters', 'float32 (as trained)', 'uint8', 'float16', 'Shipped weights'];
  const kilobytes = (bytes: number) => `${(bytes / 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })} kB`;
  const rows = entries.map(([name, info]) => [
    `\`${name}\``,
    info.parameters.toLocaleString('en-US'),
    accuracy(info, 'float32'),
    accuracy(info, 'uint8'),
    accuracy(info, 'float16'),
    `${info.quantization.encoding}, ${kilobytes(info.weightBytes.shipped)} (float32: ${kilobytes(info.weightBytes.float32)})`,
  ]);
  // Columns padded as the repository's formatter (biome) pads Markdown tables.
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  const table = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
  const commands = entries.map(
    ([name, info]) =>
      `- \`${name}\`: \`${info.command}\` (seed ${info.seed}, ${info.workers} workers, Node ${info.versions.node ?? '?'}, tfjs ${info.versions['@tensorflow/tfjs-core'] ?? '?'}; trained in ${duration(info.trainSeconds)}, started ${info.trainedAt})`,
  );
  return [
    README_START,
    '',
    `Test accuracy on the 10,000 FashionMNIST test images (images correct in brackets) with the weights stored three ways;`,
    "the shipped one in bold. Measured by the import script on the wasm backend, in batches of 256; the package's",
    'tests check the shipped figure again. Each image is scored as `loadPretrained` classifies it:',
    `${entries.map(([name, info]) => `\`${name}\` ${viewsText(info)}`).join(', ')}.`,
    '',
    ...table,
    '',
    'The commands that trained them:',
    '',
    ...commands,
    '',
    README_END,
  ].join('\n');
}

async function updateReadme(path: string, entries: [string, PretrainedInfo][]): Promise<void> {
  const readme = await readFile(path, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) fail(`${path} lacks the markers ${README_START} and ${README_END}`);
  await writeFileAtomic(
    path,
    `${readme.slice(0, start)}${readmeSection(entries)}${readme.slice(end + README_END.length)}`,
  );
}

async function existingCatalog(modelsDir: string): Promise<Record<string, CatalogEntry>> {
  const path = join(modelsDir, CATALOG_FILE);
  if (!existsSync(path)) return {};
  // The module cache keeps the first version of a URL: the content's hash in the URL reads a rewritten catalog afresh
  // when one process imports several models.
  const version = sha256Hex(new Uint8Array(await readFile(path)));
  return (await import(`${pathToFileURL(path).href}?sha256=${version}`)).CATALOG as Record<string, CatalogEntry>;
}

export interface ImportOptions {
  /** The model's folder, with its run.json beside it or two levels up. */
  modelDir: string;
  /** The name loadPretrained will take. */
  name: string;
  /** The command that trained it. Default: fmnist and the run's arguments. */
  command?: string | undefined;
  /** The FashionMNIST files to test on. Default: as loadFashionMnist finds them. */
  dataDir?: string | undefined;
  /** Where the generated modules go. Default: the package's src/models/. */
  modelsDir?: string;
  /** The README whose table is rewritten. Default: the package's. */
  readme?: string;
}

/** Measures, picks the encoding and writes the model's module, the catalog and the README table; returns the record. */
export async function importModel(options: ImportOptions): Promise<PretrainedInfo> {
  const { name, modelsDir = MODELS_DIR, readme = README } = options;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) fail(`NAME must be lowercase letters, digits and dashes, got '${name}'`);
  const modelDir = resolve(options.modelDir);
  const read = async (file: string) => new Uint8Array(await readFile(join(modelDir, file)));
  const run = await readRun(modelDir);
  const modelJson = JSON.parse(new TextDecoder().decode(await read('model.json'))) as io.ModelJSON;
  const metadata = JSON.parse(new TextDecoder().decode(await read('metadata.json'))) as ModelMetadata;
  const weights = await read('weights.bin');
  const runModel = run.models[metadata.kind];
  if (runModel === undefined) fail(`${modelDir}: run.json records no ${metadata.kind} model`);

  await selectEvaluationBackend();
  const dataDir = options.dataDir;
  const test = await loadFashionMnist({ split: 'test', ...(dataDir === undefined ? {} : { dataDir }) });

  const candidates = new Map<Encoding, ReturnType<typeof encodedFiles>>();
  const measured: TestAccuracy[] = [];
  // The classifier's own views (metadata.testTimeAugmentation, the same in every encoding), as users will get them.
  let testTimeAugmentation: TestTimeAugmentation | undefined;
  for (const encoding of ['float32', ...QUANTIZED] as const) {
    const files = encodedFiles(modelJson, metadata, weights, encoding);
    const bytes = new Map<string, Uint8Array>([
      ['model.json', new TextEncoder().encode(files.modelText)],
      ['metadata.json', new TextEncoder().encode(files.metadataText)],
      ['weights.bin', files.weights],
    ]);
    const classifier = await createClassifier({ read: async (file) => bytes.get(file), where: `${encoding}:` });
    testTimeAugmentation = classifier.testTimeAugmentation;
    const correct = await countCorrect(classifier, test);
    classifier.dispose();
    candidates.set(encoding, files);
    measured.push({ encoding, correct, accuracy: correct / test.count });
  }
  const float32Correct = measured[0]!.correct;
  const shipped =
    measured.find(
      ({ encoding, correct }) =>
        encoding !== 'float32' && float32Correct - correct <= Math.round(MAX_ACCURACY_COST * test.count),
    ) ?? measured[0]!;
  const files = candidates.get(shipped.encoding)!;
  const digest = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    return { bytes: bytes.length, sha256: sha256Hex(bytes) };
  };
  const info: PretrainedInfo = {
    name,
    kind: metadata.kind,
    parameters: metadata.parameters,
    command: options.command ?? `fmnist ${run.arguments.join(' ')}`,
    seed: run.seed,
    workers: runModel.workers ?? run.workers,
    trainedAt: run.startedAt,
    trainSeconds: runModel.trainSeconds ?? null,
    versions: { ...run.versions, kernelVariant: kernelVariant() },
    data: {
      source: run.data.source,
      files: run.data.files.map(({ split, role, path, sha256 }) => ({
        split,
        role,
        file: path.split(/[\\/]/).pop() ?? path,
        sha256,
      })),
    },
    quantization: {
      encoding: shipped.encoding,
      rule: `tensors of at least ${MIN_QUANTIZED_VALUES} values in the smallest encoding (uint8, then float16) that costs at most ${MAX_ACCURACY_COST * 100} point of test accuracy, else float32; smaller tensors float32`,
    },
    ...(testTimeAugmentation === undefined ? {} : { testTimeAugmentation }),
    test: {
      images: test.count,
      backend: `${EVALUATION_BACKEND}, batches of ${EVALUATION_BATCH_SIZE}`,
      views: testTimeViews(testTimeAugmentation).length,
      shipped,
      measured,
    },
    weightBytes: { float32: weights.length, shipped: files.weights.length },
    files: {
      'model.json': digest(files.modelText),
      'metadata.json': digest(files.metadataText),
      'weights.bin': { bytes: files.weights.length, sha256: sha256Hex(files.weights) },
    },
  };

  const catalog = await existingCatalog(modelsDir);
  const entries = new Map(Object.entries(catalog).map(([known, entry]) => [known, entry.info]));
  entries.set(name, info);
  const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
  await writeFolderAtomic(modelsDir, async (staging) => {
    for (const [known] of sorted) {
      if (known !== name)
        await copyFile(join(modelsDir, `${known}.generated.ts`), join(staging, `${known}.generated.ts`));
    }
    await writeFile(join(staging, `${name}.generated.ts`), filesSource(name, files.text));
    await writeFile(join(staging, CATALOG_FILE), catalogSource(sorted));
  });
  await updateReadme(readme, sorted);
  return info;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { command: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const [modelDir, name] = positionals;
  if (modelDir === undefined || name === undefined || positionals.length !== 2) {
    fail('usage: import-model MODEL_DIR NAME [--command "fmnist ..."] [--data-dir DIR]');
  }
  // pnpm runs package scripts in the package's folder; paths are meant from where it was started.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const info = await importModel({
    modelDir: resolve(cwd, modelDir),
    name,
    command: values.command,
    dataDir: values['data-dir'] && resolve(cwd, values['data-dir']),
  });
  for (const { encoding, correct } of info.test.measured) {
    process.stderr.write(
      `${name} ${encoding}: ${correct} of ${info.test.images} test images correct (${info.test.views === 1 ? 'the image alone' : `the mean of ${info.test.views} views`})\n`,
    );
  }
  process.stderr.write(
    `${name}: shipped ${info.quantization.encoding} (${percent(info.test.shipped.accuracy)}), ${info.weightBytes.shipped} weight bytes, into ${MODELS_DIR}\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main().catch((error: unknown) => {
    if (!(error instanceof ImportError)) throw error;
    process.stderr.write(`import-model: ${error.message}\n`);
    process.exit(2);
  });
}
