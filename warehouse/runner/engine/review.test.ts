/**
 * Review findings: each test pins a defect that gave a wrong number, lost or duplicated rows, or let
 * a dev plan reach prod.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from './apply';
import { plan, type PlanOptions } from './plan';
import { run } from './run';
import { select } from './state';
import { at, stateDb, RAW_EV, workspace, type FileModel, type Workspace } from '../test-fixtures';

let db: Awaited<ReturnType<typeof stateDb>>;
let con: DuckDBConnection;
let ws: Workspace;
beforeEach(async () => {
  db = await stateDb();
  con = db.con;
  ws = workspace(con);
  await con.run('create schema raw; create table raw.ev (ts timestamp, player varchar, amount int)');
});
afterEach(() => {
  db.close();
  ws.remove();
});

async function deploy(env: string, ms: FileModel[], now: number, opts: Partial<PlanOptions> = {}) {
  ws.write(ms);
  const { project, compiled } = await ws.load();
  const p = await plan(con, project, compiled, env, { now, ...opts });
  const r = await applyPlan(con, p, { clock: () => now });
  expect(r.outcomes.filter((o) => o.outcome !== 'ok')).toEqual([]);
  expect(r.swapped).toBe(true);
  return p;
}
const ev = (rows: [string, string | null, number][]) => con.run(`insert into raw.ev values ${rows.map(([t, p, a]) => `('${t}', ${p === null ? 'null' : `'${p}'`}, ${a})`).join(', ')}`);

describe('INCREMENTAL_BY_UNIQUE_KEY', () => {
  const LATEST: FileModel = { name: 's.latest', header: ['kind INCREMENTAL_BY_UNIQUE_KEY (unique_key player)', 'allow_partials true'],
    query: 'select player, sum(amount) as amount from raw.ev where ts between @start_ts and @end_ts group by player' };

  it('a NULL key is a key: re-merging its interval replaces the row instead of adding another', async () => {
    await ev([['2026-01-01 10:00', null, 5], ['2026-01-01 11:00', 'a', 1]]);
    await deploy('prod', [RAW_EV, LATEST], at('2026-01-01T12:00'));
    await run(con, 'prod', { now: at('2026-01-01T12:30') });
    await run(con, 'prod', { now: at('2026-01-01T13:30') });
    expect(await select(con, 'select player, amount::int as amount from s.latest order by all')).toEqual([{ player: 'a', amount: 1 }, { player: null, amount: 5 }]);
  });

  it('a batch with two rows for one key fails the build instead of storing both', async () => {
    await ev([['2026-01-01 10:00', 'a', 5], ['2026-01-01 11:00', 'a', 1], ['2026-01-01 11:00', 'b', 2]]);
    ws.write([RAW_EV, { name: 's.last', header: ['kind INCREMENTAL_BY_UNIQUE_KEY (unique_key player)'],
      query: 'select player, amount from raw.ev where ts between @start_ts and @end_ts' }]);
    const { project, compiled } = await ws.load();
    const r = await applyPlan(con, await plan(con, project, compiled, 'prod', { now: at('2026-01-02T01:00') }), { clock: () => at('2026-01-02T01:00') });
    expect(r.swapped).toBe(false);
    expect(r.outcomes[0]!.error).toMatch(/s\/last\.sql:\d+: s\.last: .*unique_key \(player\).*'a'/);
    expect(await select(con, "select count(*)::int as n from meta.intervals where model = 's.last'")).toEqual([{ n: 0 }]);
  });
});

describe('restating an INCREMENTAL_BY_UNIQUE_KEY model', () => {
  it('rebuilds it whole: a key the fixed source no longer produces does not survive', async () => {
    await ev([['2026-01-01 10:00', 'a', 5], ['2026-01-02 10:00', 'bot', 1], ['2026-01-03 10:00', 'b', 2]]);
    const ms: FileModel[] = [RAW_EV, { name: 's.players', header: ['kind INCREMENTAL_BY_UNIQUE_KEY (unique_key player)'],
      query: 'select player, max(ts) as last_seen from raw.ev where ts between @start_ts and @end_ts group by player' }];
    const now = at('2026-01-04T10:00');
    await deploy('prod', ms, now);
    await con.run("delete from raw.ev where player = 'bot'"); // the fix: test traffic removed at the source
    await deploy('prod', ms, now, { restate: { models: ['s.players'], start: '2026-01-02', end: '2026-01-02' } });
    expect(await select(con, 'select player from s.players order by all')).toEqual([{ player: 'a' }, { player: 'b' }]);
  });
});

describe('INCREMENTAL_BY_TIME_RANGE', () => {
  it('a DATE time column with hourly intervals: each hour recomputes its whole day, so the day ends with all its rows', async () => {
    await ev([['2026-01-01 00:10', 'a', 5]]);
    await deploy('prod', [RAW_EV, { name: 's.daily', header: ['kind INCREMENTAL_BY_TIME_RANGE (time_column d)', "cron '@hourly'"],
      query: 'select cast(ts as date) as d, sum(amount) as amount from raw.ev where cast(ts as date) between @start_ds and @end_ds group by all' }], at('2026-01-01T01:00'));
    for (let h = 2; h <= 24; h++) {
      if (h === 6) await ev([['2026-01-01 05:00', 'a', 1]]);
      if (h === 24) await ev([['2026-01-01 23:00', 'a', 10]]);
      await run(con, 'prod', { now: at('2026-01-01T00:00') + h * 3_600_000 });
    }
    expect(await select(con, 'select d::varchar as d, amount::int as amount from s.daily')).toEqual([{ d: '2026-01-01', amount: 16 }]);
  });
});

describe('dev plans limited by --start/--end', () => {
  const DAILY = 'select cast(ts as date) as d, player, sum(amount) as amount from raw.ev where ts between @start_ts and @end_ts group by all';
  const base: FileModel[] = [RAW_EV,
    { name: 's.daily', header: ['kind INCREMENTAL_BY_TIME_RANGE (time_column d)'], query: DAILY },
    { name: 'm.totals', header: ['kind FULL'], query: 'select player, sum(amount) as amount from s.daily group by player' },
    { name: 'm.big', header: ['kind VIEW'], query: 'select player, amount from m.totals where amount > 0' },
    { name: 'm.roll', header: ['kind INCREMENTAL_BY_TIME_RANGE (time_column d)'],
      query: 'select d, sum(amount) over (order by d) as running from (select d, sum(amount) as amount from s.daily group by d) where d between @start_ds and @end_ds' }];
  const changed = base.map((m) => (m.name === 's.daily' ? { ...m, query: DAILY.replace('sum(amount)', 'sum(amount * 10)') } : m));

  it('never hand prod a table computed from a parent that holds only the limited range', async () => {
    await ev([['2026-01-01 10:00', 'a', 5], ['2026-01-02 10:00', 'a', 1], ['2026-01-03 10:00', 'a', 2]]);
    const now = at('2026-01-04T10:00');
    await deploy('prod', base, now);
    await deploy('dev', changed, now, { start: '2026-01-02', end: '2026-01-02' });
    expect(await select(con, 'select amount::int as amount from m__dev.totals')).toEqual([{ amount: 10 }]); // dev previews the range
    const promote = await deploy('prod', changed, now);
    // the limited model itself is reused (its intervals are exact); what was computed from it is not
    expect(promote.models.find((m) => m.name === 's.daily')!.backfill.length).toBe(2);
    expect(await select(con, 'select amount::int as amount from m.totals')).toEqual([{ amount: 80 }]);
    expect(await select(con, 'select amount::int as amount from m.big')).toEqual([{ amount: 80 }]);
    expect(await select(con, 'select d::varchar as d, running::int as running from m.roll order by d')).toEqual([
      { d: '2026-01-01', running: 50 }, { d: '2026-01-02', running: 60 }, { d: '2026-01-03', running: 80 }]);
  });
});

describe('model names and environment schemas', () => {
  it('a schema name with __ (or a runner schema) is refused: dev env "old" would otherwise replace prod\'s view of staging__old.t', async () => {
    ws.write([RAW_EV,
      { name: 'staging.t', header: ['kind FULL'], query: 'select 1 as x' },
      { name: 'staging__old.t', header: ['kind FULL'], query: 'select 2 as x' }]);
    await expect(ws.load()).rejects.toThrow(/staging__old\/t\.sql:1: model name staging__old\.t: .*__/);
    ws.write([RAW_EV, { name: 'meta.t', header: ['kind FULL'], query: 'select 2 as x' }]);
    await expect(ws.load()).rejects.toThrow(/meta\/t\.sql:1: model name meta\.t: schema meta is the runner's/);
  });
});

describe('forward-only changes of a column type', () => {
  const kind = 'kind INCREMENTAL_BY_TIME_RANGE (time_column d, forward_only true)';
  const q = (expr: string) => `select cast(ts as date) as d, ${expr} as amount from raw.ev where ts between @start_ts and @end_ts group by all`;

  it('widen the kept table\'s column instead of casting new values into the old type', async () => {
    await ev([['2026-01-01 10:00', 'a', 1], ['2026-01-02 10:00', 'a', 1], ['2026-01-02 11:00', 'a', 2]]);
    await deploy('prod', [RAW_EV, { name: 's.daily', header: [kind], query: q('sum(amount)::int') }], at('2026-01-02T01:00'));
    await deploy('prod', [RAW_EV, { name: 's.daily', header: [kind], query: q('avg(amount)') }], at('2026-01-03T01:00'));
    expect(await select(con, 'select d::varchar as d, amount from s.daily order by d')).toEqual([{ d: '2026-01-01', amount: 1 }, { d: '2026-01-02', amount: 1.5 }]);
  });

  it('refuse a narrowing that would round or truncate, naming the column', async () => {
    await ev([['2026-01-01 10:00', 'a', 1], ['2026-01-02 10:00', 'a', 1], ['2026-01-02 11:00', 'a', 2]]);
    await deploy('prod', [RAW_EV, { name: 's.daily', header: [kind], query: q('avg(amount)') }], at('2026-01-02T01:00'));
    ws.write([RAW_EV, { name: 's.daily', header: [kind], query: q('sum(amount)::int') }]);
    const { project, compiled } = await ws.load();
    const r = await applyPlan(con, await plan(con, project, compiled, 'prod', { now: at('2026-01-03T01:00') }), { clock: () => at('2026-01-03T01:00') });
    expect(r.swapped).toBe(false);
    expect(r.outcomes[0]!.error).toMatch(/column amount is DOUBLE in the table but INTEGER in the query/);
  });
});
