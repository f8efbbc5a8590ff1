// The built browser entry (dist/browser.js) in headless Chromium: it loads without any Node module, fetches the real
// test split from a same-origin mirror on 127.0.0.1, verifies it with Web Crypto and decodes it.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';

// Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere on other systems.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const systemDir = '/usr/share/datasets/fashion-mnist';
const BUILT = existsSync(join(dist, 'browser.js'));

// The page imports the built entry as a user's bundle would and leaves what it saw in `window.result`.
const PAGE = `<!doctype html><title>dataset</title><script type="module">
const dataset = await import('/dist/browser.js');
const test = await dataset.loadFashionMnist({ split: 'test', mirrors: [location.origin + '/missing/', location.origin + '/data/'] });
let truncated;
try {
  await dataset.decodeFashionMnist({ images: new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), labels: new Uint8Array(8) });
} catch (error) {
  truncated = { isDatasetError: dataset.DatasetError.isInstance(error), code: error.code };
}
window.result = {
  count: test.count,
  rows: test.rows,
  firstLabels: Array.from(test.labels.subarray(0, 10)),
  classCounts: dataset.countClasses(test.labels),
  source: test.source,
  truncated,
};
</script>`;

requirePrerequisite(
  BUILT && existsSync(executablePath),
  `the built dataset (run pnpm build) and Chromium at ${executablePath}`,
)('the browser entry in headless Chromium', () => {
  it('fetches, verifies and decodes the test split, and reports a truncated buffer as a DatasetError', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      requests.push(path);
      let file: string | undefined;
      if (path === '/') {
        response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        return;
      }
      if (path.startsWith('/dist/') && /^[\w.-]+$/.test(path.slice(6))) file = join(dist, path.slice(6));
      if (path.startsWith('/data/') && /^[\w.-]+$/.test(path.slice(6))) file = join(systemDir, path.slice(6));
      if (!file || !existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      const type = extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream';
      response.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const userDataDir = await mkdtemp(join(tmpdir(), 'fmnist-dataset-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'result' in window, undefined, { timeout: 30_000 });
      const result = await page.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
      expect(pageErrors).toEqual([]);
      expect(result.count).toBe(10_000);
      expect(result.rows).toBe(28);
      expect(result.firstLabels).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
      expect(result.classCounts).toEqual(new Array(10).fill(1_000));
      expect(result.source).toMatchObject({ kind: 'url', dir: `${origin}/data/` });
      expect(result.truncated).toEqual({ isDatasetError: true, code: 'E_DATASET_GZIP_TRUNCATED' });
      expect(requests).toContain('/missing/t10k-images-idx3-ubyte.gz');
    } finally {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
