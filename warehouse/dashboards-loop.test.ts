/**
 * The loop's dashboards step: a snapshot after a cycle whose models changed a mart or a seed, at
 * most once per interval, a change inside the interval written by the first cycle after it, and one
 * line that `npm start` reacts to. Real DuckDB on the writer's connection, as `wh loop` runs it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_WRITTEN, dashboardsSnapshotLoop, snapshotPlanner } from './dashboards-loop';
import { rows } from './db';

describe('snapshotPlanner', () => {
  it('writes on the first cycle, then only after a change in marts or seeds, at most once per interval', () => {
    const p = snapshotPlanner(15_000);
    expect(p.due([], 0)).toBe(true); // first cycle: the site must show this warehouse
    p.written(0);
    expect(p.due([], 5_000)).toBe(false);
    expect(p.due(['staging.stg_events'], 5_000)).toBe(false); // not in the snapshot
    expect(p.due(['marts.fct_ggr_daily'], 6_000)).toBe(false); // changed, but inside the interval
    expect(p.due([], 14_999)).toBe(false);
    expect(p.due([], 15_000)).toBe(true); // the change is not lost: written by the first cycle after it
    p.written(15_000);
    expect(p.due([], 40_000)).toBe(false);
    expect(p.due(['seeds.fx_rates'], 40_000)).toBe(true);
  });
});

describe('dashboardsSnapshotLoop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wh-dash-loop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('snapshots on the writer connection after the models changed a mart, and says so on one line', async () => {
    const instance = await DuckDBInstance.create(join(dir, 'casino.duckdb'));
    const con = await instance.connect();
    const out = join(dir, 'dashboards.duckdb');
    const lines: string[] = [];
    let now = 0;
    const step = dashboardsSnapshotLoop({ out, minIntervalMs: 10_000, log: (l) => lines.push(l), clock: () => now });
    try {
      // No prod yet: nothing to copy, no line, and the first snapshot still pending.
      expect(await step.cycle(con, { changed: [] })).toBeNull();
      expect(existsSync(out)).toBe(false);

      await con.run(`create schema marts; create schema seeds;
        create table marts.fct_ggr_daily as select 1 as ggr_minor; create table seeds.brands as select 'aurora' as brand_id`);
      const first = await step.cycle(con, { changed: ['marts.fct_ggr_daily'] });
      expect(first?.tables).toEqual([{ name: 'marts.fct_ggr_daily', rows: 1 }, { name: 'seeds.brands', rows: 1 }]);
      expect(lines.at(-1)).toContain(SNAPSHOT_WRITTEN);
      expect(lines.at(-1)).toContain(out);

      await con.run('insert into marts.fct_ggr_daily values (2)');
      now = 3_000;
      expect(await step.cycle(con, { changed: ['marts.fct_ggr_daily'] })).toBeNull(); // inside the interval
      now = 10_000;
      const second = await step.cycle(con, { changed: [] });
      expect(second?.tables[0]).toEqual({ name: 'marts.fct_ggr_daily', rows: 2 });
      expect(lines.filter((l) => l.includes(SNAPSHOT_WRITTEN))).toHaveLength(2);

      // The snapshot holds the new row, read back from the file.
      const reader = await DuckDBInstance.create(out, { access_mode: 'READ_ONLY' });
      const rc = await reader.connect();
      expect(await rows(rc, 'select count(*)::int as n from marts.fct_ggr_daily')).toEqual([{ n: 2 }]);
      rc.closeSync();
      reader.closeSync();
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });
});
