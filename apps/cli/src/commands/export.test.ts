// End to end: the built `fmnist export` writes a bundle that createClassifier loads and that predicts like the model,
// and with --format onnx a file that onnxruntime runs with the same probabilities, test-time augmentation included.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLASS_NAMES, FASHION_MNIST_FILES } from '@fmnist/dataset';
import { createClassifier, createModel, loadModel, saveModel } from '@fmnist/models';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const binary = fileURLToPath(new URL('../../bin/fmnist.js', import.meta.url));
let work: string;
let modelDir: string;

async function fmnist(...args: string[]) {
  return fmnistIn(process.cwd(), ...args);
}

async function fmnistIn(cwd: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [binary, ...args], {
      encoding: 'utf8',
      cwd,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  work = await mkdtemp(join(tmpdir(), 'fmnist-export-'));
  modelDir = join(work, 'model');
  const model = createModel('linear', { seed: 3 });
  await saveModel(model, modelDir, {
    kind: 'linear',
    normalization: { mean: 0.286, std: 0.353 },
    classNames: CLASS_NAMES,
    test: { accuracy: 0.8125, count: 16 },
  });
  model.dispose();
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('fmnist export', () => {
  it('writes model.json, weights.bin and a metadata.json with classes, shape, normalization, checksums, metrics, versions', async () => {
    const out = join(work, 'web');
    const result = await fmnist('export', '--model-dir', modelDir, '--out', out, '--json');
    expect(result.stderr).not.toMatch(/fmnist:/);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.files.map((file: { name: string }) => file.name)).toEqual([
      'model.json',
      'weights.bin',
      'metadata.json',
    ]);
    const metadata = JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8'));
    expect(metadata.classNames).toEqual([...CLASS_NAMES]);
    expect(metadata.inputShape).toEqual([28, 28, 1]);
    expect(metadata.normalization).toEqual({ mean: 0.286, std: 0.353 });
    expect(metadata.dataset.checksums['t10k-images-idx3-ubyte.gz'].sha256).toBe(FASHION_MNIST_FILES.test.images.sha256);
    expect(metadata.metrics).toEqual({ accuracy: 0.8125, count: 16 });
    expect(metadata.versions['@fmnist/cli']).toMatch(/^\d+\.\d+\.\d+/);
    expect(metadata.versions['@tensorflow/tfjs-core']).toBe(tf.version_core);
    // The weights are copied byte for byte.
    expect(await readFile(join(out, 'weights.bin'))).toEqual(await readFile(join(modelDir, 'weights.bin')));
  });

  it('produces a bundle createClassifier loads, predicting exactly like the saved model', async () => {
    const out = join(work, 'web-predict');
    expect((await fmnist('export', '--model-dir', modelDir, '--out', out)).code).toBe(0);
    const classifier = await createClassifier(out);
    const { model } = await loadModel(modelDir);
    const image = new Uint8Array(784).map((_, i) => (i * 7) % 256);
    const direct = tf.tidy(() => {
      const input = tf.tensor4d(
        Array.from(image, (v) => (v / 255 - 0.286) / 0.353),
        [1, 28, 28, 1],
      );
      return Array.from((model.predict(input) as tf.Tensor).dataSync());
    });
    const viaBundle = Array.from(await classifier.predictProbabilities([image]));
    viaBundle.forEach((probability, index) => {
      expect(probability).toBeCloseTo(direct[index] as number, 6);
    });
    classifier.dispose();
    model.dispose();
  });

  it('replaces an earlier bundle but refuses a folder holding something else', async () => {
    const out = join(work, 'again');
    expect((await fmnist('export', '--model-dir', modelDir, '--out', out)).code).toBe(0);
    expect((await fmnist('export', '--model-dir', modelDir, '--out', out)).code).toBe(0);
    const busy = join(work, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'notes.txt'), 'keep me');
    const refused = await fmnist('export', '--model-dir', modelDir, '--out', busy);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out .*busy is not empty and holds no metadata\.json/);
    expect(await readFile(join(busy, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses an --out that is a file before reading the model (exit 2), leaving the file as it was', async () => {
    const file = join(work, 'notes.txt');
    await writeFile(file, 'keep me');
    const refused = await fmnist('export', '--model-dir', modelDir, '--out', file);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `fmnist: --out ${file} is a file; give a folder (a new one is created) [E_CLI_USAGE]`,
    );
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('fails in one line naming the folder when the model is missing, and asks for --out', async () => {
    const missing = await fmnist('export', '--model-dir', join(work, 'nowhere'), '--out', join(work, 'x'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^fmnist: .*nowhere.*\[E_MODELS_FILE_MISSING\]$/m);
    const noOut = await fmnist('export', '--model-dir', modelDir);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/needs --out/);
  });
});

describe('fmnist export --format onnx', () => {
  it('writes an ONNX file that onnxruntime runs on raw pixels, giving the probabilities createClassifier gives', async () => {
    const out = join(work, 'onnx', 'linear.onnx');
    const result = await fmnist('export', '--format', 'onnx', '--model-dir', modelDir, '--out', out, '--json');
    expect(result.stderr).not.toMatch(/fmnist:/);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ format: 'onnx', out, kind: 'linear', metrics: { accuracy: 0.8125, count: 16 } });
    const bytes = await readFile(out);
    expect(report.bytes).toBe(bytes.byteLength);

    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['pixels']);
    expect(session.outputNames).toEqual(['probabilities']);
    const images = [0, 1, 2].map((shift) => new Uint8Array(784).map((_, i) => (i * 7 + shift * 50) % 256));
    const pixels = new Float32Array(3 * 784);
    images.forEach((image, index) => {
      pixels.set(image, index * 784);
    });
    const { probabilities } = await session.run({ pixels: new ort.Tensor('float32', pixels, [3, 28, 28, 1]) });
    await session.release();
    const classifier = await createClassifier(modelDir);
    const expected = await classifier.predictProbabilities(images);
    classifier.dispose();
    const actual = probabilities!.data as Float32Array;
    expect(actual).toHaveLength(30);
    actual.forEach((probability, index) => {
      expect(Math.abs(probability - expected[index]!)).toBeLessThan(1e-5);
    });
  });

  it("builds the model's test-time augmentation into the file, as createClassifier applies it; --no-test-time-augmentation leaves it out", async () => {
    const augmentedDir = join(work, 'augmented-model');
    const testTimeAugmentation = { flip: true, shift: 1 };
    const model = createModel('linear', { seed: 4 });
    await saveModel(model, augmentedDir, {
      kind: 'linear',
      normalization: { mean: 0.286, std: 0.353 },
      classNames: CLASS_NAMES,
      testTimeAugmentation,
      test: { accuracy: 0.75, count: 16 },
    });
    model.dispose();
    // Each image with its own background, which the shifted views move in.
    const images = [0, 1, 2].map((shift) => new Uint8Array(784).map((_, i) => (i * 7 + shift * 50) % 256));
    const pixels = new Float32Array(3 * 784);
    images.forEach((image, index) => {
      pixels.set(image, index * 784);
    });
    const exported: Record<string, Float32Array> = {};
    for (const flags of [[], ['--no-test-time-augmentation']]) {
      const out = join(work, 'onnx', `augmented${flags.length}.onnx`);
      const result = await fmnist(
        'export',
        '--format',
        'onnx',
        '--model-dir',
        augmentedDir,
        '--out',
        out,
        ...flags,
        '--json',
      );
      expect(result.stderr).not.toMatch(/fmnist:/);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      const bytes = await readFile(out);
      // metadata_props holds the views the file computes (onnxruntime-node does not read them back).
      expect(bytes.includes('test_time_augmentation')).toBe(true);
      expect(bytes.includes(JSON.stringify(flags.length ? null : testTimeAugmentation))).toBe(true);
      const session = await ort.InferenceSession.create(bytes);
      const { probabilities } = await session.run({ pixels: new ort.Tensor('float32', pixels, [3, 28, 28, 1]) });
      await session.release();
      const classifier = await createClassifier(augmentedDir, flags.length ? { testTimeAugmentation: false } : {});
      const expected = await classifier.predictProbabilities(images);
      classifier.dispose();
      const actual = probabilities!.data as Float32Array;
      actual.forEach((probability, index) => {
        expect(Math.abs(probability - expected[index]!)).toBeLessThan(1e-5);
      });
      exported[flags.length ? 'single' : 'augmented'] = actual;
      if (flags.length) {
        // The test accuracy was measured with the views: not claimed for the file without them.
        expect(report).toMatchObject({ testTimeAugmentation: null, views: 1, metrics: null });
      } else {
        expect(report).toMatchObject({ testTimeAugmentation, views: 10, metrics: { accuracy: 0.75, count: 16 } });
      }
    }
    // The views change the probabilities, so the comparisons above could fail.
    const difference = Math.max(
      ...exported.augmented!.map((value, index) => Math.abs(value - exported.single![index]!)),
    );
    expect(difference).toBeGreaterThan(1e-3);
  });

  it('refuses --no-test-time-augmentation for a tfjs bundle (exit 2), saying how to turn the views off there', async () => {
    const refused = await fmnist(
      'export',
      '--model-dir',
      modelDir,
      '--out',
      join(work, 'web-single'),
      '--no-test-time-augmentation',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^fmnist: --no-test-time-augmentation applies to --format onnx; .*createClassifier\(url, \{ testTimeAugmentation: false \}\) turns off \[E_CLI_USAGE\]$/m,
    );
    expect(existsSync(join(work, 'web-single'))).toBe(false);
  });

  it('writes ./model.onnx without --out and refuses a folder as --out', async () => {
    const folder = join(work, 'onnx-default');
    await mkdir(folder);
    expect((await fmnistIn(folder, 'export', '--format', 'onnx', '--model-dir', modelDir)).code).toBe(0);
    expect(existsSync(join(folder, 'model.onnx'))).toBe(true);
    const refused = await fmnist('export', '--format', 'onnx', '--model-dir', modelDir, '--out', folder);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      `fmnist: --out ${folder} is a folder; give the path of the ONNX file to write, e.g. ${join(folder, 'model.onnx')} [E_CLI_USAGE]`,
    );
  });

  it('refuses an unknown --format (exit 2), naming the formats it knows', async () => {
    const refused = await fmnist('export', '--format', 'keras', '--model-dir', modelDir, '--out', join(work, 'keras'));
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe("fmnist: --format must be one of tfjs, onnx, got 'keras' [E_CLI_USAGE]");
  });

  it('fails in one line naming the layer when the model has one ONNX cannot express, writing nothing', async () => {
    const unsupportedDir = join(work, 'unsupported-model');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2dTranspose({ inputShape: [28, 28, 1], filters: 1, kernelSize: 1, name: 'upsample' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    await saveModel(model, unsupportedDir, {
      kind: 'cnn',
      normalization: { mean: 0.286, std: 0.353 },
      classNames: CLASS_NAMES,
    });
    model.dispose();
    const out = join(work, 'unsupported.onnx');
    const failed = await fmnist('export', '--format', 'onnx', '--model-dir', unsupportedDir, '--out', out);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^fmnist: exportOnnx: layer 'upsample' \(Conv2DTranspose\) has no ONNX conversion; supported layers: .* \[E_MODELS_ONNX_UNSUPPORTED\]$/m,
    );
    // One line for people: no stack trace without --verbose.
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });
});
