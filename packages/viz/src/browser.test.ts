import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { withFixtureAnalysis } from './__fixtures__/analysis.js';
import { decodePng } from './__fixtures__/png.js';
import { makeFixtureStudy } from './__fixtures__/study.js';
import { renderReport } from './node.js';

// Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere on other systems.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const artifacts = fileURLToPath(new URL('../test-results/', import.meta.url));

/** Skipped where Chromium is missing, failed under CI=true. */
const describeWithChromium = requirePrerequisite(existsSync(executablePath), `Chromium at ${executablePath}`);

describeWithChromium('the HTML report in headless Chromium', () => {
  it('loads with no console errors or network requests, every image decoded, every SVG valid; screenshot saved', async () => {
    const study = makeFixtureStudy({ count: 2_000 });
    const outDir = join(artifacts, 'browser-report');
    const { htmlPath, figures } = await renderReport(study, { outDir, formats: ['svg'] });
    await mkdir(artifacts, { recursive: true });
    const userDataDir = await mkdtemp(join(tmpdir(), 'fmnist-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('requestfailed', (request) => problems.push(`failed request: ${request.url().slice(0, 80)}`));
      page.on('request', (request) => {
        if (!/^(file|data):/.test(request.url())) problems.push(`network request: ${request.url()}`);
      });
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
      const images = await page.evaluate(async () => {
        const all = [...document.images];
        await Promise.all(all.map((image) => image.decode().catch(() => undefined)));
        return all.map((image) => ({ alt: image.alt, complete: image.complete, naturalWidth: image.naturalWidth }));
      });
      expect(images).toHaveLength(figures.length);
      for (const image of images) {
        expect(image.complete).toBe(true);
        expect(image.naturalWidth).toBeGreaterThan(0);
        expect(image.alt.length).toBeGreaterThan(40);
      }
      const parseErrors = await page.evaluate(
        (svgs) =>
          svgs.filter(
            (svg) =>
              new DOMParser().parseFromString(svg, 'image/svg+xml').getElementsByTagName('parsererror').length > 0,
          ).length,
        figures.map((figure) => figure.svg),
      );
      expect(parseErrors).toBe(0);
      expect(await page.locator('h2').allTextContents()).toContain('Conclusion');
      const screenshotPath = join(artifacts, 'report.png');
      const screenshot = await page.screenshot({ path: screenshotPath, fullPage: true });
      expect(decodePng(new Uint8Array(screenshot)).width).toBe(1280);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    }
  });

  it('shows the analysis sections with every figure decoded; a screenshot of each section saved', async () => {
    const study = withFixtureAnalysis(makeFixtureStudy({ count: 1_000 }));
    const outDir = join(artifacts, 'browser-report-analysis');
    const { htmlPath, figures } = await renderReport(study, { outDir, formats: ['svg'] });
    await mkdir(artifacts, { recursive: true });
    const userDataDir = await mkdtemp(join(tmpdir(), 'fmnist-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
      const decoded = await page.evaluate(async () => {
        const all = [...document.images];
        await Promise.all(all.map((image) => image.decode().catch(() => undefined)));
        return all.filter((image) => image.complete && image.naturalWidth > 0).length;
      });
      expect(decoded).toBe(figures.length);
      const sections = {
        Robustness: 'report-robustness.png',
        Cost: 'report-cost.png',
        'Data efficiency': 'report-data-efficiency.png',
        'What each model learned': 'report-learned.png',
      };
      for (const [heading, file] of Object.entries(sections)) {
        // From the section's heading down to the next one.
        const box = await page.evaluate((text) => {
          const headings = [...document.querySelectorAll('h2')];
          const index = headings.findIndex((element) => element.textContent === text);
          if (index < 0) return undefined;
          const top = headings[index]!.getBoundingClientRect().top + window.scrollY;
          const next = headings[index + 1];
          const bottom = next ? next.getBoundingClientRect().top + window.scrollY : document.body.scrollHeight;
          return { x: 0, y: Math.floor(top) - 8, width: 1280, height: Math.ceil(bottom - top) };
        }, heading);
        expect(box, `section ${heading}`).toBeDefined();
        const screenshot = await page.screenshot({ path: join(artifacts, file), clip: box!, fullPage: true });
        const png = decodePng(new Uint8Array(screenshot));
        expect(png.width).toBe(1280);
        expect(png.height).toBeGreaterThan(150);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    }
  });
});
