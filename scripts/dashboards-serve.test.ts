/**
 * The loopback server of the dashboards' static build: pages by their prerendered names, assets as
 * they are, nothing outside the build directory, 404 for the rest, no writes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript (scripts/dashboards-serve.mjs), untyped
import { startDashboardsServer } from './dashboards-serve.mjs';

describe('dashboards-serve', () => {
  let root: string;
  let server: { url: string; stop(): Promise<void> };
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dash-serve-'));
    const build = join(root, 'build');
    mkdirSync(join(build, 'games', 'auto-roulette-1'), { recursive: true });
    mkdirSync(join(build, '_app', 'immutable'), { recursive: true });
    writeFileSync(join(build, 'index.html'), '<h1>overview</h1>');
    writeFileSync(join(build, 'revenue.html'), '<h1>revenue</h1>');
    writeFileSync(join(build, 'games', 'auto-roulette-1', 'index.html'), '<h1>roulette</h1>');
    writeFileSync(join(build, '_app', 'immutable', 'a.wasm'), 'wasm');
    writeFileSync(join(root, 'secret.txt'), 'outside the build');
    server = await startDashboardsServer({ dir: build });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const get = async (path: string, init?: RequestInit) => {
    const r = await fetch(`${server.url}${path}`, init);
    return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), body: await r.text() };
  };

  it('serves pages by their prerendered names and assets with their types', async () => {
    expect(await get('/')).toMatchObject({ status: 200, body: '<h1>overview</h1>', cache: 'no-cache' });
    expect(await get('/revenue')).toMatchObject({ status: 200, body: '<h1>revenue</h1>', type: 'text/html; charset=utf-8' });
    expect(await get('/games/auto-roulette-1')).toMatchObject({ status: 200, body: '<h1>roulette</h1>' });
    expect(await get('/_app/immutable/a.wasm')).toMatchObject({ status: 200, type: 'application/wasm', cache: 'public, max-age=31536000, immutable' });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('never serves outside the build, answers 404 to the unknown and 405 to writes', async () => {
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/..%2fsecret.txt')).status).toBe(404);
    expect((await get('/%E0%A4%A')).status).toBe(404);
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/', { method: 'POST', body: 'x' })).status).toBe(405);
  });
});
