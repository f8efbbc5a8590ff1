/** `fmnist export`: turn a saved model into a web-ready bundle that `createClassifier` loads from any static host. */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FASHION_MNIST } from '@fmnist/dataset';
import { loadModel, METADATA_FILE, MODEL_FILE, WEIGHTS_FILE } from '@fmnist/models';
import { defineCommand } from 'citty';
import { outputArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { replacePath, temporaryPathFor, writeFileAtomic } from '../files.js';
import { createReporter } from '../progress.js';
import { packageVersions } from '../versions.js';

export default defineCommand({
  meta: {
    name: 'export',
    description:
      'Write a web-ready bundle of a saved model: the tfjs model.json and weights.bin, unchanged, and a metadata.json ' +
      "with class names, input shape, normalisation, the dataset's checksums, the test metrics and versions. " +
      "Serve the folder and load it with createClassifier(url) from '@fmnist/models'.",
  },
  args: {
    'model-dir': {
      type: 'string',
      description: 'Folder of a saved model (e.g. runs/<run>/models/cnn)',
      valueHint: 'DIR',
      required: true,
    },
    out: { type: 'string', description: 'Folder to write the bundle to (replaced if it holds one)', valueHint: 'DIR2' },
    ...outputArgs,
  },
  async run({ args }) {
    const reporter = createReporter(args);
    if (!args.out) throw new UsageError('fmnist export needs --out DIR2, the folder to write the bundle to');
    const modelDir = resolve(args['model-dir']);
    const out = resolve(args.out);
    if (out === modelDir) throw new UsageError('--out must differ from --model-dir; the bundle is written beside it');
    const existing = await readdir(out).catch(() => undefined);
    if (existing && existing.length > 0 && !existing.includes(METADATA_FILE)) {
      throw new UsageError(
        `--out ${args.out} is not empty and holds no ${METADATA_FILE}; choose an empty or new folder`,
      );
    }
    // Loading checks every file (sizes, hashes, shapes), so a damaged model is never exported.
    const { model, metadata } = await loadModel(modelDir);
    model.dispose();
    const bundleMetadata = {
      ...metadata,
      dataset: {
        name: FASHION_MNIST.name,
        title: FASHION_MNIST.title,
        checksums: Object.fromEntries(
          Object.values(FASHION_MNIST.files).flatMap((split) =>
            Object.values(split).map((file) => [file.file, { sha256: file.sha256, of: 'decompressed bytes' }]),
          ),
        ),
      },
      metrics: metadata.test ?? null,
      versions: packageVersions(),
      exportedAt: new Date().toISOString(),
    };
    // Write into a hidden sibling, then swap it in: a reader never sees half a bundle.
    const staging = temporaryPathFor(out);
    await mkdir(staging, { recursive: true });
    const files: { name: string; bytes: number }[] = [];
    try {
      for (const name of [MODEL_FILE, WEIGHTS_FILE]) {
        const bytes = await readFile(join(modelDir, name));
        await writeFileAtomic(join(staging, name), bytes);
        files.push({ name, bytes: bytes.byteLength });
      }
      const metadataText = `${JSON.stringify(bundleMetadata, null, 2)}\n`;
      await writeFileAtomic(join(staging, METADATA_FILE), metadataText);
      files.push({ name: METADATA_FILE, bytes: Buffer.byteLength(metadataText) });
      await replacePath(staging, out);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
    reporter.result({ modelDir, out, kind: metadata.kind, files, totalBytes, metrics: bundleMetadata.metrics }, () => [
      `exported the ${metadata.kind} model to ${out} (${files.map((f) => `${f.name} ${f.bytes} B`).join(', ')})`,
      `load it with: createClassifier('<url of ${args.out}>') from '@fmnist/models'`,
    ]);
  },
});
