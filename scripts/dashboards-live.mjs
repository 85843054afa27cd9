/**
 * The dashboards under `npm start`: a static build served on loopback, rebuilt when the marts change.
 *
 * The warehouse loop writes the dashboards' snapshot after a cycle whose models changed a mart
 * (warehouse/dashboards-loop.ts) and prints one line; start.mjs calls `changed()` on that line. Then:
 *   - debounced: a build starts `debounceMs` after the last change signal (a burst of cycles is one build);
 *   - at most one build at a time; changes that arrive during a build are coalesced into one more
 *     build after it (never lost, never queued one per change);
 *   - each build goes into a fresh directory beside the served one (`dashboards-build.mjs --out`),
 *     and only a complete, successful build is swapped in, in one assignment the server reads per
 *     request; a failed build leaves the last good one served. The previous build is kept one swap
 *     longer (a page opened before the swap may still load its hashed chunks), older ones removed.
 *
 * Why a static build and not Evidence's dev server: an executive opens the overview in the morning
 * and must get a complete page at once, every number from the same snapshot. The build is that
 * (prerendered HTML, fast, nothing to compile on the request); the dev server compiles pages on the
 * first request (seconds to minutes on this machine), shows errors mid-edit, and is a Vite process
 * with file watchers beside the platform. The cost is freshness: a change reaches the page after a
 * build (bench W6, bench/README.md).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDashboardsServer } from './dashboards-serve.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The debounce and coalesce logic alone (no processes, no files): `build()` returns a promise that
 * resolves true on success. A failed build is retried after `retryMs`, at most `maxRetries` times in
 * a row (a build can fail for a passing reason, a machine out of memory; a page that does not
 * compile fails every time and must not rebuild forever), and any new change tries again.
 */
export function rebuildScheduler({ build, debounceMs, retryMs = 60_000, maxRetries = 2, timers = { setTimeout, clearTimeout } }) {
  let timer = null;
  let running = null; // the promise of the build under way
  let dirty = false; // a change arrived that no finished or running build has seen
  let failures = 0; // failed builds in a row since the last change or success
  let idleWaiters = [];

  const settleIdle = () => {
    if (timer || running || dirty) return;
    for (const w of idleWaiters) w();
    idleWaiters = [];
  };
  const start = () => {
    timer = null;
    if (running) return; // the running build's end starts the next one
    dirty = false;
    running = Promise.resolve()
      .then(build)
      .catch(() => false)
      .then((ok) => {
        running = null;
        failures = ok ? 0 : failures + 1;
        if (dirty) arm(debounceMs);
        else if (!ok && failures <= maxRetries) {
          dirty = true;
          arm(retryMs);
        }
        settleIdle();
      });
  };
  const arm = (ms) => {
    if (timer) timers.clearTimeout(timer);
    timer = timers.setTimeout(start, ms);
  };
  return {
    /** A change of the marts: a build follows, debounced and coalesced. */
    changed() {
      dirty = true;
      failures = 0;
      if (!running) arm(debounceMs);
    },
    get building() {
      return running !== null;
    },
    /** Resolves once no build is running or pending (tests, shutdown). */
    idle() {
      return new Promise((done) => {
        idleWaiters.push(done);
        settleIdle();
      });
    },
    cancel() {
      if (timer) timers.clearTimeout(timer);
      timer = null;
      dirty = false;
    },
  };
}

/** Runs dashboards-build.mjs for one site; resolves with its exit code and the seconds it took. */
export function runBuild({ snapshot, out, log, env = process.env }) {
  const t0 = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'dashboards-build.mjs'), '--skip-snapshot', '--snapshot', snapshot, '--out', out], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env,
    });
    let tail = '';
    const keep = (d) => { tail = (tail + d).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => done({ code: -1, seconds: (Date.now() - t0) / 1000, tail: String(err) }));
    child.on('exit', (code, signal) => done({ code: code ?? -1, signal, seconds: (Date.now() - t0) / 1000, tail }));
    runBuild.children.add(child);
    child.on('exit', () => runBuild.children.delete(child));
  });
}
runBuild.children = new Set();

/**
 * Serves the dashboards at http://host:port and rebuilds them on `changed()`. Builds live in
 * `sitesDir/<n>`; the newest complete one is served at once on a restart.
 */
export async function liveDashboards({ snapshot, port, host = '127.0.0.1', sitesDir = join(ROOT, 'dashboards', '.sites'), debounceMs = 2_000, retryMs, maxRetries, log = () => {}, build = runBuild }) {
  mkdirSync(sitesDir, { recursive: true });
  const complete = (name) => /^\d+$/.test(name) && existsSync(join(sitesDir, name, 'index.html'));
  // Leftovers of a build that was interrupted: never served, removed.
  for (const name of readdirSync(sitesDir)) if (!complete(name)) rmSync(join(sitesDir, name), { recursive: true, force: true });
  const sites = readdirSync(sitesDir).filter(complete).sort((a, b) => Number(b) - Number(a));
  let current = sites[0] ? join(sitesDir, sites[0]) : null;
  let previous = sites[1] ? join(sitesDir, sites[1]) : null;
  for (const old of sites.slice(2)) rmSync(join(sitesDir, old), { recursive: true, force: true });

  const server = await startDashboardsServer({ dir: () => [current, previous].filter(Boolean), port, host });
  const builds = []; // { started_at, seconds, ok } per build, for the bench and the banner
  const listeners = new Set();

  const scheduler = rebuildScheduler({
    debounceMs, retryMs, maxRetries,
    build: async () => {
      if (!existsSync(snapshot)) {
        log(`no snapshot at ${snapshot} yet: nothing to build`);
        return false;
      }
      const out = join(sitesDir, String(Date.now()));
      const startedAt = Date.now();
      log('rebuilding the dashboards from the new snapshot…');
      const r = await build({ snapshot, out, log });
      const ok = r.code === 0 && existsSync(join(out, 'index.html'));
      builds.push({ started_at: startedAt, seconds: r.seconds, ok });
      if (!ok) {
        rmSync(out, { recursive: true, force: true });
        log(`the dashboards' build failed after ${r.seconds.toFixed(1)} s (${r.signal ?? `exit ${r.code}`}); still serving the last good build. Its output:\n${r.tail}`);
        return false;
      }
      // The swap: one assignment, read by the server per request.
      const retired = previous;
      previous = current;
      current = out;
      if (retired) rmSync(retired, { recursive: true, force: true });
      log(`dashboards rebuilt in ${r.seconds.toFixed(1)} s, now serving ${server.url}/`);
      for (const l of listeners) l({ started_at: startedAt, seconds: r.seconds, dir: out });
      return true;
    },
  });

  return {
    url: server.url,
    changed: () => scheduler.changed(),
    /** The directory served now (null before the first build). */
    current: () => current,
    builds,
    /** Calls `fn({started_at, seconds, dir})` after each swap; returns an unsubscribe. */
    onSwap(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    idle: () => scheduler.idle(),
    async stop() {
      scheduler.cancel();
      for (const c of runBuild.children) c.kill('SIGTERM');
      await server.stop();
    },
  };
}
