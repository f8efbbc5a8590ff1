/**
 * Test helpers for the demo: a tiny trained model exported with the built `fmnist export`, the built demo, and a
 * local static server for both plus the test data. Nothing here is committed output; all of it lives in a temp dir.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLASS_NAMES, computeNormalization, loadFashionMnist, normalizeImages } from '@fmnist/dataset';
import { createModel, saveModel, train } from '@fmnist/models';
import * as tf from '@tensorflow/tfjs-core';
import { createStaticServer, listen } from '../scripts/static-server.mjs';

export const webRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = resolve(webRoot, '../..');
export const systemDataDir = '/usr/share/datasets/fashion-mnist';
const run = promisify(execFile);

/** Newest modification time of the files under `path` (recursively). */
async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newest(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** Builds the demo unless dist/ is newer than its sources (the root `pnpm test` builds it first through turbo). */
export async function ensureDemoBuilt(): Promise<string> {
  const dist = join(webRoot, 'dist');
  const builtAt = await newest(join(dist, 'index.html')).catch(() => 0);
  const sourcesAt = Math.max(await newest(join(webRoot, 'src')), await newest(join(webRoot, 'index.html')));
  if (builtAt < sourcesAt) {
    const { build } = await import('vite');
    await build({ root: webRoot, logLevel: 'warn', configFile: join(webRoot, 'vite.config.ts') });
  }
  return dist;
}

/**
 * Trains a linear model for one epoch on 3000 training images (a few seconds on one core), saves it, and exports it
 * with the built CLI exactly as a user would. Returns the bundle's folder.
 */
export async function exportTinyModel(work: string): Promise<string> {
  await tf.setBackend('cpu');
  const full = await loadFashionMnist({ split: 'train', dataDir: systemDataDir });
  const count = 3000;
  const images = full.images.subarray(0, count * 784);
  const normalization = computeNormalization(images);
  const model = createModel('linear', { seed: 11 });
  await train(
    model,
    { images: normalizeImages(images, normalization), labels: full.labels.subarray(0, count), count },
    { epochs: 1, batchSize: 64, learningRate: 0.01, workers: 1, seed: 1 },
  );
  const modelDir = join(work, 'saved-model');
  await saveModel(model, modelDir, {
    kind: 'linear',
    normalization,
    classNames: CLASS_NAMES,
  });
  model.dispose();
  const bundle = join(work, 'bundle');
  await run(process.execPath, [
    join(repoRoot, 'apps/cli/bin/fmnist.js'),
    'export',
    '--model-dir',
    modelDir,
    '--out',
    bundle,
  ]);
  return bundle;
}

/** An untrained CNN (default architecture, seeded weights) exported the same way: inference speed needs no training. */
export async function exportUntrainedCnn(work: string): Promise<string> {
  await tf.setBackend('cpu');
  const modelDir = join(work, 'saved-cnn');
  const model = createModel('cnn', { seed: 5 });
  await saveModel(model, modelDir, {
    kind: 'cnn',
    normalization: { mean: 0.286, std: 0.353 },
    classNames: CLASS_NAMES,
  });
  model.dispose();
  const bundle = join(work, 'cnn');
  await run(process.execPath, [
    join(repoRoot, 'apps/cli/bin/fmnist.js'),
    'export',
    '--model-dir',
    modelDir,
    '--out',
    bundle,
  ]);
  return bundle;
}

/**
 * An untrained linear model (seeded weights) saved with test-time augmentation in its metadata, `{ flip: true, shift: 1 }`
 * (ten views per picture), as `saveModel` writes it: a folder the page loads like an exported bundle.
 */
export async function saveAugmentedModel(work: string): Promise<string> {
  const modelDir = join(work, 'augmented');
  const model = createModel('linear', { seed: 7 });
  await saveModel(model, modelDir, {
    kind: 'linear',
    normalization: { mean: 0.286, std: 0.353 },
    classNames: CLASS_NAMES,
    testTimeAugmentation: { flip: true, shift: 1 },
  });
  model.dispose();
  return modelDir;
}

/** A report folder like the CLI writes: report.md linking one SVG figure. */
export async function writeTinyReport(work: string): Promise<string> {
  const report = join(work, 'report');
  await mkdir(join(report, 'figures'), { recursive: true });
  await writeFile(join(report, 'report.md'), '# Study\n\n![Per-class F1](figures/per-class-metrics.svg)\n');
  await writeFile(
    join(report, 'figures', 'per-class-metrics.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#0072b2"/></svg>',
  );
  return report;
}

/** Serves `routes` (see createStaticServer) on 127.0.0.1, on a free port. */
export async function serve(routes: Record<string, string>): Promise<{ url: string; server: Server }> {
  const server = createStaticServer(routes);
  return { url: `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`, server };
}

export async function makeWorkDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'fmnist-web-'));
}
