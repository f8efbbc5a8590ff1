/**
 * Pictures as RGBA pixels at their own size, for `toFashionMnistImage` of @fmnist/dataset, which the page applies as
 * `fmnist predict` does (transparency as white, inverted when the border is light, cropped to the object, shrunk to
 * 28x28), so one file gets one answer on this page and in the CLI.
 */
import type { RgbaImage } from '@fmnist/dataset';

/** A file the browser cannot decode as an image; its message names the file and is shown as it is. */
export class PictureError extends Error {
  override readonly name = 'PictureError';
  readonly file: string;
  constructor(message: string, file: string, options?: { cause?: unknown }) {
    super(message, options);
    this.file = file;
  }
}

/** The name shown for a file (a pasted screenshot may have none). */
export function fileLabel(file: File): string {
  return file.name || `the pasted ${file.type || 'image'}`;
}

/** The RGBA pixels of a canvas, as large as the canvas. */
export function canvasPixels(canvas: HTMLCanvasElement | OffscreenCanvas): RgbaImage {
  const context = canvas.getContext('2d', { willReadFrequently: true }) as
    | CanvasRenderingContext2D
    | OffscreenCanvasRenderingContext2D
    | null;
  if (!context) throw new Error('this browser gives the canvas no 2D context');
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/**
 * Decodes an image file at its own size, with no colour-profile conversion (the CLI's PNG and JPEG decoders apply
 * none either). Throws `PictureError` naming the file when the browser cannot decode it.
 */
export async function decodePictureFile(file: File): Promise<{ bitmap: ImageBitmap; pixels: RgbaImage }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (error) {
    const kind = file.type ? ` (${file.type})` : '';
    throw new PictureError(
      `Could not read ${fileLabel(file)}${kind}: this browser cannot decode it as an image. ` +
        'Use a PNG, JPEG, GIF or WebP file.',
      fileLabel(file),
      { cause: error },
    );
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser gives the canvas no 2D context');
  context.drawImage(bitmap, 0, 0);
  return { bitmap, pixels: context.getImageData(0, 0, bitmap.width, bitmap.height) };
}
