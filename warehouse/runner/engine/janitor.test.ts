/**
 * The janitor and environments: referenced tables are never dropped (even with a zero TTL),
 * replaced ones wait out the TTL from the moment they were released, expired dev environments go.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from './apply';
import { dropEnvironment, environments } from './environments';
import { janitor } from './janitor';
import { plan, type PlanOptions } from './plan';
import { select } from './state';
import { at, rawEvWarehouse, RAW_EV, type RawEvWarehouse, type FileModel, type Workspace } from '../test-fixtures';

let con: DuckDBConnection;
let ws: Workspace;
let wh: RawEvWarehouse;
beforeEach(async () => ({ con, ws } = wh = await rawEvWarehouse(`('2026-01-01 10:00', 'a', 5), ('2026-01-02 09:00', 'b', 1)`)));
afterEach(() => wh.close());

const H = 3_600_000;
const T0 = at('2026-01-04T10:00');
const models = (factor: number): FileModel[] => [
  RAW_EV,
  { name: 's.daily', header: ['kind INCREMENTAL_BY_TIME_RANGE (time_column d)'], query: `select cast(ts as date) as d, sum(amount) * ${factor} as amount from raw.ev where ts between @start_ts and @end_ts group by 1` },
  { name: 'm.total', header: ['kind FULL'], query: 'select sum(amount) as amount from s.daily' },
  { name: 'm.v', header: ['kind VIEW'], query: 'select * from m.total' },
];

async function deploy(env: string, ms: FileModel[], now: number, opts: Partial<PlanOptions> = {}) {
  ws.write(ms);
  const { project, compiled } = await ws.load();
  const r = await applyPlan(con, await plan(con, project, compiled, env, { now, ...opts }), { clock: () => now });
  expect(r.swapped).toBe(true);
}

const physical = async () => (await select<{ n: string }>(con, `select table_name as n from duckdb_tables() where schema_name = 'wh_physical'
  union all select view_name from duckdb_views() where schema_name = 'wh_physical' order by 1`)).map((r) => r.n);

describe('janitor', () => {
  it('never drops what an environment references, even with a zero TTL', async () => {
    await deploy('prod', models(1), T0);
    await deploy('dev', models(2), T0);
    const before = await physical();
    const r = await janitor(con, { now: T0 + 100 * H, ttlHours: 0 }); // dev expires after 7 days
    expect(r.droppedTables).toEqual([]);
    expect(await physical()).toEqual(before);
    expect(await select(con, 'select amount::int as amount from m.total')).toEqual([{ amount: 6 }]);
    expect(await select(con, 'select amount::int as amount from m__dev.v')).toEqual([{ amount: 12 }]);
  });

  it('drops replaced tables once the TTL has passed since they were released, with their state', async () => {
    await deploy('prod', models(1), T0);
    const old = await physical();
    await deploy('prod', models(3), T0 + 100 * H); // every model replaced (breaking)
    expect((await janitor(con, { now: T0 + 110 * H, ttlHours: 24 })).droppedTables).toEqual([]); // released 10 h ago
    const r = await janitor(con, { now: T0 + 125 * H, ttlHours: 24 });
    expect(r.droppedTables.map((t) => t.model).sort()).toEqual(['m.total', 'm.v', 's.daily']);
    const now = await physical();
    expect(now.filter((n) => old.includes(n))).toEqual([]);
    expect(now).toHaveLength(3);
    expect(await select(con, 'select amount::int as amount from m.v')).toEqual([{ amount: 18 }]);
    expect(await select(con, `select count(*)::int as n from meta.intervals where model = 's.daily'`)).toEqual([{ n: 1 }]);
  });

  it('drops expired dev environments (views and schemas) and later their own tables, never prod', async () => {
    await deploy('prod', models(1), T0);
    const prodTables = await physical();
    await deploy('dev', models(5), T0, { envTtlHours: 1 });
    expect((await environments(con)).map((e) => e.env)).toEqual(['dev', 'prod']);
    const r = await janitor(con, { now: T0 + 2 * H, ttlHours: 0 });
    expect(r.droppedEnvironments).toEqual(['dev']);
    expect(r.droppedTables.map((t) => t.model).sort()).toEqual(['m.total', 'm.v', 's.daily']);
    expect(await physical()).toEqual(prodTables);
    expect(await select(con, `select schema_name from duckdb_schemas() where schema_name like '%__dev'`)).toEqual([]);
    expect((await environments(con)).map((e) => e.env)).toEqual(['prod']);
  });
});

describe('janitor and SQL macro versions', () => {
  const macroModels: FileModel[] = [RAW_EV, { name: 'm.scaled', header: ['kind FULL'], query: 'select macros.scale(sum(amount)) as amount from raw.ev' }];
  const deployMacro = async (body: string, now: number) => {
    ws.write(macroModels, { 'macros/scale.sql': `CREATE MACRO unit() AS 1;\nCREATE MACRO scale(x) AS x * ${body} * macros.unit();\n` });
    const { project, compiled } = await ws.load();
    const r = await applyPlan(con, await plan(con, project, compiled, 'prod', { now }), { clock: () => now });
    expect(r.swapped).toBe(true);
  };
  const macroVersions = async () => (await select<{ n: string }>(con, `select distinct function_name as n from duckdb_functions()
    where schema_name = 'wh_physical' and function_name like 'macro\_\_%' escape '\\' order by 1`)).map((r) => r.n.replace(/__[0-9a-f]{12}$/, ''));

  it('drops the macro versions no remaining snapshot calls, with the versions of the models that called them', async () => {
    await deployMacro('2', T0);
    expect(await macroVersions()).toEqual(['macro__scale', 'macro__unit']);
    await deployMacro('3', T0 + H);
    expect(await macroVersions()).toEqual(['macro__scale', 'macro__scale', 'macro__unit']);
    // within the TTL the old model version, and so its macro version, stays (a rollback is a view swap)
    expect((await janitor(con, { now: T0 + 2 * H, ttlHours: 24 })).droppedTables).toEqual([]);
    expect(await macroVersions()).toEqual(['macro__scale', 'macro__scale', 'macro__unit']);
    const r = await janitor(con, { now: T0 + 30 * H, ttlHours: 24 });
    expect(r.droppedTables.map((t) => t.model)).toEqual(['m.scaled']);
    expect(r.droppedMacros).toHaveLength(1);
    expect(await macroVersions()).toEqual(['macro__scale', 'macro__unit']);
    // what prod computes still works: the kept version is the one its table was built with
    expect((await select<{ amount: number }>(con, 'select amount::int as amount from m.scaled'))[0]!.amount).toBe(18);
  });
});

describe('environments', () => {
  it('drops a dev environment\'s views but refuses prod', async () => {
    await deploy('prod', models(1), T0);
    await deploy('dev', models(1), T0);
    expect(await dropEnvironment(con, 'dev', T0)).toEqual({ views: 3 });
    expect(await select(con, `select view_name from duckdb_views() where schema_name like '%__dev'`)).toEqual([]);
    await expect(dropEnvironment(con, 'prod')).rejects.toThrow(/prod cannot be dropped/);
    expect(await select(con, 'select amount::int as amount from m.v')).toEqual([{ amount: 6 }]);
  });
});
