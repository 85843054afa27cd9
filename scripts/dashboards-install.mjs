#!/usr/bin/env node
/**
 * The root's postinstall: installs dashboards/ (the Evidence project, a package of its own with its
 * own lockfile, because Evidence pins peer versions the platform does not use) with `npm ci`, which
 * also applies dashboards/patches/ (patch-package, its postinstall).
 *
 * `npm ci` of dashboards/ takes minutes, so it runs only when what it installs from changed: a
 * stamp in dashboards/node_modules records the hash of dashboards' package.json, package-lock.json
 * and patches. A clean clone (CI) has no stamp and installs; a second root `npm install` skips it.
 * DASHBOARDS_INSTALL=skip skips it entirely (a machine that never builds the dashboards).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboards = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dashboards');
if (process.env.DASHBOARDS_INSTALL === 'skip') {
  console.log('[dashboards] install skipped (DASHBOARDS_INSTALL=skip)');
  process.exit(0);
}
if (!existsSync(join(dashboards, 'package-lock.json'))) process.exit(0);

const hash = createHash('sha256');
for (const f of ['package.json', 'package-lock.json']) hash.update(readFileSync(join(dashboards, f)));
const patches = join(dashboards, 'patches');
if (existsSync(patches)) for (const f of readdirSync(patches).sort()) hash.update(f).update(readFileSync(join(patches, f)));
const want = hash.digest('hex');
const stamp = join(dashboards, 'node_modules', '.edge-casino-installed');
if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) {
  console.log('[dashboards] dependencies up to date');
  process.exit(0);
}

console.log('[dashboards] installing dashboards/ (npm ci: Evidence and its patch)…');
const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
const r = spawnSync(npm[0], [...npm[1], 'ci', '--no-audit', '--no-fund'], { cwd: dashboards, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`[dashboards] npm ci in dashboards/ failed (${r.status ?? r.signal})`);
  process.exit(r.status || 1);
}
writeFileSync(stamp, `${want}\n`);
