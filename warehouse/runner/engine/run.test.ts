/**
 * `run` on a small project of its own: cron due logic, failures that stop only their downstream,
 * audits through the afterBuild hook, allow_partials, and the property that matters most: an
 * incremental model filled by runs at random times, in random batches, with late data inside its
 * lookback, holds exactly what a full rebuild of the same query holds.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from './apply';
import { plan } from './plan';
import { formatRun, run } from './run';
import { select, tableIntervals, ts } from './state';
import { at, stateDb, rawEvWarehouse, RAW_EV, workspace, type RawEvWarehouse, type FileModel, type Workspace } from '../test-fixtures';

let db: RawEvWarehouse['db'];
let con: DuckDBConnection;
let ws: Workspace;
let wh: RawEvWarehouse;
beforeEach(async () => ({ db, con, ws } = wh = await rawEvWarehouse(`('2026-01-01 10:00', 'a', 5), ('2026-01-02 09:00', 'b', 1)`)));
afterEach(() => wh.close());

const DAILY = 'select cast(ts as date) as d, player, sum(amount) as amount from raw.ev where ts between @start_ts and @end_ts group by all';
const DAILY_KIND = 'kind INCREMENTAL_BY_TIME_RANGE (time_column d)';
const MODELS: FileModel[] = [
  RAW_EV,
  { name: 's.daily', header: [DAILY_KIND], query: DAILY },
  { name: 'm.totals', header: ['kind FULL'], query: 'select player, sum(amount) as amount from s.daily group by player' },
  { name: 'm.top', header: ['kind FULL'], query: 'select player from m.totals order by amount desc limit 1' },
  { name: 'm.big', header: ['kind VIEW'], query: 'select * from m.totals where amount > 1' },
  { name: 'm.counts', header: ['kind FULL'], query: 'select count(*) as n from raw.ev' },
  { name: 'm.morning', header: ['kind FULL', "cron '0 6 * * *'"], query: 'select count(*) as n from raw.ev' },
];

async function deploy(ms: FileModel[], now: number, files: Record<string, string> = {}) {
  ws.write(ms, files);
  const { project, compiled } = await ws.load();
  const p = await plan(con, project, compiled, 'prod', { now });
  const r = await applyPlan(con, p, { clock: () => now });
  expect(r.swapped).toBe(true);
}

const outcomes = (s: Awaited<ReturnType<typeof run>>) => Object.fromEntries(s.outcomes.map((o) => [o.model, o.outcome]));

describe('run', () => {
  it('runs each model whose cron ticked since its last interval, and nothing else', async () => {
    await deploy(MODELS, at('2026-01-03T10:00'));
    expect((await run(con, 'prod', { now: at('2026-01-03T23:59') })).outcomes).toEqual([]);
    await con.run(`insert into raw.ev values ('2026-01-03 12:00', 'c', 9)`);
    const s = await run(con, 'prod', { now: at('2026-01-04T00:30') });
    expect(outcomes(s)).toEqual({ 's.daily': 'ok', 'm.totals': 'ok', 'm.top': 'ok', 'm.counts': 'ok' });
    expect(s.notDue).toContain('m.morning'); // its tick is at 06:00
    expect(s.outcomes.find((o) => o.model === 's.daily')!.computed).toEqual([[at('2026-01-03T00:00'), at('2026-01-04T00:00')]]);
    expect(await select(con, 'select * from m.top')).toEqual([{ player: 'c' }]);
    expect(outcomes(await run(con, 'prod', { now: at('2026-01-04T06:00') }))).toEqual({ 'm.morning': 'ok' });
    const runs = await select(con, 'select count(*)::int as n from meta.model_runs where run_id not in (select plan_id from meta.plans)');
    expect(runs).toEqual([{ n: 5 }]);
  });

  it('a failing model stops its downstream, not the others; the error names model, file and line', async () => {
    const failing = MODELS.map((m) => (m.name === 'm.totals'
      ? { ...m, query: "select player, sum(amount) as amount\nfrom s.daily\ngroup by player\nhaving error_if_big(sum(amount))" }
      : m));
    await con.run(`create macro error_if_big(x) as case when x > 100 then error('amount too big') else true end`);
    await deploy(failing, at('2026-01-03T10:00'));
    await con.run(`insert into raw.ev values ('2026-01-03 12:00', 'c', 500)`);
    const s = await run(con, 'prod', { now: at('2026-01-04T01:00') });
    expect(outcomes(s)).toEqual({ 's.daily': 'ok', 'm.totals': 'failed', 'm.top': 'skipped_upstream_failed', 'm.counts': 'ok' });
    expect(s.ok).toBe(false);
    expect(formatRun(s)).toMatch(/failed +m\.totals\n +m\/totals\.sql:1: m\.totals: Invalid Input Error: amount too big[\s\S]*skipped_upstream_failed m\.top[\s\S]*FAILED: 2 of 4/);
    // a runtime error has no line in the query: the model's header line
    expect(s.outcomes.find((o) => o.model === 'm.totals')!.error).toBe('m/totals.sql:1: m.totals: Invalid Input Error: amount too big');
    const recorded = await select(con, 'select model, outcome, error is not null as has_error from meta.model_runs where run_id = $1 order by model', [s.runId]);
    expect(recorded).toEqual([
      { model: 'm.counts', outcome: 'ok', has_error: false }, { model: 'm.top', outcome: 'skipped_upstream_failed', has_error: false },
      { model: 'm.totals', outcome: 'failed', has_error: true }, { model: 's.daily', outcome: 'ok', has_error: false },
    ]);
    // the failed model is due again on the next run
    await con.run(`create or replace macro error_if_big(x) as true`);
    expect(outcomes(await run(con, 'prod', { now: at('2026-01-04T01:05') }))).toMatchObject({ 'm.totals': 'ok', 'm.top': 'ok' });
  });

  it('a blocking audit failure stops the downstream and leaves the interval to recompute; custom audits travel with the snapshot', async () => {
    const audited = MODELS.map((m) => (m.name === 's.daily' ? { ...m, header: [DAILY_KIND, 'audits (not_null(columns := [player]), no_big_amounts)'] } : m));
    await deploy(audited, at('2026-01-03T10:00'), { 'audits/no_big.sql': 'AUDIT (name no_big_amounts);\nselect * from @this_model where amount > 100' });
    ws.write([]); // run executes what was applied: the local files no longer matter
    const version = (await select<{ v: string }>(con, `select version as v from meta.environment_models where model = 's.daily'`))[0]!.v;
    await con.run(`insert into raw.ev values ('2026-01-03 12:00', null, 1)`);
    const s = await run(con, 'prod', { now: at('2026-01-04T01:00') });
    expect(outcomes(s)).toMatchObject({ 's.daily': 'audit_failed', 'm.totals': 'skipped_upstream_failed', 'm.counts': 'ok' });
    expect(s.outcomes.find((o) => o.model === 's.daily')!.error).toBe('s/daily.sql:1: s.daily: blocking audit failed: not_null (1 bad row); nothing of that batch was kept');
    expect((await tableIntervals(con, 's.daily', version)).done).toEqual([[at('2026-01-01T00:00'), at('2026-01-03T00:00')]]);
    // The batch rolled back: prod's view never shows the rows that failed the audit.
    expect(await select(con, `select count(*)::int as n from s.daily where player is null`)).toEqual([{ n: 0 }]);
    await con.run(`update raw.ev set player = 'z', amount = 500 where player is null`);
    const custom = await run(con, 'prod', { now: at('2026-01-04T01:00') });
    expect(custom.outcomes.find((o) => o.model === 's.daily')!.error).toMatch(/blocking audit failed: no_big_amounts \(1 bad row\)/);
    await con.run(`delete from raw.ev where player = 'z'`);
    expect(outcomes(await run(con, 'prod', { now: at('2026-01-04T01:00') }))).toMatchObject({ 's.daily': 'ok', 'm.totals': 'ok' });
    expect((await tableIntervals(con, 's.daily', version)).done).toEqual([[at('2026-01-01T00:00'), at('2026-01-04T00:00')]]);
  });

  it('allow_partials computes the open interval, records it as partial and recomputes it next time', async () => {
    const partial = [MODELS[0]!, { ...MODELS[1]!, header: [DAILY_KIND, 'allow_partials true'] }];
    await deploy(partial, at('2026-01-03T10:00'));
    const version = (await select<{ v: string }>(con, `select version as v from meta.environment_models where model = 's.daily'`))[0]!.v;
    await con.run(`insert into raw.ev values ('2026-01-03 11:00', 'a', 3)`);
    await run(con, 'prod', { now: at('2026-01-03T11:30') });
    expect(await tableIntervals(con, 's.daily', version)).toEqual({
      done: [[at('2026-01-01T00:00'), at('2026-01-03T00:00')]], partial: [[at('2026-01-03T00:00'), at('2026-01-03T11:30')]],
    });
    await con.run(`insert into raw.ev values ('2026-01-03 12:00', 'a', 4)`);
    await run(con, 'prod', { now: at('2026-01-03T12:30') });
    expect(await select(con, `select amount::int as amount from s.daily where d = '2026-01-03'`)).toEqual([{ amount: 7 }]);
    await run(con, 'prod', { now: at('2026-01-04T00:10') });
    expect(await tableIntervals(con, 's.daily', version)).toEqual({
      done: [[at('2026-01-01T00:00'), at('2026-01-04T00:00')]], partial: [[at('2026-01-04T00:00'), at('2026-01-04T00:10')]],
    });
  });

  it('the open interval is recomputed only when something it reads changed since (a sync, a rebuilt parent)', async () => {
    const partial = [MODELS[0]!, { ...MODELS[1]!, header: [DAILY_KIND, 'allow_partials true'] }, { name: 'm.today', header: ['kind FULL', 'allow_partials true'], query: 'select sum(amount) as amount from s.daily' }];
    await deploy(partial, at('2026-01-03T10:00'));
    // What wh sync records: one row per load run, committed at the time its events became visible.
    await con.run('create table meta.sync_runs (run_id bigint, committed_at timestamp)');
    const synced = (iso: string) => con.run(`insert into meta.sync_runs values ((select count(*) + 1 from meta.sync_runs), TIMESTAMP '${iso}')`);
    await con.run(`insert into raw.ev values ('2026-01-03 11:00', 'a', 3)`);
    await synced('2026-01-03 11:00');
    const built = async (iso: string) => (await run(con, 'prod', { now: at(iso) })).outcomes.map((o) => o.model);
    expect(await built('2026-01-03T11:30')).toEqual(['s.daily', 'm.today']);
    expect(await select(con, 'select amount::int as amount from m.today')).toEqual([{ amount: 5 + 1 + 3 }]);
    expect(await built('2026-01-03T11:31')).toEqual([]); // nothing new: the loop's quiet cycles cost nothing
    await con.run(`insert into raw.ev values ('2026-01-03 11:40', 'b', 4)`);
    await synced('2026-01-03 11:40');
    expect(await built('2026-01-03T11:41')).toEqual(['s.daily', 'm.today']); // the daily changed, so the total follows
    expect(await select(con, 'select amount::int as amount from m.today')).toEqual([{ amount: 5 + 1 + 3 + 4 }]);
  });

  it('a dev run fills only the dev environment\'s own tables, never those it shares with prod', async () => {
    await deploy(MODELS, at('2026-01-03T10:00'));
    ws.write(MODELS.map((m) => (m.name === 'm.totals' ? { ...m, query: 'select player, max(amount) as amount from s.daily group by player' } : m)));
    const { project, compiled } = await ws.load();
    expect((await applyPlan(con, await plan(con, project, compiled, 'dev', { now: at('2026-01-03T10:00') }))).swapped).toBe(true);
    const s = await run(con, 'dev', { now: at('2026-01-04T01:00') });
    expect(outcomes(s)).toEqual({ 'm.totals': 'ok', 'm.top': 'ok' }); // s.daily and m.counts are prod's to fill
    expect(s.notDue).toEqual(expect.arrayContaining(['s.daily', 'm.counts']));
  });

  it('refuses an environment that was never applied', async () => {
    await expect(run(con, 'nosuch', { now: at('2026-01-04T00:00') })).rejects.toThrow(/does not exist/);
  });
});

describe('incremental runs equal a full rebuild', () => {
  const H = 3_600_000;
  const START = at('2026-01-01T00:00');

  it('over random event histories, late arrivals within the lookback, random batch sizes and run times', async () => {
    const event = fc.record({
      at_h: fc.integer({ min: 0, max: 5 * 24 - 1 }),
      minute: fc.integer({ min: 0, max: 59 }),
      // how late it arrives, in percent of the lookback window (integers: fc.double favours tiny values)
      delay_pct: fc.integer({ min: 0, max: 99 }),
      player: fc.constantFrom('a', 'b', 'c'),
      amount: fc.integer({ min: 1, max: 100 }),
    });
    const scenario = fc.record({
      unit: fc.constantFrom('day' as const, 'hour' as const),
      lookback: fc.integer({ min: 0, max: 3 }),
      batchSize: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      events: fc.array(event, { minLength: 1, maxLength: 40 }),
      // gaps between runs, in hours: often several runs a day, sometimes days without one
      gaps_h: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
    });
    await fc.assert(fc.asyncProperty(scenario, async (sc) => {
      db.close();
      ws.remove();
      db = await stateDb();
      con = db.con;
      ws = workspace(con);
      await con.run('create schema raw; create table raw.ev (ts timestamp, player varchar, amount int)');
      const unitMs = sc.unit === 'day' ? 24 * H : H;
      // Late data: each event arrives after it happened, but within the lookback window.
      const events = sc.events.map((e) => {
        const occurred = START + e.at_h * H + e.minute * 60_000;
        return { ...e, occurred, arrives: occurred + Math.floor((e.delay_pct / 100) * sc.lookback * unitMs) };
      });
      const cron = sc.unit === 'day' ? '@daily' : '@hourly';
      const query = `select cast(ts as date) as d, date_trunc('hour', ts) as h, player, sum(amount) as amount, count(*) as n
        from raw.ev where ts between @start_ts and @end_ts group by all`;
      const batch = sc.batchSize ? `, batch_size ${sc.batchSize}` : '';
      await deploy([
        RAW_EV,
        { name: 's.inc', header: [`kind INCREMENTAL_BY_TIME_RANGE (time_column h, lookback ${sc.lookback}${batch})`, `cron '${cron}'`], query },
        { name: 's.full', header: ['kind FULL', `cron '${cron}'`], query },
      ], START);
      let inserted = 0;
      const sorted = [...events].sort((a, b) => a.arrives - b.arrives);
      const times = sc.gaps_h.map((_, i) => START + sc.gaps_h.slice(0, i + 1).reduce((a, b) => a + b, 0) * H + 7 * 60_000);
      for (const now of times) {
        const arrived = sorted.filter((e) => e.arrives <= now).slice(inserted);
        for (const e of arrived) await con.run('insert into raw.ev values ($1::timestamp, $2, $3)', [ts(e.occurred), e.player, e.amount]);
        inserted += arrived.length;
        const s = await run(con, 'prod', { now });
        expect(s.ok).toBe(true);
      }
      const inc = await select(con, 'select * from s.inc order by all');
      const full = await select(con, 'select * from s.full order by all');
      expect(inc).toEqual(full);
    }), { numRuns: 30 });
    // Its own timeout, not the project's 60 s: each run builds a DuckDB state and runs up to ten
    // deploys, 0.45 s a run on average at load 6 (300 runs in 135 s, 2026-12-04), so 30 runs take
    // ~15 s on a quiet machine and a slow draw on a loaded CI machine could pass 60 s.
  }, 240_000);
});
