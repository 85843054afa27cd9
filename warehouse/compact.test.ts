/**
 * Lake compaction (compact.ts) on a real warehouse: several syncs leave several files per (day,
 * type); compaction leaves one per closed partition with the same rows, byte for byte in every
 * column, is a no-op the second time, leaves open days alone, and a crash at any step loses or
 * doubles nothing once compaction runs again. Also `wh compact` end to end through the CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchObjectKey, encodeBatchObject } from '../domain/event-batch';
import type { CasinoEvent } from '../domain/events';
import { uuidv7 } from '../domain/ids';
import { compactLake, firstOpenDay, JOURNAL, lakeCompactor, type CompactStep } from './compact';
import { warehousePaths, type WarehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { lakeScanSql } from './lake';
import { dirSource } from './source/dir';
import { REPO_ROOT } from './source/local-r2';
import { verify } from './status';
import { sync } from './sync';
import { walkFiles } from './source/dir';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 10, 0, 0, 0);
let seq = 0;

function event(i: number, at: number): CasinoEvent {
  const deposit = i % 2 === 0;
  return {
    event_id: uuidv7(at), event_type: deposit ? 'wallet.deposit.completed' : 'player.login.succeeded', schema_version: 1, occurred_at: at,
    player_id: `p${i % 5}`, table_id: null, round_id: null, jurisdiction: 'MT', currency: deposit ? 'EUR' : null,
    payload: deposit ? { deposit_id: `d${i}`, provider: 'sandbox', amount_minor: 1000 + i, balance_after_minor: 5000 + i } : { session_id: `s${i}`, country: 'MT', device: 'desktop' },
  };
}

/** One object of `n` events spread over days 0..3 after T0, written into the bucket directory. */
async function deliver(root: string, from: number, n: number): Promise<void> {
  const events = Array.from({ length: n }, (_, k) => event(from + k, T0 + (((from + k) >> 1) % 4) * DAY + (from + k) * 1_000));
  const key = batchObjectKey(T0 + 5 * DAY + seq++ * 1000, `c${seq}`);
  const file = join(root, 'bucket', ...key.split('/'));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await encodeBatchObject(events.map((e) => JSON.stringify(e))));
}

async function withCon<T>(paths: WarehousePaths, fn: (con: Awaited<ReturnType<typeof openWarehouse>>['con']) => Promise<T>): Promise<T> {
  const wh = await openWarehouse(paths.db);
  try {
    return await fn(wh.con);
  } finally {
    wh.close();
  }
}

/** Every row of the lake, every column (partition columns included), in a stable order. */
const lakeRows = (paths: WarehousePaths) => withCon(paths, (con) => rows<Record<string, unknown>>(con,
  `select * from ${lakeScanSql(paths.lake)} order by event_id`)).then((r) => JSON.stringify(r));

async function lakeFiles(paths: WarehousePaths): Promise<string[]> {
  const out: string[] = [];
  for await (const f of walkFiles(paths.lake)) out.push(relative(paths.lake, f));
  return out.sort();
}

const perPartition = (files: string[]) => {
  const m = new Map<string, number>();
  for (const f of files) m.set(dirname(f), (m.get(dirname(f)) ?? 0) + 1);
  return m;
};

/** A warehouse after three syncs: 3 files in each of the 8 (day, type) partitions. */
async function build(root: string): Promise<WarehousePaths> {
  const paths = warehousePaths(join(root, 'warehouse'));
  const source = dirSource(join(root, 'bucket'));
  for (let s = 0; s < 3; s++) {
    await deliver(root, s * 40, 40);
    await sync({ paths, source });
  }
  return paths;
}

describe('wh compact', () => {
  let root: string;
  let paths: WarehousePaths;
  let before: string;
  let filesBefore: string[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wh-compact-'));
    paths = await build(root);
    before = await lakeRows(paths);
    filesBefore = await lakeFiles(paths);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts from several files per partition', () => {
    expect(perPartition(filesBefore).size).toBe(8);
    expect([...perPartition(filesBefore).values()].every((n) => n === 3)).toBe(true);
  });

  it('leaves days that are not closed alone', async () => {
    // days 0 and 1 closed, days 2 and 3 open
    const r = await withCon(paths, (con) => compactLake(con, paths.lake, { before: new Date(T0 + 2 * DAY).toISOString().slice(0, 10) }));
    expect(r).toMatchObject({ partitions: 4, files_before: 12, files_after: 4, rows: 60 });
    const files = perPartition(await lakeFiles(paths));
    for (const [dir, n] of files) expect(n, dir).toBe(dir.includes('2026-11-10') || dir.includes('2026-11-11') ? 1 : 3);
    expect(await lakeRows(paths)).toBe(before);
  });

  it('folds every closed partition into one file with the same rows, sorted by time; a second time changes nothing', async () => {
    const r = await withCon(paths, (con) => compactLake(con, paths.lake, { before: '2027-01-01' }));
    expect(r).toMatchObject({ partitions: 4, files_before: 12, files_after: 4 });
    const files = await lakeFiles(paths);
    expect(files).toHaveLength(8);
    expect(files.every((f) => /\/compacted-\d+\.parquet$/.test(f))).toBe(true);
    expect(await lakeRows(paths)).toBe(before);
    expect(await verify(paths)).toEqual([]);
    const sorted = await withCon(paths, (con) => rows<{ unsorted: number }>(con, `select count(*) as unsorted from (
      select occurred_at < lag(occurred_at) over (partition by filename order by file_row_number) as back
      from read_parquet(${JSON.stringify(join(paths.lake, '**', '*.parquet')).replace(/"/g, "'")}, filename = true, file_row_number = true)) where back`));
    expect(Number(sorted[0]!.unsorted)).toBe(0);

    const again = await withCon(paths, (con) => compactLake(con, paths.lake, { before: '2027-01-01' }));
    expect(again).toMatchObject({ partitions: 0, recovered: 0 });
    expect(await lakeFiles(paths)).toEqual(files);
  });

  it('folds in the late events of a closed day that a later sync wrote', async () => {
    await deliver(root, 1_000, 8);
    await sync({ paths, source: dirSource(join(root, 'bucket')) });
    const withLate = await lakeRows(paths);
    expect(await lakeFiles(paths)).toHaveLength(16);
    const r = await withCon(paths, (con) => compactLake(con, paths.lake, { before: '2027-01-01' }));
    expect(r).toMatchObject({ partitions: 8, files_before: 16, files_after: 8 });
    expect(await lakeFiles(paths)).toHaveLength(8);
    expect(await lakeRows(paths)).toBe(withLate);
    expect(await verify(paths)).toEqual([]);
  });

  it('knows which days are closed: every day before yesterday, UTC', () => {
    expect(firstOpenDay(Date.UTC(2026, 11, 3, 0, 0, 1))).toBe('2026-12-02');
    expect(firstOpenDay(Date.UTC(2026, 11, 3, 23, 59, 59))).toBe('2026-12-02');
  });
});

describe("the loop's compaction (wh loop, npm start)", () => {
  it('compacts the closed days at start, then once per UTC day', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wh-compact-loop-'));
    try {
      const paths = await build(root);
      const logs: string[] = [];
      const compactor = lakeCompactor(paths.lake, (m) => logs.push(m));
      // now = day 3 + 1 h: days 0 and 1 closed (day 2 is yesterday, day 3 today)
      const now = T0 + 3 * DAY + 3_600_000;
      await withCon(paths, (con) => compactor.cycle(con, now));
      expect(perPartition(await lakeFiles(paths))).toEqual(new Map([...perPartition(await lakeFiles(paths))].map(([d]) => [d, /2026-11-1[01]/.test(d) ? 1 : 3])));
      expect(logs).toHaveLength(1);
      // later the same day: nothing is looked at again
      await withCon(paths, (con) => compactor.cycle(con, now + 3_600_000));
      expect(logs).toHaveLength(1);
      // the next day, day 2 has closed
      await withCon(paths, (con) => compactor.cycle(con, now + DAY));
      expect(logs).toHaveLength(2);
      expect([...perPartition(await lakeFiles(paths))].filter(([, n]) => n > 1).map(([d]) => d).every((d) => d.includes('2026-11-13'))).toBe(true);
      expect(await verify(paths)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('an interrupted compaction loses and doubles nothing', () => {
  const steps: CompactStep[] = ['copied', 'journaled', 'swapped', 'inputs-removed'];

  it.each(steps)('stopped after %s, then run again', async (step) => {
    const root = mkdtempSync(join(tmpdir(), 'wh-compact-crash-'));
    try {
      const paths = await build(root);
      const before = await lakeRows(paths);
      let stopped = '';
      await expect(withCon(paths, (con) => compactLake(con, paths.lake, {
        before: '2027-01-01',
        checkpoint: (s, partition) => {
          if (s === step && !stopped) {
            stopped = partition;
            throw new Error(`crash after ${s}`);
          }
        },
      }))).rejects.toThrow(`crash after ${step}`);
      // what the crash left: a .tmp, a journal, or both files of a partition
      const left = readdirSync(stopped);
      if (step === 'copied') expect(left.some((n) => n.endsWith('.tmp'))).toBe(true);
      else if (step !== 'inputs-removed') expect(left).toContain(JOURNAL);
      const r = await withCon(paths, (con) => compactLake(con, paths.lake, { before: '2027-01-01' }));
      expect(r.recovered).toBe(1);
      expect(await lakeFiles(paths)).toHaveLength(8);
      expect((await lakeFiles(paths)).some((f) => f.endsWith('.tmp') || f.endsWith(JOURNAL))).toBe(false);
      expect(await lakeRows(paths)).toBe(before);
      expect(await verify(paths)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a reader of the lake during a compaction', () => {
  it('sees every row exactly once at every step, through lakeScanSql (no partition twice, none missing)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wh-compact-reader-'));
    // The reader is another engine: its own in-memory DuckDB, reading only the Parquet files.
    const reader = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      const paths = await build(root);
      const count = async () => {
        const r = (await reader.runAndReadAll(`select count(*)::int as n, count(distinct event_id)::int as d from ${lakeScanSql(paths.lake)}`)).getRowObjects()[0]!;
        return { n: Number(r.n), d: Number(r.d) };
      };
      const total = await count();
      expect(total).toEqual({ n: 120, d: 120 });
      const seen: string[] = [];
      await withCon(paths, (con) => compactLake(con, paths.lake, {
        before: '2027-01-01',
        checkpoint: async (step) => {
          seen.push(step);
          expect(await count(), `after ${step}`).toEqual(total);
        },
      }));
      expect(seen).toHaveLength(4 * 8);
      expect(await count()).toEqual(total);
    } finally {
      reader.closeSync();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('`wh compact` from the command line', () => {
  it('compacts, says so, and says when there is nothing left to do', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wh-compact-cli-'));
    try {
      const paths = await build(root);
      const before = await lakeRows(paths);
      const wh = (before = '2027-01-01') => new Promise<{ code: number; out: string }>((done) => {
        execFile(resolve(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [resolve(REPO_ROOT, 'warehouse', 'cli.ts'), 'compact', '--before', before],
          { env: { ...process.env, WAREHOUSE_DIR: paths.dir }, timeout: 60_000 },
          (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
      });
      const bad = await wh('yesterday');
      expect(bad).toMatchObject({ code: 2, out: expect.stringContaining('--before must be a day, YYYY-MM-DD') });
      expect(await lakeFiles(paths)).toHaveLength(24);
      const first = await wh();
      expect(first.code, first.out).toBe(0);
      expect(first.out).toMatch(/compacted 8 closed \(day, type\) partition\(s\) before 2027-01-01: 24 files -> 8/);
      expect(await lakeRows(paths)).toBe(before);
      const second = await wh();
      expect(second.code, second.out).toBe(0);
      expect(second.out).toMatch(/nothing to compact/);
      expect(existsSync(`${paths.db}.writer`)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);
});
