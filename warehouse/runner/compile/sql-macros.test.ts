/**
 * User SQL macros (macros/*.sql) through the real pipeline: loaded, compiled, versioned, created in
 * a warehouse file by a plan, called by a VIEW that other processes open, and re-versioning exactly
 * the models that use an edited macro.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../engine/apply';
import { plan, type Plan } from '../engine/plan';
import { ensureState, select } from '../engine/state';
import { runUnitTests } from '../checks/unit-test';
import { snapshotWarehouse } from '../../dashboards-snapshot';
import { at, type FileModel, workspace, type Workspace } from '../test-fixtures';

const NOW = at('2026-01-04T10:00');

const MONEY = `-- Money conversions, written once.
CREATE MACRO minor_unit(exponent) AS
  CAST(CASE exponent WHEN 0 THEN 1 WHEN 2 THEN 0.01 WHEN 3 THEN 0.001 END AS DECIMAL(18, 8));

CREATE OR REPLACE MACRO macros.minor_to_major(amount_minor, exponent) AS
  CAST(amount_minor AS DECIMAL(20, 0)) * macros.minor_unit(exponent);

CREATE MACRO minor_to_eur(amount_minor, exponent, rate_to_eur) AS
  macros.minor_to_major(amount_minor, exponent) * rate_to_eur;
`;

const MODELS: FileModel[] = [
  { name: 'raw.pay', header: ['kind EXTERNAL', 'columns (amount_minor BIGINT, exponent INTEGER, rate DECIMAL(18, 10))'] },
  // Uses minor_to_eur (and through it minor_to_major and minor_unit).
  { name: 'marts.eur', header: ['kind VIEW'], query: 'select round(macros.minor_to_eur(amount_minor, exponent, rate), 2) as eur from raw.pay' },
  // Uses minor_to_major only.
  { name: 'marts.major', header: ['kind FULL'], query: 'select macros.minor_to_major(amount_minor, exponent) as major from raw.pay' },
  { name: 'marts.plain', header: ['kind FULL'], query: 'select amount_minor from raw.pay' },
];

let dir: string;
let file: string;
let instance: DuckDBInstance;
let con: DuckDBConnection;
let ws: Workspace;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wh-macros-'));
  file = join(dir, 'wh.duckdb');
  instance = await DuckDBInstance.create(file);
  con = await instance.connect();
  await ensureState(con);
  await con.run(`create schema raw; create table raw.pay as select * from (values (12345::bigint, 2, 0.5::decimal(18, 10)), (7, 0, 2::decimal(18, 10)), (1001, 3, 1::decimal(18, 10))) t(amount_minor, exponent, rate)`);
  ws = workspace(con);
});
afterEach(() => {
  try { con.closeSync(); instance.closeSync(); } catch { /* closed by the test */ }
  ws.remove();
  rmSync(dir, { recursive: true, force: true });
});

async function planFor(env: string, money = MONEY, models = MODELS): Promise<Plan> {
  ws.write(models, { 'macros/money.sql': money });
  const { project, compiled } = await ws.load();
  return plan(con, project, compiled, env, { now: NOW });
}

async function apply(p: Plan): Promise<void> {
  const r = await applyPlan(con, p, { clock: () => NOW });
  expect(r.outcomes.filter((o) => o.outcome !== 'ok')).toEqual([]);
  expect(r.swapped).toBe(true);
}

const changes = (p: Plan) => Object.fromEntries(p.models.filter((m) => m.name !== 'raw.pay').map((m) => [m.name, m.change]));
const loadError = async (money: string, models = MODELS) => {
  ws.write(models, { 'macros/money.sql': money });
  return ws.load().then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
};

describe('user SQL macros', () => {
  it('are created as versioned objects before the models that call them, and the models compute with them', async () => {
    const p = await planFor('prod');
    const eur = p.models.find((m) => m.name === 'marts.eur')!.compiled;
    expect(eur.macros!.map((m) => m.name)).toEqual(['minor_unit', 'minor_to_major', 'minor_to_eur']);
    expect(p.models.find((m) => m.name === 'marts.plain')!.compiled.macros).toBeUndefined();
    await apply(p);
    const fns = await select<{ f: string }>(con, `select function_name as f from duckdb_functions() where schema_name = 'wh_physical' order by 1`);
    expect(fns.map((r) => r.f.replace(/__[0-9a-f]{12}$/, ''))).toEqual(['macro__minor_to_eur', 'macro__minor_to_major', 'macro__minor_unit']);
    expect(await select(con, 'select eur::varchar as eur from marts.eur order by 1')).toEqual([{ eur: '1.00' }, { eur: '14.00' }, { eur: '61.73' }]);
    expect(await select(con, 'select major::varchar as major, typeof(major) as t from marts.major order by major')).toEqual([
      { major: '1.00100000', t: 'DECIMAL(38,8)' }, { major: '123.45000000', t: 'DECIMAL(38,8)' }, { major: '7.00000000', t: 'DECIMAL(38,8)' },
    ]);
  });

  it('keep a VIEW working when another process opens the warehouse (read-only, or attached by the dashboards snapshot)', async () => {
    await apply(await planFor('prod'));
    con.closeSync();
    instance.closeSync();
    const script = `
      const { DuckDBInstance } = require('@duckdb/node-api');
      (async () => {
        const db = await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
        const c = await db.connect();
        console.log(JSON.stringify((await c.runAndReadAll('select eur::varchar as eur from marts.eur order by 1')).getRowObjectsJson()));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const got = JSON.parse(execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8', cwd: join(import.meta.dirname, '..', '..', '..') }));
    expect(got).toEqual([{ eur: '1.00' }, { eur: '14.00' }, { eur: '61.73' }]);

    const snap = await snapshotWarehouse({ db: file }, join(dir, 'dashboards.duckdb'), { lockWaitMs: 0 });
    expect(snap.tables.find((t) => t.name === 'marts.eur')).toEqual({ name: 'marts.eur', rows: 3 });
  });

  it('re-version exactly the models that use an edited macro, directly or through another macro', async () => {
    await apply(await planFor('prod'));
    // Comments and layout are not the macro's meaning.
    expect(changes(await planFor('prod', MONEY.replace('-- Money conversions, written once.', '-- reworded').replace('AS\n  macros.minor_to_major', 'AS macros.minor_to_major'))))
      .toEqual({ 'marts.eur': 'unchanged', 'marts.major': 'unchanged', 'marts.plain': 'unchanged' });
    const roundedEur = MONEY.replace('macros.minor_to_major(amount_minor, exponent) * rate_to_eur', 'round(macros.minor_to_major(amount_minor, exponent) * rate_to_eur, 4)');
    const p = await planFor('prod', roundedEur);
    expect(changes(p)).toEqual({ 'marts.eur': 'directly_modified', 'marts.major': 'unchanged', 'marts.plain': 'unchanged' });
    const eur = p.models.find((m) => m.name === 'marts.eur')!;
    expect(eur.category).toBe('breaking');
    // The file did not change: the plan says which macro did.
    expect(eur.diff).toMatch(/^macro macros\.minor_to_eur: [0-9a-f]{12} -> [0-9a-f]{12}$/);
    // minor_unit is called by minor_to_major, itself called by minor_to_eur: both models move.
    const withExponent8 = MONEY.replace('WHEN 3 THEN 0.001 END', 'WHEN 3 THEN 0.001 WHEN 8 THEN 0.00000001 END');
    expect(changes(await planFor('prod', withExponent8))).toEqual({ 'marts.eur': 'directly_modified', 'marts.major': 'directly_modified', 'marts.plain': 'unchanged' });
  });

  it('edited in a dev environment, leave what prod computes alone', async () => {
    await apply(await planFor('prod'));
    await apply(await planFor('dev', MONEY.replace('* rate_to_eur;', '* rate_to_eur * 2;')));
    expect(await select(con, 'select eur::varchar as eur from marts__dev.eur order by 1')).toEqual([{ eur: '123.45' }, { eur: '2.00' }, { eur: '28.00' }]);
    expect(await select(con, 'select eur::varchar as eur from marts.eur order by 1')).toEqual([{ eur: '1.00' }, { eur: '14.00' }, { eur: '61.73' }]);
  });

  it('run in unit tests as written', async () => {
    ws.write(MODELS, {
      'macros/money.sql': MONEY,
      'tests/eur.yaml': `test_eur:\n  model: marts.eur\n  inputs:\n    raw.pay: [{amount_minor: 250, exponent: 2, rate: 0.5}]\n  outputs:\n    query: [{eur: 1.25}]\n`,
    });
    const { project } = await ws.load();
    const s = await runUnitTests(project);
    expect(s.results.map((r) => [r.name, r.ok, r.failures])).toEqual([['test_eur', true, []]]);
  });

  it('type a test\'s input rows as the upstream model that calls a macro outputs them (DECIMAL, not DOUBLE)', async () => {
    ws.write([
      ...MODELS,
      { name: 'marts.exact', header: ['kind FULL'], query: 'select macros.minor_to_eur(amount_minor, exponent, rate) as eur from raw.pay' },
      { name: 'marts.total', header: ['kind FULL'], query: 'select round(sum(eur), 2) as total from marts.exact' },
    ], {
      'macros/money.sql': MONEY,
      // 12.5125 + 0.0125 = 12.525 exactly, rounded to 12.53; as DOUBLEs the sum is 12.52499... and rounds to 12.52.
      'tests/total.yaml': `test_total:\n  model: marts.total\n  inputs:\n    marts.exact: [{eur: 12.5125}, {eur: 0.0125}]\n  outputs:\n    query: [{total: 12.53}]\n`,
    });
    const s = await runUnitTests((await ws.load()).project);
    expect(s.results.map((r) => [r.name, r.ok, r.failures])).toEqual([['test_total', true, []]]);
  });

  it('work as the operand of a simple CASE, which DuckDB\'s parse tree copies into every WHEN (one call in the text, one rewrite)', async () => {
    const money = `${MONEY}\nCREATE MACRO scale_name(exponent) AS\n  CASE macros.minor_unit(exponent) WHEN 1 THEN 'units' WHEN 0.01 THEN 'cents' ELSE 'other' END;\n`;
    const models: FileModel[] = [
      ...MODELS,
      { name: 'marts.scale', header: ['kind FULL'], query: "select amount_minor, case macros.minor_unit(exponent) when 1 then 'whole' when 0.01 then 'hundredths' else 'finer' end as unit, macros.scale_name(exponent) as name from raw.pay" },
    ];
    const p = await planFor('prod', money, models);
    await apply(p);
    expect(await select(con, 'select amount_minor::varchar as a, unit, name from marts.scale order by amount_minor')).toEqual([
      { a: '7', unit: 'whole', name: 'units' }, { a: '1001', unit: 'finer', name: 'other' }, { a: '12345', unit: 'hundredths', name: 'cents' },
    ]);
  });

  it('name the file and line of every mistake', async () => {
    expect(await loadError('CREATE MACRO broken(a) AS a +;\n'))
      .toBe('ModelError: macros/money.sql:1: macro broken: syntax error at end of input');
    expect(await loadError(`${MONEY}\nCREATE MACRO worse(a) AS\n  CASE a WHEN 1 THEN 2 END END;\n`))
      .toBe('ModelError: macros/money.sql:12: macro worse: syntax error at or near "END"');
    expect(await loadError('CREATE MACRO f(a) AS no_such_function(a);\n'))
      .toMatch(/^ModelError: macros\/money\.sql:1: macro f cannot be created: Catalog Error: Scalar Function with name no_such_function does not exist!/);
    expect(await loadError('CREATE MACRO f(a) AS macros.g(a);\n')).toBe('ModelError: macros/money.sql:1: unknown macro macros.g: no CREATE MACRO g in macros/*.sql');
    expect(await loadError('CREATE MACRO f(a) AS macros.g(a);\nCREATE MACRO g(a) AS macros.f(a);\n')).toBe('ModelError: macros/money.sql:1: macro cycle: f -> g -> f');
    expect(await loadError('CREATE TEMP MACRO f(a) AS a;\n')).toBe('ModelError: macros/money.sql:1: a TEMP macro would not persist in the warehouse: write CREATE MACRO');
    expect(await loadError('SELECT 1;\n')).toBe('ModelError: macros/money.sql:1: a macro file holds CREATE MACRO name(params) AS expression; (or AS TABLE query;) statements, found SELECT');
    expect(await loadError(MONEY, [...MODELS, { name: 'marts.typo', header: ['kind VIEW'], query: 'select\n  macros.minor_to_euro(1, 2, 3) as x' }]))
      .toBe('ModelError: marts/typo.sql:7: unknown macro macros.minor_to_euro: no CREATE MACRO minor_to_euro in macros/*.sql');
  });
});

describe('audits that call SQL macros', () => {
  // Bad rows: more than @max_major major units (12345 minor at exponent 2 = 123.45).
  const AUDIT = `-- Amounts above a limit, in major units.
AUDIT (name major_at_most, defaults (max_major = 100));
SELECT amount_minor FROM @this_model
WHERE macros.minor_to_major(amount_minor, exponent) > @max_major
`;
  const audited = (audit: string): FileModel[] => [
    ...MODELS,
    { name: 'marts.audited', header: ['kind FULL', `audits (${audit})`], query: 'select amount_minor, exponent from raw.pay' },
  ];

  it('compile through the same macro expansion as models: the audit runs against the macro version', async () => {
    ws.write(audited('major_at_most_non_blocking(max_major := 100)'), { 'macros/money.sql': MONEY, 'audits/major.sql': AUDIT });
    const { project, compiled } = await ws.load();
    const r = await applyPlan(con, await plan(con, project, compiled, 'prod', { now: NOW }), { clock: () => NOW });
    const o = r.outcomes.find((x) => x.model === 'marts.audited')!;
    expect(o.outcome, o.error ?? '').toBe('ok');
    expect(o.audits).toMatchObject([{ audit: 'major_at_most', blocking: false, ok: false, badRows: 1, sample: [{ amount_minor: 12345 }] }]);
    expect(o.audits[0]!.sql).toMatch(/"wh_physical"\."macro__minor_to_major__[0-9a-f]{12}"\(/);
  });

  it('an unknown macro in an audit is an error at its line, before any plan', async () => {
    ws.write(audited('major_at_most'), { 'macros/money.sql': MONEY, 'audits/major.sql': AUDIT.replace('macros.minor_to_major', 'macros.minor_to_mayor') });
    const err = await ws.load().then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);
    expect(err).toMatch(/audits\/major\.sql:4/);
    expect(err).toMatch(/unknown macro macros\.minor_to_mayor: no CREATE MACRO minor_to_mayor in macros\/\*\.sql/);
  });
});
