/**
 * `wh sync`: new batch objects -> DuckDB `raw.events` (deduplicated on event_id) + `raw.quarantine`
 * + the Parquet lake, recording every loaded object so a re-run changes nothing.
 *
 * One load run takes a bounded slice of new objects (by compressed bytes) and downloads them into a
 * scratch directory; worker threads validate every line with the zod schemas the edge emits with
 * (validate.ts) and write the valid lines back out, which DuckDB's own NDJSON reader then loads
 * in bulk (never row by row). The new events, the quarantined lines, the
 * object records and the run record commit in ONE transaction: a crash before the commit leaves no
 * trace (the objects are simply loaded again), a crash after it only leaves the run's lake files to
 * write, which the next sync does first (lake.ts). Hence "at least once in, exactly once counted".
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BATCH_PREFIX, batchHourPrefix } from '../domain/event-batch';
import type { WarehousePaths } from './config';
import { openWarehouse, rows, scalar, sqlString, type Warehouse } from './db';
import { recoverLake, writeRunToLake } from './lake';
import type { BatchObject, BatchSource } from './source/types';
import { ValidatorPool, type ValidateJob } from './validate';

/** Objects written this long before the newest loaded one are still looked for (late writers, clock skew). */
export const LOOKBACK_MS = 2 * 3_600_000;
const DOWNLOAD_CONCURRENCY = 8;

/** Points a test can stop the process at, to prove a crash there loses and duplicates nothing. */
export type SyncStep = 'downloaded' | 'validated' | 'inserted' | 'committed' | 'lake-written';

export type SyncOptions = {
  paths: WarehousePaths;
  source: BatchSource;
  /** Compressed bytes per load run (bounds memory and scratch space). */
  runBytes?: number;
  /** List the whole bucket instead of the recent window (after restoring an old backup, say). */
  full?: boolean;
  /** Called at each step of each run; tests use it to crash on purpose. */
  checkpoint?: (step: SyncStep, runId: number) => void | Promise<void>;
  log?: (msg: string) => void;
  /** The warehouse already open for writing (withWriter); sync then leaves closing it to the caller. */
  warehouse?: Warehouse;
};

export type SyncTotals = { runs: number; objects: number; lines: number; events_new: number; duplicates: number; quarantined: number; lake_recovered: number[]; ms: number };

export async function sync(opts: SyncOptions): Promise<SyncTotals> {
  const started = Date.now();
  const wh = opts.warehouse ?? await openWarehouse(opts.paths.db);
  const pool = new ValidatorPool();
  const totals: SyncTotals = { runs: 0, objects: 0, lines: 0, events_new: 0, duplicates: 0, quarantined: 0, lake_recovered: [], ms: 0 };
  try {
    totals.lake_recovered = await recoverLake(wh.con, opts.paths.lake);
    const pending = await newObjects(wh.con, opts.source, opts.full ?? false);
    const budget = opts.runBytes ?? 32 * 1024 * 1024;
    for (let i = 0; i < pending.length;) {
      const slice: BatchObject[] = [];
      let bytes = 0;
      while (i < pending.length && (slice.length === 0 || bytes + pending[i]!.size <= budget)) {
        bytes += pending[i]!.size;
        slice.push(pending[i++]!);
      }
      const run = await loadRun(wh.con, opts, pool, slice);
      totals.runs++;
      totals.objects += slice.length;
      totals.lines += run.lines;
      totals.events_new += run.events_new;
      totals.duplicates += run.duplicates;
      totals.quarantined += run.quarantined;
      opts.log?.(`run ${run.run_id}: ${slice.length} objects, ${run.lines} lines -> ${run.events_new} new, ${run.duplicates} duplicates, ${run.quarantined} quarantined`);
    }
  } finally {
    if (!opts.warehouse) wh.close();
    await pool.close();
  }
  totals.ms = Date.now() - started;
  return totals;
}

/** Objects in the listing window that meta.loaded_objects does not know, in key order. */
async function newObjects(con: DuckDBConnection, source: BatchSource, full: boolean): Promise<BatchObject[]> {
  const newest = await scalar<string | null>(con, 'select max(object_key) from meta.loaded_objects');
  const writtenAt = newest ? Number(/\/(\d{13})-[^/]*$/.exec(newest)?.[1]) : NaN;
  const startAfter = !full && Number.isFinite(writtenAt) ? batchHourPrefix(writtenAt - LOOKBACK_MS) : undefined;
  const loaded = new Set((await rows<{ k: string }>(con, `select object_key as k from meta.loaded_objects${startAfter ? ` where object_key >= ${sqlString(startAfter)}` : ''}`)).map((r) => r.k));
  const out: BatchObject[] = [];
  for await (const o of source.list(BATCH_PREFIX, startAfter)) if (!loaded.has(o.key)) out.push(o);
  return out;
}

type RunResult = { run_id: number; lines: number; events_new: number; duplicates: number; quarantined: number };

async function loadRun(rawCon: DuckDBConnection, opts: SyncOptions, pool: ValidatorPool, objects: BatchObject[]): Promise<RunResult> {
  const con = process.env.WH_PROFILE ? profiled(rawCon) : rawCon;
  const runId = Number((await scalar<number | null>(con, 'select max(run_id) from meta.sync_runs')) ?? 0) + 1;
  const startedAt = new Date().toISOString();
  const dir = join(opts.paths.scratch, `run-${runId}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const jobs = await download(opts.source, objects, dir);
    await opts.checkpoint?.('downloaded', runId);
    const verdicts = await pool.run(jobs);
    const quarantineFile = join(dir, 'quarantine.ndjson');
    const refused = verdicts.flatMap((v) => v.refused.map((r) => JSON.stringify({ object_key: v.key, ...r })));
    if (refused.length) await writeFile(quarantineFile, `${refused.join('\n')}\n`);
    await opts.checkpoint?.('validated', runId);

    await con.run('create or replace temp table wh_files (valid_file varchar, object_key varchar, size_bytes bigint, lines bigint, valid bigint, refused bigint)');
    await con.run(`insert into wh_files values ${jobs.map((j, i) => `(${sqlString(j.validFile)}, ${sqlString(j.key)}, ${objects[i]!.size}, ${verdicts[i]!.lines}, ${verdicts[i]!.valid}, ${verdicts[i]!.refused.length})`).join(', ')}`);
    const validFiles = jobs.filter((_, i) => verdicts[i]!.valid > 0).map((j) => j.validFile);
    await con.run(validFiles.length
      ? `create or replace temp table wh_valid as
          select f.object_key, r.* exclude (filename) from read_ndjson([${validFiles.map(sqlString).join(', ')}], columns = ${EVENT_COLUMNS}, filename = true) r
          join wh_files f on r.filename = f.valid_file`
      : `create or replace temp table wh_valid as select ''::varchar as object_key, * from (select * from read_ndjson([], columns = ${EVENT_COLUMNS})) limit 0`);

    // First copy within the run, and none already loaded. event_ids are time-ordered (UUIDv7) and
    // raw.events is appended in time order, so the occurred_at window prunes the probe to a few row groups.
    const win = (await rows<{ lo: number | null; hi: number | null }>(con, 'select min(occurred_at) as lo, max(occurred_at) as hi from wh_valid'))[0]!;
    await con.run(`create or replace temp table wh_fresh as
      select c.* from (select * from wh_valid qualify row_number() over (partition by event_id order by object_key) = 1) c
      anti join (select event_id from raw.events where occurred_at between make_timestamp(${win.lo ?? 0}::bigint * 1000) and make_timestamp(${win.hi ?? 0}::bigint * 1000)) e
      on c.event_id = e.event_id`);

    await con.run('begin transaction');
    try {
      // In time order: DuckDB keeps insertion order, so each row group then spans a short stretch of
      // time and its min/max (zonemap) lets a staging model's event_date window skip the rest. A run
      // can hold objects written over a long time (a first load, a backlog): unsorted, every row
      // group spanned every day, and one day of an incremental model scanned the whole history.
      await con.run(`insert into raw.events
        select event_id, event_type, schema_version, make_timestamp(occurred_at * 1000), cast(make_timestamp(occurred_at * 1000) as date),
          player_id, table_id, round_id, jurisdiction, currency, payload, object_key, ${runId}, now()::timestamp
        from wh_fresh
        order by occurred_at, event_id`);
      if (refused.length) {
        await con.run(`insert into raw.quarantine
          select object_key, line, reason, event_id, ${runId}, now()::timestamp
          from read_ndjson(${sqlString(quarantineFile)}, columns = {object_key: 'VARCHAR', line: 'VARCHAR', reason: 'VARCHAR', event_id: 'VARCHAR'})`);
      }
      await opts.checkpoint?.('inserted', runId);
      await con.run(`insert into meta.loaded_objects
        select f.object_key, ${sqlString(opts.source.name)}, f.size_bytes, f.lines, coalesce(n.fresh, 0), f.valid - coalesce(n.fresh, 0), f.refused, ${runId}, now()::timestamp
        from wh_files f left join (select object_key, count(*) as fresh from wh_fresh group by all) n using (object_key)`);
      await con.run(`insert into meta.sync_runs
        select ${runId}, ${sqlString(opts.source.name)}, ${sqlString(startedAt)}::timestamptz::timestamp, now()::timestamp,
          count(*), sum(lines), sum(events_new), sum(duplicates), sum(quarantined), false
        from meta.loaded_objects where load_run = ${runId}`);
      await con.run('commit');
    } catch (err) {
      await con.run('rollback').catch(() => {});
      throw err;
    }
    await opts.checkpoint?.('committed', runId);

    await writeRunToLake(con, opts.paths.lake, runId);
    await opts.checkpoint?.('lake-written', runId);
    return (await rows<RunResult>(con, `select run_id, lines, events_new, duplicates, quarantined from meta.sync_runs where run_id = ${runId}`))[0]!;
  } finally {
    await con.run('drop table if exists wh_files; drop table if exists wh_valid; drop table if exists wh_fresh').catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

/** raw.events' columns as they are in an event's JSON (validated already, so DuckDB's reader can trust the types). */
const EVENT_COLUMNS = `{event_id: 'VARCHAR', event_type: 'VARCHAR', schema_version: 'INTEGER', occurred_at: 'BIGINT', player_id: 'VARCHAR',
  table_id: 'VARCHAR', round_id: 'VARCHAR', jurisdiction: 'VARCHAR', currency: 'VARCHAR', payload: 'JSON'}`;

/** Fetches objects into `dir` as they are (bounded concurrency); returns the validation jobs, in order. */
async function download(source: BatchSource, objects: BatchObject[], dir: string): Promise<ValidateJob[]> {
  const out: ValidateJob[] = new Array(objects.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < objects.length) {
      const i = next++;
      const key = objects[i]!.key;
      const base = join(dir, String(i).padStart(6, '0'));
      await writeFile(`${base}.ndjson.gz`, await source.get(key));
      out[i] = { key, gzFile: `${base}.ndjson.gz`, validFile: `${base}.valid.ndjson` };
    }
  }
  await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, objects.length) }, worker));
  return out;
}

function profiled(con: DuckDBConnection): DuckDBConnection {
  return new Proxy(con, {
    get(target, prop) {
      if (prop !== 'run') return Reflect.get(target, prop);
      return async (sql: string) => {
        const t = Date.now();
        const r = await target.run(sql);
        console.error(`[profile] ${Date.now() - t} ms  ${sql.replace(/\s+/g, ' ').slice(0, 90)}`);
        return r;
      };
    },
  });
}
