/** The browser's side of reading a file: gunzip with DecompressionStream and SHA-256 with Web Crypto. */
import { DatasetError } from '../errors.js';
import { isGzip } from '../idx.js';

/** Decompresses gzip bytes with DecompressionStream; raw bytes (no gzip magic) are returned as they are. */
export async function decompressIfGzip(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    // Read the stream directly: going through `new Response(stream)` hides the reason as "Failed to fetch".
    const reader = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'))
      .getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
    return concatenate(chunks, length);
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

/** Joins chunks into one array (no copy when there is only one). */
export function concatenate(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]?.length === length) return chunks[0];
  const output = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    output.set(chunk, offset);
    offset += chunk.length;
  }
  return output;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
