/**
 * Saves plain data holding typed arrays (a study: predictions, probabilities, test images) as one JSON file plus one
 * binary file per array, so `fmnist report --from` can reload it exactly. Could move next to the Study type in
 * @fmnist/viz's Node entry.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replacePath, temporaryPathFor } from './files.js';

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

export const STUDY_FILE = 'study.json';

function isArrayReference(value: unknown): value is ArrayReference {
  return typeof value === 'object' && value !== null && typeof (value as ArrayReference).$array === 'string';
}

/** Writes `value` to `dir/study.json` and its typed arrays to `dir/*.bin`; the folder appears complete or not at all. */
export async function saveStudyData(dir: string, value: unknown): Promise<void> {
  const staging = temporaryPathFor(dir);
  await mkdir(staging, { recursive: true });
  try {
    const writes: Promise<void>[] = [];
    const json = JSON.stringify(
      value,
      function replacer(this: unknown, key: string, item: unknown) {
        if (!ArrayBuffer.isView(item) || item instanceof DataView) return item;
        const type = item.constructor.name as ArrayTypeName;
        if (!(type in ARRAY_TYPES)) throw new TypeError(`cannot save a ${type} at '${key}'`);
        const file = `${writes.length}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}.bin`;
        // Little-endian on every platform Node runs on; the bytes are written as they lie in memory.
        writes.push(writeFile(join(staging, file), new Uint8Array(item.buffer, item.byteOffset, item.byteLength)));
        const reference: ArrayReference = { $array: type, file, length: (item as Uint8Array).length };
        return reference;
      },
      2,
    );
    await Promise.all(writes);
    await writeFile(join(staging, STUDY_FILE), `${json}\n`);
    await replacePath(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Reads what saveStudyData wrote, typed arrays included. */
export async function loadStudyData(dir: string): Promise<unknown> {
  const parsed: unknown = JSON.parse(await readFile(join(dir, STUDY_FILE), 'utf8'));
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
      if (!ArrayType) throw new TypeError(`unknown array type '${node.$array}' in ${join(dir, STUDY_FILE)}`);
      const array = new ArrayType(node.length);
      const bytes = new Uint8Array(array.buffer);
      loads.push(
        readFile(join(dir, node.file)).then((data) => {
          if (data.byteLength !== bytes.byteLength) {
            throw new Error(`${join(dir, node.file)} holds ${data.byteLength} bytes, expected ${bytes.byteLength}`);
          }
          bytes.set(data);
        }),
      );
      return array;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = visit(record[key]);
    return record;
  };
  const result = visit(parsed);
  await Promise.all(loads);
  return result;
}
