#!/usr/bin/env node
/**
 * `npm start`: the whole platform locally, with a seeded demo casino.
 *
 *   1. writes .dev.vars with random secrets if there is none (never overwrites one);
 *   2. runs `wrangler dev` on 127.0.0.1:$PORT (default 8787) in development mode, its output
 *      prefixed with [wrangler]; Ctrl+C / SIGTERM stop it, and this script ends when it ends;
 *   3. waits for GET /v1/health, then seeds the demo (scripts/seed.mjs) unless that was done
 *      before for this state directory (marker demo-seeded.json), or `--no-seed` is given;
 *      then the back office (scripts/seed-ops.mjs): the first admin through the bootstrap route,
 *      demo operators with TOTP, and work in its queues and alerts, unless the operators exist
 *      already (their secrets are in demo-operators.json next to the marker, mode 0600);
 *   4. runs the warehouse loop beside it (`wh loop`, output prefixed [warehouse]): every few
 *      seconds it syncs new event batches and then runs prod's due SQL models (models/, docs/models.md)
 *      in the same process, then publishes segments back to this worker once marts.player_segments
 *      exists (SEGMENTS_PUBLISH_URL and the .dev.vars SEGMENTS_PUBLISH_SECRET, docs/segments.md) and
 *      the AML alerts of marts.aml_alerts for operators to decide (AML_PUBLISH_URL, AML_PUBLISH_SECRET, docs/aml.md); on a fresh warehouse it applies the first plan of prod itself;
 *      every few seconds, new event batches in the local R2 bucket go into DuckDB and the Parquet
 *      lake under WAREHOUSE_DIR (default data/warehouse), unless `--no-warehouse` is given;
 *   5. serves the executive dashboards (Evidence, static build) on 127.0.0.1:$DASHBOARDS_PORT
 *      (default 8790) and rebuilds them when the marts change: the loop writes the dashboards'
 *      snapshot after a cycle whose models changed a mart (warehouse/dashboards-loop.ts) and says so
 *      on one line; on that line scripts/dashboards-live.mjs rebuilds (debounced, one build at a
 *      time, changes during a build coalesced into one more) and swaps the complete build in, the
 *      last good one served meanwhile. Off with `--no-dashboards`, `--no-warehouse`, or when
 *      dashboards/ is not installed;
 *   6. prints a banner with the URLs, the demo logins and how to get an operator's TOTP code.
 *
 * Environment: PORT (8787), DEV_COUNTRY (MT: the country requests come from unless they send
 * X-Dev-Country), CASINO_STATE_DIR (wrangler --persist-to; default .wrangler/state),
 * WAREHOUSE_DIR (DuckDB file + Parquet lake; default data/warehouse), WAREHOUSE_SYNC_SECONDS (5),
 * DASHBOARDS_PORT (8790), DASHBOARDS_SNAPSHOT_SECONDS (15: at most one snapshot per interval),
 * DASHBOARDS_DEBOUNCE_SECONDS (2).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveDashboards } from './dashboards-live.mjs';
import { demoOperatorsFile, readDemoOperators } from './ops-code.mjs';
import { DEMO_PASSWORD, describeError, seedDemo, summaryTable } from './seed.mjs';
import { readDevVars, seedBackOffice } from './seed-ops.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HEALTH_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

const args = process.argv.slice(2);
const unknown = args.filter((a) => !['--no-seed', '--no-warehouse', '--no-dashboards', '--help', '-h'].includes(a));
if (args.includes('--help') || args.includes('-h') || unknown.length) {
  if (unknown.length) console.error(`unknown argument(s): ${unknown.join(' ')}`);
  console.log('usage: npm start [-- --no-seed] [-- --no-warehouse] [-- --no-dashboards]   (env: PORT, DEV_COUNTRY, CASINO_STATE_DIR, WAREHOUSE_DIR, WAREHOUSE_SYNC_SECONDS, DASHBOARDS_PORT, DASHBOARDS_SNAPSHOT_SECONDS, DASHBOARDS_DEBOUNCE_SECONDS)');
  process.exit(unknown.length ? 2 : 0);
}
const noSeed = args.includes('--no-seed');
const noWarehouse = args.includes('--no-warehouse');
const syncSeconds = Number(process.env.WAREHOUSE_SYNC_SECONDS || 5);
if (!(syncSeconds > 0)) fatal(`WAREHOUSE_SYNC_SECONDS must be a positive number, not '${process.env.WAREHOUSE_SYNC_SECONDS}'`);
const warehouseDir = resolve(process.env.WAREHOUSE_DIR || join(ROOT, 'data', 'warehouse'));
const dashboardsInstalled = existsSync(join(ROOT, 'dashboards', 'node_modules', '.bin', 'evidence'));
const withDashboards = !noWarehouse && !args.includes('--no-dashboards') && dashboardsInstalled;
const dashboardsPort = Number(process.env.DASHBOARDS_PORT || 8790);
if (!Number.isInteger(dashboardsPort) || dashboardsPort < 1 || dashboardsPort > 65535) fatal(`DASHBOARDS_PORT must be a port number, not '${process.env.DASHBOARDS_PORT}'`);
const dashboardsSnapshot = join(warehouseDir, 'dashboards.duckdb');

const port = Number(process.env.PORT || 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) fatal(`PORT must be a port number, not '${process.env.PORT}'`);
const devCountry = (process.env.DEV_COUNTRY || 'MT').toUpperCase();
if (!/^[A-Z]{2}$/.test(devCountry)) fatal(`DEV_COUNTRY must be a two-letter country code, not '${process.env.DEV_COUNTRY}'`);
const stateDir = process.env.CASINO_STATE_DIR ? resolve(process.env.CASINO_STATE_DIR) : null;
const markerFile = stateDir ? join(stateDir, 'demo-seeded.json') : join(ROOT, '.wrangler', 'demo-seeded.json');
const opsFile = demoOperatorsFile();
const baseUrl = `http://127.0.0.1:${port}`;

function say(msg) {
  console.log(`[start] ${msg}`);
}

function fatal(msg) {
  console.error(`[start] error: ${msg}`);
  process.exit(1);
}

// ---- 1. .dev.vars ------------------------------------------------------------------------------

const devVars = join(ROOT, '.dev.vars');
const opsBootstrapLine = () => `OPS_BOOTSTRAP_TOKEN=${randomBytes(32).toString('base64url')}`;
const providerSecretLine = () => `PROVIDER_SECRET_SANDBOX_SLOTS=${randomBytes(32).toString('base64url')}`;
// wrangler.toml requires every declared secret; SSO stays off while OIDC_ISSUER is empty.
const oidcSecretLine = () => `OIDC_CLIENT_SECRET=${randomBytes(32).toString('base64url')}`;
const segmentsSecretLine = () => `SEGMENTS_PUBLISH_SECRET=${randomBytes(32).toString('base64url')}`;
const amlSecretLine = () => `AML_PUBLISH_SECRET=${randomBytes(32).toString('base64url')}`;
const paymentReferenceKeyLine = () => `PAYMENT_REFERENCE_KEY=${randomBytes(32).toString('base64url')}`;
if (!existsSync(devVars)) {
  writeFileSync(devVars, [
    '# Written by `npm start` with random values: local development only, never commit (git-ignored).',
    'ENVIRONMENT=development',
    `SESSION_SIGNING_KEY=${randomBytes(48).toString('base64url')}`,
    `PAYMENT_WEBHOOK_SECRET_SANDBOX=${randomBytes(32).toString('base64url')}`,
    opsBootstrapLine(),
    providerSecretLine(),
    '# Unused while OIDC_ISSUER is empty (SSO off); replace it with the provider\'s when you turn SSO on.',
    oidcSecretLine(),
    '# Signs the warehouse loop\'s segment publications to /internal/v1/segments (docs/segments.md).',
    segmentsSecretLine(),
    '# Signs the warehouse loop\'s AML alert publications to /internal/v1/aml-alerts (docs/aml.md).',
    amlSecretLine(),
    '# Keys the payment references (hashes of payment instruments) in deposit and withdrawal events.',
    paymentReferenceKeyLine(),
    '',
  ].join('\n'), { mode: 0o600, flag: 'wx' });
  say('wrote .dev.vars with random values for every secret wrangler.toml declares');
} else {
  // An older .dev.vars: add the secrets it lacks, leaving every other line alone.
  const missing = [
    ['OPS_BOOTSTRAP_TOKEN', 'lets the demo seed create the first back-office admin', opsBootstrapLine],
    ['PROVIDER_SECRET_SANDBOX_SLOTS', 'signs the sandbox-slots provider\'s seamless-wallet calls (docs/provider-api.md)', providerSecretLine],
    ['OIDC_CLIENT_SECRET', 'wrangler.toml declares it; unused while OIDC_ISSUER is empty (SSO off)', oidcSecretLine],
    ['SEGMENTS_PUBLISH_SECRET', 'signs the warehouse loop\'s segment publications to /internal/v1/segments (docs/segments.md)', segmentsSecretLine],
    ['AML_PUBLISH_SECRET', 'signs the warehouse loop\'s AML alert publications to /internal/v1/aml-alerts (docs/aml.md)', amlSecretLine],
    ['PAYMENT_REFERENCE_KEY', 'keys the payment references (hashes of payment instruments) in deposit and withdrawal events', paymentReferenceKeyLine],
  ].filter(([name]) => !(name in readDevVars(devVars)));
  for (const [name, why, line] of missing) {
    const text = readFileSync(devVars, 'utf8');
    appendFileSync(devVars, `${text === '' || text.endsWith('\n') ? '' : '\n'}# Added by \`npm start\`: ${why}.\n${line()}\n`);
    say(`added a random ${name} to .dev.vars`);
  }
}

// ---- 2. wrangler dev ---------------------------------------------------------------------------

/** wrangler 4 needs Node >= 22: use this Node if it is new enough, else the project's own. */
function nodeForWrangler() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const local = join(ROOT, 'node_modules', '.bin', 'node');
  if (existsSync(local)) return local;
  fatal(`wrangler needs Node 22 or newer (this is ${process.version}); run \`npm install\` and \`npm start\``);
}

const wranglerJs = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
if (!existsSync(wranglerJs)) fatal('wrangler is not installed; run `npm install` first');

function portIsFree(p) {
  return new Promise((ok) => {
    const srv = createServer();
    srv.once('error', () => ok(false));
    srv.listen(p, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}
if (!(await portIsFree(port))) fatal(`port ${port} on 127.0.0.1 is already in use (another \`npm start\`?); set PORT to use another`);

const wranglerArgs = [
  wranglerJs, 'dev',
  '--port', String(port), '--ip', '127.0.0.1',
  '--var', 'ENVIRONMENT:development', '--var', `DEV_COUNTRY:${devCountry}`,
  '--show-interactive-dev-session=false',
];
if (stateDir) {
  mkdirSync(stateDir, { recursive: true });
  wranglerArgs.push('--persist-to', stateDir);
}

say(`starting wrangler dev on ${baseUrl} (state: ${stateDir ? stateDir : '.wrangler/state'})`);
const child = spawn(nodeForWrangler(), wranglerArgs, {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
  // CLOUDFLARE_CF_FETCH_ENABLED=false: Miniflare would download the `Request.cf` template from
  // workers.cloudflare.com at each start (offline: a warning and a stack trace, twice) only to fall
  // back to its built-in placeholder; locally the country comes from DEV_COUNTRY / X-Dev-Country anyway.
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
});

function pipe(stream, out, tag = 'wrangler', onLine = null) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split(/\r?\n/);
    rest = lines.pop();
    for (const l of lines) {
      out.write(`[${tag}] ${l}\n`);
      onLine?.(l);
    }
  });
  stream.on('end', () => { if (rest) out.write(`[${tag}] ${rest}\n`); });
}
pipe(child.stdout, process.stdout);
pipe(child.stderr, process.stderr);

let childExited = false;
let stopping = false;
let exitCode = 0;
const childDone = new Promise((done) => {
  child.on('exit', (code, signal) => {
    childExited = true;
    done({ code, signal });
  });
});
child.on('error', (err) => fatal(`could not start wrangler: ${err.message}`));

/** Stops wrangler (forwarding `signal`), then ends this process with `code`. */
function stop(signal, code) {
  if (stopping) {
    // A second Ctrl+C: do not wait any longer.
    if (!childExited) child.kill('SIGKILL');
    return;
  }
  stopping = true;
  exitCode = code;
  stopWarehouse();
  dashboards?.stop();
  if (childExited) return process.exit(code);
  child.kill(signal);
  setTimeout(() => { if (!childExited) { say('wrangler did not stop in time; killing it'); child.kill('SIGKILL'); } }, STOP_GRACE_MS).unref();
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (!stopping) say(`${sig}: stopping wrangler`);
    stop(sig === 'SIGHUP' ? 'SIGTERM' : sig, 0);
  });
}
process.on('exit', () => {
  if (!childExited) child.kill('SIGKILL');
  if (syncLoop && syncLoop.exitCode === null) syncLoop.kill('SIGKILL');
});

// ---- the warehouse sync loop -------------------------------------------------------------------

let syncLoop = null;
let dashboards = null;

/** The dashboards' server and rebuilder (scripts/dashboards-live.mjs), before the loop that signals it. */
async function startDashboards() {
  if (!withDashboards || stopping) return;
  try {
    dashboards = await liveDashboards({
      snapshot: dashboardsSnapshot, port: dashboardsPort,
      debounceMs: Number(process.env.DASHBOARDS_DEBOUNCE_SECONDS || 2) * 1000,
      log: (m) => console.log(`[dashboards] ${m}`),
    });
    say(`dashboards on ${dashboards.url}/ (${dashboards.current() ? 'the last build until the loop\'s first snapshot is built' : 'first build after the loop\'s first snapshot'})`);
  } catch (err) {
    say(`warning: the dashboards are not served (${err.message}); the platform runs without them`);
  }
}

/** `wh sync --watch` over the same local state as wrangler dev: events reach DuckDB within seconds. */
function startWarehouse() {
  if (noWarehouse || stopping) return;
  say(`starting the warehouse loop (sync, then the due models) every ${syncSeconds}s (${shown(warehouseDir)})`);
  const loopArgs = ['--import', 'tsx', join(ROOT, 'warehouse', 'cli.ts'), 'loop', '--source', 'local', '--interval', String(syncSeconds), '--project', join(ROOT, 'models')];
  if (dashboards) loopArgs.push('--dashboards-snapshot', dashboardsSnapshot, '--dashboards-snapshot-seconds', process.env.DASHBOARDS_SNAPSHOT_SECONDS || '15');
  syncLoop = spawn(nodeForWrangler(), loopArgs, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, CASINO_STATE_DIR: stateDir ?? join(ROOT, '.wrangler', 'state'), WAREHOUSE_DIR: warehouseDir,
      // after the models, the loop publishes segments to this worker (docs/segments.md) with the secret of .dev.vars
      SEGMENTS_PUBLISH_URL: `${baseUrl}/internal/v1/segments`,
      SEGMENTS_PUBLISH_SECRET: readDevVars(devVars).SEGMENTS_PUBLISH_SECRET ?? '',
      // and the AML alerts, for operators to decide (docs/aml.md)
      AML_PUBLISH_URL: `${baseUrl}/internal/v1/aml-alerts`,
      AML_PUBLISH_SECRET: readDevVars(devVars).AML_PUBLISH_SECRET ?? '',
    },
  });
  // The loop's line after each dashboards snapshot (SNAPSHOT_WRITTEN in warehouse/dashboards-loop.ts): rebuild.
  pipe(syncLoop.stdout, process.stdout, 'warehouse', (line) => { if (line.includes('dashboards snapshot written')) dashboards?.changed(); });
  pipe(syncLoop.stderr, process.stderr, 'warehouse');
  syncLoop.on('exit', (code, signal) => {
    if (!stopping) say(`warning: the warehouse loop ended (${signal ?? `code ${code}`}); the edge keeps running; run \`npm run wh -- sync\` and \`npm run wh -- run\` by hand`);
  });
}

function stopWarehouse() {
  if (syncLoop && syncLoop.exitCode === null && syncLoop.signalCode === null) syncLoop.kill('SIGTERM');
}

childDone.then(async ({ code, signal }) => {
  if (stopping) {
    // Let a sync in progress finish its run (it stops at the next run boundary), a few seconds at most.
    if (syncLoop && syncLoop.exitCode === null && syncLoop.signalCode === null) {
      await Promise.race([new Promise((r) => syncLoop.once('exit', r)), new Promise((r) => setTimeout(r, STOP_GRACE_MS))]);
    }
    say('stopped');
    process.exit(exitCode);
  }
  console.error(`[start] wrangler exited unexpectedly (${signal ?? `code ${code}`})`);
  process.exit(code || 1);
});

// ---- 3. health, then the seed ------------------------------------------------------------------

async function waitForHealth() {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (childExited || stopping) return null;
    try {
      const res = await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return await res.json();
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`GET ${baseUrl}/v1/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last})`);
}

function readMarker() {
  if (!existsSync(markerFile)) return null;
  try {
    const m = JSON.parse(readFileSync(markerFile, 'utf8'));
    return Array.isArray(m.players) ? m : null;
  } catch {
    return null;
  }
}

/** The marker says "seeded", but a wiped state directory would leave it stale: one login tells. */
async function markerStillValid(marker) {
  const p = marker.players[0];
  if (!p) return false;
  try {
    const res = await fetch(`${baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Dev-Country': p.country, 'CF-Connecting-IP': '198.51.100.250' },
      body: JSON.stringify({ email: p.email, password: p.password ?? marker.password }),
      signal: AbortSignal.timeout(10_000),
    });
    return res.status !== 401;
  } catch {
    return true; // cannot tell: trust the marker
  }
}

let health;
try {
  health = await waitForHealth();
} catch (err) {
  console.error(`[start] error: ${err.message}`);
  stop('SIGTERM', 1);
}

if (health && !stopping) {
  await startDashboards();
  startWarehouse();
  if (health.status !== 'ok') {
    say(`warning: health is '${health.status}': ${JSON.stringify(health.checks)} (check SESSION_SIGNING_KEY in .dev.vars: 32+ characters)`);
  }
  let marker = readMarker();
  let seededNow = false;
  if (noSeed) {
    say('--no-seed: not seeding');
  } else if (marker && await markerStillValid(marker)) {
    say(`demo already seeded (marker ${markerFile.startsWith(ROOT + sep) ? relative(ROOT, markerFile) : markerFile}); skipping the seed`);
  } else {
    if (marker) say('the seed marker exists but its demo player cannot log in (state wiped?); seeding again');
    say('seeding the demo casino through the API');
    try {
      const result = await seedDemo(baseUrl);
      marker = {
        seeded_at: result.seeded_at,
        password: result.password,
        players: result.players.map((p) => ({
          email: p.email, password: p.password, country: p.country, jurisdiction: p.jurisdiction, currency: p.currency, kyc_status: p.kyc_status,
        })),
      };
      mkdirSync(dirname(markerFile), { recursive: true });
      writeFileSync(markerFile, JSON.stringify(marker, null, 2) + '\n');
      seededNow = true;
      console.log(`\n${summaryTable(result)}\n`);
    } catch (err) {
      console.error(`[start] ${describeError(err).replaceAll('\n', '\n[start] ')}`);
      console.error('[start] stopping: the demo could not be seeded (use `npm start -- --no-seed` to run without it)');
      stop('SIGTERM', 1);
    }
  }
  const ops = noSeed || stopping ? { status: 'not-seeded', state: readOpsFile(), warnings: [] } : await seedOps();
  if (!stopping) printBanner(health, marker, seededNow, ops);
}

function readOpsFile() {
  try {
    return readDemoOperators(opsFile);
  } catch {
    return null;
  }
}

function shown(path) {
  return path.startsWith(ROOT + sep) ? relative(ROOT, path) : path;
}

/** The back office: bootstrap admin, demo operators with TOTP, queue and alert work (scripts/seed-ops.mjs). */
async function seedOps() {
  if (opsFile.startsWith(ROOT + sep) && spawnSync('git', ['check-ignore', '-q', opsFile], { cwd: ROOT }).status === 1) {
    say(`warning: ${shown(opsFile)} holds TOTP secrets but is not git-ignored`);
  }
  try {
    const r = await seedBackOffice(baseUrl, {
      bootstrapToken: readDevVars(devVars).OPS_BOOTSTRAP_TOKEN,
      file: opsFile,
      log: { info: (m) => console.log(`[seed-ops] ${m}`) },
    });
    if (r.status === 'skipped') say(`back office already seeded (${shown(opsFile)}); skipping its seed`);
    for (const w of r.warnings) say(`warning: back office: ${w}`);
    return r;
  } catch (err) {
    console.error(`[start] back office ${describeError(err).replaceAll('\n', '\n[start] ')}`);
    console.error('[start] stopping: the back office could not be seeded (use `npm start -- --no-seed` to run without the demo)');
    stop('SIGTERM', 1);
    return { status: 'failed', state: null, warnings: [] };
  }
}

// ---- 5. banner ---------------------------------------------------------------------------------

function printBanner(h, marker, seededNow, ops) {
  const players = marker?.players ?? [];
  const emailWidth = Math.max(0, ...players.map((p) => p.email.length));
  const first = players[0];
  const lines = [
    '',
    '================================================================================',
    ` Edge Casino is running (${h.environment}, jurisdictions ${h.jurisdiction_config_version})`,
    '',
    `   API       ${baseUrl}/v1`,
    `   Health    ${baseUrl}/v1/health`,
    `   OpenAPI   ${baseUrl}/v1/openapi.json`,
    `   Country   ${devCountry} by default; send header X-Dev-Country: <CC> to act from elsewhere`,
    `   State     ${stateDir ?? join(ROOT, '.wrangler', 'state')}`,
    noWarehouse
      ? '   Warehouse off (--no-warehouse); load events by hand: npm run wh -- sync'
      : `   Warehouse ${shown(warehouseDir)} (DuckDB + Parquet lake), synced and its models run every ${syncSeconds}s: npm run wh -- status | models | query "select * from marts.platform_events_daily"`,
    ...(noWarehouse ? [] : [`   Reports   ${process.env.REPORTS_DIR || 'data/reports'}: each report delivered once its period is due and its marts are fresh; by hand: npm run wh -- export list | export --all --period <YYYY-MM>`]),
    dashboards
      ? `   Dashboards ${dashboards.url}/  executives' pages (Evidence, static build, loopback, no login): rebuilt after the loop's models change the marts${dashboards.current() ? '' : '; the first build takes a few minutes'}`
      : `   Dashboards off (${noWarehouse ? '--no-warehouse' : !dashboardsInstalled ? 'dashboards/ not installed: npm ci' : '--no-dashboards'}); build by hand: npm run dashboards:build && npm run dashboards:serve`,
    '',
  ];
  if (players.length) {
    lines.push(` Demo players${seededNow ? ' (just seeded)' : ''}, password for all: ${marker.password ?? DEMO_PASSWORD}`);
    for (const p of players) lines.push(`   ${p.email.padEnd(emailWidth)}  ${p.jurisdiction.padEnd(2)} ${p.currency.padEnd(3)}  from ${p.country}  KYC ${p.kyc_status}`);
    lines.push('', ' Log in:');
    lines.push(`   curl -s -X POST ${baseUrl}/v1/sessions -H 'Content-Type: application/json' \\`);
    lines.push(`     -H 'X-Dev-Country: ${first.country}' -d '{"email":"${first.email}","password":"${first.password ?? marker.password}"}'`);
    lines.push(`   curl -s ${baseUrl}/v1/wallet -H 'Authorization: Bearer <token>' -H 'X-Dev-Country: ${first.country}'`);
  } else {
    lines.push(' No demo data (--no-seed). Seed it any time with: npm run seed -- ' + baseUrl);
  }
  lines.push('', ...opsBanner(ops));
  lines.push('', ` Stop: Ctrl+C (or kill ${process.pid})`);
  lines.push('================================================================================', '');
  console.log(lines.join('\n'));
}

function opsBanner(ops) {
  const state = ops?.state;
  const operators = state?.operators ?? [];
  const lines = [` Back office   ${baseUrl}/ops   (API ${baseUrl}/v1/ops)`];
  if (ops?.status === 'foreign') {
    lines.push('   Operators exist that the demo seed did not create (no demo-operators.json): log in with your own.');
    return lines;
  }
  if (!operators.length) {
    lines.push(`   No demo operators${noSeed ? ' (--no-seed)' : ''}.`);
    return lines;
  }
  const codeCmd = `${stateDir ? `CASINO_STATE_DIR=${stateDir} ` : ''}npm run ops:code --`;
  const width = Math.max(...operators.map((o) => o.email.length));
  const roleWidth = Math.max(...operators.map((o) => o.roles.join(',').length));
  const mt = operators.find((o) => o.key === 'compliance-mt') ?? operators[0];
  lines.push(` Demo operators${ops.status === 'seeded' ? ' (just seeded)' : ''}, password for all: ${state.password}`);
  for (const o of operators) lines.push(`   ${o.email.padEnd(width)}  ${o.roles.join(',').padEnd(roleWidth)}  ${o.scope ?? ''}`);
  lines.push(
    '',
    ' Second factor: TOTP, enrolled for each demo operator; each code works once per operator (30 s steps).',
    ` Current code:  ${codeCmd} <email>   (secrets: ${shown(opsFile)}, mode 0600)`,
    '',
    ' Log in (step 1 answers a challenge_token, step 2 the bearer token):',
    `   curl -s -X POST ${baseUrl}/v1/ops/sessions -H 'Content-Type: application/json' \\`,
    `     -d '{"email":"${mt.email}","password":"${mt.password ?? state.password}"}'`,
    `   curl -s -X POST ${baseUrl}/v1/ops/sessions/mfa -H 'Content-Type: application/json' \\`,
    `     -d '{"challenge_token":"<challenge_token>","code":"'"$(${codeCmd.replace('npm run', 'npm run -s')} ${mt.email})"'"}'`,
    `   curl -s ${baseUrl}/v1/ops/brands/aurora/queues/adjustments -H 'Authorization: Bearer <token>'`,
  );
  if (state.work?.length) {
    lines.push('', ops.status === 'seeded' || ops.status === 'resumed' ? ' Back-office demo work:' : ` Back-office demo work (as seeded ${state.seeded_at}; the queues may have moved since):`);
    for (const w of state.work) lines.push(`   - ${w}`);
  }
  if (state.warnings?.length) {
    lines.push('', ' Not seeded yet (the next `npm start` tries again):');
    for (const w of state.warnings) lines.push(`   - ${w}`);
  }
  return lines;
}
