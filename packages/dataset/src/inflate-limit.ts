/**
 * The size limit on decompressed IDX files, shared by the Node and browser gunzip: the output may not pass what the
 * file's IDX header declares, nor the known size of the file, so a gzip bomb (a small file that inflates to
 * gigabytes) stops after at most that many bytes, with a DatasetError naming the file.
 */
import { DatasetError } from './errors.js';
import { readIdxHeader } from './idx.js';

/** Collects decompressed chunks and throws E_DATASET_GZIP_TOO_LARGE as soon as their total passes the limit. */
export class BoundedIdxOutput {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  /** The bytes the IDX header declares (header included), once the header has been read. */
  private declared: number | undefined;

  /**
   * @param file Named in errors.
   * @param knownSize The decompressed size of the expected file, when known (see `IdxFileSpec.size`).
   */
  constructor(
    private readonly file: string,
    private readonly knownSize?: number | undefined,
  ) {}

  /** The most bytes the output may hold: what the header declares, or the known size when smaller or first. */
  get limit(): number {
    return Math.min(this.declared ?? Number.POSITIVE_INFINITY, this.knownSize ?? Number.POSITIVE_INFINITY);
  }

  /** Adds a chunk of output. Throws (the caller stops decompressing) when the output passes the limit. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
    // The header is at most 4 + 4 * 255 bytes, so joining the first chunks until it is complete is cheap.
    if (this.declared === undefined) {
      const header = readIdxHeader(this.joined(), this.file);
      if (header !== undefined) this.declared = header.headerLength + header.dataLength;
    }
    if (this.length > this.limit) throw this.tooLarge();
  }

  /** The whole output, at the start of a buffer of its own (no copy when it came in one such chunk). */
  bytes(): Uint8Array {
    return this.joined();
  }

  private joined(): Uint8Array {
    const output = concatenate(this.chunks, this.length);
    this.chunks.splice(0, this.chunks.length, output);
    return output;
  }

  private tooLarge(): DatasetError {
    const byHeader = this.declared !== undefined && this.declared <= (this.knownSize ?? Number.POSITIVE_INFINITY);
    const promise = byHeader
      ? `the ${this.declared} bytes its IDX header declares`
      : `${this.knownSize} bytes, the size of the original file`;
    return new DatasetError(
      'E_DATASET_GZIP_TOO_LARGE',
      `${this.file}: the gzip data inflates to more than ${promise}; the file is corrupt or not the original ` +
        '(decompression stopped there), delete it and download it again',
      { file: this.file },
    );
  }
}

/** Joins chunks into one array at the start of a buffer of its own (no copy when one chunk already is). */
export function concatenate(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const first = chunks[0];
  if (chunks.length === 1 && first !== undefined && first.length === length && first.byteOffset === 0) return first;
  const output = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    output.set(chunk, offset);
    offset += chunk.length;
  }
  return output;
}
