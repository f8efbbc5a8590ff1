/** Reads and writes IDX files (the format of MNIST and FashionMNIST): a magic number, big-endian sizes, raw bytes. */
import { DatasetError } from './errors.js';

/** IDX magic number of a 3-dimensional unsigned-byte file (images: count, rows, cols). */
export const IDX_IMAGES_MAGIC = 2051;
/** IDX magic number of a 1-dimensional unsigned-byte file (labels: count). */
export const IDX_LABELS_MAGIC = 2049;

const UNSIGNED_BYTE = 0x08;
const TYPE_NAMES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
};

/** A decoded IDX file of unsigned bytes; `data` is a view over the input, row-major. */
export interface IdxArray {
  magic: number;
  dimensions: number[];
  data: Uint8Array;
}

/** The images of an IDX3 file as a view over the input: `count * rows * cols` bytes, row-major. */
export interface IdxImages {
  images: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** True when the bytes start with gzip's magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function readUint32(bytes: Uint8Array, offset: number): number {
  // Callers check the length first; `?? 0` only satisfies noUncheckedIndexedAccess.
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

/** What an IDX header declares: the magic number, the dimensions and how many bytes the whole file must have. */
export interface IdxHeader {
  magic: number;
  dimensions: number[];
  /** 4 bytes of magic number plus 4 per dimension. */
  headerLength: number;
  /** The product of the dimensions: the number of data bytes that must follow the header. */
  dataLength: number;
}

/**
 * Reads the header at the start of an (uncompressed) IDX file of unsigned bytes; `bytes` may be only the file's
 * first bytes. Returns undefined while too few bytes are there to hold the whole header; throws a DatasetError
 * naming `file` as soon as they show that it is not an IDX file of unsigned bytes.
 */
export function readIdxHeader(bytes: Uint8Array, file = 'IDX data'): IdxHeader | undefined {
  if (bytes.length >= 2 && (bytes[0] !== 0 || bytes[1] !== 0)) {
    const magic = bytes.length >= 4 ? readUint32(bytes, 0) : ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
    throw new DatasetError(
      'E_DATASET_IDX_MAGIC',
      `${file}: magic number 0x${magic.toString(16).padStart(bytes.length >= 4 ? 8 : 4, '0')} is not an IDX ` +
        "file's (0x0000TTDD); is it the right file, or compressed in a format other than gzip?",
      { file },
    );
  }
  if (bytes.length < 4) return undefined;
  const dataType = bytes[2] ?? 0;
  if (dataType !== UNSIGNED_BYTE) {
    const typeName = TYPE_NAMES[dataType] ?? `unknown type 0x${dataType.toString(16)}`;
    throw new DatasetError(
      'E_DATASET_IDX_UNSUPPORTED',
      `${file}: IDX data type is ${typeName}; only unsigned byte (0x08) files are supported`,
      { file },
    );
  }
  const dimensionCount = bytes[3] ?? 0;
  const headerLength = 4 + 4 * dimensionCount;
  if (bytes.length < headerLength) return undefined;
  const dimensions: number[] = [];
  let dataLength = 1;
  for (let index = 0; index < dimensionCount; index++) {
    const size = readUint32(bytes, 4 + 4 * index);
    dimensions.push(size);
    dataLength *= size;
  }
  return { magic: readUint32(bytes, 0), dimensions, headerLength, dataLength };
}

/**
 * Parses an uncompressed IDX file of unsigned bytes. Throws a DatasetError naming `file` when the header is short,
 * the magic number is not IDX, the data type is not unsigned byte, or the length does not match the dimensions.
 */
export function parseIdx(bytes: Uint8Array, file = 'IDX data'): IdxArray {
  if (bytes.length < 4) {
    throw new DatasetError(
      'E_DATASET_IDX_TRUNCATED',
      `${file}: ${bytes.length} bytes is too short for an IDX header; the file is truncated, download it again`,
      { file },
    );
  }
  const header = readIdxHeader(bytes, file);
  if (header === undefined) {
    throw new DatasetError(
      'E_DATASET_IDX_TRUNCATED',
      `${file}: the IDX header declares ${bytes[3] ?? 0} dimensions but the file has only ${bytes.length} bytes; ` +
        'the file is truncated, download it again',
      { file },
    );
  }
  const { magic, dimensions, headerLength, dataLength: expectedLength } = header;
  const available = bytes.length - headerLength;
  if (available < expectedLength) {
    throw new DatasetError(
      'E_DATASET_IDX_TRUNCATED',
      `${file}: the header declares dimensions ${dimensions.join('x')} (${expectedLength} bytes) but only ` +
        `${available} bytes follow; the file is truncated or its header is wrong, download it again`,
      { file },
    );
  }
  if (available > expectedLength) {
    throw new DatasetError(
      'E_DATASET_IDX_SIZE_MISMATCH',
      `${file}: the header declares dimensions ${dimensions.join('x')} (${expectedLength} bytes) but ` +
        `${available} bytes follow; the header does not match the data, download the file again`,
      { file },
    );
  }
  return {
    magic,
    dimensions,
    data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, expectedLength),
  };
}

function expectMagic(parsed: IdxArray, expected: number, what: string, file: string) {
  if (parsed.magic !== expected) {
    const found =
      parsed.magic === IDX_IMAGES_MAGIC
        ? ' (an images file)'
        : parsed.magic === IDX_LABELS_MAGIC
          ? ' (a labels file)'
          : '';
    throw new DatasetError(
      'E_DATASET_IDX_MAGIC',
      `${file}: magic number ${parsed.magic}${found}, expected ${expected} for ${what}; is it the right file?`,
      { file },
    );
  }
}

/** Parses an uncompressed IDX3 images file (magic 2051); the images are a view over `bytes`. */
export function parseIdxImages(bytes: Uint8Array, file = 'images'): IdxImages {
  const parsed = parseIdx(bytes, file);
  expectMagic(parsed, IDX_IMAGES_MAGIC, 'images', file);
  const [count = 0, rows = 0, cols = 0] = parsed.dimensions;
  return { images: parsed.data, count, rows, cols };
}

/** Parses an uncompressed IDX1 labels file (magic 2049); the labels are a view over `bytes`. */
export function parseIdxLabels(bytes: Uint8Array, file = 'labels'): Uint8Array {
  const parsed = parseIdx(bytes, file);
  expectMagic(parsed, IDX_LABELS_MAGIC, 'labels', file);
  return parsed.data;
}

/** Encodes unsigned bytes as an IDX file (the inverse of {@link parseIdx}); handy for fixtures and exports. */
export function encodeIdx(dimensions: readonly number[], data: Uint8Array): Uint8Array {
  const expectedLength = dimensions.reduce((product, size) => product * size, 1);
  if (dimensions.length > 255 || data.length !== expectedLength) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `encodeIdx: data has ${data.length} bytes but dimensions ${dimensions.join('x')} need ${expectedLength}`,
    );
  }
  const headerLength = 4 + 4 * dimensions.length;
  const bytes = new Uint8Array(headerLength + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(2, UNSIGNED_BYTE);
  view.setUint8(3, dimensions.length);
  for (const [index, size] of dimensions.entries()) view.setUint32(4 + 4 * index, size);
  bytes.set(data, headerLength);
  return bytes;
}
