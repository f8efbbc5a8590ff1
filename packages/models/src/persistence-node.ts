/** Model files on disk (Node only): atomic `saveModel`, and the folders `loadModel` reads. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { previousPathFor, recoverInterruptedReplace, writeFileDurably, writeFolderAtomic } from '@fmnist/internal/node';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ModelsError } from './errors.js';
import {
  METADATA_FILE,
  MODEL_FILE,
  type ModelMetadataInput,
  type ModelSource,
  serializeModel,
  WEIGHTS_FILE,
} from './persistence.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Refuses to replace a directory that holds something other than a saved model. */
async function checkReplaceable(target: string): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `cannot save the model to ${target}: it is a file; choose a directory path`,
      { file: target },
    );
  }
  const entries = await readdir(target);
  if (entries.length > 0 && !entries.includes(METADATA_FILE)) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `refusing to replace ${target}: it is not empty and holds no ${METADATA_FILE}, so it is not a saved model; choose another directory`,
      { file: target },
    );
  }
}

/**
 * Saves a model as `dir/model.json`, `dir/weights.bin` and `dir/metadata.json`, atomically (the project's one folder
 * writer): the files are written and flushed in a temporary sibling folder, which then replaces `dir`. A failed or
 * killed save leaves any previous model in `dir` as it was (or, if killed while the two swap, beside it, where the
 * next save puts it back and `loadModel` points to it). Refuses to replace a folder that is not a saved model.
 */
export async function saveModel(model: tfl.LayersModel, dir: string, metadata: ModelMetadataInput): Promise<void> {
  const target = resolve(dir);
  const files = await serializeModel(model, metadata);
  try {
    await recoverInterruptedReplace(target);
    await checkReplaceable(target);
    await writeFolderAtomic(target, async (staging) => {
      for (const name of [WEIGHTS_FILE, MODEL_FILE, METADATA_FILE] as const) {
        await writeFileDurably(join(staging, name), files[name]);
      }
    });
  } catch (error) {
    if (ModelsError.isInstance(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelsError(
      'E_MODELS_SAVE_FAILED',
      `could not save the model to ${target} (${reason}); any previous model there is unchanged`,
      { file: target, cause: error },
    );
  }
}

/**
 * The files of the model folder at `pathOrFileUrl` (a path, or a `file:` URL; model.json or metadata.json stand for
 * their folder). A folder that does not exist is a ModelsError E_MODELS_FILE_MISSING, which points to the previous
 * model when a save into it was interrupted.
 */
export async function openModelFolder(pathOrFileUrl: string): Promise<ModelSource> {
  let dir = pathOrFileUrl.startsWith('file:') ? fileURLToPath(pathOrFileUrl) : resolve(pathOrFileUrl);
  const isDirectory = await stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if ([MODEL_FILE, METADATA_FILE].includes(basename(dir)) && !isDirectory) dir = dirname(dir);
  if (!(await exists(dir))) {
    const previous = previousPathFor(dir);
    if (await exists(previous)) {
      throw new ModelsError(
        'E_MODELS_FILE_MISSING',
        `${dir} does not exist, but a save into it was interrupted: the previous model is at ${previous}; rename it back or save again`,
        { file: dir },
      );
    }
    throw new ModelsError(
      'E_MODELS_FILE_MISSING',
      `${dir} does not exist; pass the directory a model was saved to (it holds ${MODEL_FILE}, ${WEIGHTS_FILE} and ${METADATA_FILE})`,
      { file: dir },
    );
  }
  const read = async (name: string) => {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return { read, where: `${dir}${sep}` };
}
