/**
 * Plans and their application on a small project of its own: raw.ev (EXTERNAL) -> s.daily
 * (incremental by day) -> m.totals (FULL) -> m.big (VIEW), plus m.counts (FULL) beside them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from './apply';
import { formatPlan, planDigest } from './plan-format';
import { plan, type Plan, type PlanOptions } from './plan';
import { environmentSnapshots, select } from './state';
import { at, rawEvWarehouse, RAW_EV, type RawEvWarehouse, type FileModel, type Workspace } from '../test-fixtures';

let con: DuckDBConnection;
let ws: Workspace;
let wh: RawEvWarehouse;
beforeEach(async () => ({ con, ws } = wh = await rawEvWarehouse(`('2026-01-01 10:00', 'a', 5), ('2026-01-01 11:00', 'b', 7), ('2026-01-02 09:00', 'a', 1), ('2026-01-03 23:59:59', 'c', 2)`)));
afterEach(() => wh.close());

const NOW = at('2026-01-04T10:00');
const DAILY = `select cast(ts as date) as d, player, sum(amount) as amount
from raw.ev
where ts between @start_ts and @end_ts
group by cast(ts as date), player`;

function models(over: Record<string, Partial<FileModel>> = {}): FileModel[] {
  const base: FileModel[] = [
    RAW_EV,
    { name: 's.daily', header: ['kind INCREMENTAL_BY_TIME_RANGE (time_column d, batch_size 2)'], query: DAILY },
    { name: 'm.totals', header: ['kind FULL'], query: 'select player, sum(amount) as amount from s.daily group by player' },
    { name: 'm.big', header: ['kind VIEW'], query: 'select player from m.totals where amount > 5' },
    { name: 'm.counts', header: ['kind FULL'], query: 'select count(*) as n from raw.ev' },
  ];
  return base.map((m) => ({ ...m, ...over[m.name] })).filter((m) => over[m.name]?.query !== '');
}

async function planFor(env: string, ms: FileModel[], opts: Partial<PlanOptions> = {}): Promise<Plan> {
  ws.write(ms);
  const { project, compiled } = await ws.load();
  return plan(con, project, compiled, env, { now: NOW, ...opts });
}

async function planAndApply(env: string, ms: FileModel[], opts: Partial<PlanOptions> = {}) {
  const p = await planFor(env, ms, opts);
  const r = await applyPlan(con, p, { clock: () => NOW });
  expect(r.outcomes.filter((o) => o.outcome !== 'ok')).toEqual([]);
  expect(r.swapped).toBe(true);
  return { plan: p, result: r };
}

const by = (p: Plan, name: string) => p.models.find((m) => m.name === name)!;
const rowsOf = (rel: string) => select<Record<string, unknown>>(con, `select * from ${rel} order by all`);

/** A checksum of every physical table's rows and every view's definition: what a dev plan must not change. */
async function snapshotDb(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of await select<{ s: string; n: string }>(con, `select schema_name as s, table_name as n from duckdb_tables() where schema_name not in ('meta')`)) {
    const [r] = await select<{ h: string }>(con, `select coalesce(md5(string_agg(x::varchar, '|' order by x::varchar)), '') as h from "${t.s}"."${t.n}" x`);
    out.set(`table ${t.s}.${t.n}`, r!.h);
  }
  for (const v of await select<{ s: string; n: string; sql: string }>(con, `select schema_name as s, view_name as n, sql from duckdb_views() where not internal`)) {
    out.set(`view ${v.s}.${v.n}`, v.sql);
  }
  return out;
}

describe('plan and apply', () => {
  it('builds a new prod environment: every model added and backfilled, views over physical tables', async () => {
    const { plan: p } = await planAndApply('prod', models());
    expect(p.models.filter((m) => m.change === 'added').map((m) => m.name).sort()).toEqual(['m.big', 'm.counts', 'm.totals', 'raw.ev', 's.daily']);
    expect(by(p, 's.daily').backfill).toHaveLength(3); // 2026-01-01 .. 03, the last complete day at 10:00 on the 4th
    expect(formatPlan(p)).toContain('s.daily: 2026-01-01 .. 2026-01-03');
    expect(await rowsOf('m.totals')).toEqual([{ player: 'a', amount: 6 }, { player: 'b', amount: 7 }, { player: 'c', amount: 2 }]);
    expect(await rowsOf('m.big')).toEqual([{ player: 'a' }, { player: 'b' }]);
    // a second plan has nothing to do
    const again = await planFor('prod', models());
    expect(again.models.every((m) => m.change === 'unchanged' && m.backfill.length === 0)).toBe(true);
    expect(formatPlan(again)).toContain('`prod` is up to date.');
  });

  it('keeps versions under reformatting and comments; a metadata-only change keeps the table', async () => {
    const { plan: first } = await planAndApply('prod', models());
    const reformatted = await planFor('prod', models({
      's.daily': { query: `-- daily amounts\nSELECT   cast(ts AS date) AS d, player,\n  sum(amount) AS amount FROM raw.ev WHERE ts BETWEEN @start_ts AND @end_ts\nGROUP BY cast(ts as date), player` },
      'm.totals': { header: ['kind FULL', 'owner finance', "description 'per player'"] },
    }));
    expect(by(reformatted, 's.daily').change).toBe('unchanged');
    expect(by(reformatted, 's.daily').version).toBe(by(first, 's.daily').version);
    expect(by(reformatted, 'm.totals').change).toBe('metadata_only');
    expect(by(reformatted, 'm.totals').version).toBe(by(first, 'm.totals').version);
    expect(reformatted.models.every((m) => m.backfill.length === 0)).toBe(true);
    // applied in dev, the new metadata is dev's own: prod's snapshot keeps its owner (and cron, audits)
    expect((await applyPlan(con, await planFor('dev', models({ 'm.totals': { header: ['kind FULL', 'owner finance'] } })), { clock: () => NOW })).swapped).toBe(true);
    expect((await environmentSnapshots(con, 'dev')).get('m.totals')!.compiled.def.owner).toBe('finance');
    expect((await environmentSnapshots(con, 'prod')).get('m.totals')!.compiled.def.owner).toBeUndefined();
  });

  it('non-breaking (added column): the model is rebuilt, its children keep their tables', async () => {
    const { plan: first } = await planAndApply('prod', models());
    const p = await planFor('prod', models({ 's.daily': { query: DAILY.replace('sum(amount) as amount', 'sum(amount) as amount, count(*) as n') } }));
    expect(by(p, 's.daily')).toMatchObject({ change: 'directly_modified', category: 'non_breaking', newVersion: true });
    expect(by(p, 's.daily').diff).toContain('@@ -6,4 +6,4 @@\n-select cast(ts as date) as d, player, sum(amount) as amount\n+select cast(ts as date) as d, player, sum(amount) as amount, count(*) as n');
    expect(by(p, 'm.totals')).toMatchObject({ change: 'indirectly_modified', category: 'indirect_non_breaking', newVersion: false, backfill: [] });
    expect(by(p, 'm.totals').version).toBe(by(first, 'm.totals').version);
    expect(by(p, 'm.big')).toMatchObject({ newVersion: false, backfill: [] });
    expect(by(p, 'm.counts').change).toBe('unchanged');
    expect(formatPlan(p)).toContain('non-breaking');
  });

  it('breaking: the model and everything downstream get new tables and are backfilled', async () => {
    const { plan: first } = await planAndApply('prod', models());
    const { plan: p } = await planAndApply('prod', models({ 's.daily': { query: DAILY.replace('from raw.ev', "from raw.ev where player <> 'b' and") .replace('where ts', 'ts') } }));
    expect(by(p, 's.daily')).toMatchObject({ category: 'breaking', newVersion: true });
    expect(by(p, 'm.totals')).toMatchObject({ category: 'indirect_breaking', newVersion: true });
    expect(by(p, 'm.totals').version).not.toBe(by(first, 'm.totals').version);
    expect(by(p, 'm.big').newVersion).toBe(true);
    expect(by(p, 'm.totals').backfill).toHaveLength(1);
    expect(await rowsOf('m.big')).toEqual([{ player: 'a' }]);
  });

  it('a dev plan never touches prod: every prod table and view is unchanged, dev reads its own', async () => {
    await planAndApply('prod', models());
    const before = await snapshotDb();
    const changed = models({ 's.daily': { query: DAILY.replace('sum(amount) as amount', 'sum(amount) * 10 as amount') } });
    const { plan: p } = await planAndApply('dev', changed);
    expect(p.basedOn).toBe('prod');
    const after = await snapshotDb();
    for (const [k, v] of before) expect(after.get(k), k).toBe(v);
    expect(await rowsOf('m__dev.totals')).toEqual([{ player: 'a', amount: 60 }, { player: 'b', amount: 70 }, { player: 'c', amount: 20 }]);
    expect(await rowsOf('m.totals')).toEqual([{ player: 'a', amount: 6 }, { player: 'b', amount: 7 }, { player: 'c', amount: 2 }]);
    // unchanged models are shared as they are, not rebuilt
    expect(by(p, 'm.counts')).toMatchObject({ change: 'unchanged', writable: false, backfill: [] });
  });

  it('promoting dev to prod swaps views and recomputes nothing', async () => {
    await planAndApply('prod', models());
    const changed = models({ 's.daily': { query: DAILY.replace('sum(amount) as amount', 'sum(amount) * 10 as amount') }, 'm.counts': { query: '' } });
    await planAndApply('dev', changed);
    const tablesBefore = await snapshotDb();
    const { plan: p, result } = await planAndApply('prod', changed);
    expect(p.models.every((m) => m.backfill.length === 0)).toBe(true);
    expect(result.outcomes).toEqual([]);
    expect(formatPlan(p)).toContain('virtual update');
    const tablesAfter = await snapshotDb();
    for (const [k, v] of tablesAfter) if (k.startsWith('table wh_physical.')) expect(tablesBefore.get(k), k).toBe(v);
    expect([...tablesAfter.keys()].filter((k) => k.startsWith('table wh_physical.') && !tablesBefore.has(k))).toEqual([]);
    expect(await rowsOf('m.totals')).toEqual([{ player: 'a', amount: 60 }, { player: 'b', amount: 70 }, { player: 'c', amount: 20 }]);
    // the removed model's view is gone from prod
    expect(p.removed.map((r) => r.name)).toEqual(['m.counts']);
    expect(await select(con, `select view_name from duckdb_views() where schema_name = 'm' order by 1`)).toEqual([{ view_name: 'big' }, { view_name: 'totals' }]);
  });

  it('restatement recomputes the range and cascades downstream (FULL children rebuilt)', async () => {
    await planAndApply('prod', models());
    await con.run(`insert into raw.ev values ('2026-01-02 12:00', 'b', 100), ('2026-01-03 12:00', 'b', 1000)`);
    const { plan: p } = await planAndApply('prod', models(), { restate: { models: ['s.daily'], start: '2026-01-02', end: '2026-01-02' } });
    expect(p.restate).toMatchObject({ models: ['s.daily', 'm.totals'], skipped: ['m.big'] }); // a view holds no data
    expect(by(p, 's.daily').backfill).toEqual([[at('2026-01-02T00:00'), at('2026-01-03T00:00')]]);
    expect(by(p, 'm.totals').backfill).toHaveLength(1);
    expect(by(p, 'm.counts').backfill).toEqual([]);
    // 2026-01-02 is recomputed (b +100); 2026-01-03 was not restated, so b's 1000 is not in yet
    expect(await rowsOf('m.totals')).toEqual([{ player: 'a', amount: 6 }, { player: 'b', amount: 107 }, { player: 'c', amount: 2 }]);
  });

  it('forward-only: prod keeps the table; dev previews into its own table and leaves prod alone', async () => {
    const { plan: first } = await planAndApply('prod', models());
    const before = await snapshotDb();
    const changed = models({ 's.daily': { query: DAILY.replace('sum(amount) as amount', 'sum(amount) * 2 as amount') } });
    const { plan: dev } = await planAndApply('dev', changed, { forwardOnly: true });
    expect(by(dev, 's.daily')).toMatchObject({ category: 'forward_only', preview: true });
    expect(by(dev, 'm.totals')).toMatchObject({ preview: true });
    for (const [k, v] of before) expect((await snapshotDb()).get(k), k).toBe(v);
    expect(await rowsOf('m__dev.totals')).toEqual([{ player: 'a', amount: 12 }, { player: 'b', amount: 14 }, { player: 'c', amount: 4 }]);
    const { plan: prod } = await planAndApply('prod', changed, { forwardOnly: true });
    expect(by(prod, 's.daily')).toMatchObject({ category: 'forward_only', newVersion: false, backfill: [] });
    expect(by(prod, 's.daily').version).toBe(by(first, 's.daily').version);
    expect(by(prod, 'm.totals').newVersion).toBe(false);
    expect(await rowsOf('m.totals')).toEqual([{ player: 'a', amount: 6 }, { player: 'b', amount: 7 }, { player: 'c', amount: 2 }]);
  });

  it('a failing model leaves the environment as it was and skips its downstream only', async () => {
    await planAndApply('prod', models());
    const broken = models({ 'm.totals': { query: 'select player, sum(amount) as amount\nfrom s.daily\ngroup by nosuch' }, 'm.counts': { query: 'select count(*) as n, 1 as one from raw.ev' } });
    const p = await planFor('prod', broken);
    const r = await applyPlan(con, p, { clock: () => NOW });
    expect(r.swapped).toBe(false);
    const outcome = Object.fromEntries(r.outcomes.map((o) => [o.model, o.outcome]));
    expect(outcome).toEqual({ 'm.counts': 'ok', 'm.totals': 'failed', 'm.big': 'skipped_upstream_failed' });
    expect(r.outcomes.find((o) => o.model === 'm.totals')!.error).toMatch(/^m\/totals\.sql:8: m\.totals: Binder Error: .*nosuch/);
    expect(await rowsOf('m.counts')).toEqual([{ n: 4 }]);
    expect(await select(con, `select outcome, count(*)::int as n from meta.model_runs where run_id = $1 group by 1 order by 1`, [p.id])).toEqual([
      { outcome: 'failed', n: 1 }, { outcome: 'ok', n: 1 }, { outcome: 'skipped_upstream_failed', n: 1 },
    ]);
  });
});

describe('versions', () => {
  const NON_BREAKING = DAILY.replace('sum(amount) as amount', 'sum(amount) as amount, count(*) as n');

  it('a non-breaking change still rebuilds a child whose output follows it through *, and a view over it', async () => {
    const withStar = (daily: string): FileModel[] => [
      ...models({ 's.daily': { query: daily } }),
      { name: 'm.all', header: ['kind FULL'], query: 'with x as (select * from s.daily) select * from x' },
      { name: 'm.daily_view', header: ['kind VIEW'], query: 'select d, amount from s.daily' },
    ];
    await planAndApply('prod', withStar(DAILY));
    const { plan: p } = await planAndApply('prod', withStar(NON_BREAKING));
    expect(by(p, 'm.all')).toMatchObject({ category: 'indirect_breaking', newVersion: true });
    expect(by(p, 'm.daily_view')).toMatchObject({ category: 'indirect_non_breaking', newVersion: true }); // re-created, never re-pointed in place
    expect(by(p, 'm.totals')).toMatchObject({ newVersion: false });
    expect((await select(con, 'select * from m.all limit 1'))[0]).toHaveProperty('n');
  });

  it('two dev environments making the same change share its tables', async () => {
    await planAndApply('prod', models());
    const changed = models({ 's.daily': { query: DAILY.replace('sum(amount)', 'max(amount)') } });
    const { result: first } = await planAndApply('dev', changed);
    expect(first.outcomes.map((o) => o.model)).toEqual(['s.daily', 'm.totals', 'm.big']);
    const { plan: second, result } = await planAndApply('other', changed);
    expect(by(second, 's.daily').version).toBe(by(await planFor('dev', changed), 's.daily').version);
    expect(result.outcomes).toEqual([]);
    expect(await rowsOf('m__other.totals')).toEqual(await rowsOf('m__dev.totals'));
  });

  it('a seed whose CSV changes gets a new version and its downstream is rebuilt', async () => {
    const withSeed: FileModel[] = [
      ...models(),
      { name: 'seeds.limits', header: ["kind SEED (path 'limits.csv')", 'columns (player VARCHAR, cap INTEGER)'] },
      { name: 'm.capped', header: ['kind FULL'], query: 'select t.player, least(t.amount, l.cap) as amount from m.totals t join seeds.limits l using (player)' },
    ];
    const planSeed = async (csv: string) => {
      ws.write(withSeed, { 'seeds/limits.csv': csv });
      const { project, compiled } = await ws.load();
      const p = await plan(con, project, compiled, 'prod', { now: NOW });
      expect((await applyPlan(con, p, { clock: () => NOW })).swapped).toBe(true);
      return p;
    };
    await planSeed('player,cap\na,3\nb,100\n');
    expect(await rowsOf('m.capped')).toEqual([{ player: 'a', amount: 3 }, { player: 'b', amount: 7 }]);
    const p = await planSeed('player,cap\na,4\nb,100\n');
    expect(by(p, 'seeds.limits')).toMatchObject({ change: 'directly_modified', category: 'breaking', newVersion: true });
    expect(by(p, 'm.capped')).toMatchObject({ category: 'indirect_breaking', newVersion: true });
    expect(await rowsOf('m.capped')).toEqual([{ player: 'a', amount: 4 }, { player: 'b', amount: 7 }]);
  });
});

describe('planning on a read-only connection', () => {
  it('plans without writing, on an empty warehouse and on one with state; the digest says whether a re-plan is the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wh-ro-'));
    const file = join(dir, 'wh.duckdb');
    const open = async (readOnly: boolean) => {
      const instance = await DuckDBInstance.create(file, readOnly ? { access_mode: 'READ_ONLY' } : {});
      const c = await instance.connect();
      await c.run("set TimeZone = 'UTC'");
      return { c, close: () => { c.closeSync(); instance.closeSync(); } };
    };
    try {
      const w = await open(false);
      await w.c.run(`create schema raw; create table raw.ev (ts timestamp, player varchar, amount int)`);
      w.close();
      ws.write(models());
      const { project, compiled } = await ws.load();
      let ro = await open(true);
      const first = await plan(ro.c, project, compiled, 'prod', { now: NOW });
      ro.close();
      expect(first.models.filter((m) => m.change === 'added')).toHaveLength(5);
      const rw = await open(false);
      const again = await plan(rw.c, project, compiled, 'prod', { now: NOW });
      expect(planDigest(again)).toBe(planDigest(first));
      expect((await applyPlan(rw.c, again, { clock: () => NOW })).swapped).toBe(true);
      rw.close();
      ro = await open(true);
      const dev = await plan(ro.c, project, compiled, 'dev', { now: NOW });
      ro.close();
      expect(dev.basedOn).toBe('prod');
      expect(dev.models.every((m) => m.change === 'unchanged' && m.backfill.length === 0)).toBe(true);
      expect(planDigest(dev)).not.toBe(planDigest(first));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
