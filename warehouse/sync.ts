/**
 * `wh sync`: new batch objects -> DuckDB `raw.events` (deduplicated on event_id) + `raw.quarantine`
 * + the Parquet lake, recording every loaded object so a re-run changes nothing.
 *
 * One load run takes a bounded slice of new objects (by compressed bytes) and downloads them into a
 * scratch directory; worker threads validate every line against the zod schemas the edge emits with
 * (validate-line.ts: a validator compiled from those schemas, zod itself for every line it does not
 * accept) and write the valid lines back out, which DuckDB's own NDJSON reader then loads in bulk
 * (never row by row). While DuckDB loads one slice, the workers already prepare the next. The new
 * events, the quarantined lines, the object records and the run record commit in ONE transaction
 * per run: a crash before the commit leaves no trace (the objects are simply loaded again), a crash
 * after it only leaves the run's lake files to write, which the next sync does first (lake.ts).
 * Hence "at least once in, exactly once counted". The lake files of all of a sync's runs are
 * written at its end, in one partitioned COPY.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { BATCH_PREFIX, batchHourPrefix } from '../domain/event-batch';
import type { WarehousePaths } from './config';
import { openWarehouse, rows, scalar, sqlString, type Warehouse } from './db';
import { recoverLake, writeRunsToLake } from './lake';
import type { BatchObject, BatchSource } from './source/types';
import { ValidatorPool, type ObjectVerdict, type ValidateJob } from './validate';

/** Objects written this long before the newest loaded one are still looked for (late writers, clock skew). */
export const LOOKBACK_MS = 2 * 3_600_000;
const DOWNLOAD_CONCURRENCY = 8;

/**
 * Points a test can stop the process at, to prove a crash there loses and duplicates nothing.
 * ('downloaded' and 'validated' are said when the run starts in DuckDB: its slice was prepared while
 * the run before loaded; 'lake-written' once per run, after the sync's one lake COPY.)
 */
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
  let prepared: Promise<Prepared> | undefined;
  try {
    totals.lake_recovered = await recoverLake(wh.con, opts.paths.lake);
    const pending = await newObjects(wh.con, opts.source, opts.full ?? false);
    const slices = sliceByBytes(pending, opts.runBytes ?? 32 * 1024 * 1024);
    const committed: number[] = [];
    // While DuckDB loads one slice, the worker threads already download and validate the next.
    const prepare = (i: number) => prepareSlice(opts, pool, slices[i]!, i);
    prepared = slices.length ? prepare(0) : undefined;
    for (let i = 0; i < slices.length; i++) {
      const ready = await prepared!;
      prepared = i + 1 < slices.length ? prepare(i + 1) : undefined;
      // a failure of the next slice's preparation surfaces when it is awaited, not as an unhandled rejection
      prepared?.catch(() => {});
      const run = await loadRun(wh.con, opts, ready);
      committed.push(run.run_id);
      totals.runs++;
      totals.objects += ready.objects.length;
      totals.lines += run.lines;
      totals.events_new += run.events_new;
      totals.duplicates += run.duplicates;
      totals.quarantined += run.quarantined;
      opts.log?.(`run ${run.run_id}: ${ready.objects.length} objects, ${run.lines} lines -> ${run.events_new} new, ${run.duplicates} duplicates, ${run.quarantined} quarantined`);
    }
    // The lake files of all this sync's runs in one partitioned COPY (as many files as one run's).
    await writeRunsToLake(process.env.WH_PROFILE ? profiled(wh.con) : wh.con, opts.paths.lake, committed);
    for (const runId of committed) await opts.checkpoint?.('lake-written', runId);
  } finally {
    if (prepared) await prepared.then((p) => rm(p.dir, { recursive: true, force: true }), () => {});
    if (!opts.warehouse) wh.close();
    await pool.close();
  }
  totals.ms = Date.now() - started;
  return totals;
}

/** Consecutive slices of at most `budget` compressed bytes (at least one object each). */
function sliceByBytes(objects: BatchObject[], budget: number): BatchObject[][] {
  const out: BatchObject[][] = [];
  for (let i = 0; i < objects.length;) {
    const slice: BatchObject[] = [];
    let bytes = 0;
    while (i < objects.length && (slice.length === 0 || bytes + objects[i]!.size <= budget)) {
      bytes += objects[i]!.size;
      slice.push(objects[i++]!);
    }
    out.push(slice);
  }
  return out;
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

/** A slice downloaded and validated into its scratch directory, ready for DuckDB. */
type Prepared = { objects: BatchObject[]; dir: string; jobs: ValidateJob[]; verdicts: ObjectVerdict[]; downloadMs: number; validateMs: number };

async function prepareSlice(opts: SyncOptions, pool: ValidatorPool, objects: BatchObject[], n: number): Promise<Prepared> {
  const dir = join(opts.paths.scratch, `slice-${n}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const t0 = Date.now();
    const jobs = await download(opts.source, objects, dir);
    const t1 = Date.now();
    const verdicts = await pool.run(jobs);
    return { objects, dir, jobs, verdicts, downloadMs: t1 - t0, validateMs: Date.now() - t1 };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function loadRun(rawCon: DuckDBConnection, opts: SyncOptions, prepared: Prepared): Promise<RunResult> {
  const con = process.env.WH_PROFILE ? profiled(rawCon) : rawCon;
  const { objects, dir, jobs, verdicts } = prepared;
  if (process.env.WH_PROFILE) console.error(`[profile] slice of ${objects.length} objects: download ${prepared.downloadMs} ms, validation ${prepared.validateMs} ms wall (overlapping the previous slice's load)`);
  const runId = Number((await scalar<number | null>(con, 'select max(run_id) from meta.sync_runs')) ?? 0) + 1;
  const startedAt = new Date().toISOString();
  try {
    await opts.checkpoint?.('downloaded', runId);
    const quarantineFile = join(dir, 'quarantine.ndjson');
    const refused = verdicts.flatMap((v) => v.refused.map((r) => JSON.stringify({ object_key: v.key, ...r })));
    if (refused.length) await writeFile(quarantineFile, `${refused.join('\n')}\n`);
    await opts.checkpoint?.('validated', runId);

    await con.run('create or replace temp table wh_files (valid_file varchar, object_key varchar, size_bytes bigint, lines bigint, valid bigint, refused bigint)');
    await con.run(`insert into wh_files values ${jobs.map((j, i) => `(${sqlString(j.validFile)}, ${sqlString(j.key)}, ${objects[i]!.size}, ${verdicts[i]!.lines}, ${verdicts[i]!.valid}, ${verdicts[i]!.refused.length})`).join(', ')}`);
    const validFiles = jobs.filter((_, i) => verdicts[i]!.valid > 0).map((j) => j.validFile);
    // The lines' order does not matter here (the insert below sorts, the dedup orders by object):
    // DuckDB's reader then need not keep it (~10-30 % of its CPU).
    await con.run('set preserve_insertion_order = false');
    try {
      await con.run(validFiles.length
        ? `create or replace temp table wh_valid as
            select f.object_key, r.* exclude (filename) from read_ndjson([${validFiles.map(sqlString).join(', ')}], columns = ${EVENT_COLUMNS}, filename = true) r
            join wh_files f on r.filename = f.valid_file`
        : `create or replace temp table wh_valid as select ''::varchar as object_key, * from (select * from read_ndjson([], columns = ${EVENT_COLUMNS})) limit 0`);
    } finally {
      await con.run('reset preserve_insertion_order');
    }

    // First copy within the run, and none already loaded. event_ids are time-ordered (UUIDv7) and
    // raw.events is appended in time order, so the occurred_at window prunes the probe to a few row groups.
    // (The window that keeps the first copy costs ~1.6 s of CPU per 1M events; a run rarely repeats an
    // event_id, and counting distinct ids says so for ~0.2 s.)
    const win = (await rows<{ lo: number | null; hi: number | null; repeats: boolean }>(con,
      'select min(occurred_at) as lo, max(occurred_at) as hi, count(*) > count(distinct event_id) as repeats from wh_valid'))[0]!;
    const firstCopies = win.repeats ? 'select * from wh_valid qualify row_number() over (partition by event_id order by object_key) = 1' : 'select * from wh_valid';

    await con.run('begin transaction');
    try {
      // In time order: DuckDB keeps insertion order, so each row group then spans a short stretch of
      // time and its min/max (zonemap) lets a staging model's event_date window skip the rest. A run
      // can hold objects written over a long time (a first load, a backlog): unsorted, every row
      // group spanned every day, and one day of an incremental model scanned the whole history.
      // Straight from the run's lines into raw.events (no intermediate table of the fresh ones).
      await con.run(`insert into raw.events
        select event_id, event_type, schema_version, make_timestamp(occurred_at * 1000), cast(make_timestamp(occurred_at * 1000) as date),
          player_id, table_id, round_id, jurisdiction, currency, payload, object_key, ${runId}, now()::timestamp
        from (${firstCopies}) c
        anti join (select event_id from raw.events where occurred_at between make_timestamp(${win.lo ?? 0}::bigint * 1000) and make_timestamp(${win.hi ?? 0}::bigint * 1000)) e
        on c.event_id = e.event_id
        order by occurred_at, event_id`);
      if (refused.length) {
        await con.run(`insert into raw.quarantine
          select object_key, line, reason, event_id, ${runId}, now()::timestamp
          from read_ndjson(${sqlString(quarantineFile)}, columns = {object_key: 'VARCHAR', line: 'VARCHAR', reason: 'VARCHAR', event_id: 'VARCHAR'})`);
      }
      await opts.checkpoint?.('inserted', runId);
      await con.run(`insert into meta.loaded_objects
        select f.object_key, ${sqlString(opts.source.name)}, f.size_bytes, f.lines, coalesce(n.fresh, 0), f.valid - coalesce(n.fresh, 0), f.refused, ${runId}, now()::timestamp
        from wh_files f left join (select source_object as object_key, count(*) as fresh from raw.events where load_run = ${runId} group by all) n using (object_key)`);
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
    return (await rows<RunResult>(con, `select run_id, lines, events_new, duplicates, quarantined from meta.sync_runs where run_id = ${runId}`))[0]!;
  } finally {
    await con.run('drop table if exists wh_files; drop table if exists wh_valid').catch(() => {});
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
        const cpu = process.cpuUsage();
        const r = await target.run(sql);
        const used = process.cpuUsage(cpu);
        console.error(`[profile] ${Date.now() - t} ms wall, ${Math.round((used.user + used.system) / 1000)} ms CPU  ${sql.replace(/\s+/g, ' ').slice(0, 90)}`);
        return r;
      };
    },
  });
}
