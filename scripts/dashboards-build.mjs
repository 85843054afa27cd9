#!/usr/bin/env node
/**
 * `npm run dashboards:build`: the executive dashboards as a static site, offline, from the current
 * warehouse (dashboards/README.md).
 *
 *   1. `wh snapshot`: prod's marts and seeds copied into WAREHOUSE_DIR/dashboards.duckdb (a file
 *      Evidence's DuckDB 1.4 opens, beside the loop that keeps writing casino.duckdb);
 *   2. `evidence sources`: the source queries (dashboards/sources/casino/*.sql) into Parquet;
 *   3. `evidence build`: every page prerendered into dashboards/build/.
 *
 * Both Evidence steps run with telemetry off and never touch the network (the patch of
 * @evidence-dev/universal-sql in dashboards/patches/ is what makes that so). Options:
 * `--skip-snapshot` (build from the snapshot already there), `--snapshot <file>` (another snapshot),
 * `--out <dir>` (move the finished site there, a directory that must not exist yet: `npm start`
 * builds each site beside the one it serves and swaps them, scripts/dashboards-live.mjs),
 * `--base-path /dashboards/<scope>` (the URL path the site is served under: the deployed brand
 * builds, scripts/dashboards-deploy-build.mjs; Evidence reads it only from evidence.config.yaml, so
 * the build adds a marked `deployment:` block there and removes it after, or on the next build if
 * this one was killed).
 * Prints each step's time and the site's size; exits non-zero when a step fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dashboards = join(root, 'dashboards');
const { values } = parseArgs({ options: { 'skip-snapshot': { type: 'boolean' }, snapshot: { type: 'string' }, out: { type: 'string' }, 'base-path': { type: 'string' } } });
const basePath = values['base-path'] ?? '';
if (basePath && !/^(\/[a-z0-9][a-z0-9_-]*)+$/.test(basePath)) {
  console.error(`[dashboards] --base-path must look like /dashboards/aurora, not ${JSON.stringify(basePath)}`);
  process.exit(2);
}
const out = values.out ? resolve(values.out) : join(dashboards, 'build');
if (values.out && existsSync(out)) {
  console.error(`[dashboards] --out ${out} exists already`);
  process.exit(2);
}
const warehouseDir = resolve(process.env.WAREHOUSE_DIR || join(root, 'data', 'warehouse'));
const snapshot = resolve(values.snapshot ?? join(warehouseDir, 'dashboards.duckdb'));

/** Runs a command to its end, inheriting the terminal; resolves with its duration, rejects on failure. */
function step(label, cmd, args, opts = {}) {
  const t0 = Date.now();
  console.log(`[dashboards] ${label}…`);
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      const s = (Date.now() - t0) / 1000;
      if (code === 0) {
        console.log(`[dashboards] ${label}: ${s.toFixed(1)} s`);
        ok(s);
      } else fail(new Error(`${label} failed (${signal ?? `exit ${code}`}) after ${s.toFixed(1)} s`));
    });
  });
}

function sizeOf(dir) {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const s = sizeOf(p);
      bytes += s.bytes;
      files += s.files;
    } else {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

if (!existsSync(join(dashboards, 'node_modules', '.bin', 'evidence'))) {
  console.error('[dashboards] dashboards/node_modules is missing: run `npm ci` at the root (it installs dashboards/ too)');
  process.exit(1);
}

// Evidence needs Node >= 21: dashboards/ has its own `node` devDependency (22), first on the PATH.
// A production build whoever calls it: under a test runner (the Chromium test runs this script
// from vitest) NODE_ENV=test and VITEST* would put Vite and Evidence in test/debug mode, and the
// build fails.
const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TEST$|NODE_ENV$|MODE$)/.test(k)));
const env = {
  ...inherited,
  NODE_ENV: 'production',
  PATH: `${join(dashboards, 'node_modules', '.bin')}:${process.env.PATH}`,
  SEND_ANONYMOUS_USAGE_STATS: 'no',
  // The connector joins its `filename` to the source's folder, absolute or not: a relative path.
  EVIDENCE_SOURCE__casino__filename: relative(join(dashboards, 'sources', 'casino'), snapshot),
};
const evidence = join(dashboards, 'node_modules', '.bin', 'evidence');

// The base path block of evidence.config.yaml: added for this build only, between markers.
const configFile = join(dashboards, 'evidence.config.yaml');
const BEGIN = '# >>> dashboards-build.mjs --base-path (temporary: removed after the build)';
const END = '# <<< dashboards-build.mjs';
function withoutBasePath(text) {
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END, from);
  const kept = from < 0 || to < 0 ? text : text.slice(0, from) + text.slice(to + END.length);
  return `${kept.replace(/\n+$/, '')}\n`;
}
const configText = readFileSync(configFile, 'utf8');
const cleanConfig = withoutBasePath(configText);
// Never write back a config without the project's plugins (a read that raced a write, a broken
// checkout): every later build would fail on it.
if (!/^plugins:/m.test(cleanConfig)) {
  console.error(`[dashboards] ${configFile} has no plugins: restore it (git checkout dashboards/evidence.config.yaml)`);
  process.exit(1);
}
// Written only when it changes: a plain build leaves the file alone.
const wanted = basePath ? `${cleanConfig}${BEGIN}\ndeployment:\n  basePath: ${basePath}\n${END}\n` : cleanConfig;
if (wanted !== configText) writeFileSync(configFile, wanted);
const restoreConfig = () => { if (readFileSync(configFile, 'utf8') !== cleanConfig) writeFileSync(configFile, cleanConfig); };
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { restoreConfig(); process.exit(1); });
const node = join(dashboards, 'node_modules', '.bin', 'node');
const t0 = Date.now();
try {
  if (!values['skip-snapshot']) {
    await step('snapshot of the marts', join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'warehouse', 'cli.ts'), 'snapshot', '--out', snapshot], { cwd: root });
  } else if (!existsSync(snapshot)) {
    throw new Error(`no snapshot at ${snapshot}`);
  }
  await step('evidence sources', node, [evidence, 'sources'], { cwd: dashboards, env });
  // Evidence copies its output over dashboards/build without clearing it: earlier builds' hashed
  // chunks and prerendered query results would pile up (517 -> 591 files in one rebuild).
  rmSync(join(dashboards, 'build'), { recursive: true, force: true });
  await step('evidence build', node, [evidence, 'build'], { cwd: dashboards, env });
  if (out !== join(dashboards, 'build')) {
    mkdirSync(dirname(out), { recursive: true });
    renameSync(join(dashboards, 'build'), out);
  }
} catch (err) {
  restoreConfig();
  console.error(`[dashboards] ${err.message}`);
  process.exit(1);
}
restoreConfig();
const { bytes, files } = sizeOf(out);
console.log(`[dashboards] built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${relative(root, out) || out}, ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MB (snapshot ${snapshot})`);
