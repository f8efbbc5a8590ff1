/**
 * Saves a study (plain data holding typed arrays: predictions, probabilities, test images) as `study.json` plus one
 * binary file per array, and loads it back exactly, so a report can be re-rendered without retraining. Node only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably, writeFolderAtomic } from '@fmnist/internal/node';
import { VizError } from './errors.js';
import { type Study, validateStudy } from './study.js';

/** The JSON file of a saved study, inside the folder given to {@link saveStudy}. */
export const STUDY_FILE = 'study.json';

const ARRAY_TYPES = {
  Uint8Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

interface ArrayReference {
  $array: ArrayTypeName;
  file: string;
  length: number;
}

function isArrayReference(value: unknown): value is ArrayReference {
  return typeof value === 'object' && value !== null && typeof (value as ArrayReference).$array === 'string';
}

/**
 * Writes `study` to `dir/study.json` and each of its typed arrays to `dir/<n>-<key>.bin` (the bytes as they lie in
 * memory, little-endian on every platform Node runs on). Everything is written into a hidden sibling folder
 * (`.<name>.tmp-*`) that then replaces `dir`, so `dir` is either the complete new study or untouched. Throws
 * `VizError` `E_VIZ_WRITE_FAILED` naming the folder when writing fails, `E_VIZ_INVALID_STUDY` for a typed array of
 * another type than Uint8, Uint32, Int32, Float32 or Float64.
 */
export async function saveStudy(dir: string, study: Study): Promise<void> {
  try {
    await writeFolderAtomic(dir, async (staging) => {
      const writes: Promise<void>[] = [];
      let json: string;
      try {
        json = JSON.stringify(
          study,
          function replacer(this: unknown, key: string, item: unknown) {
            if (!ArrayBuffer.isView(item) || item instanceof DataView) return item;
            const type = item.constructor.name as ArrayTypeName;
            if (!(type in ARRAY_TYPES)) {
              throw new VizError(
                'E_VIZ_INVALID_STUDY',
                `Cannot save the ${type} at '${key}'; use a ${Object.keys(ARRAY_TYPES).join(', ')}.`,
              );
            }
            const file = `${writes.length}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}.bin`;
            const bytes = new Uint8Array(item.buffer, item.byteOffset, item.byteLength);
            writes.push(writeFileDurably(join(staging, file), bytes));
            const reference: ArrayReference = { $array: type, file, length: (item as Uint8Array).length };
            return reference;
          },
          2,
        );
      } finally {
        // Settle every write before going on or failing, so none still runs when the staging folder is removed.
        await Promise.allSettled(writes);
      }
      const results = await Promise.allSettled(writes);
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      await writeFileDurably(join(staging, STUDY_FILE), `${json}\n`);
    });
  } catch (error) {
    if (VizError.isInstance(error)) throw error;
    throw new VizError(
      'E_VIZ_WRITE_FAILED',
      `Could not save the study to ${dir}: ${(error as Error).message}. Check the folder.`,
      { file: dir, cause: error },
    );
  }
}

/**
 * Reads what {@link saveStudy} wrote to `dir`, typed arrays included, and checks it with `validateStudy`. Throws
 * `VizError` `E_VIZ_READ_FAILED` naming the file when one is missing, unreadable, not JSON or of the wrong size, and
 * `E_VIZ_INVALID_STUDY` when the study read is inconsistent.
 */
export async function loadStudy(dir: string): Promise<Study> {
  const jsonPath = join(dir, STUDY_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (error) {
    throw new VizError(
      'E_VIZ_READ_FAILED',
      `Could not read the saved study ${jsonPath}: ${(error as Error).message}. Save it again with saveStudy.`,
      { file: jsonPath, cause: error },
    );
  }
  const loads: Promise<void>[] = [];
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        node[index] = visit(item);
      });
      return node;
    }
    if (typeof node !== 'object' || node === null) return node;
    if (isArrayReference(node)) {
      const ArrayType = ARRAY_TYPES[node.$array];
      if (!ArrayType) {
        throw new VizError(
          'E_VIZ_READ_FAILED',
          `${jsonPath} names an unknown array type '${node.$array}'. Save the study again.`,
          { file: jsonPath },
        );
      }
      const array = new ArrayType(node.length);
      const bytes = new Uint8Array(array.buffer);
      const path = join(dir, node.file);
      loads.push(
        readFile(path).then(
          (data) => {
            if (data.byteLength !== bytes.byteLength) {
              throw new VizError(
                'E_VIZ_READ_FAILED',
                `${path} holds ${data.byteLength} bytes, expected ${bytes.byteLength}. Save the study again.`,
                { file: path },
              );
            }
            bytes.set(data);
          },
          (error: unknown) => {
            throw new VizError('E_VIZ_READ_FAILED', `Could not read ${path}: ${(error as Error).message}.`, {
              file: path,
              cause: error,
            });
          },
        ),
      );
      return array;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = visit(record[key]);
    return record;
  };
  const study = visit(parsed) as Study;
  const results = await Promise.allSettled(loads);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  validateStudy(study);
  return study;
}
