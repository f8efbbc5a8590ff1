/** The browser's side of reading a file: gunzip with DecompressionStream and SHA-256 with Web Crypto. */
import { DatasetError } from '../errors.js';
import { isGzip } from '../idx.js';
import { BoundedIdxOutput } from '../inflate-limit.js';

/**
 * Decompresses gzip bytes with DecompressionStream; raw bytes (no gzip magic) are returned as they are. Reading stops
 * with E_DATASET_GZIP_TOO_LARGE as soon as the output passes what its IDX header declares or `knownSize`, and with
 * an IDX error as soon as the output shows it is not an IDX file, so memory stays bounded by that size.
 */
export async function decompressIfGzip(
  bytes: Uint8Array,
  file: string,
  options: { knownSize?: number | undefined } = {},
): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const output = new BoundedIdxOutput(file, options.knownSize);
  // Read the stream directly: going through `new Response(stream)` hides the reason as "Failed to fetch".
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'))
    .getReader();
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (error) {
      throw gzipError(error, file);
    }
    if (result.done) return output.bytes();
    try {
      output.push(result.value);
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      throw error;
    }
  }
}

function gzipError(error: unknown, file: string): DatasetError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const truncated = code === 'Z_BUF_ERROR' || /truncat|unexpected end|premature/i.test(String(message));
  return new DatasetError(
    truncated ? 'E_DATASET_GZIP_TRUNCATED' : 'E_DATASET_GZIP_CORRUPT',
    truncated
      ? `${file}: the gzip data ends early (the file is truncated); fetch it again`
      : `${file}: the gzip data is corrupt (${String(message)}); fetch it again`,
    { file, cause: error },
  );
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
