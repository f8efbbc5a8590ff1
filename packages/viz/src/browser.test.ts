import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
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
});
