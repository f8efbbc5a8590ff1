/** Reads a PNG's chunks for tests: checks the signature and every CRC, returns IHDR and the inflated scanlines. */
import { inflateSync } from 'node:zlib';
import { crc32 } from '../png.js';

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** Inflated IDAT data: `height` scanlines, each a filter byte and the row's bytes. */
  scanlines: Uint8Array;
  /** Bytes per pixel for 8-bit images (gray 1, gray+alpha 2, RGB 3, RGBA 4). */
  bytesPerPixel: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(bytes: Uint8Array): DecodedPng {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!signature.every((value, index) => bytes[index] === value)) throw new Error('not a PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let header: DataView | undefined;
  const data: Uint8Array[] = [];
  let ended = false;
  while (at < bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    const crc = view.getUint32(at + 8 + length);
    if (crc !== crc32(bytes.subarray(at + 4, at + 8 + length))) throw new Error(`bad CRC in ${type} chunk`);
    if (type === 'IHDR') header = new DataView(body.buffer, body.byteOffset, body.byteLength);
    if (type === 'IDAT') data.push(body);
    if (type === 'IEND') ended = true;
    at += 12 + length;
  }
  if (!header || !ended) throw new Error('missing IHDR or IEND');
  const colorType = header.getUint8(9);
  const joined = new Uint8Array(data.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of data) {
    joined.set(part, offset);
    offset += part.length;
  }
  return {
    width: header.getUint32(0),
    height: header.getUint32(4),
    bitDepth: header.getUint8(8),
    colorType,
    scanlines: new Uint8Array(inflateSync(joined)),
    bytesPerPixel: CHANNELS[colorType] ?? Number.NaN,
  };
}

/** Undoes the PNG scanline filters (None, Sub, Up, Average, Paeth) of an 8-bit image; returns the raw pixels. */
export function unfilter(png: DecodedPng): Uint8Array {
  const stride = png.width * png.bytesPerPixel;
  const out = new Uint8Array(stride * png.height);
  for (let y = 0; y < png.height; y++) {
    const filter = png.scanlines[y * (stride + 1)]!;
    const line = png.scanlines.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= png.bytesPerPixel ? out[y * stride + x - png.bytesPerPixel]! : 0;
      const up = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const upLeft = x >= png.bytesPerPixel && y > 0 ? out[(y - 1) * stride + x - png.bytesPerPixel]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const estimate = left + up - upLeft;
        const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        predictor = a <= b && a <= c ? left : b <= c ? up : upLeft;
      }
      out[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return out;
}
