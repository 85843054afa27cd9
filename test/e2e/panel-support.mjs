/**
 * Node plumbing for the panel's end-to-end tests (plain JavaScript like harness.mjs: the project's
 * TypeScript setup has workerd types, not Node's; panel-support.d.mts types it): a throwaway "other
 * site" web server for the CSRF tests, the artifacts directory, and the client bundle freshness check.
 */
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readFileSync } from 'node:fs';
import { bundle } from '../../worker/panel/build-client.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Where screenshots go (git-ignored). */
export function artifactPath(name) {
  const dir = join(here, 'artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Serves `pages[path]` as HTML on 127.0.0.1 at a free port: a site that is not the panel's. */
export async function startOtherSite(pages) {
  const server = createServer((req, res) => {
    const body = pages[new URL(req.url ?? '/', 'http://x').pathname];
    if (body === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
  });
  await new Promise((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', ok); });
  const { port } = server.address();
  return { port, close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); }) };
}

/** Whether worker/panel/client.gen.ts is what build-client.mjs makes of worker/panel/client/ now. */
export async function clientBundleIsFresh() {
  return readFileSync(join(here, '..', '..', 'worker', 'panel', 'client.gen.ts'), 'utf8') === await bundle();
}
