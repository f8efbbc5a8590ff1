/** What a dataset of IDX files is (files, checksums, mirrors, classes), and how two decoded files become a split. */
import { DatasetError } from './errors.js';
import { parseIdxImages, parseIdxLabels } from './idx.js';

export type SplitName = 'train' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'test'];

/** One file of a dataset: its upstream (gzip) name and the SHA-256 of its decompressed bytes. */
export interface IdxFileSpec {
  /** Upstream file name, e.g. `train-images-idx3-ubyte.gz`; the uncompressed copy is the name without `.gz`. */
  file: string;
  /** SHA-256 (hex) of the decompressed IDX bytes, so a re-gzipped copy passes too. */
  sha256: string;
  /**
   * Size in bytes of the decompressed IDX file, when known. Decompression stops past it (and past what the file's
   * IDX header declares), so a gzip bomb cannot exhaust memory.
   */
  size?: number | undefined;
}

/** Everything dataset-specific; the reading, verifying, caching and downloading code is generic over it. */
export interface IdxDatasetDescriptor {
  /** Short name used for the cache sub-directory, e.g. `fashion-mnist`. */
  name: string;
  /** Name for people, e.g. `FashionMNIST`. */
  title: string;
  files: Readonly<Record<SplitName, { images: IdxFileSpec; labels: IdxFileSpec }>>;
  /** Base URLs tried in order; a file's URL is the base followed by its name. */
  mirrors: readonly string[];
  classNames: readonly string[];
  /** Directories that system packages install the files to (Node only). */
  systemDirs: readonly string[];
  /** How to get the files from a system package, shown in errors (e.g. `apt-get install ...`). */
  systemPackageHint?: string;
}

/** Where a split's files came from. */
export type DataSourceKind = 'dataDir' | 'env' | 'cache' | 'system' | 'download' | 'url' | 'buffer';

export interface DataSource {
  kind: DataSourceKind;
  /** The directory (or base URL) holding the files, when there is one. */
  dir?: string;
  /** The images and labels files actually read (paths or URLs). */
  files?: { images: string; labels: string };
}

/** A decoded split; `images` and `labels` are views over the decompressed files, no per-image copies. */
export interface DatasetSplit {
  /** `count * rows * cols` bytes, row-major, 0 (background) to 255. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  source?: DataSource;
}

/** The name of a file without its `.gz` suffix: the uncompressed copy's name. */
export function uncompressedName(file: string): string {
  return file.endsWith('.gz') ? file.slice(0, -3) : file;
}

/** The URL of `file` under a mirror's base URL (a missing trailing slash is added). */
export function mirrorUrl(base: string, file: string): string {
  return new URL(file, base.endsWith('/') ? base : `${base}/`).href;
}

/** Rejects anything but 'train' or 'test', naming the accepted values. */
export function checkSplitName(split: unknown): SplitName {
  if (split !== 'train' && split !== 'test') {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `split must be one of ${SPLIT_NAMES.join(', ')}, got '${String(split)}'`,
    );
  }
  return split;
}

/** Throws a checksum error naming the file unless `actual` equals `expected` (hex SHA-256). */
export function checkSha256(actual: string, expected: string, file: string): void {
  if (actual !== expected) {
    throw new DatasetError(
      'E_DATASET_CHECKSUM',
      `${file}: SHA-256 of the decompressed content is ${actual}, expected ${expected}; ` +
        'the file is corrupt or not the original, delete it and download it again',
      { file },
    );
  }
}

/**
 * Turns two decompressed IDX files into a split: checks magic numbers, sizes, that both hold the same number of
 * examples and that every label names a class. The result shares memory with the inputs.
 */
export function decodeSplit(
  imagesBytes: Uint8Array,
  labelsBytes: Uint8Array,
  options: { imagesFile?: string; labelsFile?: string; classCount?: number } = {},
): DatasetSplit {
  const { imagesFile = 'images', labelsFile = 'labels', classCount = 256 } = options;
  const { images, count, rows, cols } = parseIdxImages(imagesBytes, imagesFile);
  const labels = parseIdxLabels(labelsBytes, labelsFile);
  if (labels.length !== count) {
    throw new DatasetError(
      'E_DATASET_COUNT_MISMATCH',
      `${labelsFile} holds ${labels.length} labels but ${imagesFile} holds ${count} images; ` +
        'the two files are from different splits or versions, use matching files',
      { file: labelsFile },
    );
  }
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index] ?? 0;
    if (label >= classCount) {
      throw new DatasetError(
        'E_DATASET_LABEL_OUT_OF_RANGE',
        `${labelsFile}: label ${label} at index ${index} is not a class index (0 to ${classCount - 1}); ` +
          'the file is corrupt or from another dataset',
        { file: labelsFile },
      );
    }
  }
  return { images, labels, count, rows, cols };
}
