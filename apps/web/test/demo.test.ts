// `pnpm demo` end to end: the script serves the built page (with --no-build: the root `pnpm test` builds first, and a
// turbo build here would rewrite packages' dist/ under other test files' feet), Debian's Chromium (through
// playwright-core) loads it with no console errors, a reload takes the test images from the browser's cache, a drawn
// trouser shape and a dropped (and a pasted) product photo get the same answer as `fmnist predict` for the same PNG
// (both classify through the pretrained CNN's own test-time augmentation, and the page says over how many views), and
// a file the browser cannot decode gets one message naming it. The time to first prediction goes to test-results/.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toFashionMnistImage } from '@fmnist/dataset';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { type Prediction, testTimeViews } from '@fmnist/models';
import { pretrainedInfo } from '@fmnist/pretrained';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
// The CLI's own decoder (pngjs), so the check is against exactly what `fmnist predict` reads from the file.
import { decodeImageFile } from '../../cli/src/image.js';
import type { DemoResult } from '../src/demo-result.js';
import { ensureDemoBuilt, makeWorkDir, repoRoot, systemDataDir, webRoot } from './site.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const cli = join(repoRoot, 'apps/cli/bin/fmnist.js');
const artifacts = join(webRoot, 'test-results');
const run = promisify(execFile);
/** Views per picture the pretrained CNN averages, as recorded when it was imported: the page and the CLI use them. */
const cnnViews = testTimeViews(pretrainedInfo('cnn').testTimeAugmentation).length;

const describeDemo = requirePrerequisite(
  existsSync(executablePath) && existsSync(systemDataDir) && existsSync(join(repoRoot, 'apps/cli/dist/main.js')),
  `Chromium at ${executablePath}, the FashionMNIST files in ${systemDataDir} and the built CLI (run pnpm build)`,
);

/** Starts `pnpm demo` (the script the root script runs) and resolves with the address it prints on stdout. */
function startDemo(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(webRoot, 'scripts/demo.mjs'), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const url = /^(http:\/\/\S+)$/m.exec(stdout)?.[1];
      if (url) resolve({ url, child });
    });
    child.on('exit', (code) => reject(new Error(`pnpm demo exited (${code}) before printing its address: ${stderr}`)));
  });
}

/** One picture's top 3 as the page shows it, the picture it is for, and the 28x28 grey bytes the model saw. */
interface Shown {
  source: string | undefined;
  top: { classIndex: number; probability: number; className: string }[];
  seen: number[];
}

async function shownTop3(page: Page, source: string): Promise<Shown> {
  await page.waitForSelector(`#top3[data-source="${source}"] li:nth-child(3)`);
  return page.$eval('#top3', (list) => ({
    source: (list as HTMLElement).dataset.source,
    top: [...list.querySelectorAll('li')].map((item) => ({
      classIndex: Number(item.dataset.classIndex),
      probability: Number(item.dataset.probability),
      className: item.querySelector('.name')?.textContent ?? '',
    })),
    seen: [
      ...((document.getElementById('seen') as HTMLCanvasElement).getContext('2d') as CanvasRenderingContext2D)
        .getImageData(0, 0, 28, 28)
        .data.filter((_, index) => index % 4 === 0),
    ],
  }));
}

describeDemo('pnpm demo in Chromium', () => {
  let work: string;
  let demo: { url: string; child: ChildProcess };
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const dataRequests: string[] = [];
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    work = await makeWorkDir();
    await ensureDemoBuilt();
    demo = await startDemo(['--port', '0', '--no-build']);
    // Playwright passes its own --user-data-dir: a fresh one per run, so the first visit finds an empty cache.
    context = await chromium.launchPersistentContext(await makeWorkDir(), {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
      viewport: { width: 1100, height: 1400 },
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/data/')) dataRequests.push(request.url());
    });
  });

  afterAll(async () => {
    if (Object.keys(figures).length > 0) {
      await mkdir(artifacts, { recursive: true });
      await writeFile(join(artifacts, 'demo-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
      console.log(`pnpm demo in Chromium: ${JSON.stringify(figures)}`);
    }
    await context?.close();
    demo?.child.kill('SIGTERM');
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** `fmnist predict --json` on `file` with its default model, the pretrained CNN the page runs too: its top 3. */
  async function predictWithCli(file: string): Promise<Prediction[]> {
    const { stdout } = await run(process.execPath, [cli, 'predict', file, '--json']);
    const result = JSON.parse(stdout);
    expect(result.pretrained).toBe('cnn');
    return result.predictions[0].top;
  }

  /**
   * The page's answer for a picture equals the CLI's for the same PNG: the model saw the picture `fmnist predict` makes
   * of the file (its decoder, then toFashionMnistImage; 1 grey level allowed for the browser's premultiplied alpha
   * on semi-transparent pixels), and gave the same top 3, probabilities to 1e-4.
   */
  async function expectSameAsCli(shown: Shown, file: string) {
    const expected = toFashionMnistImage(await decodeImageFile(file));
    const worst = Math.max(...shown.seen.map((grey, index) => Math.abs(grey - (expected[index] as number))));
    expect(worst).toBeLessThanOrEqual(1);
    const fromCli = await predictWithCli(file);
    expect(shown.top.map((entry) => entry.classIndex)).toEqual(fromCli.map((entry) => entry.classIndex));
    shown.top.forEach((entry, index) => {
      expect(Math.abs(entry.probability - (fromCli[index]?.probability ?? Number.NaN))).toBeLessThanOrEqual(1e-4);
    });
    return fromCli[0]?.className;
  }

  it('serves a page that loads with no console errors; a reload takes the test images from the browser cache', async () => {
    await page.goto(demo.url);
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 120_000 });
    expect(await page.locator('#error').textContent()).toBe('');
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    expect(errors).toEqual([]);
    expect(await page.locator('#samples figure').count()).toBe(12);
    expect(await page.locator('#model-facts').textContent()).toContain("@fmnist/pretrained, model 'cnn'");
    expect(await page.locator('#model-facts').textContent()).toContain(`views per picture${cnnViews} (the picture`);
    const first = await page.evaluate(() => window.fmnistDemo as DemoResult);
    expect(first.views).toBe(cnnViews);
    expect(first.testImagesFromCache).toBe(false);
    expect(dataRequests).toHaveLength(2);

    dataRequests.length = 0;
    await page.reload();
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 120_000 });
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    const reload = await page.evaluate(() => window.fmnistDemo as DemoResult);
    expect(reload.testImagesFromCache).toBe(true);
    expect(dataRequests).toEqual([]);
    expect(await page.locator('#samples figure').count()).toBe(12);
    expect(errors).toEqual([]);
    figures.firstVisit = first;
    figures.reload = reload;
  });

  it('gives a drawn trouser shape the top-1 class fmnist predict gives the drawing saved as PNG', async () => {
    const box = await page.locator('#pad').boundingBox();
    if (!box) throw new Error('the drawing pad is not visible');
    const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
    // Two long legs joined at the waist, in one stroke: up the left leg, across, down the right leg.
    await page.mouse.move(...at(0.36, 0.9));
    await page.mouse.down();
    await page.mouse.move(...at(0.38, 0.12), { steps: 12 });
    await page.mouse.move(...at(0.62, 0.12), { steps: 6 });
    await page.mouse.move(...at(0.64, 0.9), { steps: 12 });
    await page.mouse.up();
    const shown = await shownTop3(page, 'drawing');
    // Under the answer, a line says over how many views the probabilities are averaged (none for the picture alone).
    const note = page.locator('#views');
    expect(await note.isVisible()).toBe(cnnViews > 1);
    if (cnnViews > 1)
      expect(await note.textContent()).toMatch(new RegExp(`^Averaged over ${cnnViews} views: the picture`));
    const png = await page.$eval('#pad', (pad) => (pad as HTMLCanvasElement).toDataURL('image/png'));
    const file = join(work, 'trouser-drawing.png');
    await writeFile(file, Buffer.from(png.replace(/^data:image\/png;base64,/, ''), 'base64'));
    figures.drawing = await expectSameAsCli(shown, file);
    expect(errors).toEqual([]);
  });

  /** A product-style photo: a dark striped T-shirt, 320x360, on white or cut out (transparent), PNG from the browser. */
  async function shirtPhoto(background: 'white' | 'transparent'): Promise<number[]> {
    return page.evaluate(async (background) => {
      const canvas = new OffscreenCanvas(320, 360);
      const g = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      if (background === 'white') {
        g.fillStyle = '#fff';
        g.fillRect(0, 0, 320, 360);
      }
      g.fillStyle = '#2b2d3a';
      g.beginPath();
      const outline = [
        [110, 40],
        [55, 62],
        [12, 135],
        [60, 158],
        [88, 118],
        [86, 335],
        [234, 335],
        [232, 118],
        [260, 158],
        [308, 135],
        [265, 62],
        [210, 40],
      ];
      for (const [x, y] of outline) g.lineTo(x as number, y as number);
      g.quadraticCurveTo(160, 85, 110, 40);
      g.fill();
      // A light stripe: inverting (light background) or not (dark) shows in the picture, so transparency treated as
      // black instead of white would change the answer.
      g.fillStyle = '#a4a6b4';
      g.fillRect(88, 170, 144, 34);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      return [...new Uint8Array(await blob.arrayBuffer())];
    }, background);
  }

  /** Drops or pastes PNG `bytes` named `name` on the page, as the browser delivers a dropped or pasted file. */
  async function give(how: 'drop' | 'paste', name: string, bytes: number[]) {
    await page.evaluate(
      ({ how, name, bytes }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([Uint8Array.from(bytes)], name, { type: 'image/png' }));
        const event =
          how === 'drop'
            ? new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true })
            : new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
        (document.getElementById('pad') as HTMLElement).dispatchEvent(event);
      },
      { how, name, bytes },
    );
  }

  it('gives a dropped and a pasted product photo (a dark shirt on white) the top-1 class fmnist predict gives', async () => {
    const bytes = await shirtPhoto('white');
    const file = join(work, 'shirt.png');
    await writeFile(file, Uint8Array.from(bytes));
    await give('drop', 'shirt.png', bytes);
    const dropped = await shownTop3(page, 'shirt.png');
    await page.screenshot({ path: join(artifacts, 'demo-photo.png'), fullPage: true });
    figures.photo = await expectSameAsCli(dropped, file);
    await give('paste', 'pasted-shirt.png', bytes);
    const pasted = await shownTop3(page, 'pasted-shirt.png');
    expect(pasted.top).toEqual(dropped.top);
    expect(errors).toEqual([]);
  });

  it("treats a cut-out photo's transparent background as white, as fmnist predict does", async () => {
    const bytes = await shirtPhoto('transparent');
    const file = join(work, 'shirt-cut-out.png');
    await writeFile(file, Uint8Array.from(bytes));
    await give('drop', 'shirt-cut-out.png', bytes);
    const cutOut = await shownTop3(page, 'shirt-cut-out.png');
    figures.cutOutPhoto = await expectSameAsCli(cutOut, file);
    await give('drop', 'shirt.png', await shirtPhoto('white'));
    const onWhite = await shownTop3(page, 'shirt.png');
    expect(cutOut.top[0]?.classIndex).toBe(onWhite.top[0]?.classIndex);
    expect(errors).toEqual([]);
  });

  it('answers a file the browser cannot decode with one message naming it, and keeps working', async () => {
    await page.locator('#file').setInputFiles({
      name: 'not-really.png',
      mimeType: 'image/png',
      buffer: Buffer.from('this is text, not a PNG'),
    });
    const message = page.locator('#picture-error');
    await message.waitFor({ state: 'visible' });
    expect(await message.textContent()).toMatch(/^Could not read not-really\.png \(image\/png\): .*cannot decode/);
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    await page.screenshot({ path: join(artifacts, 'demo-bad-picture.png') });
    expect(errors).toEqual([]);
  });
});
