/**
 * Loads the models shipped inside this package: their files travel in JavaScript modules (weights in base64), so
 * loading needs no network and no file system, in Node and in bundled pages alike. Each file is checked against the
 * SHA-256 recorded at import before the one loader of @fmnist/models (`createClassifier`) builds the model.
 */

import { sha256Hex } from '@fmnist/internal';
import { type Classifier, createClassifier, type ModelSource, type TestTimeAugmentation } from '@fmnist/models';
import { PretrainedError } from './errors.js';
import { CATALOG, type PretrainedModelName } from './models/catalog.generated.js';
import type { CatalogEntry, PretrainedFiles, PretrainedInfo } from './types.js';

export type { PretrainedModelName };

/** The names `loadPretrained` accepts. */
export const PRETRAINED_MODELS = Object.keys(CATALOG) as readonly PretrainedModelName[];

function entryFor(name: string) {
  const entry = Object.hasOwn(CATALOG, name) ? CATALOG[name as PretrainedModelName] : undefined;
  if (entry === undefined) {
    throw new PretrainedError(
      'E_PRETRAINED_UNKNOWN_MODEL',
      `no pretrained model is named ${JSON.stringify(name)}; the package ships ${PRETRAINED_MODELS.map((known) => `'${known}'`).join(', ')}`,
    );
  }
  return entry;
}

/** What the package records about model `name`: the command that made it, seed, versions, data, test accuracy. */
export function pretrainedInfo(name: PretrainedModelName): PretrainedInfo {
  return structuredClone(entryFor(name).info);
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Checks shipped `files` against `info`'s sizes and SHA-256s and reads them as a ModelSource. Throws
 * E_PRETRAINED_CORRUPT naming the model and the file that does not match.
 */
export function verifiedSource(info: PretrainedInfo, files: PretrainedFiles): ModelSource {
  const encoder = new TextEncoder();
  const bytes = new Map<string, Uint8Array>();
  for (const name of ['metadata.json', 'model.json', 'weights.bin'] as const) {
    const expected = info.files[name];
    let content: Uint8Array | undefined;
    try {
      content = name === 'weights.bin' ? decodeBase64(files[name]) : encoder.encode(files[name]);
    } catch {
      content = undefined;
    }
    const actual = content && sha256Hex(content);
    if (content === undefined || content.length !== expected.bytes || actual !== expected.sha256) {
      throw new PretrainedError(
        'E_PRETRAINED_CORRUPT',
        `the shipped ${name} of pretrained model '${info.name}' is corrupt (${content ? `${content.length} bytes, sha256 ${actual}` : 'not valid base64'}; recorded ${expected.bytes} bytes, sha256 ${expected.sha256}); reinstall @fmnist/pretrained`,
        { file: `@fmnist/pretrained/${info.name}/${name}` },
      );
    }
    bytes.set(name, content);
  }
  return { read: async (name) => bytes.get(name), where: `@fmnist/pretrained/${info.name}/` };
}

export interface LoadPretrainedOptions {
  /**
   * Test-time augmentation: the views whose probabilities are averaged. Default: the model's own
   * (`pretrainedInfo(name).testTimeAugmentation`, as its test figures were measured); `false`: the image alone, one
   * forward pass per image instead of one per view.
   */
  testTimeAugmentation?: TestTimeAugmentation | false;
}

/**
 * The shipped model `name` as a classifier, the very one `createClassifier` of @fmnist/models returns for a saved
 * model: `classify`, `classifyMany`, `predictProbabilities`, `testTimeAugmentation`, `metadata`, the tfjs `model`,
 * `dispose`. Unless `options` say otherwise, it averages each image's probabilities over the model's views (see
 * {@link LoadPretrainedOptions}). Runs on the active tfjs backend (cpu unless you call `selectBackend` first). An
 * unknown name is a PretrainedError E_PRETRAINED_UNKNOWN_MODEL naming the shipped ones; shipped files that fail their
 * SHA-256 are E_PRETRAINED_CORRUPT.
 */
export async function loadPretrained(
  name: PretrainedModelName,
  options: LoadPretrainedOptions = {},
): Promise<Classifier> {
  return classifierFromEntry(entryFor(name), options);
}

/** Loads a catalog entry's files, checks them and builds the classifier (loadPretrained, once the name is known). */
export async function classifierFromEntry(
  entry: CatalogEntry,
  options: LoadPretrainedOptions = {},
): Promise<Classifier> {
  let files: PretrainedFiles;
  try {
    ({ files } = await entry.load());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PretrainedError(
      'E_PRETRAINED_CORRUPT',
      `the files of pretrained model '${entry.info.name}' could not be loaded (${reason}); reinstall @fmnist/pretrained, and bundle its dist/models/ with it`,
      { file: `@fmnist/pretrained/${entry.info.name}`, cause: error },
    );
  }
  const { testTimeAugmentation } = options;
  return createClassifier(
    verifiedSource(entry.info, files),
    testTimeAugmentation === undefined ? {} : { testTimeAugmentation },
  );
}
