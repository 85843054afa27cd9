#!/usr/bin/env node
/**
 * `npm run dashboards:deploy-build`: the dashboards as deployed (dashboards/README.md "Deployment"):
 * one static site per brand scope, each built from a snapshot holding only what that scope may see,
 * laid out for the Worker's static assets:
 *
 *   dashboards/site/dashboards/all/...       every brand (operators of every brand, '*')
 *   dashboards/site/dashboards/<brand>/...   one brand (`wh snapshot --brand <brand>`)
 *   dashboards/site-large/<name>             files over the 25 MiB per-file limit of static assets
 *                                            (duckdb-wasm): uploaded once to R2 (DASHBOARDS_LARGE)
 *                                            under immutable/<name>; the commands are printed
 *
 * Each site is built with `--base-path /dashboards/<scope>` (the path the Worker serves it under)
 * into a directory beside the deployed one and swapped in when complete. Options: `--brands a,b`
 * (default: the brands of marts.dim_players), `--skip-all`. Then `npx wrangler deploy` uploads the
 * sites with the Worker. Not while `npm start` rebuilds its own site: both use dashboards/.evidence.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Workers static assets refuse files over 25 MiB. */
export const ASSET_FILE_LIMIT = 25 * 1024 * 1024;
export const BRAND_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Moves the files over the limit out of `site` into `largeDir` (flat: their names are content-hashed); returns their names. */
export function moveLargeFiles(site, largeDir, limit = ASSET_FILE_LIMIT) {
  const moved = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (statSync(p).size > limit) {
        if (!/\/_app\/immutable\/.*\.wasm$/.test(p)) throw new Error(`${relative(site, p)} is over 25 MiB and not an immutable .wasm: the Worker cannot serve it`);
        mkdirSync(largeDir, { recursive: true });
        renameSync(p, join(largeDir, e.name));
        moved.push(e.name);
      }
    }
  };
  walk(site);
  return moved;
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new Error(`${what} failed (${r.signal ?? `exit ${r.status}`})`);
}

function brandsOfWarehouse() {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'warehouse', 'cli.ts'), 'query', 'select distinct brand from marts.dim_players where brand is not null order by 1', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not list the brands: ${r.stderr}`);
  return JSON.parse(r.stdout).map((row) => row.brand);
}

async function main() {
  const { values } = parseArgs({ options: { brands: { type: 'string' }, 'skip-all': { type: 'boolean' } } });
  const brands = values.brands ? values.brands.split(',').map((b) => b.trim()).filter(Boolean) : brandsOfWarehouse();
  for (const b of brands) if (!BRAND_ID.test(b) || b === 'all') throw new Error(`not a brand id: ${JSON.stringify(b)}`);
  const scopes = [...(values['skip-all'] ? [] : ['all']), ...brands];
  const warehouseDir = resolve(process.env.WAREHOUSE_DIR || join(ROOT, 'data', 'warehouse'));
  const siteRoot = join(ROOT, 'dashboards', 'site', 'dashboards');
  const largeDir = join(ROOT, 'dashboards', 'site-large');
  const large = new Set();
  for (const scope of scopes) {
    const t0 = Date.now();
    const snapshot = join(warehouseDir, `dashboards-${scope}.duckdb`);
    run(process.execPath, ['--import', 'tsx', join(ROOT, 'warehouse', 'cli.ts'), 'snapshot', '--out', snapshot, ...(scope === 'all' ? [] : ['--brand', scope])], `snapshot of ${scope}`);
    const next = join(siteRoot, `.${scope}.next`);
    rmSync(next, { recursive: true, force: true });
    run(process.execPath, [join(ROOT, 'scripts', 'dashboards-build.mjs'), '--skip-snapshot', '--snapshot', snapshot, '--base-path', `/dashboards/${scope}`, '--out', next], `build of ${scope}`);
    for (const name of moveLargeFiles(next, largeDir)) large.add(name);
    rmSync(join(siteRoot, scope), { recursive: true, force: true });
    renameSync(next, join(siteRoot, scope));
    console.log(`[dashboards] ${scope}: built in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${relative(ROOT, join(siteRoot, scope))}`);
  }
  console.log(`\n[dashboards] ${scopes.length} site(s) in dashboards/site (served by the Worker under /dashboards/<scope>/ after \`npx wrangler deploy\`).`);
  if (large.size) {
    console.log('[dashboards] files over 25 MiB, for R2 (once per new name; the bucket of DASHBOARDS_LARGE in wrangler.toml):');
    for (const name of [...large].sort()) console.log(`  npx wrangler r2 object put casino-dashboards/immutable/${name} --file dashboards/site-large/${name} --content-type application/wasm --remote`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`[dashboards] ${err.message}`);
    process.exit(1);
  });
}
