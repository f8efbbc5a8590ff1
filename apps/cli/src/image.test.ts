import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageFile, ImageFileError } from './image.js';

describe('decodeImageFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fmnist-image-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 30x20 pixels: white, with a black 10x10 square at (5, 5).
  const width = 30;
  const height = 20;
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let y = 5; y < 15; y++) for (let x = 5; x < 15; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  const photo = { width, height, data };

  it('reads PNG files by their signature, whatever the name', async () => {
    const png = new PNG({ width: photo.width, height: photo.height });
    png.data = Buffer.from(photo.data);
    const path = join(dir, 'shirt.jpg');
    writeFileSync(path, PNG.sync.write(png));
    const decoded = await decodeImageFile(path);
    expect(decoded.width).toBe(30);
    expect(Array.from(decoded.data)).toEqual(Array.from(photo.data));
  });

  it('reads JPEG files', async () => {
    const path = join(dir, 'shirt.jpeg');
    writeFileSync(path, jpeg.encode({ width: photo.width, height: photo.height, data: photo.data }, 95).data);
    const decoded = await decodeImageFile(path);
    expect([decoded.width, decoded.height]).toEqual([30, 20]);
    expect(decoded.data[0]).toBeGreaterThan(240);
  });

  it('rejects other files with an error naming the file', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'not an image');
    await expect(decodeImageFile(path)).rejects.toThrow(ImageFileError);
    await expect(decodeImageFile(path)).rejects.toThrow(/notes\.txt' is not a PNG or JPEG/);
    await expect(decodeImageFile(join(dir, 'missing.png'))).rejects.toThrow(/cannot read image .*missing\.png/);
  });
});
