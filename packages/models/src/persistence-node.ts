/** Model files on disk (Node only): atomic `saveModel` and `loadModel` from a directory, a file: URL or an http(s) URL. */
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from './errors.js';
import {
  type LoadedModel,
  loadModelFromFiles,
  loadModelFromUrl,
  METADATA_FILE,
  MODEL_FILE,
  type ModelFiles,
  type ModelMetadataInput,
  serializeModel,
  WEIGHTS_FILE,
} from './persistence.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes and flushes a file, so that a rename after it never publishes bytes still in the page cache only. */
async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Where the previous model waits while the new one is moved into place. */
function backupPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.previous`);
}

/** Puts back a previous model left aside by a save that was killed between its two renames. */
async function recoverInterruptedSave(target: string): Promise<void> {
  const backup = backupPath(target);
  if (!(await exists(backup))) return;
  if (await exists(target)) await rm(backup, { recursive: true, force: true });
  else await rename(backup, target);
}

/** Refuses to replace a directory that holds something other than a saved model. */
async function checkReplaceable(target: string): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `cannot save the model to ${target}: it is a file; choose a directory path`,
    );
  }
  const entries = await readdir(target);
  if (entries.length > 0 && !entries.includes(METADATA_FILE)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `refusing to replace ${target}: it is not empty and holds no ${METADATA_FILE}, so it is not a saved model; choose another directory`,
    );
  }
}

/**
 * Saves a model as `dir/model.json`, `dir/weights.bin` and `dir/metadata.json`, atomically: the files are written
 * and flushed in a temporary sibling directory, which then replaces `dir`. A failed or killed save leaves any
 * previous model in `dir` as it was (or, if killed between the two renames, beside it; the next save or load puts it
 * back).
 */
export async function saveModel(model: tfl.LayersModel, dir: string, metadata: ModelMetadataInput): Promise<void> {
  const target = resolve(dir);
  const files = await serializeModel(model, metadata);
  const parent = dirname(target);
  let temp: string | undefined;
  let movedAside = false;
  const backup = backupPath(target);
  try {
    await mkdir(parent, { recursive: true });
    await recoverInterruptedSave(target);
    await checkReplaceable(target);
    temp = await mkdtemp(join(parent, `.${basename(target)}.saving-`));
    for (const name of [WEIGHTS_FILE, MODEL_FILE, METADATA_FILE] as const) {
      await writeDurably(join(temp, name), (files as ModelFiles)[name]);
    }
    if (await exists(target)) {
      await rename(target, backup);
      movedAside = true;
    }
    await rename(temp, target);
    temp = undefined;
    if (movedAside) await rm(backup, { recursive: true, force: true });
  } catch (error) {
    if (temp) await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    if (movedAside && !(await exists(target))) await rename(backup, target).catch(() => undefined);
    if (ModelsError.isInstance(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelsError(
      'E_MODELS_SAVE_FAILED',
      `could not save the model to ${target} (${reason}); any previous model there is unchanged`,
      { cause: error },
    );
  }
}

/** Reads the files of a model directory; a missing file is `undefined`. */
function directoryReader(dir: string) {
  return async (name: string) => {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  };
}

/**
 * Loads a model saved by `saveModel` (or exported) from a directory, a `file:` URL or an `http(s):` URL, and checks
 * it; a missing, truncated or mismatched file is a ModelsError naming the file.
 */
export async function loadModel(dirOrUrl: string | URL): Promise<LoadedModel> {
  const text = String(dirOrUrl);
  if (/^https?:\/\//i.test(text)) return loadModelFromUrl(text);
  let dir = text.startsWith('file:') ? fileURLToPath(text) : resolve(text);
  if (
    [MODEL_FILE, METADATA_FILE].includes(basename(dir)) &&
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  ) {
    dir = dirname(dir);
  }
  if (!(await exists(dir))) {
    if (await exists(backupPath(dir))) {
      throw new ModelsError(
        'E_MODELS_FILE_MISSING',
        `${dir} does not exist, but a save into it was interrupted: the previous model is at ${backupPath(dir)}; rename it back or save again`,
      );
    }
    throw new ModelsError(
      'E_MODELS_FILE_MISSING',
      `${dir} does not exist; pass the directory a model was saved to (it holds ${MODEL_FILE}, ${WEIGHTS_FILE} and ${METADATA_FILE})`,
    );
  }
  return loadModelFromFiles(directoryReader(dir), `${dir}/`);
}
