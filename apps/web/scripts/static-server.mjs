// A static file server for the demo (`pnpm demo`) and its tests, with real 404s as a static host gives them (no SPA
// fallback: a missing model.json must be a 404 the page can explain, not index.html parsed as JSON).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.gz': 'application/gzip',
};

/**
 * A server for `routes`: a key ending in `/` mounts a folder under that URL prefix (the longest prefix wins; a path
 * ending in `/` serves the folder's index.html), any other key serves one file at exactly that URL path.
 * @param {Record<string, string>} routes URL prefix or path -> folder or file
 * @returns {import('node:http').Server}
 */
export function createStaticServer(routes) {
  const prefixes = Object.keys(routes)
    .filter((key) => key.endsWith('/'))
    .sort((a, b) => b.length - a.length);
  /** @param {string} path */
  const resolveFile = (path) => {
    if (!path.endsWith('/') && Object.hasOwn(routes, path)) return routes[path];
    const prefix = prefixes.find((candidate) => path.startsWith(candidate));
    if (prefix === undefined) return undefined;
    const root = resolve(routes[prefix] ?? '');
    const rest = path.slice(prefix.length);
    const file = normalize(join(root, rest === '' || rest.endsWith('/') ? `${rest}index.html` : rest));
    return file.startsWith(root + sep) ? file : undefined;
  };
  return createServer(async (request, response) => {
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    const file = resolveFile(path);
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[/** @type {keyof typeof TYPES} */ (extname(file))] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(response);
  });
}

/**
 * Starts `server` on `host`:`port` (0 for any free port) and resolves with the port it got.
 * @param {import('node:http').Server} server
 * @param {number} port
 * @param {string} host
 * @returns {Promise<number>}
 */
export function listen(server, port, host) {
  return new Promise((done, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : port);
    });
  });
}
