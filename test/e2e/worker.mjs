/**
 * The real worker for end-to-end tests: `wrangler dev --local` on a free port with its own state
 * directory and secrets file (both temporary), in its own process group so stopping it stops
 * workerd too. Waits for GET /v1/health; keeps the last lines of wrangler's output for failures.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HEALTH_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;
const LOG_LINES_MAX = 200;

export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** wrangler 4 needs Node 22 or newer: this Node if it is, else the project's own. */
function nodeForWrangler() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const local = join(ROOT, 'node_modules', '.bin', 'node');
  if (existsSync(local)) return local;
  throw new Error(`wrangler needs Node 22 or newer (this is ${process.version})`);
}

/**
 * Starts `wrangler dev` on 127.0.0.1:`port`. `vars` become --var flags, `secrets` a temporary
 * --env-file (which also keeps the developer's .dev.vars out of the run); `config` another wrangler config.
 */
export async function startWorker({ port, vars, secrets, config }) {
  const tmp = mkdtempSync(join(tmpdir(), 'e2e-worker-'));
  const envFile = join(tmp, 'secrets.env');
  writeFileSync(envFile, Object.entries(secrets).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
  const args = [
    join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'dev', '--local',
    '--port', String(port), '--ip', '127.0.0.1', '--inspector-port', String(await freePort()),
    '--persist-to', join(tmp, 'state'), '--env-file', envFile, '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    // Another wrangler config (e.g. test/e2e/dashboards-access.test.ts: the same Worker, its static assets from a fixture).
    ...(config ? ['--config', config] : []),
  ];
  const child = spawn(nodeForWrangler(), args, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    // WRANGLER_LOG: vitest.config.mts quiets wrangler in the test process; this wrangler dev logs as usual.
    // CLOUDFLARE_CF_FETCH_ENABLED: Miniflare's built-in `Request.cf` placeholder, no download attempt (as npm start).
    env: { ...process.env, WRANGLER_LOG: 'log', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', FORCE_COLOR: '0', NO_COLOR: '1' },
  });

  const lines = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      lines.push(...chunk.split(/\r?\n/).filter(Boolean));
      lines.splice(0, Math.max(0, lines.length - LOG_LINES_MAX));
    });
  }
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  let running = true;
  void exited.then(() => { running = false; });
  const killGroup = (signal) => { try { process.kill(-child.pid, signal); } catch { /* already gone */ } };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    if (running) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const logs = () => lines.join('\n');
  const baseUrl = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer yet';
  // wrangler dev waits for the next file change after a failed build: a test should not.
  const buildFailed = () => lines.some((l) => l.includes('Build failed'));
  while (Date.now() < deadline && running && !buildFailed()) {
    try {
      const res = await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return { baseUrl, stop, logs, stateDir: join(tmp, 'state') };
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const why = !running ? 'it exited' : buildFailed() ? 'the build failed' : `timeout; last: ${last}`;
  await stop();
  throw new Error(`wrangler dev did not become healthy (${why}):\n${logs()}`);
}
