/**
 * The loader against real parts: DuckDB files, Parquet, and Miniflare's R2 (the same local bucket
 * wrangler dev writes) through getPlatformProxy. TARGETS.md R2: events delivered at least once,
 * duplicated and out of order, are counted exactly once, and re-running sync changes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchObjectKey, encodeBatchObject } from '../domain/event-batch';
import type { CasinoEvent } from '../domain/events';
import { uuidv7 } from '../domain/ids';
import { warehousePaths, type WarehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { lakeScanSql } from './lake';
import { dirSource } from './source/dir';
import { openLocalLake, REPO_ROOT, type LocalLake } from './source/local-r2';
import { localR2Source } from './source/r2-local';
import { status, verify } from './status';
import { sync } from './sync';

const T0 = Date.UTC(2026, 10, 20, 22, 0, 0);
let seq = 0;

function deposit(i: number, at = T0 + i * 60_000): CasinoEvent {
  return {
    event_id: uuidv7(at), event_type: 'wallet.deposit.completed', schema_version: 1, occurred_at: at,
    player_id: `p${i % 7}`, table_id: null, round_id: null, jurisdiction: 'MT', currency: 'EUR',
    payload: { deposit_id: `d${i}`, provider: 'sandbox', amount_minor: 1000 + i, balance_after_minor: 5000 + i },
  };
}

const lines = (events: unknown[]) => events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
const nextKey = () => batchObjectKey(T0 + 3_600_000 + seq++, `t${seq}`);

async function query<T = Record<string, unknown>>(paths: WarehousePaths, sql: string): Promise<T[]> {
  const wh = await openWarehouse(paths.db);
  try {
    return await rows<T>(wh.con, sql);
  } finally {
    wh.close();
  }
}

const counts = (paths: WarehousePaths) => query<{ events: number; distinct_ids: number; objects: number; runs: number; quarantined: number }>(paths, `select
  (select count(*) from raw.events) as events, (select count(distinct event_id) from raw.events) as distinct_ids,
  (select count(*) from meta.loaded_objects) as objects, (select count(*) from meta.sync_runs) as runs,
  (select count(*) from raw.quarantine) as quarantined`).then((r) => r[0]!);

describe('sync from local R2 (Miniflare, through getPlatformProxy)', () => {
  let root: string;
  let lake: LocalLake;
  let paths: WarehousePaths;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wh-r2-'));
    lake = await openLocalLake(join(root, 'state'));
    paths = warehousePaths(join(root, 'warehouse'));
  }, 120_000); // workerd's start takes more than the default 10 s on a loaded machine
  afterAll(async () => {
    await lake.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const put = async (events: unknown[]) => {
    const key = nextKey();
    await lake.bucket.put(key, await encodeBatchObject(lines(events)));
    return key;
  };
  const syncOnce = async () => {
    const source = await localR2Source(join(root, 'state'));
    try {
      return await sync({ paths, source });
    } finally {
      await source.close();
    }
  };

  it('counts duplicated and out-of-order deliveries once, and a re-run changes nothing', async () => {
    const all = Array.from({ length: 150 }, (_, i) => deposit(i));
    await put(all.slice(0, 100));
    await put([...all.slice(50, 150)].reverse()); // overlaps the first, newest first
    await put(all.slice(0, 100)); // the same delivery again (a queue retry after the write)
    const first = await syncOnce();
    expect(first).toMatchObject({ objects: 3, lines: 300, events_new: 150, duplicates: 150, quarantined: 0 });
    expect(await counts(paths)).toMatchObject({ events: 150, distinct_ids: 150, objects: 3 });
    // Stored in time order although an object came newest first: each row group's event_date range
    // is then narrow, so an incremental model's window skips the rest of the history.
    const [stored] = await query<{ n: number }>(paths, 'select count(*)::integer as n from (select occurred_at, lag(occurred_at) over (order by rowid) as prev from raw.events) where occurred_at < prev');
    expect(stored!.n).toBe(0);

    // A late redelivery of old events, in a later sync: still nothing new.
    await put(all.slice(10, 20));
    const second = await syncOnce();
    expect(second).toMatchObject({ objects: 1, events_new: 0, duplicates: 10 });

    const before = await counts(paths);
    const again = await syncOnce();
    expect(again).toMatchObject({ runs: 0, objects: 0, events_new: 0 });
    expect(await counts(paths)).toEqual(before);
    expect(await verify(paths)).toEqual([]);

    // Every event's columns and payload arrive intact, in UTC.
    const [row] = await query<Record<string, unknown>>(paths, `select event_id, event_type, player_id, jurisdiction, currency, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S') as at, event_date::varchar as day,
      payload->>'$.deposit_id' as deposit_id, (payload->>'$.amount_minor')::bigint as amount from raw.events where event_id = '${all[5]!.event_id}'`);
    expect(row).toEqual({ event_id: all[5]!.event_id, event_type: 'wallet.deposit.completed', player_id: 'p5', jurisdiction: 'MT', currency: 'EUR', at: '2026-11-20T22:05:00', day: '2026-11-20', deposit_id: 'd5', amount: 1005 });
  });

  it('quarantines malformed events with the reason, loads the rest of the object, and keeps the lake equal to raw.events', async () => {
    const before = await counts(paths);
    const good = deposit(500);
    const { currency: _drop, ...noCurrency } = deposit(501);
    const key = await put([
      good,
      '{"event_id": "not json',
      '[1, 2, 3]',
      { ...deposit(502), event_type: 'wallet.deposit.teleported' },
      noCurrency,
      { ...deposit(503), payload: { ...deposit(503).payload, amount_minor: '1000' } },
      { ...deposit(504), payload: { ...deposit(504).payload, provider: { nested: true } } },
      { ...deposit(505), event_id: 'not-a-uuid' },
    ]);
    const t = await syncOnce();
    expect(t).toMatchObject({ objects: 1, lines: 8, events_new: 1, quarantined: 7 });
    const q = await query<{ reason: string; event_id: string | null }>(paths, `select reason, event_id from raw.quarantine where object_key = '${key}' order by reason`);
    expect(q).toHaveLength(7);
    const reasons = q.map((r) => r.reason).join('\n');
    expect(reasons).toContain('not valid JSON');
    expect(reasons).toMatch(/event_type/);
    expect(reasons).toMatch(/currency/);
    expect(reasons).toMatch(/amount_minor/);
    expect(reasons).toMatch(/provider/);
    expect(reasons).toMatch(/event_id/);
    // The event_id is kept wherever the line had a string one (all but the unparseable two).
    expect(q.filter((r) => r.event_id !== null)).toHaveLength(5);
    expect(await counts(paths)).toMatchObject({ events: before.events + 1, quarantined: before.quarantined + 7 });
    expect(await verify(paths)).toEqual([]);
    const lake = await query<{ n: number }>(paths, `select count(*) as n from ${lakeScanSql(paths.lake)} where event_id = '${good.event_id}' and event_type = 'wallet.deposit.completed' and event_date = date '2026-11-21'`);
    expect(lake[0]!.n).toBe(1);
  });

  it('reports what it holds', async () => {
    const s = await status(paths);
    expect(s.totals).toMatchObject({ events: 151, quarantined: 7, objects: 5, lake_rows: 151 });
    expect(s.by_type).toEqual([expect.objectContaining({ event_type: 'wallet.deposit.completed', events: 151 })]);
  });

  it('loads logins from before device existed (schema_version 1 without it) beside new ones; quarantines an unknown device', async () => {
    const login = (i: number, payload: Record<string, string>): CasinoEvent => ({
      event_id: uuidv7(T0 + i * 1000), event_type: 'player.login.succeeded', schema_version: 1, occurred_at: T0 + i * 1000,
      player_id: `p${i}`, table_id: null, round_id: null, jurisdiction: 'MT', currency: null, payload: { session_id: `s${i}`, country: 'MT', ...payload },
    });
    const old = login(900, {});
    const current = login(901, { device: 'mobile' });
    const wrong = login(902, { device: 'phone' });
    await put([old, current, wrong]);
    expect(await syncOnce()).toMatchObject({ objects: 1, lines: 3, events_new: 2, quarantined: 1 });
    const loaded = await query<{ event_id: string; device: string }>(paths, `select event_id, coalesce(payload->>'$.device', 'unknown') as device from raw.events
      where event_type = 'player.login.succeeded' order by event_id`);
    expect(loaded).toEqual([{ event_id: old.event_id, device: 'unknown' }, { event_id: current.event_id, device: 'mobile' }]);
    const q = await query<{ reason: string; event_id: string }>(paths, `select reason, event_id from raw.quarantine where event_id = '${wrong.event_id}'`);
    expect(q).toEqual([{ event_id: wrong.event_id, reason: expect.stringContaining('device') }]);
  });
});

describe('an interrupted sync (the process killed mid-run) loses and duplicates nothing', () => {
  const steps = ['downloaded', 'validated', 'inserted', 'committed'] as const;
  let root: string;
  let paths: WarehousePaths;
  const events = Array.from({ length: 2_000 }, (_, i) => deposit(i, T0 + i * 1000));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wh-crash-'));
    paths = warehousePaths(join(root, 'warehouse'));
    // Ten objects with duplicates across them, in a plain directory source.
    for (let o = 0; o < 10; o++) {
      const key = nextKey();
      const file = join(root, 'bucket', ...key.split('/'));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await encodeBatchObject(lines(events.slice(o * 180, o * 180 + 250))));
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const wh = (env: Record<string, string>) => new Promise<{ code: number | null; signal: string | null; out: string }>((done) => {
    execFile(resolve(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [resolve(REPO_ROOT, 'warehouse', 'cli.ts'), 'sync', '--source', `dir:${join(root, 'bucket')}`, '--run-mb', '0.01'],
      { env: { ...process.env, WAREHOUSE_DIR: paths.dir, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? null) : 0, signal: (err as { signal?: string } | null)?.signal ?? null, out: stdout + stderr }));
  });

  it.each(steps)('killed after %s, then run again', async (step) => {
    rmSync(paths.dir, { recursive: true, force: true });
    const crashed = await wh({ WH_CRASH_AT: step });
    // tsx runs the CLI in a child process and passes the kill on as exit status 128 + 9
    expect(crashed.signal === 'SIGKILL' || crashed.code === 137, `${crashed.code} ${crashed.signal} ${crashed.out}`).toBe(true);
    expect(crashed.out).not.toMatch(/synced/);
    const rerun = await wh({});
    expect(rerun.code, rerun.out).toBe(0);
    expect(await counts(paths)).toMatchObject({ events: 1_870, distinct_ids: 1_870, objects: 10, quarantined: 0 });
    expect(await verify(paths)).toEqual([]);
    if (step === 'committed') expect(rerun.out).toMatch(/finished the lake files of interrupted run\(s\) 1/);
  });
});

describe('property: any at-least-once delivery of a set of events loads exactly that set', () => {
  it('whatever the duplication, order, object split and sync points', async () => {
    const pool = Array.from({ length: 60 }, (_, i) => deposit(10_000 + i, T0 + i * 7_919));
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ picks: fc.array(fc.nat(59), { minLength: 1, maxLength: 40 }), syncAfter: fc.boolean() }), { minLength: 1, maxLength: 6 }),
      async (deliveries) => {
        const root = mkdtempSync(join(tmpdir(), 'wh-prop-'));
        try {
          const paths = warehousePaths(join(root, 'warehouse'));
          const source = dirSource(join(root, 'bucket'));
          const delivered = new Set<string>();
          for (const d of deliveries) {
            const key = nextKey();
            const file = join(root, 'bucket', ...key.split('/'));
            await mkdir(dirname(file), { recursive: true });
            await writeFile(file, await encodeBatchObject(lines(d.picks.map((i) => pool[i]!))));
            d.picks.forEach((i) => delivered.add(pool[i]!.event_id));
            if (d.syncAfter) await sync({ paths, source });
          }
          await sync({ paths, source });
          await sync({ paths, source }); // and once more: nothing changes
          const ids = await query<{ event_id: string }>(paths, 'select event_id from raw.events');
          expect(ids.map((r) => r.event_id).sort()).toEqual([...delivered].sort());
          expect(await verify(paths)).toEqual([]);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    ), { numRuns: 12 });
  }, 180_000);
});
