/**
 * Reads PNG and JPEG files into RGBA pixels for `toFashionMnistImage` of @fmnist/dataset, which makes them look like
 * FashionMNIST; the decoders (pngjs, jpeg-js) are the CLI's, so the dataset package stays free of dependencies.
 */
import { readFile } from 'node:fs/promises';
import type { RgbaImage } from '@fmnist/dataset';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { CliError } from './errors.js';

/** A file that is not a readable PNG or JPEG; the CLI prints it as one line (exit 1). */
export class ImageFileError extends CliError {
  override readonly name = 'ImageFileError';
  constructor(message: string, options: { file: string; cause?: unknown }) {
    super('E_CLI_IMAGE', message, options);
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: number[]) {
  return signature.every((byte, index) => bytes[index] === byte);
}

/** Reads a PNG or JPEG file (recognized by its first bytes, not its name) into RGBA pixels. */
export async function decodeImageFile(path: string): Promise<RgbaImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ImageFileError(`cannot read image '${path}': ${(error as Error).message}`, { file: path, cause: error });
  }
  try {
    if (startsWith(bytes, PNG_SIGNATURE)) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: png.data };
    }
    if (startsWith(bytes, JPEG_SIGNATURE)) {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: decoded.width, height: decoded.height, data: decoded.data };
    }
  } catch (error) {
    throw new ImageFileError(`cannot decode image '${path}': ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  throw new ImageFileError(`'${path}' is not a PNG or JPEG file; convert it to one of those formats`, {
    file: path,
  });
}
