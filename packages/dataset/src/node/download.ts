/**
 * Downloads one file from a list of mirrors with retries, streaming to a temporary file in the target directory (the
 * atomic writer's naming, so a killed download's leftover is recognized) that is verified before it is moved into
 * place: the target directory never holds a partial or unverified file.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { replacePath, temporaryPathFor } from '@fmnist/internal/node';
import { checkSha256 } from '../descriptor.js';
import { DatasetError } from '../errors.js';
import { decompressIfGzip, sha256Hex } from './decompress.js';

export interface DownloadProgress {
  stage: 'download';
  /** The file's name. */
  file: string;
  url: string;
  loadedBytes: number;
  /** From Content-Length; undefined when the server does not say. */
  totalBytes: number | undefined;
}

export interface DownloadFileOptions {
  /** URLs tried in order, in every round. */
  urls: readonly string[];
  /** Where the verified file ends up. */
  targetPath: string;
  /** SHA-256 (hex) of the decompressed content. */
  sha256: string;
  /** Size in bytes of the decompressed content, when known: decompressing stops past it. */
  size?: number | undefined;
  /** Extra rounds over the mirrors after the first fails. Default 2. */
  retries?: number | undefined;
  /** Wait before the first retry round, doubled for each later one. Default 1000 ms. */
  retryDelayMs?: number | undefined;
  /** Give up on a request that receives nothing for this long. Default 30000 ms. */
  idleTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/** Why one attempt failed, in a few words for the error message. */
function describeFailure(error: unknown): string {
  if (DatasetError.isInstance(error)) return error.message;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const message = error instanceof Error ? error.message : String(error);
  const detail = cause && typeof cause.message === 'string' ? `: ${cause.message}` : '';
  return `${message}${detail}`;
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
  /** 4xx answers other than timeouts and rate limits will not change on a retry. */
  get permanent() {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Streams one URL into `temporaryPath`; throws on HTTP errors, stalls, aborts and short bodies. */
async function fetchToFile(url: string, temporaryPath: string, options: DownloadFileOptions): Promise<void> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const armTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data received for ${idleTimeoutMs} ms`)), idleTimeoutMs);
  };
  const handle = await open(temporaryPath, 'w');
  try {
    armTimer();
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok || !response.body) {
      // Release the connection; the error page is of no use.
      await response.body?.cancel().catch(() => undefined);
      throw new HttpStatusError(response.status);
    }
    const header = response.headers.get('content-length');
    const totalBytes = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
    const file = basename(options.targetPath);
    let loadedBytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      armTimer();
      await handle.write(chunk);
      loadedBytes += chunk.length;
      options.onProgress?.({ stage: 'download', file, url, loadedBytes, totalBytes });
    }
    await handle.sync();
    // Content-Length counts encoded bytes; fetch undoes a Content-Encoding, so only compare unencoded bodies.
    if (totalBytes !== undefined && !response.headers.get('content-encoding') && loadedBytes !== totalBytes) {
      throw new Error(`connection closed after ${loadedBytes} of ${totalBytes} bytes`);
    }
  } catch (error) {
    // An abort of ours surfaces as AbortError; report the reason (stall or caller's signal) instead.
    if (controller.signal.aborted && !options.signal?.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await handle.close();
  }
}

/** Checks a downloaded file: decompresses it when gzip and compares the SHA-256 of the content. */
async function verifyDownloaded(temporaryPath: string, url: string, options: DownloadFileOptions): Promise<void> {
  const content = await decompressIfGzip(await readFile(temporaryPath), url, { knownSize: options.size });
  checkSha256(sha256Hex(content), options.sha256, url);
}

/**
 * Downloads a file to `targetPath`, trying each URL in order for up to `1 + retries` rounds (a 404 drops that URL).
 * Resolves with the URL that served it. Rejects with the signal's reason on abort, else a DatasetError
 * (E_DATASET_DOWNLOAD_FAILED) listing every attempt. Leaves no temporary file behind.
 */
export async function downloadVerifiedFile(options: DownloadFileOptions): Promise<{ url: string }> {
  const { urls, targetPath, signal } = options;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const file = basename(targetPath);
  await mkdir(dirname(targetPath), { recursive: true });
  const failures: string[] = [];
  let lastError: unknown;
  const dropped = new Set<string>();
  for (let round = 0; round <= retries; round++) {
    if (round > 0) await sleep(retryDelayMs * 2 ** (round - 1), signal);
    for (const url of urls) {
      if (dropped.has(url)) continue;
      signal?.throwIfAborted();
      const temporaryPath = temporaryPathFor(targetPath, 'download');
      try {
        await fetchToFile(url, temporaryPath, options);
        await verifyDownloaded(temporaryPath, url, options);
        await replacePath(temporaryPath, targetPath);
        return { url };
      } catch (error) {
        await rm(temporaryPath, { force: true });
        if (signal?.aborted) throw signal.reason;
        if (error instanceof HttpStatusError && error.permanent) dropped.add(url);
        lastError = error;
        failures.push(`${url}: ${describeFailure(error)}`);
      }
    }
    if (dropped.size === urls.length) break;
  }
  throw new DatasetError(
    'E_DATASET_DOWNLOAD_FAILED',
    `could not download ${file} (${failures.length} attempt${failures.length === 1 ? '' : 's'}: ` +
      `${failures.join('; ') || 'no mirrors configured'}); check the network or set FMNIST_MIRRORS, ` +
      'or copy the files into a directory and pass it with --data-dir / dataDir',
    { file: targetPath, cause: lastError },
  );
}
