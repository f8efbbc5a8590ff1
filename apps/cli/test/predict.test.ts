/** End-to-end tests of `fmnist predict` on the built binary, with a freshly saved (untrained) model and generated images. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASS_NAMES } from '@fmnist/dataset';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { createModel, saveModel, selectBackend } from '@fmnist/models';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUILT, runCli } from './cli-run.js';

/** A light photo with a dark trouser-like shape: tall and narrow. */
function photo(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let y = Math.floor(height * 0.1); y < height * 0.9; y++) {
    for (let x = Math.floor(width * 0.4); x < width * 0.6; x++) data.set([30, 30, 60, 255], (y * width + x) * 4);
  }
  return data;
}

/** A light photo of dark trousers: a waistband and two legs with a gap between them. */
function trousersPhoto(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let y = Math.floor(height * 0.1); y < height * 0.9; y++) {
    for (let x = Math.floor(width * 0.35); x < width * 0.65; x++) {
      const inGap = y > height * 0.3 && x > width * 0.47 && x < width * 0.53;
      if (!inGap) data.set([30, 30, 60, 255], (y * width + x) * 4);
    }
  }
  return data;
}

requirePrerequisite(BUILT, 'the built CLI (run pnpm build)')('fmnist predict', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-predict-'));
  const modelDir = join(root, 'model');
  const pngPath = join(root, 'trousers.png');
  const jpegPath = join(root, 'trousers.jpg');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    await selectBackend('cpu');
    const model = createModel('linear', { seed: 1 });
    await saveModel(model, modelDir, {
      kind: 'linear',
      normalization: { mean: 0.286, std: 0.353 },
      classNames: CLASS_NAMES,
    });
    model.dispose();
    const png = new PNG({ width: 90, height: 160 });
    png.data = Buffer.from(photo(90, 160));
    writeFileSync(pngPath, PNG.sync.write(png));
    writeFileSync(jpegPath, jpeg.encode({ width: 300, height: 200, data: photo(300, 200) }, 90).data);
  });

  it('prints the top-3 classes of each PNG and JPEG as one JSON object', async () => {
    const result = await runCli(['predict', '--model-dir', modelDir, pngPath, jpegPath, '--json', '--backend', 'cpu']);
    expect(result.stderr).not.toMatch(/^fmnist: /m);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.model).toBe('linear');
    expect(output.predictions.map((entry: { file: string }) => entry.file)).toEqual([pngPath, jpegPath]);
    for (const { top } of output.predictions) {
      expect(top).toHaveLength(3);
      const probabilities = top.map((entry: { probability: number }) => entry.probability);
      expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
      expect(probabilities.reduce((sum: number, p: number) => sum + p, 0)).toBeLessThanOrEqual(1 + 1e-6);
      for (const entry of top) expect(entry.className).toBe(CLASS_NAMES[entry.classIndex]);
    }
  });

  it('prints one line per image for people', async () => {
    const result = await runCli(['predict', '--model-dir', modelDir, pngPath, '--backend', 'cpu']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^.*trousers\.png: [^,]+ \d+\.\d%, [^,]+ \d+\.\d%, [^,]+ \d+\.\d%\n$/);
  });

  it('fails with one line naming a file that is not an image (exit 1)', async () => {
    const text = join(root, 'notes.txt');
    writeFileSync(text, 'hello');
    const result = await runCli(['predict', '--model-dir', modelDir, text, '--backend', 'cpu']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^fmnist: '.*notes\.txt' is not a PNG or JPEG file.*\[E_CLI_IMAGE\]$/);
  });

  it('classifies with the pretrained CNN when --model-dir is left out', async () => {
    const trousersPath = join(root, 'dark-trousers.png');
    const png = new PNG({ width: 200, height: 300 });
    png.data = Buffer.from(trousersPhoto(200, 300));
    writeFileSync(trousersPath, PNG.sync.write(png));
    const result = await runCli(['predict', trousersPath, '--json', '--backend', 'cpu']);
    expect(result.stderr).not.toMatch(/^fmnist: /m);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({ pretrained: 'cnn', model: 'cnn' });
    expect(output.modelDir).toBeUndefined();
    // The untrained linear model above guesses; the pretrained CNN knows trousers in a product-style photo.
    expect(output.predictions[0].top[0].className).toBe('Trouser');
  });

  it('says in --help that the pretrained CNN is used without --model-dir', async () => {
    const help = await runCli(['predict', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--model-dir=<DIR> .*without it, the pretrained CNN/);
  });

  it('rejects an empty --model-dir, a missing image and an unknown backend with exit code 2', async () => {
    expect((await runCli(['predict', '--model-dir', '', pngPath])).code).toBe(2);
    const noImage = await runCli(['predict', '--model-dir', modelDir]);
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toMatch(/IMAGE/i);
    const badBackend = await runCli(['predict', '--model-dir', modelDir, pngPath, '--backend', 'gpu']);
    expect(badBackend.code).toBe(2);
    expect(badBackend.stderr).toMatch(/--backend must be one of auto, tensorflow, wasm, cpu/);
  });
});
