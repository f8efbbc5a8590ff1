/** End-to-end tests of `fmnist data info|download|verify` on the built binary. */
import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FASHION_MNIST_FILES } from '@fmnist/dataset';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/fmnist.js', import.meta.url));
const BUILT = existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)));
const SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';
const FILE_NAMES = Object.values(FASHION_MNIST_FILES).flatMap((split) => [split.images.file, split.labels.file]);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary with extra environment variables (asynchronously, so a server in this process can answer it). */
function fmnist(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1', FMNIST_DATA_DIR: '', ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function expectOneErrorLine(result: Result, code: string) {
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^fmnist: /);
  expect(lines[0]).toContain(`[${code}]`);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

requirePrerequisite(BUILT, 'the built CLI (run pnpm build)')('fmnist data', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-cli-data-'));
  let server: Server;
  let mirror = '';

  beforeAll(async () => {
    const files = Object.fromEntries(FILE_NAMES.map((name) => [name, readFileSync(join(SYSTEM_DIR, name))]));
    server = createServer((request, response) => {
      const body = request.url?.startsWith('/ok/') ? files[request.url.slice('/ok/'.length)] : undefined;
      if (body) response.writeHead(200, { 'content-length': body.length }).end(body);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  it('info --json prints one object with the source, counts and class counts of both splits', async () => {
    const result = await fmnist(['data', 'info', '--json', '--data-dir', SYSTEM_DIR]);
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info.source).toEqual({ kind: 'dataDir', dir: SYSTEM_DIR });
    expect(info.splits.train.count).toBe(60_000);
    expect(info.splits.train.classCounts).toEqual(new Array(10).fill(6_000));
    expect(info.splits.test.count).toBe(10_000);
    expect(info.splits.test.classCounts).toEqual(new Array(10).fill(1_000));
    expect(info.classNames[9]).toBe('Ankle boot');
  });

  it('info finds the system directory by default and prints lines for people', async () => {
    const result = await fmnist(['data', 'info'], { FMNIST_CACHE_DIR: join(root, 'empty-cache') });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`FashionMNIST from system ${SYSTEM_DIR}`);
    expect(result.stdout).toMatch(/^test: 10000 images of 28x28; per class: T-shirt\/top 1000,/m);
  });

  it('a bad --data-dir fails with one line naming the directory and the fixes, exit 1', async () => {
    const missing = join(root, 'no-such-dir');
    const result = await fmnist(['data', 'info', '--json', '--data-dir', missing]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expectOneErrorLine(result, 'E_DATASET_NOT_FOUND');
    expect(result.stderr).toContain(`data directory ${missing} (does not exist)`);
    expect(result.stderr).toContain('fmnist data download');
  });

  it('verify passes on good files and fails on a corrupt one, naming it', async () => {
    const dir = join(root, 'copy');
    mkdirSync(dir);
    for (const name of FILE_NAMES) copyFileSync(join(SYSTEM_DIR, name), join(dir, name));
    const good = await fmnist(['data', 'verify', '--json', '--data-dir', dir]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).ok).toBe(true);

    const labels = join(dir, FASHION_MNIST_FILES.test.labels.file);
    writeFileSync(labels, gzipSync(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 3])));
    const bad = await fmnist(['data', 'verify', '--json', '--data-dir', dir]);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.ok).toBe(false);
    expect(report.splits.map((split: { ok: boolean }) => split.ok)).toEqual([true, false]);
    expectOneErrorLine(bad, 'E_DATASET_CHECKSUM');
    expect(bad.stderr).toContain(labels);
  });

  it('download fetches verified files into the cache, then info finds them there', async () => {
    const cache = join(root, 'cache');
    const env = { FMNIST_CACHE_DIR: cache, FMNIST_MIRRORS: `${mirror}missing/,${mirror}ok/` };
    const result = await fmnist(['data', 'download', '--json'], env);
    expect(result.code).toBe(0);
    const download = JSON.parse(result.stdout);
    expect(download.dir).toBe(join(cache, 'fashion-mnist'));
    expect(download.files.map((file: { status: string }) => file.status)).toEqual(new Array(4).fill('downloaded'));
    expect(readdirSync(join(cache, 'fashion-mnist')).sort()).toEqual([...FILE_NAMES].sort());
    expect(result.stderr).toContain(`downloading ${mirror}ok/train-images-idx3-ubyte.gz`);

    const info = await fmnist(['data', 'info', '--json'], env);
    expect(JSON.parse(info.stdout).source).toEqual({ kind: 'cache', dir: join(cache, 'fashion-mnist') });
  });

  it('download from an unreachable mirror fails with one line and leaves nothing behind', async () => {
    const dir = join(root, 'target');
    const result = await fmnist(['data', 'download', '--data-dir', dir], { FMNIST_MIRRORS: 'http://127.0.0.1:9/' });
    expect(result.code).toBe(1);
    expectOneErrorLine(result, 'E_DATASET_DOWNLOAD_FAILED');
    expect(result.stderr).toContain('http://127.0.0.1:9/train-images-idx3-ubyte.gz');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('download stops on Ctrl-C with exit 130 and leaves no temporary file', async () => {
    const dir = join(root, 'interrupted');
    const stalled = createServer((_request, response) => {
      response.writeHead(200, { 'content-length': 1_000_000 });
      response.write(new Uint8Array(1000));
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/`;
    try {
      const child = spawn(process.execPath, [BIN, 'data', 'download', '--data-dir', dir], {
        env: { ...process.env, NO_COLOR: '1', FMNIST_MIRRORS: url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let interrupted = false;
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        // One Ctrl-C: a second one means "quit now" and skips the clean-up under test.
        if (!interrupted && stderr.includes('downloading')) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(130);
      expect(stderr).toContain('interrupted');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      stalled.closeAllConnections();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });

  it('rejects an unknown flag as a usage error (exit 2)', async () => {
    const result = await fmnist(['data', 'verify', '--data-directory', 'x']);
    expect(result.code).toBe(2);
    expectOneErrorLine(result, 'E_CLI_USAGE');
  });
});
