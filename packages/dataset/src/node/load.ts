/**
 * The Node loader, generic over an IDX dataset descriptor: finds a split's files (data dir, FMNIST_DATA_DIR, cache,
 * system directories), downloads them when allowed, verifies their SHA-256 and decodes them.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { removeStaleTemporaries } from '@fmnist/internal/node';
import {
  checkSha256,
  checkSplitName,
  type DataSource,
  type DataSourceKind,
  type DatasetSplit,
  decodeSplit,
  type IdxDatasetDescriptor,
  type IdxFileSpec,
  mirrorUrl,
  SPLIT_NAMES,
  type SplitName,
  uncompressedName,
} from '../descriptor.js';
import { DatasetError } from '../errors.js';
import { decompressIfGzip, sha256Hex } from './decompress.js';
import { type DownloadProgress, downloadVerifiedFile } from './download.js';
import {
  datasetCacheDir,
  ENVIRONMENT_VARIABLES,
  type Environment,
  environmentDataDir,
  resolveMirrors,
} from './environment.js';

/** Reported once per file read and verified. */
export interface ReadProgress {
  stage: 'read';
  file: string;
  loadedBytes: number;
  totalBytes: number;
}

export type LoadProgress = DownloadProgress | ReadProgress;

/** Where to look for files; shared by loading, downloading and verifying. */
export interface SourceOptions {
  /** A directory holding the files (`.gz` or uncompressed). When given it is the only place looked at. */
  dataDir?: string | undefined;
  /** Root of the download cache; files go in `<cacheDir>/<dataset>/`. Default: FMNIST_CACHE_DIR, else the user cache. */
  cacheDir?: string | undefined;
  /** System directories looked at after the cache. Default: the descriptor's (e.g. /usr/share/datasets/fashion-mnist). */
  systemDirs?: readonly string[] | undefined;
  /** Environment variables to read instead of `process.env` (FMNIST_DATA_DIR, FMNIST_CACHE_DIR, FMNIST_MIRRORS). */
  env?: Environment | undefined;
}

/** How downloads behave. */
export interface DownloadBehavior {
  /** Base URLs tried in order. Default: FMNIST_MIRRORS (comma-separated), else the upstream mirrors. */
  mirrors?: readonly string[] | undefined;
  /** Extra rounds over the mirrors after a failed first one. Default 2. */
  retries?: number | undefined;
  /** Wait before the first retry round, doubled for each later one. Default 1000 ms. */
  retryDelayMs?: number | undefined;
  /** Give up on a request that receives nothing for this long. Default 30000 ms. */
  idleTimeoutMs?: number | undefined;
  /** Aborting stops reading or downloading; the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: LoadProgress) => void) | undefined;
}

export interface LoadOptions extends SourceOptions, DownloadBehavior {
  split: SplitName;
  /** Download missing files from the mirrors into the cache (or into `dataDir`) when no source has them. Default false. */
  download?: boolean | undefined;
}

interface Candidate {
  kind: DataSourceKind;
  dir: string;
}

interface Plan {
  candidates: Candidate[];
  /** Where downloads go: the explicit directory, else the cache. */
  target: Candidate;
}

const SOURCE_LABELS: Record<DataSourceKind, string> = {
  dataDir: 'data directory',
  env: ENVIRONMENT_VARIABLES.dataDir,
  cache: 'cache',
  system: 'system directory',
  download: 'download',
  url: 'URL',
  buffer: 'buffer',
};

function planSources(descriptor: IdxDatasetDescriptor, options: SourceOptions): Plan {
  const env = options.env ?? process.env;
  if (options.dataDir !== undefined) {
    const explicit = { kind: 'dataDir' as const, dir: resolve(options.dataDir) };
    return { candidates: [explicit], target: explicit };
  }
  const fromEnv = environmentDataDir(env);
  if (fromEnv !== undefined) {
    const explicit = { kind: 'env' as const, dir: resolve(fromEnv) };
    return { candidates: [explicit], target: explicit };
  }
  const cache = { kind: 'cache' as const, dir: resolve(datasetCacheDir(descriptor, options.cacheDir, env)) };
  const system = (options.systemDirs ?? descriptor.systemDirs).map((dir) => ({ kind: 'system' as const, dir }));
  return { candidates: [cache, ...system], target: cache };
}

/** The path of a file in `dir`: the `.gz` name first, then the uncompressed one; undefined when neither exists. */
async function findFile(dir: string, spec: IdxFileSpec): Promise<string | undefined> {
  for (const name of new Set([spec.file, uncompressedName(spec.file)])) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).isFile()) return path;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new DatasetError('E_DATASET_READ_FAILED', `${path}: cannot read it (${code}); check its permissions`, {
          file: path,
          cause: error,
        });
      }
    }
  }
  return undefined;
}

async function directoryExists(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

interface VerifiedFile {
  path: string;
  bytes: Uint8Array;
  sha256: string;
}

/** Reads a file, decompresses it when gzip and checks the SHA-256 of the content. */
async function readVerified(
  path: string,
  spec: IdxFileSpec,
  options: {
    signal?: AbortSignal | undefined;
    onProgress?: ((progress: LoadProgress) => void) | undefined;
  },
): Promise<VerifiedFile> {
  let raw: Uint8Array;
  try {
    raw = await readFile(path, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new DatasetError(
      'E_DATASET_READ_FAILED',
      `${path}: cannot read it (${code}); check that it exists and is readable`,
      {
        file: path,
        cause: error,
      },
    );
  }
  const bytes = await decompressIfGzip(raw, path, { knownSize: spec.size });
  options.signal?.throwIfAborted();
  const sha256 = sha256Hex(bytes);
  checkSha256(sha256, spec.sha256, path);
  options.onProgress?.({ stage: 'read', file: path, loadedBytes: bytes.length, totalBytes: bytes.length });
  return { path, bytes, sha256 };
}

interface FoundSplit {
  candidate: Candidate;
  images: string;
  labels: string;
}

/** Looks through the plan's directories in order; returns the first holding both files, and notes on the others. */
async function locate(
  descriptor: IdxDatasetDescriptor,
  split: SplitName,
  plan: Plan,
): Promise<{ found?: FoundSplit; tried: string[] }> {
  const specs = descriptor.files[split];
  const tried: string[] = [];
  for (const candidate of plan.candidates) {
    const label = `${SOURCE_LABELS[candidate.kind]} ${candidate.dir}`;
    if (!(await directoryExists(candidate.dir))) {
      tried.push(`${label} (does not exist)`);
      continue;
    }
    const [images, labels] = await Promise.all([
      findFile(candidate.dir, specs.images),
      findFile(candidate.dir, specs.labels),
    ]);
    if (images !== undefined && labels !== undefined) return { found: { candidate, images, labels }, tried };
    const missing = [images === undefined ? specs.images : undefined, labels === undefined ? specs.labels : undefined]
      .filter((spec): spec is IdxFileSpec => spec !== undefined)
      .map((spec) => `${spec.file} or ${uncompressedName(spec.file)}`);
    tried.push(`${label} (no ${missing.join(', no ')})`);
  }
  return { tried };
}

function notFoundError(descriptor: IdxDatasetDescriptor, split: SplitName, plan: Plan, tried: string[]): DatasetError {
  const { images, labels } = descriptor.files[split];
  const explicit = plan.target.kind !== 'cache';
  const fixes = [
    ...(explicit ? [`check the path ${plan.target.dir}`] : []),
    `download them into ${plan.target.dir} with 'fmnist data download${explicit ? ` --data-dir ${plan.target.dir}` : ''}' ` +
      '(download: true in code)',
    ...(!explicit && descriptor.systemPackageHint ? [`install them with '${descriptor.systemPackageHint}'`] : []),
    `point --data-dir (dataDir) or ${ENVIRONMENT_VARIABLES.dataDir} at a directory holding them`,
  ];
  return new DatasetError(
    'E_DATASET_NOT_FOUND',
    `${descriptor.title} ${split} files (${images.file}, ${labels.file}, or without .gz) not found; ` +
      `looked in: ${tried.join('; ')}. To fix: ${fixes.join(', or ')}`,
    { file: images.file },
  );
}

interface LoadedSplit {
  split: DatasetSplit;
  files: { images: VerifiedFile; labels: VerifiedFile };
}

async function readSplit(
  descriptor: IdxDatasetDescriptor,
  split: SplitName,
  found: { images: string; labels: string },
  source: DataSource,
  options: DownloadBehavior,
): Promise<LoadedSplit> {
  const specs = descriptor.files[split];
  const [images, labels] = await Promise.all([
    readVerified(found.images, specs.images, options),
    readVerified(found.labels, specs.labels, options),
  ]);
  const decoded = decodeSplit(images.bytes, labels.bytes, {
    imagesFile: images.path,
    labelsFile: labels.path,
    classCount: descriptor.classNames.length,
  });
  return {
    split: { ...decoded, source: { ...source, files: { images: found.images, labels: found.labels } } },
    files: { images, labels },
  };
}

export interface DownloadOptions extends SourceOptions, DownloadBehavior {
  /** Splits to download. Default both. */
  splits?: readonly SplitName[] | undefined;
  /** Download again even when a verified copy is present. Default false. */
  force?: boolean | undefined;
}

export interface DownloadedFile {
  split: SplitName;
  role: 'images' | 'labels';
  path: string;
  /** 'present': a verified copy was already there; 'downloaded': fetched (from `url`) and verified. */
  status: 'present' | 'downloaded';
  url?: string;
}

export interface DownloadResult {
  /** The directory holding the files: `dataDir`, FMNIST_DATA_DIR, or the cache. */
  dir: string;
  source: DataSource;
  files: DownloadedFile[];
}

/**
 * Makes the files of the chosen splits present and verified in the download directory (`dataDir`, else
 * FMNIST_DATA_DIR, else the cache), downloading what is missing or corrupt. A corrupt copy is deleted.
 */
export async function downloadIdxDataset(
  descriptor: IdxDatasetDescriptor,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const plan = planSources(descriptor, options);
  const env = options.env ?? process.env;
  const mirrors = resolveMirrors(descriptor, options.mirrors, env);
  const splits = (options.splits ?? SPLIT_NAMES).map(checkSplitName);
  const files: DownloadedFile[] = [];
  // Downloads killed midway leave hidden temporary files (`.<name>.download-<pid>-<random>`); delete those.
  await removeStaleTemporaries(plan.target.dir);
  for (const split of splits) {
    for (const role of ['images', 'labels'] as const) {
      const spec = descriptor.files[split][role];
      const existing = await findFile(plan.target.dir, spec);
      if (existing !== undefined && !options.force) {
        try {
          await readVerified(existing, spec, { signal: options.signal, onProgress: options.onProgress });
          files.push({ split, role, path: existing, status: 'present' });
          continue;
        } catch (error) {
          if (!DatasetError.isInstance(error) || error.code === 'E_DATASET_READ_FAILED') throw error;
          await rm(existing, { force: true });
        }
      }
      const targetPath = join(plan.target.dir, spec.file);
      const { url } = await downloadVerifiedFile({
        urls: mirrors.map((base) => mirrorUrl(base, spec.file)),
        targetPath,
        sha256: spec.sha256,
        size: spec.size,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        idleTimeoutMs: options.idleTimeoutMs,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      // A stale uncompressed copy would shadow nothing (.gz is looked up first) but confuses people; keep one copy.
      if (existing !== undefined && existing !== targetPath) await rm(existing, { force: true });
      files.push({ split, role, path: targetPath, status: 'downloaded', url });
    }
  }
  return { dir: plan.target.dir, source: { kind: plan.target.kind, dir: plan.target.dir }, files };
}

async function loadWithDetails(descriptor: IdxDatasetDescriptor, options: LoadOptions): Promise<LoadedSplit> {
  const split = checkSplitName(options.split);
  options.signal?.throwIfAborted();
  const plan = planSources(descriptor, options);
  const { found, tried } = await locate(descriptor, split, plan);
  if (found) {
    const source = { kind: found.candidate.kind, dir: found.candidate.dir };
    try {
      return await readSplit(descriptor, split, found, source, options);
    } catch (error) {
      // A corrupt file in our own cache is replaced when downloads are allowed; anywhere else it is the user's call.
      const replaceable = found.candidate.kind === 'cache' && options.download && DatasetError.isInstance(error);
      if (!replaceable || error.code === 'E_DATASET_READ_FAILED') throw error;
      tried.push(`cache ${found.candidate.dir} (${error.message})`);
    }
  }
  if (!options.download) throw notFoundError(descriptor, split, plan, tried);
  let result: DownloadResult;
  try {
    result = await downloadIdxDataset(descriptor, { ...options, splits: [split], force: false });
  } catch (error) {
    if (!DatasetError.isInstance(error) || error.code !== 'E_DATASET_DOWNLOAD_FAILED') throw error;
    throw new DatasetError(
      error.code,
      `${descriptor.title} ${split} files not found locally (looked in: ${tried.join('; ')}), and ${error.message}`,
      { file: error.file, cause: error },
    );
  }
  const [images, labels] = result.files.map((file) => file.path) as [string, string];
  const downloaded = result.files.some((file) => file.status === 'downloaded');
  const source: DataSource = { kind: downloaded ? 'download' : plan.target.kind, dir: result.dir };
  return readSplit(descriptor, split, { images, labels }, source, options);
}

/**
 * Loads one split of an IDX dataset. Sources, in order: `dataDir`; else FMNIST_DATA_DIR; else the cache, then the
 * system directories, then (with `download: true`) the mirrors. The error lists every place tried and how to fix it.
 */
export async function loadIdxDataset(descriptor: IdxDatasetDescriptor, options: LoadOptions): Promise<DatasetSplit> {
  return (await loadWithDetails(descriptor, options)).split;
}

export interface VerifiedSplitReport {
  split: SplitName;
  ok: boolean;
  source?: DataSource;
  count?: number;
  files?: Array<{ role: 'images' | 'labels'; path: string; sha256: string }>;
  error?: { code: string; message: string; file?: string };
}

export interface VerifyReport {
  ok: boolean;
  splits: VerifiedSplitReport[];
}

/** Finds and fully checks each split's files (gzip, IDX structure, SHA-256, counts) without downloading anything. */
export async function verifyIdxDataset(
  descriptor: IdxDatasetDescriptor,
  options: SourceOptions & { splits?: readonly SplitName[]; signal?: AbortSignal | undefined } = {},
): Promise<VerifyReport> {
  const splits: VerifiedSplitReport[] = [];
  for (const split of (options.splits ?? SPLIT_NAMES).map(checkSplitName)) {
    try {
      const loaded = await loadWithDetails(descriptor, { ...options, split, download: false });
      const { images, labels } = loaded.files;
      splits.push({
        split,
        ok: true,
        ...(loaded.split.source ? { source: loaded.split.source } : {}),
        count: loaded.split.count,
        files: [
          { role: 'images', path: images.path, sha256: images.sha256 },
          { role: 'labels', path: labels.path, sha256: labels.sha256 },
        ],
      });
    } catch (error) {
      if (!DatasetError.isInstance(error)) throw error;
      splits.push({
        split,
        ok: false,
        error: { code: error.code, message: error.message, ...(error.file !== undefined ? { file: error.file } : {}) },
      });
    }
  }
  return { ok: splits.every((split) => split.ok), splits };
}
