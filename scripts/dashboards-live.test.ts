/**
 * The dashboards under `npm start`: debounce and coalescing of rebuilds, and the swap of complete
 * builds under a running server (real HTTP; the build itself replaced by a function writing files,
 * since Evidence's takes minutes: test/e2e/dashboards.test.ts covers the real one).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript (scripts/dashboards-live.mjs), untyped
import { liveDashboards, rebuildScheduler } from './dashboards-live.mjs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A build the test ends by hand: `pending` holds one resolver per build started. */
function manualBuilds() {
  const pending: ((ok: boolean) => void)[] = [];
  let started = 0;
  return {
    build: () => new Promise<boolean>((done) => { started++; pending.push(done); }),
    get started() { return started; },
    finish(ok = true) { pending.shift()!(ok); },
  };
}

describe('rebuildScheduler', () => {
  it('debounces a burst of changes into one build', async () => {
    const b = manualBuilds();
    const s = rebuildScheduler({ build: b.build, debounceMs: 50 });
    for (let i = 0; i < 5; i++) {
      s.changed();
      await sleep(10);
    }
    expect(b.started).toBe(0); // still inside the quiet period
    await sleep(80);
    expect(b.started).toBe(1);
    b.finish();
    await s.idle();
    expect(b.started).toBe(1);
  });

  it('runs one build at a time and coalesces the changes during it into exactly one more', async () => {
    const b = manualBuilds();
    const s = rebuildScheduler({ build: b.build, debounceMs: 10 });
    s.changed();
    await sleep(30);
    expect(b.started).toBe(1);
    expect(s.building).toBe(true);
    for (let i = 0; i < 4; i++) s.changed(); // during the build
    await sleep(40);
    expect(b.started).toBe(1); // never two at once
    b.finish();
    await sleep(40);
    expect(b.started).toBe(2); // the four changes: one build
    b.finish();
    await s.idle();
    expect(b.started).toBe(2);
  });

  it('retries a failed build a bounded number of times, and a new change tries again', async () => {
    let calls = 0;
    const s = rebuildScheduler({ build: async () => { calls++; return false; }, debounceMs: 5, retryMs: 10, maxRetries: 2 });
    s.changed();
    await sleep(20);
    await s.idle();
    expect(calls).toBe(3); // the build and two retries, then it waits for a change
    await sleep(40);
    expect(calls).toBe(3);
    s.changed();
    await sleep(20);
    await s.idle();
    expect(calls).toBe(6);
  });

  it('a failed build does not stop the next change from building', async () => {
    let calls = 0;
    const s = rebuildScheduler({ build: async () => { calls++; if (calls === 1) throw new Error('evidence build failed'); return true; }, debounceMs: 5, maxRetries: 0 });
    s.changed();
    await sleep(20);
    await s.idle();
    s.changed();
    await sleep(20);
    await s.idle();
    expect(calls).toBe(2);
  });

  it('no change, no build', async () => {
    const b = manualBuilds();
    const s = rebuildScheduler({ build: b.build, debounceMs: 5 });
    await sleep(30);
    await s.idle();
    expect(b.started).toBe(0);
  });
});

describe('liveDashboards', () => {
  let scratch: string;
  let live: { url: string; changed(): void; idle(): Promise<void>; stop(): Promise<void>; current(): string | null } | undefined;
  afterEach(async () => {
    await live?.stop();
    live = undefined;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** A site as Evidence lays one out: a page and a hashed chunk named after the build. */
  function fakeSite(out: string, n: number) {
    mkdirSync(join(out, '_app', 'immutable'), { recursive: true });
    writeFileSync(join(out, 'index.html'), `<p>build ${n}</p>`);
    writeFileSync(join(out, '_app', 'immutable', `chunk-${n}.js`), `// ${n}`);
  }

  it('serves 503 until the first build, then swaps in each complete build and keeps the last good one on failure', async () => {
    scratch = mkdtempSync(join(tmpdir(), 'dash-live-'));
    const snapshot = join(scratch, 'dashboards.duckdb');
    writeFileSync(snapshot, 'snapshot');
    let n = 0;
    let fail = false;
    let release: (() => void) | null = null;
    live = await liveDashboards({
      snapshot, port: 0, sitesDir: join(scratch, 'sites'), debounceMs: 5, maxRetries: 0,
      build: async ({ out }: { out: string }) => {
        n++;
        if (fail) {
          mkdirSync(out, { recursive: true }); // a half-written build: must never be served
          writeFileSync(join(out, 'broken.html'), 'half');
          return { code: 1, seconds: 0.01, tail: 'evidence build failed' };
        }
        if (n === 2) await new Promise<void>((r) => { release = r; });
        fakeSite(out, n);
        return { code: 0, seconds: 0.01, tail: '' };
      },
    });
    const get = async (p: string) => { const r = await fetch(`${live!.url}${p}`); return { status: r.status, body: await r.text() }; };

    expect((await get('/')).status).toBe(503);
    live.changed();
    await sleep(30);
    await live.idle();
    expect(await get('/')).toEqual({ status: 200, body: '<p>build 1</p>' });

    // Build 2 runs: build 1 is served all along.
    live.changed();
    await sleep(30);
    expect(await get('/')).toEqual({ status: 200, body: '<p>build 1</p>' });
    release!();
    await live.idle();
    expect(await get('/')).toEqual({ status: 200, body: '<p>build 2</p>' });
    // A page opened before the swap still gets its chunks; the previous build's pages are not served.
    expect(await get('/_app/immutable/chunk-1.js')).toEqual({ status: 200, body: '// 1' });

    fail = true;
    live.changed();
    await sleep(30);
    await live.idle();
    expect(await get('/')).toEqual({ status: 200, body: '<p>build 2</p>' });
    expect((await get('/broken')).status).toBe(404);
    expect(readdirSync(join(scratch, 'sites')).length).toBe(2); // the failed build's directory is gone

    fail = false;
    live.changed();
    await sleep(30);
    await live.idle();
    expect(await get('/')).toEqual({ status: 200, body: '<p>build 4</p>' });
    expect((await get('/_app/immutable/chunk-1.js')).status).toBe(404); // two swaps ago: removed
    expect(readdirSync(join(scratch, 'sites')).length).toBe(2);
  });

  it('serves the newest complete build left by an earlier start at once, and drops unfinished ones', async () => {
    scratch = mkdtempSync(join(tmpdir(), 'dash-live-'));
    const sites = join(scratch, 'sites');
    fakeSite(join(sites, '100'), 100);
    fakeSite(join(sites, '200'), 200);
    mkdirSync(join(sites, '300'), { recursive: true }); // interrupted: no index.html
    live = await liveDashboards({ snapshot: join(scratch, 'none.duckdb'), port: 0, sitesDir: sites, build: async () => ({ code: 1, seconds: 0 }) });
    const r = await fetch(`${live.url}/`);
    expect(await r.text()).toBe('<p>build 200</p>');
    expect(readdirSync(sites).sort()).toEqual(['100', '200']);
  });
});
