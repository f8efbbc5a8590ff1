import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASS_NAMES, normalizeImages } from '@fmnist/dataset';
import { sha256Hex } from '@fmnist/internal';
import {
  type Classifier,
  createClassifier,
  createModel,
  type PredictOptions,
  predict,
  saveModel,
  selectBackend,
  testTimeViews,
} from '@fmnist/models';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PretrainedError } from './errors.js';
import { CATALOG } from './models/catalog.generated.js';
import {
  classifierFromEntry,
  loadPretrained,
  PRETRAINED_MODELS,
  pretrainedInfo,
  verifiedSource,
} from './pretrained.js';
import type { PretrainedFiles, PretrainedInfo } from './types.js';

/** A bright, tall, narrow shape on black, like a FashionMNIST trouser. */
function trouserImage(): Uint8Array {
  const image = new Uint8Array(784);
  for (let y = 2; y < 27; y++) {
    for (let x = 9; x < 13; x++) image[y * 28 + x] = 220;
    for (let x = 15; x < 19; x++) image[y * 28 + x] = 220;
  }
  for (let y = 2; y < 8; y++) for (let x = 9; x < 19; x++) image[y * 28 + x] = 220;
  return image;
}

async function shippedFiles(name: keyof typeof CATALOG): Promise<PretrainedFiles> {
  return (await CATALOG[name].load()).files;
}

const root = mkdtempSync(join(tmpdir(), 'fmnist-pretrained-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await selectBackend('cpu');
});

describe('PRETRAINED_MODELS and pretrainedInfo', () => {
  it('lists the CNN and the linear baseline, each with the command, seed, data and test accuracy behind it', () => {
    expect(PRETRAINED_MODELS).toEqual(['cnn', 'linear']);
    for (const name of PRETRAINED_MODELS) {
      const info = pretrainedInfo(name);
      expect(info.name).toBe(name);
      expect(info.kind).toBe(name);
      expect(info.command).toMatch(/^fmnist (train|compare) /);
      expect(Number.isSafeInteger(info.seed)).toBe(true);
      expect(info.data.files.map((file) => file.sha256)).toHaveLength(4);
      expect(info.test.images).toBe(10_000);
      expect(info.test.shipped.accuracy).toBe(info.test.shipped.correct / info.test.images);
      const float32 = info.test.measured.find((entry) => entry.encoding === 'float32');
      expect(float32).toBeDefined();
      // The shipped encoding costs at most 0.1 point (10 of 10,000 images) against float32.
      expect(float32!.correct - info.test.shipped.correct).toBeLessThanOrEqual(10);
      expect(info.files['weights.bin'].bytes).toBe(info.weightBytes.shipped);
      // The figures were measured through the model's own views (records without `views` measured the image alone).
      expect(info.test.views ?? 1).toBe(testTimeViews(info.testTimeAugmentation).length);
    }
    expect(pretrainedInfo('cnn').test.shipped.accuracy).toBeGreaterThan(pretrainedInfo('linear').test.shipped.accuracy);
  });

  it('returns a copy: changing it changes nothing the package uses', () => {
    const info = pretrainedInfo('linear');
    info.files['weights.bin'].sha256 = '0';
    expect(pretrainedInfo('linear').files['weights.bin'].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('loadPretrained', () => {
  it('gives the classifier createClassifier gives for the same files saved in a folder', async () => {
    for (const name of PRETRAINED_MODELS) {
      const source = verifiedSource(pretrainedInfo(name), await shippedFiles(name));
      const folder = join(root, name);
      mkdirSync(folder);
      for (const file of ['model.json', 'metadata.json', 'weights.bin']) {
        writeFileSync(join(folder, file), (await source.read(file))!);
      }
      const pretrained = await loadPretrained(name);
      const saved = await createClassifier(folder);
      const images = [trouserImage(), new Uint8Array(784).fill(40)];
      expect(Array.from(await pretrained.predictProbabilities(images))).toEqual(
        Array.from(await saved.predictProbabilities(images)),
      );
      expect(pretrained.testTimeAugmentation).toEqual(saved.testTimeAugmentation);
      expect(pretrained.testTimeAugmentation).toEqual(pretrainedInfo(name).testTimeAugmentation);
      expect(pretrained.classNames).toEqual(CLASS_NAMES);
      expect(pretrained.metadata.kind).toBe(name);
      pretrained.dispose();
      saved.dispose();
    }
  });

  it('classifies a drawn trouser as Trouser with the CNN, and frees its tensors on dispose', async () => {
    const before = tf.memory().numTensors;
    const classifier = await loadPretrained('cnn');
    const [top] = await classifier.classify(trouserImage(), { topK: 1 });
    expect(top?.className).toBe('Trouser');
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an unknown or misspelled name with E_PRETRAINED_UNKNOWN_MODEL naming the shipped models', async () => {
    for (const name of ['resnet', 'CNN', 'toString', '']) {
      const error = await loadPretrained(name as 'cnn').catch((caught: unknown) => caught);
      expect(PretrainedError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'E_PRETRAINED_UNKNOWN_MODEL' });
      expect((error as Error).message).toContain(`named ${JSON.stringify(name)}`);
      expect((error as Error).message).toContain("'cnn', 'linear'");
    }
    expect(() => pretrainedInfo('mlp' as 'cnn')).toThrow(/'cnn', 'linear'/);
  });
});

describe('test-time augmentation', () => {
  const augmentation = { flip: true, shift: 1 };
  let folder: string;
  let entry: { info: PretrainedInfo; load: () => Promise<{ files: PretrainedFiles }> };

  // A catalog entry as the import script writes it for a model whose metadata names ten views.
  beforeAll(async () => {
    folder = join(root, 'augmented');
    const model = createModel('linear', { seed: 5 });
    await saveModel(model, folder, {
      kind: 'linear',
      normalization: { mean: 0.286, std: 0.353 },
      classNames: CLASS_NAMES,
      testTimeAugmentation: augmentation,
    });
    model.dispose();
    const read = (file: string) => new Uint8Array(readFileSync(join(folder, file)));
    const digest = (bytes: Uint8Array) => ({ bytes: bytes.length, sha256: sha256Hex(bytes) });
    const decoder = new TextDecoder();
    const files: PretrainedFiles = {
      'model.json': decoder.decode(read('model.json')),
      'metadata.json': decoder.decode(read('metadata.json')),
      'weights.bin': Buffer.from(read('weights.bin')).toString('base64'),
    };
    const info: PretrainedInfo = {
      ...pretrainedInfo('linear'),
      name: 'augmented',
      testTimeAugmentation: augmentation,
      files: {
        'model.json': digest(read('model.json')),
        'metadata.json': digest(read('metadata.json')),
        'weights.bin': digest(read('weights.bin')),
      },
    };
    entry = { info, load: async () => ({ files }) };
  });

  /** The probabilities of `classifier`'s model for `images` by `predict` itself, with `options` (views or none). */
  async function predicted(classifier: Classifier, images: Uint8Array[], options: PredictOptions = {}) {
    const bytes = new Uint8Array(images.length * 784);
    images.forEach((image, index) => {
      bytes.set(image, index * 784);
    });
    const normalized = normalizeImages(bytes, classifier.metadata.normalization);
    return Array.from((await predict(classifier.model, normalized, options)).probabilities);
  }

  it("averages the views of the model's metadata, as createClassifier does for the same folder", async () => {
    const images = [trouserImage(), new Uint8Array(784).fill(40)];
    const pretrained = await classifierFromEntry(entry);
    const saved = await createClassifier(folder);
    try {
      expect(pretrained.testTimeAugmentation).toEqual(augmentation);
      const probabilities = Array.from(await pretrained.predictProbabilities(images));
      expect(probabilities).toEqual(Array.from(await saved.predictProbabilities(images)));
      expect(probabilities).toEqual(await predicted(pretrained, images, { testTimeAugmentation: augmentation }));
      // The views change the answer, so the checks above would see them lost.
      expect(probabilities).not.toEqual(await predicted(pretrained, images));
    } finally {
      pretrained.dispose();
      saved.dispose();
    }
  });

  it('classifies the image alone with testTimeAugmentation: false, and through other views when given', async () => {
    const images = [trouserImage()];
    const alone = await classifierFromEntry(entry, { testTimeAugmentation: false });
    const mirrored = await classifierFromEntry(entry, { testTimeAugmentation: { flip: true, shift: 0 } });
    try {
      expect(alone.testTimeAugmentation).toBeUndefined();
      expect(Array.from(await alone.predictProbabilities(images))).toEqual(await predicted(alone, images));
      expect(mirrored.testTimeAugmentation).toEqual({ flip: true, shift: 0 });
    } finally {
      alone.dispose();
      mirrored.dispose();
    }
  });

  it('passes the option through loadPretrained, and refuses views that are not { flip, shift }', async () => {
    const alone = await loadPretrained('linear', { testTimeAugmentation: false });
    const augmented = await loadPretrained('linear', { testTimeAugmentation: augmentation });
    expect(alone.testTimeAugmentation).toBeUndefined();
    expect(augmented.testTimeAugmentation).toEqual(augmentation);
    alone.dispose();
    augmented.dispose();
    await expect(loadPretrained('linear', { testTimeAugmentation: { flip: true, shift: 9 } })).rejects.toMatchObject({
      code: 'E_MODELS_ARGUMENT',
    });
  });
});

describe('classifierFromEntry', () => {
  it('turns shipped files that cannot be loaded into E_PRETRAINED_CORRUPT naming the model', async () => {
    const entry = {
      info: pretrainedInfo('linear'),
      load: () => Promise.reject(new Error("Cannot find module './models/linear.js'")),
    };
    const error = (await classifierFromEntry(entry).catch((caught: unknown) => caught)) as PretrainedError;
    expect(error.code).toBe('E_PRETRAINED_CORRUPT');
    expect(error.message).toMatch(/files of pretrained model 'linear' could not be loaded \(Cannot find module/);
  });
});

describe('verifiedSource', () => {
  const corrupt = async (change: (files: PretrainedFiles) => PretrainedFiles) => {
    const files = await shippedFiles('linear');
    try {
      verifiedSource(pretrainedInfo('linear'), change({ ...files }));
    } catch (error) {
      return error as PretrainedError;
    }
    throw new Error('verifiedSource accepted corrupt files');
  };

  it('refuses a weight file whose bytes differ from the recorded SHA-256, naming the model and the file', async () => {
    const error = await corrupt((files) => {
      const weights = files['weights.bin'];
      // One base64 character changed: same length, six bits different.
      const flipped = weights[100] === 'A' ? 'B' : 'A';
      return { ...files, 'weights.bin': `${weights.slice(0, 100)}${flipped}${weights.slice(101)}` };
    });
    expect(PretrainedError.isInstance(error)).toBe(true);
    expect(error.code).toBe('E_PRETRAINED_CORRUPT');
    expect(error.message).toMatch(/weights\.bin of pretrained model 'linear' is corrupt/);
    expect(error.file).toBe('@fmnist/pretrained/linear/weights.bin');
  });

  it('refuses truncated weights, an edited model.json and weights that are not base64', async () => {
    const truncated = await corrupt((files) => ({ ...files, 'weights.bin': files['weights.bin'].slice(0, -8) }));
    expect(truncated.code).toBe('E_PRETRAINED_CORRUPT');
    const edited = await corrupt((files) => ({
      ...files,
      'model.json': files['model.json'].replace('"Dense"', '"Conv2D"'),
    }));
    expect(edited.message).toMatch(/model\.json of pretrained model 'linear'/);
    const invalid = await corrupt((files) => ({ ...files, 'weights.bin': '!!not base64!!' }));
    expect(invalid.message).toMatch(/not valid base64/);
  });

  it('accepts the shipped files as they are', async () => {
    const source = verifiedSource(pretrainedInfo('linear'), await shippedFiles('linear'));
    expect((await source.read('weights.bin'))?.length).toBe(pretrainedInfo('linear').weightBytes.shipped);
    expect(await source.read('other.bin')).toBeUndefined();
  });
});
