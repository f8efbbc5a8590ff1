/** A small grayscale PNG encoder for image tiles, browser-safe: stored deflate blocks unless a compressor is given. */
import { VizError } from './errors.js';

export interface GrayPngOptions {
  /** Whole-number nearest-neighbor enlargement, so each source pixel becomes a `scale` x `scale` square. Default 1. */
  scale?: number;
  /**
   * zlib-format compressor (RFC 1950), e.g. `zlib.deflateSync` in Node. Default: uncompressed "stored" deflate
   * blocks, which every decoder reads and which cost next to nothing for 28x28 tiles.
   */
  deflate?: (data: Uint8Array) => Uint8Array;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG chunks use it (ISO 3309, the same as zlib's crc32). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream of stored (uncompressed) deflate blocks: valid everywhere, no compressor needed. */
function storedZlib(data: Uint8Array): Uint8Array {
  const maxBlock = 65535;
  const blocks = Math.max(1, Math.ceil(data.length / maxBlock));
  const out = new Uint8Array(2 + blocks * 5 + data.length + 4);
  const view = new DataView(out.buffer);
  out[0] = 0x78; // deflate, 32K window
  out[1] = 0x01; // no preset dictionary, fastest; (0x7801 % 31 === 0)
  let at = 2;
  for (let block = 0; block < blocks; block++) {
    const start = block * maxBlock;
    const length = Math.min(maxBlock, data.length - start);
    out[at] = block === blocks - 1 ? 1 : 0;
    view.setUint16(at + 1, length, true);
    view.setUint16(at + 3, ~length & 0xffff, true);
    out.set(data.subarray(start, start + length), at + 5);
    at += 5 + length;
  }
  view.setUint32(at, adler32(data));
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes 8-bit grayscale pixels (row-major, `width * height` values, 0 = black) as a PNG file.
 * With `scale`, the image is enlarged by nearest neighbor, so tiles stay crisp in any viewer.
 */
export function encodeGrayPng(
  pixels: Uint8Array,
  width: number,
  height: number,
  options: GrayPngOptions = {},
): Uint8Array {
  return encodePng('encodeGrayPng', pixels, width, height, 1, options);
}

/**
 * Encodes 8-bit RGB pixels (row-major, `width * height * 3` values: red, green, blue) as a PNG file, e.g. weights drawn
 * on a diverging palette with {@link divergingColor}. Options as {@link encodeGrayPng}.
 */
export function encodeRgbPng(
  pixels: Uint8Array,
  width: number,
  height: number,
  options: GrayPngOptions = {},
): Uint8Array {
  return encodePng('encodeRgbPng', pixels, width, height, 3, options);
}

function encodePng(
  caller: string,
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  options: GrayPngOptions,
): Uint8Array {
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1 || scale > 64) {
    throw new VizError('E_VIZ_INVALID_OPTION', `${caller}: scale must be a whole number from 1 to 64, got ${scale}.`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new VizError(
      'E_VIZ_INVALID_OPTION',
      `${caller}: width and height must be positive integers, got ${width}x${height}.`,
    );
  }
  if (pixels.length !== width * height * channels) {
    throw new VizError(
      'E_VIZ_INVALID_OPTION',
      `${caller}: got ${pixels.length} ${channels === 1 ? 'pixels' : 'values'} for a ${width}x${height} image; ` +
        `expected ${width * height * channels}.`,
    );
  }
  const outWidth = width * scale;
  const outHeight = height * scale;
  const stride = outWidth * channels + 1;
  // Each scanline starts with filter type 0 (none).
  const raw = new Uint8Array(stride * outHeight);
  for (let y = 0; y < outHeight; y++) {
    const rowStart = y * stride + 1;
    const sourceRow = Math.floor(y / scale) * width;
    for (let x = 0; x < outWidth; x++) {
      const source = (sourceRow + Math.floor(x / scale)) * channels;
      for (let channel = 0; channel < channels; channel++) {
        raw[rowStart + x * channels + channel] = pixels[source + channel]!;
      }
    }
  }
  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, outWidth);
  headerView.setUint32(4, outHeight);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // color type: grayscale or truecolor
  const compressed = (options.deflate ?? storedZlib)(raw);
  const parts = [
    Uint8Array.from(PNG_SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', compressed),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Base64 of raw bytes, without Node's Buffer, so it also runs in browsers. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

/** A `data:` URI for bytes of the given media type. */
export function dataUri(mediaType: string, bytes: Uint8Array): string {
  return `data:${mediaType};base64,${toBase64(bytes)}`;
}
