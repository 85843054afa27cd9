#!/usr/bin/env node
/**
 * Serves the dashboards' static build (dashboards/build) over HTTP on loopback: what the
 * real-Chromium test opens, and `npm run dashboards:serve` for a look on this machine. In
 * production the same files are Workers static assets behind operator authentication
 * (dashboards/README.md "Deployment"); this server has none and binds 127.0.0.1 only.
 *
 * Evidence prerenders every page as `<path>.html` or `<path>/index.html` (SvelteKit's static
 * adapter); anything else is a file of the build as is. Unknown paths are 404.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.parquet': 'application/octet-stream',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.txt': 'text/plain; charset=utf-8',
  '.arrow': 'application/vnd.apache.arrow.stream', '.webmanifest': 'application/manifest+json',
};

/** The file a request path maps to inside `root`, or null (never outside root). */
export function resolveBuildFile(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  const base = resolve(root, `.${normalize(`/${path}`)}`);
  if (base !== root && !base.startsWith(root + sep)) return null;
  for (const candidate of [base, `${base}.html`, join(base, 'index.html')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * Starts the server; resolves with its URL and a stop function. `dir` is the build directory, or a
 * function answering the directories to serve from, newest first (npm start swaps builds under a
 * running server: a page opened before a swap may still ask for the previous build's hashed
 * chunks, so the previous build is searched after the current one). No directory yet: 503.
 */
export function startDashboardsServer({ dir, port = 0, host = '127.0.0.1' }) {
  const roots = typeof dir === 'function' ? () => dir().map((d) => resolve(d)) : (() => { const r = [resolve(dir)]; return () => r; })();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const dirs = roots();
    if (dirs.length === 0) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'retry-after': '30', 'cache-control': 'no-store' });
      res.end('<!doctype html><meta http-equiv="refresh" content="30"><title>Dashboards</title><p>The first build of the dashboards is under way (npm start builds them from the warehouse); this page reloads itself.</p>');
      return;
    }
    const root = dirs[0];
    let file = null;
    for (const [i, d] of dirs.entries()) {
      file = resolveBuildFile(d, req.url ?? '/');
      // Only the current build's pages: an older one's HTML would show older numbers.
      if (file && (i === 0 || file.includes(`${sep}_app${sep}immutable${sep}`))) break;
      file = null;
    }
    if (!file) {
      const notFound = join(root, '404.html');
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      if (existsSync(notFound) && req.method === 'GET') createReadStream(notFound).pipe(res);
      else res.end('not found');
      return;
    }
    // HTML always revalidated (a rebuild replaces it); hashed assets may be cached.
    const immutable = file.includes(`${sep}_app${sep}immutable${sep}`);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      ok({ url: `http://${host}:${actual}`, stop: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); }) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dashboards', 'build');
  if (!existsSync(join(dir, 'index.html'))) {
    console.error('[dashboards] no build yet: run `npm run dashboards:build` first');
    process.exit(1);
  }
  const { url } = await startDashboardsServer({ dir, port: Number(process.env.DASHBOARDS_PORT ?? 8790) });
  console.log(`[dashboards] serving dashboards/build at ${url}/ (Ctrl+C stops)`);
}
