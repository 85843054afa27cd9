// The seeds generated from config/ cannot drift from it: the committed CSVs must be exactly what
// scripts/config-seeds.mjs writes from config/ today (run `npm run config:seeds` after editing config/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without type declarations
import { brandsCsv, configSeeds, jurisdictionsCsv } from './config-seeds.mjs';

const ROOT = join(import.meta.dirname, '..');

describe('config seeds', () => {
  it('the committed jurisdictions.csv and brands.csv equal what config/ generates', () => {
    const seeds: { path: string; text: string }[] = configSeeds(ROOT);
    expect(seeds.map((s) => s.path.slice(ROOT.length + 1))).toEqual(['models/seeds/jurisdictions.csv', 'models/seeds/brands.csv', 'models/seeds/games.csv', 'models/seeds/reward_missions.csv']);
    for (const { path, text } of seeds) {
      expect(readFileSync(path, 'utf8'), `${path} differs from config/: run npm run config:seeds`).toBe(text);
    }
  });

  it('detects a change in config (a new jurisdiction, a renamed brand, another default)', () => {
    const jur = JSON.parse(readFileSync(join(ROOT, 'config', 'jurisdictions.json'), 'utf8'));
    const brands = JSON.parse(readFileSync(join(ROOT, 'config', 'brands.json'), 'utf8'));
    const committedJur = readFileSync(join(ROOT, 'models', 'seeds', 'jurisdictions.csv'), 'utf8');
    const committedBrands = readFileSync(join(ROOT, 'models', 'seeds', 'brands.csv'), 'utf8');
    expect(jurisdictionsCsv({ ...jur, jurisdictions: [...jur.jurisdictions, { id: 'SE', name: 'Sweden', regulator: 'Spelinspektionen', countries: ['SE'], min_age: 18, currencies: ['SEK'] }] })).not.toBe(committedJur);
    expect(brandsCsv({ ...brands, brands: brands.brands.map((b: { id: string; name: string }) => ({ ...b, name: `${b.name} 2` })) })).not.toBe(committedBrands);
    expect(brandsCsv({ ...brands, default_brand: 'sakura' })).not.toBe(committedBrands);
  });

  it('writes lists as DuckDB list literals, quotes commas, and refuses bad input', () => {
    const cfg = { version: 'v1', jurisdictions: [{ id: 'XX', name: 'A, B', regulator: 'R "Q"', countries: ['AA', 'BB'], min_age: 18, currencies: ['EUR'] }] };
    expect(jurisdictionsCsv(cfg)).toBe('jurisdiction,name,regulator,min_age,countries,currencies,config_version\nXX,"A, B","R ""Q""",18,"[AA, BB]",[EUR],v1\n');
    expect(() => jurisdictionsCsv({ ...cfg, jurisdictions: [{ ...cfg.jurisdictions[0], countries: ['A, B'] }] })).toThrow(/bad code/);
    expect(() => brandsCsv({ version: 'v1', default_brand: 'nope', brands: [{ id: 'a', name: 'A' }] })).toThrow(/default_brand nope/);
  });

  it('every jurisdiction of config/ has a gaming-duty rate row (verified or not) in seeds.gaming_duty_rates', () => {
    const ids = JSON.parse(readFileSync(join(ROOT, 'config', 'jurisdictions.json'), 'utf8')).jurisdictions.map((j: { id: string }) => j.id);
    const duty = readFileSync(join(ROOT, 'models', 'seeds', 'gaming_duty_rates.csv'), 'utf8').trimEnd().split('\n').slice(1);
    const withRows = new Set(duty.map((l) => l.split(',')[0]));
    expect(ids.filter((id: string) => !withRows.has(id))).toEqual([]);
  });
});
