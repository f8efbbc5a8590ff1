/**
 * `fmnist export`: turn a saved model into a web-ready bundle that `createClassifier` loads from any static host
 * (`--format tfjs`, the default) or into one ONNX file for onnxruntime and other runtimes (`--format onnx`).
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FASHION_MNIST } from '@fmnist/dataset';
import { writeFileAtomic, writeFileDurably, writeFolderAtomic } from '@fmnist/internal/node';
import { exportOnnx, loadModel, METADATA_FILE, MODEL_FILE, testTimeViews, WEIGHTS_FILE } from '@fmnist/models';
import { defineCommand } from 'citty';
import {
  modelDirArgs,
  outArgs,
  outputArgs,
  parseChoiceFlag,
  parseModelDir,
  parseOut,
  parseTestTimeAugmentation,
  testTimeAugmentationArgs,
  textFlag,
} from '../args.js';
import { UsageError } from '../errors.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter, type Reporter } from '../progress.js';
import { packageVersions } from '../versions.js';

export const EXPORT_FORMATS = ['tfjs', 'onnx'] as const;

/** The file `--format onnx` writes when no --out is given, in the current folder. */
const ONNX_FILE = 'model.onnx';

export default defineCommand({
  meta: {
    name: 'export',
    description:
      'Write a saved model as a web-ready bundle for createClassifier(url) from @fmnist/models, or as an ONNX file',
  },
  args: {
    ...modelDirArgs,
    format: {
      type: 'string',
      description:
        'tfjs: a folder with model.json, weights.bin and metadata.json; onnx: one ONNX file (opset 13) whose input ' +
        "'pixels' takes [batch, 28, 28, 1] values from 0 to 255 and whose output 'probabilities' gives [batch, 10]",
      default: 'tfjs',
      valueHint: 'FORMAT',
    },
    out: {
      ...outArgs(
        `tfjs: the bundle's folder (replaced if it holds one; required). onnx: the file (default ./${ONNX_FILE})`,
      ).out,
      valueHint: 'PATH',
    },
    'test-time-augmentation': {
      ...testTimeAugmentationArgs['test-time-augmentation'],
      description:
        "onnx: build the model's test-time augmentation (metadata.json's testTimeAugmentation: mirror images and " +
        'shifted copies, their probabilities averaged) into the graph, so the file gives what fmnist predict gives; ' +
        '--no-test-time-augmentation exports the network on the image alone',
    },
    ...outputArgs,
  },
  async run({ args }) {
    const reporter = createReporter(args);
    const format = parseChoiceFlag('format', textFlag(args, 'format'), EXPORT_FORMATS) ?? 'tfjs';
    const modelDir = parseModelDir(args);
    const testTimeAugmentation = parseTestTimeAugmentation(args);
    if (format === 'onnx') {
      await exportOnnxFile(reporter, modelDir, parseOut(args) ?? resolve(ONNX_FILE), testTimeAugmentation);
    } else {
      if (!testTimeAugmentation) {
        throw new UsageError(
          "--no-test-time-augmentation applies to --format onnx; a tfjs bundle keeps the model's test-time " +
            'augmentation in metadata.json, which createClassifier(url, { testTimeAugmentation: false }) turns off',
        );
      }
      await exportBundle(reporter, modelDir, parseOut(args));
    }
  },
});

async function exportBundle(reporter: Reporter, modelDir: string, out: string | undefined): Promise<void> {
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
  const result = {
    format: 'tfjs',
    modelDir,
    out,
    kind: metadata.kind,
    files,
    totalBytes,
    metrics: bundleMetadata.metrics,
  };
  reporter.result(result, () => [
    `exported the ${metadata.kind} model to ${out} (${files.map((f) => `${f.name} ${f.bytes} B`).join(', ')})`,
    `load it with: createClassifier('<url of ${out}>') from '@fmnist/models'`,
  ]);
}

async function exportOnnxFile(
  reporter: Reporter,
  modelDir: string,
  out: string,
  withTestTimeAugmentation: boolean,
): Promise<void> {
  if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(
      `--out ${out} is a folder; give the path of the ONNX file to write, e.g. ${join(out, ONNX_FILE)}`,
    );
  }
  const { model, metadata } = await loadModel(modelDir);
  const testTimeAugmentation = withTestTimeAugmentation ? metadata.testTimeAugmentation : undefined;
  const views = testTimeViews(testTimeAugmentation).length;
  // The test accuracy was measured with the saved model's views: stated only for a file that computes the same.
  const tested = metadata.test && testTimeAugmentation === metadata.testTimeAugmentation ? metadata.test : undefined;
  let bytes: Uint8Array;
  try {
    bytes = await exportOnnx(model, {
      normalization: metadata.normalization,
      testTimeAugmentation,
      metadata: {
        kind: metadata.kind,
        class_names: JSON.stringify(metadata.classNames),
        normalization: JSON.stringify(metadata.normalization),
        test_time_augmentation: JSON.stringify(testTimeAugmentation ?? null),
        ...(tested ? { test_accuracy: String(tested.accuracy) } : {}),
      },
    });
  } finally {
    model.dispose();
  }
  // A reader sees the previous file or the whole new one, never a part.
  await writeFileAtomic(out, bytes);
  const result = {
    format: 'onnx',
    modelDir,
    out,
    kind: metadata.kind,
    bytes: bytes.byteLength,
    testTimeAugmentation: testTimeAugmentation ?? null,
    views,
    metrics: tested ?? null,
  };
  reporter.result(result, () => [
    `exported the ${metadata.kind} model to ${out} (ONNX, ${bytes.byteLength} B` +
      `${views > 1 ? `, averaging ${views} views of each image` : ''})`,
    "run it with onnxruntime: input 'pixels' [batch, 28, 28, 1], pixel values 0 to 255 (a light garment on black); " +
      "output 'probabilities' [batch, 10]",
  ]);
}
