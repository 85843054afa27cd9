#!/usr/bin/env node
/**
 * Writes the seeds that mirror config/: models/seeds/jurisdictions.csv (config/jurisdictions.json),
 * models/seeds/brands.csv (config/brands.json) and models/seeds/games.csv (config/games.json, the declared RTP) and models/seeds/reward_missions.csv (config/rewards.json's missions). config/ stays the source of truth; the CSVs are
 * generated and committed so the warehouse can join on them, and scripts/config-seeds.test.ts fails
 * when they disagree with config/ (run `npm run config:seeds` after editing config/).
 *
 *   npm run config:seeds            write both CSVs
 *   npm run config:seeds -- --check exit 1 (and say which) when a committed CSV is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const cell = (v) => {
  const s = Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const csv = (cols, rows) => [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';

/** models/seeds/jurisdictions.csv from config/jurisdictions.json: one row per jurisdiction. */
export function jurisdictionsCsv(config) {
  const rows = config.jurisdictions.map((j) => {
    for (const code of [...j.countries, ...j.currencies]) {
      if (!/^[A-Z]{2,3}$/.test(code)) throw new Error(`jurisdiction ${j.id}: bad code ${JSON.stringify(code)}`);
    }
    return { jurisdiction: j.id, name: j.name, regulator: j.regulator, min_age: j.min_age, countries: j.countries, currencies: j.currencies, config_version: config.version };
  });
  return csv(['jurisdiction', 'name', 'regulator', 'min_age', 'countries', 'currencies', 'config_version'], rows);
}

/** models/seeds/brands.csv from config/brands.json: one row per brand, the default flagged. */
export function brandsCsv(config) {
  if (!config.brands.some((b) => b.id === config.default_brand)) throw new Error(`default_brand ${config.default_brand} is not a brand`);
  const rows = config.brands.map((b) => ({ brand_id: b.id, name: b.name, is_default: b.id === config.default_brand, config_version: config.version }));
  return csv(['brand_id', 'name', 'is_default', 'config_version'], rows);
}

/** models/seeds/games.csv from config/games.json: one row per catalog game, its declared RTP. */
export function gamesCsv(config) {
  const rows = config.games.map((g) => {
    if (!Number.isInteger(g.rtp_bp)) throw new Error(`game ${g.game_id}: rtp_bp must be an integer`);
    return { game_id: g.game_id, provider_id: g.provider_id, title: g.title, category_id: g.category_id, table_id: g.table_id ?? '', rtp_bp: g.rtp_bp, config_version: config.version };
  });
  return csv(['game_id', 'provider_id', 'title', 'category_id', 'table_id', 'rtp_bp', 'config_version'], rows);
}

/** models/seeds/reward_missions.csv from config/rewards.json: one row per step of each mission of the live rule set. */
export function rewardMissionsCsv(config) {
  const set = config.rule_set;
  const rows = set.missions.flatMap((m) => m.steps.map((s, i) => ({
    mission_id: m.id, mission_name: m.name, step_index: i, step_id: s.id, step_name: s.name, target: s.target, steps: m.steps.length,
    expires_after_minutes: m.expires_after_minutes ?? '', repeatable: m.repeatable === true, rule_set_id: set.id, rule_set_version: set.version,
  })));
  return csv(['mission_id', 'mission_name', 'step_index', 'step_id', 'step_name', 'target', 'steps', 'expires_after_minutes', 'repeatable', 'rule_set_id', 'rule_set_version'], rows);
}

/** Each generated seed: its path and the text config/ says it must hold. */
export function configSeeds(root = ROOT) {
  const read = (f) => JSON.parse(readFileSync(join(root, 'config', f), 'utf8'));
  return [
    { path: join(root, 'models', 'seeds', 'jurisdictions.csv'), text: jurisdictionsCsv(read('jurisdictions.json')) },
    { path: join(root, 'models', 'seeds', 'brands.csv'), text: brandsCsv(read('brands.json')) },
    { path: join(root, 'models', 'seeds', 'games.csv'), text: gamesCsv(read('games.json')) },
    { path: join(root, 'models', 'seeds', 'reward_missions.csv'), text: rewardMissionsCsv(read('rewards.json')) },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { path, text } of configSeeds()) {
    let current = null;
    try { current = readFileSync(path, 'utf8'); } catch { /* missing: stale */ }
    if (current === text) continue;
    if (check) {
      stale++;
      console.error(`${path} differs from config/: run npm run config:seeds`);
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}
