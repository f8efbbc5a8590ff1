import { once } from 'node:events';
import * as fs from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASS_NAMES } from '@fmnist/dataset';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ModelsError } from './errors.js';
// The Node entry, whose loadModel reads folders too.
import { loadModel, saveModel } from './index.js';
import { createCnnModel, createLinearModel } from './models.js';
import { METADATA_FILE, MODEL_FILE, type ModelMetadataInput, WEIGHTS_FILE } from './persistence.js';
import { predict } from './predict.js';

// Lets a test make writing weights.bin fail half-way, as a full disk or a crash would.
const failures = vi.hoisted(() => ({ failWeightsWrite: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof original.open = async (path, flags, mode) => {
    const handle = await original.open(path, flags, mode);
    if (!failures.failWeightsWrite || !String(path).endsWith('weights.bin')) return handle;
    return Object.assign(Object.create(handle), {
      writeFile: async (data: Uint8Array) => {
        await handle.writeFile(data.subarray(0, data.length >> 1));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
      close: () => handle.close(),
    });
  };
  return { ...original, open };
});

const metadataFor = (kind: ModelMetadataInput['kind']): ModelMetadataInput => ({
  kind,
  normalization: { mean: 0.286, std: 0.353 },
  classNames: CLASS_NAMES,
  test: { accuracy: 0.5, count: 4 },
});

let root: string;
const images = tf.tidy(() => tf.randomNormal([5, 28, 28, 1], 0, 1, 'float32', 11).dataSync() as Float32Array);

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await fs.mkdtemp(join(tmpdir(), 'fmnist-models-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function savedLinear(name: string, seed = 1): Promise<string> {
  const dir = join(root, name);
  const model = createLinearModel({ seed });
  await saveModel(model, dir, metadataFor('linear'));
  model.dispose();
  return dir;
}

async function errorOf(promise: Promise<unknown>): Promise<ModelsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ModelsError.isInstance(error)).toBe(true);
  return error as ModelsError;
}

describe('saveModel and loadModel', () => {
  it('round-trips a CNN with batch norm: same predictions, metadata filled in', async () => {
    const model = createCnnModel({ blocks: [[4], [8]], denseUnits: [16], seed: 2 });
    // Move the batch-norm statistics away from their initial values, so that the test sees them saved.
    model.setWeights(model.getWeights().map((weight, index) => tf.add(weight, (index % 3) * 0.1)));
    const dir = join(root, 'cnn');
    await saveModel(model, dir, metadataFor('cnn'));
    expect((await fs.readdir(dir)).sort()).toEqual([METADATA_FILE, MODEL_FILE, WEIGHTS_FILE]);

    const before = await predict(model, images);
    const { model: loaded, metadata } = await loadModel(dir);
    const after = await predict(loaded, images);
    expect(Array.from(after.probabilities)).toEqual(Array.from(before.probabilities));
    expect(metadata).toMatchObject({
      format: 'fmnist-model',
      formatVersion: 1,
      kind: 'cnn',
      inputShape: [28, 28, 1],
      classNames: CLASS_NAMES,
      normalization: { mean: 0.286, std: 0.353 },
      parameters: model.countParams(),
      backend: 'cpu',
      test: { accuracy: 0.5, count: 4 },
    });
    expect(metadata.tfjsVersion).toBe(tf.version_core);
    expect(metadata.files[WEIGHTS_FILE].bytes).toBe(model.countParams() * 4);
    model.dispose();
    loaded.dispose();
  });

  it('stores the JSON-safe training options: no callbacks, the validation set as its size', async () => {
    const model = createLinearModel();
    const dir = join(root, 'trained');
    const validation = { images: new Float32Array(784 * 2), labels: new Uint8Array(2), count: 2 };
    const history = {
      epochs: [],
      bestEpoch: 1,
      stoppedEarly: false,
      cancelled: false,
      seconds: 1,
      imagesPerSecond: 10,
      backend: 'cpu',
      workers: 1,
    };
    const options = { epochs: 2, validation, onEpochEnd: () => undefined, signal: new AbortController().signal };
    await saveModel(model, dir, { ...metadataFor('linear'), training: { options, history } });
    const { metadata, model: loaded } = await loadModel(join(dir, MODEL_FILE));
    expect(metadata.training).toEqual({ options: { epochs: 2, validationImages: 2 }, history });
    expect(metadata).not.toHaveProperty('model');
    model.dispose();
    loaded.dispose();
  });

  it('stores the options the model was created with, when given', async () => {
    const model = createLinearModel({ seed: 7 });
    const dir = join(root, 'with-options');
    await saveModel(model, dir, { ...metadataFor('linear'), model: { seed: 7 } });
    const { metadata, model: loaded } = await loadModel(join(dir, MODEL_FILE));
    expect(metadata.model).toEqual({ seed: 7 });
    model.dispose();
    loaded.dispose();
  });

  it('loads from an http URL with fetch, and reports a 404 as a missing file', async () => {
    const dir = await savedLinear('served');
    const server = createServer(async (request, response) => {
      const file = join(root, decodeURIComponent(request.url ?? '/'));
      const body = await fs.readFile(file).catch(() => undefined);
      response.writeHead(body ? 200 : 404).end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { model, metadata } = await loadModel(`${base}/served/model.json`);
      const local = await loadModel(dir);
      expect(metadata.files).toEqual(local.metadata.files);
      expect(Array.from((await predict(model, images)).probabilities)).toEqual(
        Array.from((await predict(local.model, images)).probabilities),
      );
      model.dispose();
      local.model.dispose();
      const error = await errorOf(loadModel(`${base}/nowhere`));
      expect(error.code).toBe('E_MODELS_FILE_MISSING');
      expect(error.message).toContain(`${base}/nowhere/metadata.json: does not exist`);
    } finally {
      server.close();
    }
  });

  it('names the missing file', async () => {
    const dir = await savedLinear('no-metadata');
    await fs.rm(join(dir, METADATA_FILE));
    const error = await errorOf(loadModel(dir));
    expect(error.code).toBe('E_MODELS_FILE_MISSING');
    expect(error.message).toContain(`${dir}/metadata.json: does not exist`);
    expect((await errorOf(loadModel(join(root, 'never-saved')))).message).toMatch(/never-saved does not exist/);
  });

  it('reports truncated weights as truncated', async () => {
    const dir = await savedLinear('truncated');
    const weights = await fs.readFile(join(dir, WEIGHTS_FILE));
    await fs.writeFile(join(dir, WEIGHTS_FILE), weights.subarray(0, 1000));
    const error = await errorOf(loadModel(dir));
    expect(error.code).toBe('E_MODELS_FILE_TRUNCATED');
    expect(error.message).toContain(`weights.bin: has 1000 bytes, model.json describes ${7_850 * 4}`);
  });

  it('reports a truncated model.json or metadata.json', async () => {
    const dir = await savedLinear('truncated-json');
    const metadata = await fs.readFile(join(dir, METADATA_FILE), 'utf8');
    await fs.writeFile(join(dir, METADATA_FILE), metadata.slice(0, 40));
    expect((await errorOf(loadModel(dir))).code).toBe('E_MODELS_FILE_TRUNCATED');
    await fs.writeFile(join(dir, METADATA_FILE), metadata);
    const modelJson = await fs.readFile(join(dir, MODEL_FILE));
    await fs.writeFile(join(dir, MODEL_FILE), modelJson.subarray(0, 100));
    const error = await errorOf(loadModel(dir));
    expect(error.code).toBe('E_MODELS_FILE_TRUNCATED');
    expect(error.message).toContain('model.json: has 100 bytes');
  });

  it('reports weights of another model of the same shape as mismatched', async () => {
    const dir = await savedLinear('first', 1);
    const other = await savedLinear('second', 2);
    await fs.copyFile(join(other, WEIGHTS_FILE), join(dir, WEIGHTS_FILE));
    const error = await errorOf(loadModel(dir));
    expect(error.code).toBe('E_MODELS_FILE_MISMATCH');
    expect(error.message).toMatch(/weights\.bin: does not match metadata\.json .* different saves/);
  });

  it('checks the SHA-256 where crypto.subtle is missing too (a page over plain http)', async () => {
    const dir = await savedLinear('no-subtle', 1);
    const other = await savedLinear('no-subtle-other', 2);
    await fs.copyFile(join(other, WEIGHTS_FILE), join(dir, WEIGHTS_FILE));
    vi.stubGlobal('crypto', undefined);
    try {
      expect(globalThis.crypto).toBeUndefined();
      const error = await errorOf(loadModel(dir));
      expect(error.code).toBe('E_MODELS_FILE_MISMATCH');
      const intact = await loadModel(other);
      intact.model.dispose();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('reports a model.json from another model as mismatched', async () => {
    const dir = await savedLinear('linear-for-swap');
    const cnn = createCnnModel({ blocks: [[2]], denseUnits: [4] });
    const cnnDir = join(root, 'cnn-for-swap');
    await saveModel(cnn, cnnDir, metadataFor('cnn'));
    cnn.dispose();
    await fs.copyFile(join(cnnDir, MODEL_FILE), join(dir, MODEL_FILE));
    const error = await errorOf(loadModel(dir));
    expect(error.code).toBe('E_MODELS_FILE_MISMATCH');
    expect(error.message).toContain('model.json: does not match metadata.json');
  });

  it('rejects metadata of another format or version, naming the field', async () => {
    const dir = await savedLinear('future');
    const metadata = JSON.parse(await fs.readFile(join(dir, METADATA_FILE), 'utf8'));
    await fs.writeFile(join(dir, METADATA_FILE), JSON.stringify({ ...metadata, formatVersion: 2 }));
    const error = await errorOf(loadModel(dir));
    expect(error.code).toBe('E_MODELS_FILE_INVALID');
    expect(error.message).toContain('metadata.json: has formatVersion 2');
  });
});

describe('atomic saving', () => {
  it('leaves the previous model intact, and no temporary files, when a save fails half-way', async () => {
    const dir = await savedLinear('kept', 1);
    const before = await fs.readFile(join(dir, WEIGHTS_FILE));
    const replacement = createLinearModel({ seed: 2 });
    failures.failWeightsWrite = true;
    try {
      const error = await errorOf(saveModel(replacement, dir, metadataFor('linear')));
      expect(error.code).toBe('E_MODELS_SAVE_FAILED');
      expect(error.message).toMatch(/no space left on device.*previous model there is unchanged/);
      expect((error.cause as { code?: string }).code).toBe('ENOSPC');
    } finally {
      failures.failWeightsWrite = false;
    }
    expect(await fs.readFile(join(dir, WEIGHTS_FILE))).toEqual(before);
    const { model } = await loadModel(dir);
    model.dispose();
    expect((await fs.readdir(root)).filter((name) => name.includes('.kept.'))).toEqual([]);

    await saveModel(replacement, dir, metadataFor('linear'));
    expect(await fs.readFile(join(dir, WEIGHTS_FILE))).not.toEqual(before);
    replacement.dispose();
  });

  it('puts back a previous model left aside by a save killed between its renames', async () => {
    const dir = await savedLinear('swapped');
    const backup = join(root, '.swapped.previous');
    await fs.rename(dir, backup);
    expect((await errorOf(loadModel(dir))).message).toContain(`the previous model is at ${backup}`);
    const model = createLinearModel({ seed: 5 });
    await saveModel(model, dir, metadataFor('linear'));
    model.dispose();
    await expect(fs.stat(backup)).rejects.toThrow();
    (await loadModel(dir)).model.dispose();
  });

  it('refuses to replace a directory that is not a saved model', async () => {
    const dir = join(root, 'documents');
    await fs.mkdir(dir);
    await fs.writeFile(join(dir, 'notes.txt'), 'keep me');
    const model = createLinearModel();
    const error = await errorOf(saveModel(model, dir, metadataFor('linear')));
    model.dispose();
    expect(error.message).toContain('refusing to replace');
    expect(await fs.readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('checks the metadata before writing anything', async () => {
    const model = createLinearModel();
    const error = await errorOf(saveModel(model, join(root, 'bad'), { ...metadataFor('linear'), classNames: ['a'] }));
    model.dispose();
    expect(error.message).toContain('classNames must list 10 names');
    await expect(fs.stat(join(root, 'bad'))).rejects.toThrow();
  });
});
