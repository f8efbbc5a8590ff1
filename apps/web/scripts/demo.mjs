#!/usr/bin/env node
// `pnpm demo`: builds the demo page and the packages it imports (turbo, so an unchanged tree builds nothing), finds
// the FashionMNIST test files (downloading them into the cache if no copy is found), serves the page on localhost,
// prints its URL and runs until Ctrl-C. Options: see USAGE (`pnpm demo --help`).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createStaticServer, listen } from './static-server.mjs';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(webRoot, '../..');
const DEFAULT_PORT = 4173;
const USAGE = `usage: pnpm demo [--port N] [--host ADDRESS] [--model-dir DIR] [--no-build]
Builds the demo page, serves it with the FashionMNIST test images and prints its address; Ctrl-C stops it.
  --port N         the port (default ${DEFAULT_PORT}, or a free one if it is taken; 0 for any free port)
  --host ADDRESS   the address to listen on (default 127.0.0.1)
  --model-dir DIR  serve a model saved by fmnist train or compare instead of the default
  --no-build       serve what is built (apps/web/dist), e.g. right after pnpm build`;

function fail(message) {
  console.error(`pnpm demo: ${message}`);
  process.exit(2);
}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        'model-dir': { type: 'string' },
        'no-build': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail(`${error.message}; see --help`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let port;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535)
      fail(`--port must be a whole number from 0 to 65535, got '${values.port}'`);
  }
  return { port, host: values.host, modelDir: values['model-dir'], build: !values['no-build'] };
}

/** Runs turbo's build of the page and of what it imports (and of the CLI when a model must be exported). */
function build(withCli) {
  const turbo = join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
  const filters = ['--filter=@fmnist/web...', ...(withCli ? ['--filter=@fmnist/cli...'] : [])];
  console.error('pnpm demo: building the page and its packages (turbo)…');
  return new Promise((done, reject) => {
    const child = spawn(turbo, ['run', 'build', ...filters, '--output-logs=errors-only'], {
      cwd: repoRoot,
      // turbo's output goes to stderr: stdout carries only the address.
      stdio: ['ignore', 2, 2],
    });
    child.on('error', (error) => reject(new Error(`could not start turbo (${error.message}); run pnpm install first`)));
    child.on('exit', (code) =>
      code === 0
        ? done()
        : reject(
            new Error(
              `the build failed (turbo exited ${code}; it runs each build with pnpm, so start this with pnpm demo)`,
            ),
          ),
    );
  });
}

/** The test split's two files on disk (from the data dir, cache or system copy, else downloaded into the cache). */
async function findTestFiles() {
  const { FASHION_MNIST_FILES, loadFashionMnist } = await import('@fmnist/dataset');
  const split = await loadFashionMnist({ split: 'test', download: true });
  const { images, labels } = FASHION_MNIST_FILES.test;
  // The page asks for the upstream (.gz) names; a raw copy serves as well, since the page detects gzip by its bytes.
  return { [images.file]: split.source.files.images, [labels.file]: split.source.files.labels };
}

/** Exports a saved model with the built CLI into a temporary folder; returns the folder. */
async function exportModel(modelDir) {
  const out = join(await mkdtemp(join(tmpdir(), 'fmnist-demo-')), 'model');
  const cli = join(repoRoot, 'apps', 'cli', 'bin', 'fmnist.js');
  try {
    await promisify(execFile)(process.execPath, [cli, 'export', '--model-dir', modelDir, '--out', out]);
  } catch (error) {
    throw new Error(`could not export the model in ${modelDir}: ${(error.stderr || error.message).trim()}`);
  }
  return out;
}

async function main() {
  const options = parseOptions();
  if (options.modelDir !== undefined && !(await stat(options.modelDir).catch(() => undefined))?.isDirectory()) {
    fail(`--model-dir ${options.modelDir}: no such folder; pass a folder written by fmnist train or compare`);
  }
  if (options.build) {
    try {
      await build(options.modelDir !== undefined);
    } catch (error) {
      fail(error.message);
    }
  } else if (!(await stat(join(webRoot, 'dist', 'index.html')).catch(() => undefined))) {
    fail('--no-build, but apps/web/dist holds no build; run pnpm build first, or leave out --no-build');
  }
  let dataFiles = {};
  try {
    dataFiles = await findTestFiles();
  } catch (error) {
    console.error(`pnpm demo: no test images (${error.message}); the page still classifies drawings and photos.`);
  }
  let modelFolder;
  if (options.modelDir !== undefined) {
    try {
      modelFolder = await exportModel(resolve(options.modelDir));
    } catch (error) {
      fail(error.message);
    }
  }
  const routes = { '/': join(webRoot, 'dist') };
  for (const [name, file] of Object.entries(dataFiles)) routes[`/data/${name}`] = file;
  if (modelFolder) routes['/model/'] = modelFolder;
  const server = createStaticServer(routes);
  let port;
  try {
    port = await listen(server, options.port ?? DEFAULT_PORT, options.host);
  } catch (error) {
    if (error.code !== 'EADDRINUSE' || options.port !== undefined) {
      fail(`cannot listen on ${options.host}:${options.port ?? DEFAULT_PORT} (${error.code ?? error.message})`);
    }
    port = await listen(server, 0, options.host);
  }
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const query = modelFolder ? '?model=./model/' : '';
  // The one line on stdout: the address (tests and scripts read it); everything else goes to stderr.
  console.log(`http://${host}:${port}/${query}`);
  console.error('pnpm demo: serving the FashionMNIST demo at the address above; Ctrl-C stops it.');
  const stop = async () => {
    server.close();
    server.closeAllConnections();
    if (modelFolder) await rm(resolve(modelFolder, '..'), { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
