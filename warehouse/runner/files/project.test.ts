/** Loading a model tree: models, custom audits, YAML unit tests, config; each mistake names its file. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadProject, parseConfig, parseTests } from './project';

const fixture = (...p: string[]) => join(import.meta.dirname, '..', 'fixtures', ...p);
const loadError = (dir: string) => loadProject(fixture('broken', dir)).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);

describe('loadProject', () => {
  it('loads the basic fixture: every kind, a seed, audits, tests and config', async () => {
    const p = await loadProject(fixture('basic'));
    expect(p.config).toEqual({ start: '2026-01-01', cron: '@daily', janitorTtlHours: 24 });
    expect([...p.models.keys()]).toEqual(['intermediate.int_player_day', 'marts.dim_players', 'marts.fct_ggr_daily', 'marts.rpt_activity',
      'raw.events', 'seeds.fx_rates', 'staging.stg_bets', 'staging.stg_deposits']);
    expect(p.models.get('seeds.fx_rates')!.kind).toEqual({ name: 'SEED', path: 'fx_rates.csv' });
    expect(p.models.get('raw.events')!.columns['payload']).toBe('JSON');
    expect([...p.audits.values()].map((a) => [a.name, a.blocking, a.defaults])).toEqual([['ggr_consistent', false, {}], ['at_least_threshold', true, { threshold: 10 }]]);
    expect(p.tests.map((t) => [t.name, t.model, t.where.line])).toEqual([['test_fct_ggr_daily', 'marts.fct_ggr_daily', 1], ['test_int_player_day', 'intermediate.int_player_day', 19]]);
    expect(p.tests[0]!.inputs['seeds.fx_rates']).toEqual({ rows: [{ currency: 'EUR', eur_per_unit: 1 }, { currency: 'USD', eur_per_unit: 0.92 }] });
    expect(p.tests[0]!.vars).toEqual({ start: '2026-01-01', end: '2026-01-01' });
    expect(p.tests[1]!.inputs['staging.stg_bets']).toEqual({ query: "SELECT 'p1' AS player_id, DATE '2026-01-01' AS event_date, 100 AS stake_minor, 40 AS win_minor" });
    expect(p.tests[1]!.outputs).toEqual({ ctes: { bet_days: [{ player_id: 'p1', event_date: '2026-01-01', staked_minor: 100, ggr_minor: 60 }] } });
  });

  it('names the file of every loading mistake', async () => {
    expect(await loadError('missing-header')).toBe('ModelError: staging/stg_players.sql:2: no MODEL (...) header: a model file starts with MODEL (name schema.table, kind ...);');
    expect(await loadError('name-mismatch')).toBe('ModelError: staging/players.sql:1: model staging.stg_players must be in a file named stg_players.sql, not players.sql');
    expect(await loadError('missing-seed')).toBe('ModelError: seeds/fx_rates.sql:1: seed CSV fx_rates.csv not found (looked for seeds/fx_rates.csv)');
    expect(await loadError('duplicate-name')).toBe('ModelError: staging/stg_players.sql:1: model staging.stg_players is also defined in marts/stg_players.sql');
    expect(await loadError('three-part-name')).toBe('ModelError: staging/stg_players.sql:1: model name warehouse.staging.stg_players: catalog.schema.table names are not supported, use schema.table');
    expect(await loadProject(fixture('nope')).catch((e: Error) => e.message)).toBe(`no model tree at ${fixture('nope')}`);
  });

  it('reads config.yaml with defaults and checks its values', () => {
    expect(parseConfig('')).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toEqual({ start: '2026-01-01', cron: '@daily', janitorTtlHours: 168 });
    expect(parseConfig('model_defaults:\n  dialect: duckdb\n  cron: "@hourly"\n')).toEqual({ ...DEFAULT_CONFIG, cron: '@hourly' });
    expect(() => parseConfig('model_defaults:\n  start: soon\n')).toThrow(`config.yaml:1: model_defaults.start: expected a day 'YYYY-MM-DD', got "soon"`);
  });

  it('reads SQLMesh-shaped unit tests and names the test of a malformed one', () => {
    const [t] = parseTests(`
test_x:
  model: Marts.X
  inputs:
    raw.events: [{a: 1}]
  outputs:
    query: [{a: 1}]
    ctes:
      Step: {rows: [{a: 2}]}
`, 'tests/t.yaml');
    expect(t).toEqual({ name: 'test_x', model: 'marts.x', inputs: { 'raw.events': { rows: [{ a: 1 }] } },
      outputs: { query: [{ a: 1 }], ctes: { step: [{ a: 2 }] } }, vars: {}, where: { file: 'tests/t.yaml', line: 2 } });
    expect(() => parseTests('\n\ntest_y:\n  model: m.y\n  outputs: {}\n', 'tests/t.yaml')).toThrow('tests/t.yaml:3: test test_y: outputs: expected query and/or ctes');
    expect(() => parseTests('test_z:\n  model: m.z\n  inputs:\n    a.b: 3\n  outputs: {query: []}\n', 'tests/t.yaml')).toThrow('tests/t.yaml:1: test test_z: inputs a.b: expected a list of rows (or rows: [...])');
    expect(() => parseTests('test_w: [\n', 'tests/t.yaml')).toThrow(/^tests\/t\.yaml:\d+: invalid YAML/);
  });
});
