#!/usr/bin/env node
// Serves a built page folder on localhost, opens it in Chromium and prints window.result as JSON, with every request
// the page made and its console errors. Exits 1 when the page reports an error, logs one, asks another origin for
// anything, or sets no result within the time limit.
// Usage: node scripts/pack-smoke/browser-check.mjs DIST_DIR
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const [root] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!root || !existsSync(join(root, 'index.html'))) {
  console.error(`browser-check: ${root} holds no index.html`);
  process.exit(2);
}
if (!existsSync(executablePath)) {
  console.error(`browser-check: no Chromium at ${executablePath} (set CHROMIUM_PATH)`);
  process.exit(1);
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
const server = createServer((request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, 'http://localhost').pathname)).replace(
    /^(\.\.[/\\])+/,
    '',
  );
  const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const userDataDir = await mkdtemp(join(tmpdir(), 'fmnist-smoke-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true });
const requests = [];
const consoleErrors = [];
let result;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 120_000 });
  result = await page.evaluate(() => window.result);
} finally {
  await context.close();
  server.close();
  await rm(userDataDir, { recursive: true, force: true });
}
const elsewhere = requests.filter((url) => !url.startsWith(origin));
console.log(JSON.stringify({ ...result, requests: requests.map((url) => url.replace(origin, '')), consoleErrors }));
process.exitCode = result?.error || consoleErrors.length > 0 || elsewhere.length > 0 ? 1 : 0;
