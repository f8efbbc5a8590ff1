#!/usr/bin/env node
// Opens a finished study's report.html in headless Chromium and saves a screenshot of every section (one PNG per
// <h2>, named after its id or text) and of the whole page, failing on console errors, page errors, network requests
// and images that do not decode. Usage: node scripts/report-screenshots.mjs RUN_DIR [OUT_DIR=test-results/report]
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [runDir, outArg] = process.argv.slice(2);
if (!runDir || !existsSync(join(runDir, 'report.html'))) {
  console.error('usage: node scripts/report-screenshots.mjs RUN_DIR [OUT_DIR]  (RUN_DIR holds report.html)');
  process.exit(2);
}
const outDir = resolve(outArg ?? 'test-results/report');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
await mkdir(outDir, { recursive: true });
const userDataDir = await mkdtemp(join(tmpdir(), 'fmnist-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const problems = [];
try {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!/^(file|data):/.test(request.url())) problems.push(`network request: ${request.url()}`);
  });
  await page.goto(pathToFileURL(resolve(runDir, 'report.html')).href, { waitUntil: 'load' });
  const broken = await page.evaluate(async () => {
    const images = [...document.images];
    await Promise.all(images.map((image) => image.decode().catch(() => undefined)));
    return images.filter((image) => !image.complete || image.naturalWidth === 0).map((image) => image.src.slice(0, 80));
  });
  for (const src of broken) problems.push(`image not decoded: ${src}`);
  const sections = await page.evaluate(() =>
    [...document.querySelectorAll('h2')].map((heading, index) => ({
      index,
      name: (heading.id || heading.textContent || `section-${index}`)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
    })),
  );
  for (const { index, name } of sections) {
    // Each section: from its heading to the next one (or the end of the page).
    const box = await page.evaluate((at) => {
      const headings = [...document.querySelectorAll('h2')];
      const top = headings[at].getBoundingClientRect().top + window.scrollY;
      const next = headings[at + 1];
      const bottom = next ? next.getBoundingClientRect().top + window.scrollY : document.body.scrollHeight;
      return { x: 0, y: Math.max(0, top - 8), width: document.documentElement.clientWidth, height: bottom - top };
    }, index);
    await page.screenshot({
      path: join(outDir, `${String(index + 1).padStart(2, '0')}-${name}.png`),
      clip: box,
      fullPage: true,
    });
  }
  await page.screenshot({ path: join(outDir, 'full-page.png'), fullPage: true });
  console.log(`${sections.length} sections and the full page saved to ${outDir}`);
} finally {
  await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
