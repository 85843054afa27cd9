/**
 * Starting and stopping `wrangler dev` for a benchmark. The worker is bundled once up front
 * (`wrangler deploy --dry-run --outdir`) and served with `wrangler dev <bundle> --no-bundle`: the
 * code under test is frozen for the whole benchmark, and edits others make to the repo meanwhile
 * cannot trigger a rebuild and restart of workerd in the middle of a measurement (wrangler dev
 * watches its sources). Each worker runs as a child in a process group of its own (detached), on
 * a free loopback port, persisting to a fresh temp dir. Ready = the given path answers.
 * Stop = SIGTERM to the whole group (wrangler and its workerd processes), then SIGKILL if it
 * lingers. Every started group is also killed when this process exits, so an error or Ctrl-C
 * never leaves a workerd behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WRANGLER_JS = path.join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js');

const live = new Set(); // process group ids still running
const tempDirs = new Set(); // temp dirs still to remove
function killGroup(pid, signal) {
  try { process.kill(-pid, signal); } catch { /* already gone */ }
}
/** Last resort on exit / Ctrl-C: kill what is still running and remove its temp dirs. */
export function onExitRemove(dir) {
  tempDirs.add(dir);
  return () => tempDirs.delete(dir);
}
function emergencyCleanup() {
  for (const pid of live) killGroup(pid, 'SIGKILL');
  for (const dir of tempDirs) { try { rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ } }
}
process.on('exit', emergencyCleanup);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { emergencyCleanup(); process.exit(sig === 'SIGINT' ? 130 : 143); });
}

/** A port the kernel just handed out on 127.0.0.1 (free at the time of asking). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs wrangler to completion (bundling); rejects with its output on a non-zero exit. */
function runWrangler(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_JS, ...args], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0', CI: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`))));
  });
}

/** Bundles the worker of `config` into `outdir`; returns the path of the entry module. */
export async function bundle(config, outdir) {
  await runWrangler(['deploy', '--dry-run', '-c', config, '--outdir', outdir]);
  const js = (await readdir(outdir)).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
  if (js.length !== 1) throw new Error(`expected one bundled module in ${outdir}, found: ${js.join(', ') || 'none'}`);
  return path.join(outdir, js[0]);
}

/**
 * Bundles the worker of `config` (relative to the repo root), starts `wrangler dev` on it with
 * `args` (--var ..., --log-level ...) and waits until `readyPath` answers.
 * Returns { url, port, pid (= process group id), dir, stop(), logTail(), startupMs }.
 */
export async function startWrangler({ config = 'wrangler.toml', args = [], readyPath = '/', timeoutMs = 90_000, label = 'wrangler', isolateEnv = true }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edge-bench-'));
  const forget = onExitRemove(dir);
  let entry;
  try {
    entry = await bundle(config, path.join(dir, 'bundle'));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    forget();
    throw err;
  }
  // An explicit (empty) env file stops wrangler from loading a developer's .dev.vars / .env:
  // the benchmark sees only what it passes with --var.
  const envArgs = [];
  if (isolateEnv) {
    const envFile = path.join(dir, 'bench.env');
    await writeFile(envFile, '');
    envArgs.push('--env-file', envFile);
  }
  const port = await freePort();
  const inspectorPort = await freePort();
  const logPath = path.join(dir, 'wrangler.log');
  const logFd = openSync(logPath, 'w');
  const fullArgs = [
    WRANGLER_JS, 'dev', entry, '-c', config, '--no-bundle', ...args, ...envArgs,
    '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(inspectorPort),
    '--persist-to', path.join(dir, 'state'), '--show-interactive-dev-session=false',
  ];
  const child = spawn(process.execPath, fullArgs, {
    cwd: REPO_ROOT,
    detached: true, // own process group: stop() kills wrangler and workerd together
    stdio: ['ignore', logFd, logFd],
    // CLOUDFLARE_CF_FETCH_ENABLED: Miniflare's built-in `Request.cf` placeholder, no download attempt (as npm start).
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', FORCE_COLOR: '0', CI: '1' },
  });
  closeSync(logFd);
  live.add(child.pid);
  let exited = null;
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => { exited = { code, signal }; live.delete(child.pid); resolve(); }));

  const url = `http://127.0.0.1:${port}`;
  const logTail = async (lines = 30) => (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');

  const stop = async () => {
    if (exited === null) {
      killGroup(child.pid, 'SIGTERM');
      const done = await Promise.race([exitPromise.then(() => true), sleep(5_000).then(() => false)]);
      if (!done) { killGroup(child.pid, 'SIGKILL'); await exitPromise; }
    }
    killGroup(child.pid, 'SIGKILL'); // stragglers of the group (workerd), if any
    live.delete(child.pid);
    await rm(dir, { recursive: true, force: true });
    forget();
  };

  const started = Date.now();
  for (;;) {
    if (exited !== null) {
      const tail = await logTail();
      await stop();
      throw new Error(`${label} exited during start-up (${JSON.stringify(exited)}):\n${tail}`);
    }
    try {
      const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch { /* not listening yet */ }
    if (Date.now() - started > timeoutMs) {
      const tail = await logTail();
      await stop();
      throw new Error(`${label} not ready after ${timeoutMs} ms:\n${tail}`);
    }
    await sleep(200);
  }
  return { url, port, inspectorPort, pid: child.pid, dir, stop, logTail, startupMs: Date.now() - started };
}

/** A random local secret (base64url, 32 bytes). */
export function randomSecret() {
  return randomBytes(32).toString('base64url');
}

/**
 * The real platform worker in development mode (DEV_COUNTRY=MT), with random session and
 * webhook secrets and any `vars` a benchmark adds (bootstrap token, provider secrets).
 */
export function platformVars(vars = {}) {
  return { ENVIRONMENT: 'development', DEV_COUNTRY: 'MT', SESSION_SIGNING_KEY: randomSecret(), PAYMENT_WEBHOOK_SECRET_SANDBOX: randomSecret(), ...vars };
}

export function startPlatform({ vars = {}, logLevel = 'warn' } = {}) {
  const all = platformVars(vars);
  return startWrangler({
    label: 'platform worker',
    readyPath: '/v1/health',
    args: [...Object.entries(all).flatMap(([k, v]) => ['--var', `${k}:${v}`]), '--log-level', logLevel],
  });
}

/**
 * Runs a TypeScript benchmark (`node --import tsx <file> ...args`), its progress on stderr passed
 * through, and returns the JSON it prints as its last stdout line.
 */
export function runTs(file, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, file), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`${file} exited ${signal ?? code}: ${out.slice(-1000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${file} printed no JSON result: ${out.slice(-1000)}`));
      }
    });
  });
}

/**
 * The URL of Miniflare's own entry socket inside a `wrangler dev` started here, i.e. the runtime
 * workerd that runs the worker, without wrangler's dev proxy (the other workerd, which owns the
 * dev port and forwards every request to this one). Found as the listening socket of a workerd of
 * the process group, other than the proxy, that answers `readyPath` with 200. Linux (`ss`).
 */
export async function runtimeUrl(worker, readyPath) {
  const pids = readdirSyncSafe('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const pgrp = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[2]);
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return pgrp === worker.pid && args.some((a) => a.endsWith('/workerd') || a === 'workerd') && !args.some((a) => a.endsWith(`entry=127.0.0.1:${worker.port}`));
    } catch {
      return false;
    }
  });
  const listing = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  const ports = listing.split('\n').filter((l) => pids.some((pid) => l.includes(`pid=${pid},`)))
    .map((l) => Number(/127\.0\.0\.1:(\d+)/.exec(l)?.[1])).filter((p) => p && p !== worker.port);
  for (const port of ports) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) return `http://127.0.0.1:${port}`;
    } catch { /* not this one */ }
  }
  throw new Error(`no runtime socket of wrangler dev (group ${worker.pid}) answers ${readyPath} (ports ${ports.join(', ') || 'none'})`);
}

function readdirSyncSafe(dir) {
  try { return readdirSync(dir); } catch { return []; }
}
