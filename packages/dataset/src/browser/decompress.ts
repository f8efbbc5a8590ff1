/** The browser's side of reading a file: gunzip with DecompressionStream and SHA-256 with Web Crypto. */
import { DatasetError } from '../errors.js';
import { isGzip } from '../idx.js';

/** Decompresses gzip bytes with DecompressionStream; raw bytes (no gzip magic) are returned as they are. */
export async function decompressIfGzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    const truncated = code === 'Z_BUF_ERROR' || /truncat|unexpected end|premature/i.test(String(message));
    throw new DatasetError(
      truncated ? 'E_DATASET_GZIP_TRUNCATED' : 'E_DATASET_GZIP_CORRUPT',
      truncated
        ? `${file}: the gzip data ends early (the file is truncated); fetch it again`
        : `${file}: the gzip data is corrupt (${String(message)}); fetch it again`,
      { file, cause: error },
    );
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
