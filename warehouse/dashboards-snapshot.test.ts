/**
 * `wh snapshot`: the dashboards' copy of prod's marts and seeds must open in the DuckDB that
 * Evidence's connector runs (1.4, installed in dashboards/node_modules), hold plain tables with the
 * marts' rows and types (views over versioned physical tables resolved), leave out everything
 * else, and replace an earlier snapshot whole.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_STORAGE_VERSION, snapshotWarehouse } from './dashboards-snapshot';

const dashboardsDuckdb = resolve(import.meta.dirname, '..', 'dashboards', 'node_modules', '@duckdb', 'node-api');

describe('wh snapshot', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wh-snapshot-'));
    db = join(dir, 'casino.duckdb');
    const instance = await DuckDBInstance.create(db);
    const con = await instance.connect();
    // The runner's layout: a versioned physical table, prod's mart a view over it; a seed; raw and meta.
    await con.run(`
      create schema wh_physical; create schema marts; create schema seeds; create schema raw; create schema meta;
      create table wh_physical.marts__fct_ggr_daily__v1 as
        select date '2026-11-01' + i::int as activity_date, case when i % 2 = 0 then 'aurora' else 'sakura' end as brand,
               (i * 100)::bigint as ggr_minor, (i * 1.25)::decimal(18,2) as ggr_eur, ['a', 'b']::varchar[] as tags
        from range(10) t(i);
      create view marts.fct_ggr_daily as select * from wh_physical.marts__fct_ggr_daily__v1;
      create table seeds.brands as select 'aurora' as brand_id, 'Aurora Casino' as name;
      create table raw.events as select 'e1' as event_id;
      create table meta.snapshots as select 1 as id;`);
    con.closeSync();
    instance.closeSync();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies marts and seeds as plain tables that Evidence\'s DuckDB 1.4 opens, and nothing else', async () => {
    const out = join(dir, 'dashboards.duckdb');
    const s = await snapshotWarehouse({ db }, out, { lockWaitMs: 0 });
    expect(s.tables).toEqual([{ name: 'marts.fct_ggr_daily', rows: 10 }, { name: 'seeds.brands', rows: 1 }]);
    expect(existsSync(`${out}.partial`)).toBe(false);

    // The reader the dashboards use, as installed in dashboards/ (1.4.x), not the warehouse's 1.5: in
    // a process of its own (two DuckDB native libraries in one process share symbols).
    const script = `
      const { DuckDBInstance } = require(${JSON.stringify(dashboardsDuckdb)});
      (async () => {
        const reader = await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
        const con = await reader.connect();
        const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
        console.log(JSON.stringify({
          version: (await q('select version() as v'))[0].v,
          totals: await q("select brand, sum(ggr_minor)::bigint as ggr_minor, sum(ggr_eur) as ggr_eur, any_value(tags) as tags from marts.fct_ggr_daily group by 1 order by 1"),
          tables: (await q("select schema_name || '.' || table_name as t from duckdb_tables() order by 1")).map((r) => r.t),
          views: (await q('select count(*)::int as n from duckdb_views() where not internal'))[0].n,
          info: await q('select relation, row_count::int as row_count from snapshot.info order by 1'),
        }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const got = JSON.parse(execFileSync(process.execPath, ['-e', script, out], { encoding: 'utf8' }));
    expect(got.version).toMatch(/^v1\.4\./);
    expect(got.totals).toEqual([
      { brand: 'aurora', ggr_minor: '2000', ggr_eur: '25.00', tags: ['a', 'b'] },
      { brand: 'sakura', ggr_minor: '2500', ggr_eur: '31.25', tags: ['a', 'b'] },
    ]);
    expect(got.tables).toEqual(['marts.fct_ggr_daily', 'seeds.brands', 'snapshot.info']);
    expect(got.views).toBe(0);
    expect(got.info).toEqual([{ relation: 'marts.fct_ggr_daily', row_count: 10 }, { relation: 'seeds.brands', row_count: 1 }]);
    expect(SNAPSHOT_STORAGE_VERSION).toBe('v1.4.0');
  });

  it('replaces an earlier snapshot whole', async () => {
    const out = join(dir, 'again.duckdb');
    const first = await snapshotWarehouse({ db }, out, { lockWaitMs: 0 });
    const second = await snapshotWarehouse({ db }, out, { lockWaitMs: 0 });
    expect(second.taken_at >= first.taken_at).toBe(true);
    const reader = await DuckDBInstance.create(out, { access_mode: 'READ_ONLY' });
    const con = await reader.connect();
    try {
      const rows = (await con.runAndReadAll('select distinct taken_at::varchar as t from snapshot.info')).getRowObjectsJson();
      expect(rows).toHaveLength(1);
    } finally {
      con.closeSync();
      reader.closeSync();
    }
  });

  it('--brand keeps that brand\'s rows and players, reference seeds whole, and copies cross-brand marts empty', async () => {
    const scoped = join(dir, 'scoped-casino.duckdb');
    const instance = await DuckDBInstance.create(scoped);
    const con = await instance.connect();
    await con.run(`
      create schema marts; create schema seeds;
      create table marts.dim_players as select * from (values ('p1', 'aurora'), ('p2', 'sakura'), ('p3', 'aurora')) t(player_id, brand);
      create table marts.fct_ggr_daily as select * from (values ('aurora', 100), ('sakura', 999), (null, 5)) t(brand, ggr_minor);
      create table marts.fct_player_daily as select * from (values ('p1', 10), ('p2', 20), ('p3', 30)) t(player_id, deposits_minor);
      create table marts.fct_table_performance as select * from (values ('roulette-1', 12345)) t(table_id, handle_minor);
      create table seeds.games as select * from (values ('g1'), ('g2')) t(game_id);`);
    con.closeSync();
    instance.closeSync();
    const out = join(dir, 'aurora.duckdb');
    const s = await snapshotWarehouse({ db: scoped }, out, { lockWaitMs: 0, brand: 'aurora' });
    expect(s.brand).toBe('aurora');
    expect(s.withheld).toEqual(['marts.fct_table_performance']);
    expect(s.tables).toEqual([
      { name: 'marts.dim_players', rows: 2 }, { name: 'marts.fct_ggr_daily', rows: 1 }, { name: 'marts.fct_player_daily', rows: 2 },
      { name: 'marts.fct_table_performance', rows: 0 }, { name: 'seeds.games', rows: 2 },
    ]);
    const reader = await DuckDBInstance.create(out, { access_mode: 'READ_ONLY' });
    const rc = await reader.connect();
    try {
      const q = async (sql: string) => (await rc.runAndReadAll(sql)).getRowObjectsJson();
      expect(await q('select sum(ggr_minor)::int as ggr from marts.fct_ggr_daily')).toEqual([{ ggr: 100 }]);
      expect(await q('select list(player_id order by player_id) as ids from marts.fct_player_daily')).toEqual([{ ids: ['p1', 'p3'] }]);
      expect(await q("select count(*)::int as n from snapshot.info where brand = 'aurora'")).toEqual([{ n: 5 }]);
      // The empty mart keeps its columns: the pages' queries still compile.
      expect(await q("select count(*)::int as n from (describe marts.fct_table_performance)")).toEqual([{ n: 2 }]);
    } finally {
      rc.closeSync();
      reader.closeSync();
    }
    await expect(snapshotWarehouse({ db: scoped }, join(dir, 'bad.duckdb'), { lockWaitMs: 0, brand: "x' or 1=1 --" })).rejects.toThrow(/not a brand id/);
  });

  it('refuses a warehouse without marts, naming the fix', async () => {
    const empty = join(dir, 'empty.duckdb');
    const instance = await DuckDBInstance.create(empty);
    instance.closeSync();
    await expect(snapshotWarehouse({ db: empty }, join(dir, 'x.duckdb'), { lockWaitMs: 0 })).rejects.toThrow(/no marts in the warehouse yet/);
  });
});
