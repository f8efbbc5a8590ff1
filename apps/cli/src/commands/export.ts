/** `fmnist export`: turn a saved model into a web-ready bundle that `createClassifier` loads from any static host. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FASHION_MNIST } from '@fmnist/dataset';
import { writeFileDurably, writeFolderAtomic } from '@fmnist/internal/node';
import { loadModel, METADATA_FILE, MODEL_FILE, WEIGHTS_FILE } from '@fmnist/models';
import { defineCommand } from 'citty';
import { modelDirArgs, outArgs, outputArgs, parseModelDir, parseOut } from '../args.js';
import { UsageError } from '../errors.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter } from '../progress.js';
import { packageVersions } from '../versions.js';

export default defineCommand({
  meta: {
    name: 'export',
    description: 'Write a web-ready bundle of a saved model, for createClassifier(url) from @fmnist/models',
  },
  args: {
    ...modelDirArgs,
    ...outArgs('Folder for the bundle: model.json, weights.bin and metadata.json (replaced if it holds one)'),
    ...outputArgs,
  },
  async run({ args }) {
    const reporter = createReporter(args);
    const modelDir = parseModelDir(args);
    const out = parseOut(args);
    if (!out) throw new UsageError('fmnist export needs --out DIR, the folder to write the bundle to');
    if (out === modelDir) throw new UsageError('--out must differ from --model-dir; the bundle is written beside it');
    checkOutputFolder('out', out, { kind: 'replace', marker: METADATA_FILE, what: 'a model bundle' });
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
    // Written into a hidden sibling, then swapped in: a reader never sees half a bundle.
    const files: { name: string; bytes: number }[] = [];
    await writeFolderAtomic(out, async (staging) => {
      for (const name of [MODEL_FILE, WEIGHTS_FILE]) {
        const bytes = await readFile(join(modelDir, name));
        await writeFileDurably(join(staging, name), bytes);
        files.push({ name, bytes: bytes.byteLength });
      }
      const metadataText = `${JSON.stringify(bundleMetadata, null, 2)}\n`;
      await writeFileDurably(join(staging, METADATA_FILE), metadataText);
      files.push({ name: METADATA_FILE, bytes: Buffer.byteLength(metadataText) });
    });
    const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
    reporter.result({ modelDir, out, kind: metadata.kind, files, totalBytes, metrics: bundleMetadata.metrics }, () => [
      `exported the ${metadata.kind} model to ${out} (${files.map((f) => `${f.name} ${f.bytes} B`).join(', ')})`,
      `load it with: createClassifier('<url of ${args.out}>') from '@fmnist/models'`,
    ]);
  },
});
