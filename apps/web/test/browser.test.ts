// The built demo in Debian's Chromium (through playwright-core): it loads cleanly, predicts what Node predicts with
// the same exported model (averaged over the same views for a model with test-time augmentation), handles drawings,
// and explains a bad model URL. A screenshot goes to test-results/.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { loadFashionMnist } from '@fmnist/dataset';
import { type Classifier, createClassifier, type Prediction } from '@fmnist/models';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDemoBuilt,
  exportTinyModel,
  exportUntrainedCnn,
  makeWorkDir,
  saveAugmentedModel,
  serve,
  systemDataDir,
  webRoot,
  writeTinyReport,
} from './site.js';

const SAMPLES = 12;
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const artifacts = join(webRoot, 'test-results');

let work: string;
let bundle: string;
let cnnBundle: string;
let augmentedBundle: string;
let site: { url: string; server: Server };
let context: BrowserContext;
let nodeClassifier: Classifier;

beforeAll(async () => {
  work = await makeWorkDir();
  const dist = await ensureDemoBuilt();
  bundle = await exportTinyModel(work);
  cnnBundle = await exportUntrainedCnn(work);
  augmentedBundle = await saveAugmentedModel(work);
  const report = await writeTinyReport(work);
  site = await serve({
    '/model/': bundle,
    '/cnn/': cnnBundle,
    '/augmented/': augmentedBundle,
    '/data/': systemDataDir,
    '/report/': report,
    '/': dist,
  });
  nodeClassifier = await createClassifier(bundle);
  // Playwright passes its own --user-data-dir: a fresh one per run.
  context = await chromium.launchPersistentContext(await makeWorkDir(), {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1100, height: 1400 },
  });
});

/** Page load to first prediction and inference speed per model, kept in test-results/ (never asserted). */
const speed: Record<string, unknown> = {};

afterAll(async () => {
  if (Object.keys(speed).length > 0) {
    await mkdir(artifacts, { recursive: true });
    await writeFile(join(artifacts, 'web-figures.json'), `${JSON.stringify(speed, null, 2)}\n`);
    console.log(`demo in Chromium: ${JSON.stringify(speed)}`);
  }
  await context?.close();
  site?.server.close();
  nodeClassifier?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Opens the demo and collects console errors and uncaught exceptions. */
async function open(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${site.url}/${query}`);
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 120_000 });
  return { page, errors };
}

/**
 * The page's top-3 for each test image matches Node's (cpu backend) for the same bundle: the same best class and every
 * shown probability within 1e-4 of Node's for that class. The page runs wasm kernels, whose sums round differently, so
 * a best class is only allowed to differ when Node's two best are within 1e-4 of each other (a tie).
 */
async function expectSamePredictionsAsNode(page: Page, classifier: Classifier, count: number) {
  const shown = await page.$$eval('#samples figure', (figures) =>
    figures.map((figure) => ({
      index: Number((figure as HTMLElement).dataset.index),
      top: JSON.parse((figure as HTMLElement).dataset.top ?? '[]') as Prediction[],
    })),
  );
  expect(shown).toHaveLength(count);
  const test = await loadFashionMnist({ split: 'test', dataDir: systemDataDir });
  const images = shown.map(({ index }) => test.images.subarray(index * 784, (index + 1) * 784));
  const probabilities = await classifier.predictProbabilities(images);
  const classes = classifier.classNames.length;
  shown.forEach(({ top }, i) => {
    const row = Array.from(probabilities.subarray(i * classes, (i + 1) * classes));
    const ranked = [...row].sort((a, b) => b - a);
    expect(top).toHaveLength(3);
    for (const prediction of top) {
      expect(Math.abs(prediction.probability - (row[prediction.classIndex] as number))).toBeLessThanOrEqual(1e-4);
    }
    const best = row.indexOf(ranked[0] as number);
    if ((ranked[0] as number) - (ranked[1] as number) > 1e-4) expect(top[0]?.classIndex).toBe(best);
  });
}

describe('the demo in Chromium', () => {
  it('loads with no console errors and predicts the test images as Node does with the same model (to 1e-4)', async () => {
    const { page, errors } = await open(`?model=./model/&data=./data/&samples=${SAMPLES}&report=./report/`);
    await page.screenshot({ path: join(artifacts, 'demo.png'), fullPage: true });
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');

    await expectSamePredictionsAsNode(page, nodeClassifier, SAMPLES);

    // The figures of the study's report are shown.
    expect(await page.locator('#figures img').getAttribute('alt')).toBe('Per-class F1');
    const figures = await page.evaluate(() => window.fmnistDemo);
    expect(figures.firstPredictionMs).toBeGreaterThan(0);
    expect(figures.imagesPerSecond).toBeGreaterThan(0);
    expect(figures.backend).toBe('wasm');
    speed.linear = figures;
    await page.close();
  });

  it('runs a convolutional network too, with the same predictions as Node', async () => {
    const cnn = await createClassifier(cnnBundle);
    const { page, errors } = await open('?model=./cnn/&data=./data/&samples=4');
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    await expectSamePredictionsAsNode(page, cnn, 4);
    speed.cnn = await page.evaluate(() => window.fmnistDemo);
    cnn.dispose();
    await page.close();
  });

  it("averages the views a model's metadata names, as Node does, and says so in its facts and under each answer", async () => {
    const augmented = await createClassifier(augmentedBundle);
    expect(augmented.testTimeAugmentation).toEqual({ flip: true, shift: 1 });
    const { page, errors } = await open('?model=./augmented/&data=./data/&samples=4');
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    expect((await page.evaluate(() => window.fmnistDemo)).views).toBe(10);
    // Node's probabilities are the mean over the ten views: a page that classified the image alone would differ.
    await expectSamePredictionsAsNode(page, augmented, 4);
    expect(await page.locator('#model-facts').textContent()).toContain('views per picture10 (the picture and copies');
    expect(await page.locator('#views').isHidden()).toBe(true);
    const box = await page.locator('#pad').boundingBox();
    if (!box) throw new Error('the drawing pad is not visible');
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.9, { steps: 10 });
    await page.mouse.up();
    await page.waitForSelector('#top3 li:nth-child(3)');
    expect(await page.locator('#views').textContent()).toBe(
      'Averaged over 10 views: the picture and copies moved 1 pixel up, down, left and right, each also mirrored.',
    );
    expect(await page.locator('#views').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    augmented.dispose();
    await page.close();
  });

  it('classifies a drawing and lists its top 3 classes', async () => {
    const { page, errors } = await open('?model=./model/&data=./data/&samples=1');
    const pad = page.locator('#pad');
    const box = await pad.boundingBox();
    if (!box) throw new Error('the drawing pad is not visible');
    // A vertical bar: roughly a pair of trousers.
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.9, { steps: 10 });
    await page.mouse.up();
    await page.waitForSelector('#top3 li:nth-child(3)');
    // A model without test-time augmentation sees the picture alone, and the page adds no line about views.
    expect(await page.locator('#views').isVisible()).toBe(false);
    const probabilities = await page.$$eval('#top3 li', (items) =>
      items.map((item) => Number((item as HTMLElement).dataset.probability)),
    );
    expect(probabilities).toHaveLength(3);
    expect(probabilities[0]).toBeGreaterThanOrEqual(probabilities[1] as number);
    expect(probabilities[1]).toBeGreaterThanOrEqual(probabilities[2] as number);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a clear message, not a blank page, when the model URL is wrong', async () => {
    const { page } = await open('?model=./no-such-model/&data=./data/');
    expect(await page.getAttribute('body', 'data-state')).toBe('error');
    const message = await page.locator('#error').textContent();
    expect(message).toMatch(/Could not load the model from \.\/no-such-model\//);
    expect(message).toMatch(/no-such-model\/metadata\.json: does not exist/);
    expect(await page.locator('h1').isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'demo-bad-model.png') });
    await page.close();
  });
});
