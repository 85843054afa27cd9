/**
 * `wh compact`: folds the small lake files of each closed day into one file per (day, type).
 *
 * Every sync writes one file per (day, type) it touched (lake.ts), so a day's partition collects a
 * file per sync that brought its events: thousands of small files a month, each with its own
 * footer and row groups, slow for every engine reading the lake. Once a day is closed (no event of
 * it is expected any more: by default every day before yesterday, UTC) its files are rewritten as
 * one, sorted by time. An event of a closed day that still arrives later is written by the next
 * sync as a file of its own and folded in by the next compaction.
 *
 * What a reader sees: one rule, not timing. A compacted file supersedes, in its own directory, every
 * run file of a run at most its own (`compacted-<R>` replaces `run-<r>-*` for r <= R: later syncs
 * only write later runs) and every earlier compacted file (`compacted-<R>-<k>` orders by (R, k)).
 * The lake's reader (lakeScanSql, lake.ts) reads every file but the superseded ones
 * (`supersededLakeFilesSql`), so the one rename that puts the compacted file in place is the
 * atomic switch: before it the reader reads the inputs, after it the compacted file alone, whether
 * or not the inputs are still there; a reader never sees a partition twice or not at all. (A plain
 * `**\/*.parquet` glob that ignores the rule can see a partition twice for the milliseconds between
 * the rename and the removal of the inputs; a rule-following reader whose file listing predates the
 * removal can fail with "file not found" and must be retried: never a wrong count.)
 *
 * Crash-safe, per partition: (1) the new file is written as `<name>.parquet.tmp` (not read as part
 * of the lake: readers glob `*.parquet`) and its row count checked against the inputs; (2) a
 * journal `compact.journal` names the new file and the files it replaces (written to a temporary
 * name, then renamed: it exists whole or not at all); (3) the new file is renamed into place (the
 * switch); (4) the inputs are removed; (5) the journal. A crash before (2) leaves a stray .tmp,
 * removed on the next compaction; after (2) the journal says what to finish: remove the inputs if
 * the new file is in place, else drop the .tmp. Compaction runs under the writer lock with the sync
 * (`wh compact`, `wh loop`), so no run file appears in a partition while it is compacted.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows, sqlString } from './db';

export const JOURNAL = 'compact.journal';

/** Points a test can stop compaction at, to prove a crash there loses and doubles nothing. */
export type CompactStep = 'copied' | 'journaled' | 'swapped' | 'inputs-removed';

export type CompactOptions = {
  /** Days strictly before this one (YYYY-MM-DD) are closed; default: the day before today, UTC. */
  before?: string;
  now?: number;
  checkpoint?: (step: CompactStep, partition: string) => void | Promise<void>;
  log?: (msg: string) => void;
};

export type CompactResult = { partitions: number; files_before: number; files_after: number; rows: number; recovered: number; ms: number };

type Journal = { target: string; inputs: string[] };

/** The first open day: days before it are closed (yesterday may still get late events, today surely will). */
export function firstOpenDay(now: number): string {
  return new Date(now - 86_400_000).toISOString().slice(0, 10);
}

/** `event_date=YYYY-MM-DD/event_type=<type>` directories of the lake. */
async function partitions(lakeDir: string): Promise<{ day: string; dir: string }[]> {
  const out: { day: string; dir: string }[] = [];
  const days = await readdir(lakeDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const d of days) {
    const m = /^event_date=(\d{4}-\d{2}-\d{2})$/.exec(d.name);
    if (!d.isDirectory() || !m) continue;
    for (const t of await readdir(join(lakeDir, d.name), { withFileTypes: true })) {
      if (t.isDirectory() && t.name.startsWith('event_type=')) out.push({ day: m[1]!, dir: join(lakeDir, d.name, t.name) });
    }
  }
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Finishes or undoes what a crashed compaction left in one partition. True when there was something. */
async function recoverPartition(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  let found = false;
  if (names.includes(JOURNAL)) {
    const j = JSON.parse(await readFile(join(dir, JOURNAL), 'utf8')) as Journal;
    if (existsSync(join(dir, j.target))) {
      for (const f of j.inputs) await rm(join(dir, f), { force: true });
    }
    await rm(join(dir, JOURNAL));
    found = true;
  }
  for (const n of names) {
    if (n.endsWith('.tmp')) {
      await rm(join(dir, n), { force: true });
      found = true;
    }
  }
  return found;
}

/** The run a lake file's rows came from, at most (run-<R>-<i>.parquet, compacted-<R>.parquet). */
const runOf = (file: string) => Number(/^(?:run|compacted)-(\d+)/.exec(file)?.[1] ?? 0);

const countRows = async (con: DuckDBConnection, files: string[]) =>
  Number((await rows<{ n: number }>(con, `select count(*)::bigint as n from read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false)`))[0]!.n);

/**
 * The files of the lake (`glob`, as given to read_parquet) that a compacted file supersedes, as a
 * query of one column `file` (see the rule at the top). Reads only the listing, no file.
 */
export function supersededLakeFilesSql(glob: string): string {
  return `select x.file from (
      select file, regexp_replace(file, '/[^/]*$', '') as dir,
        regexp_extract(file, '/(compacted)-[0-9]+[^/]*$', 1) = 'compacted' as compacted,
        coalesce(try_cast(regexp_extract(file, '/(?:run|compacted)-([0-9]+)[^/]*$', 1) as bigint), 0) as r,
        coalesce(try_cast(regexp_extract(file, '/compacted-[0-9]+-([0-9]+)\\.parquet$', 1) as bigint), 1) as k
      from glob(${sqlString(glob)})) x
    where exists (select 1 from (
        select regexp_replace(file, '/[^/]*$', '') as dir,
          cast(regexp_extract(file, '/compacted-([0-9]+)[^/]*$', 1) as bigint) as r,
          coalesce(try_cast(regexp_extract(file, '/compacted-[0-9]+-([0-9]+)\\.parquet$', 1) as bigint), 1) as k
        from glob(${sqlString(glob)}) where regexp_matches(file, '/compacted-[0-9]+[^/]*$')) c
      where c.dir = x.dir and (x.compacted and (c.r > x.r or (c.r = x.r and c.k > x.k)) or not x.compacted and x.r <= c.r))`;
}

/** Compacts every closed day's partitions that hold more than one file. Idempotent. */
export async function compactLake(con: DuckDBConnection, lakeDir: string, opts: CompactOptions = {}): Promise<CompactResult> {
  const started = Date.now();
  const before = opts.before ?? firstOpenDay(opts.now ?? Date.now());
  const result: CompactResult = { partitions: 0, files_before: 0, files_after: 0, rows: 0, recovered: 0, ms: 0 };
  for (const p of await partitions(lakeDir)) {
    if (await recoverPartition(p.dir)) result.recovered++;
    if (p.day >= before) continue;
    const inputs = (await readdir(p.dir)).filter((n) => n.endsWith('.parquet')).sort();
    if (inputs.length < 2) continue;
    let target = `compacted-${Math.max(...inputs.map(runOf))}.parquet`;
    for (let k = 2; inputs.includes(target); k++) target = `compacted-${Math.max(...inputs.map(runOf))}-${k}.parquet`;
    const paths = inputs.map((f) => join(p.dir, f));
    const tmp = join(p.dir, `${target}.tmp`);
    // The files' own columns (event_date and event_type stay in the path), in time order.
    await con.run(`copy (select * from read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = false) order by occurred_at, event_id)
      to ${sqlString(tmp)} (format parquet, compression zstd)`);
    const [want, got] = [await countRows(con, paths), await countRows(con, [tmp])];
    if (want !== got) throw new Error(`compacting ${p.dir}: ${got} rows written of ${want}`);
    await opts.checkpoint?.('copied', p.dir);
    const journal: Journal = { target, inputs };
    await writeFile(join(p.dir, `${JOURNAL}.tmp`), JSON.stringify(journal));
    await rename(join(p.dir, `${JOURNAL}.tmp`), join(p.dir, JOURNAL));
    await opts.checkpoint?.('journaled', p.dir);
    await rename(tmp, join(p.dir, target));
    await opts.checkpoint?.('swapped', p.dir);
    for (const f of paths) await rm(f);
    await opts.checkpoint?.('inputs-removed', p.dir);
    await rm(join(p.dir, JOURNAL));
    result.partitions++;
    result.files_before += inputs.length;
    result.files_after++;
    result.rows += got;
  }
  result.ms = Date.now() - started;
  if (result.partitions > 0 || result.recovered > 0) {
    opts.log?.(`compacted ${result.partitions} closed (day, type) partition(s) before ${before}: ${result.files_before} files -> ${result.files_after} (${result.rows} rows) in ${result.ms} ms` +
      (result.recovered ? `; finished ${result.recovered} interrupted compaction(s)` : ''));
  }
  return result;
}

/** The loop's compaction: once at start and then once per UTC day, for the days that closed. */
export function lakeCompactor(lakeDir: string, log: (msg: string) => void): { cycle(con: DuckDBConnection, now: number): Promise<void> } {
  let done = '';
  return {
    async cycle(con, now) {
      const before = firstOpenDay(now);
      if (before === done) return;
      await compactLake(con, lakeDir, { before, log });
      done = before;
    },
  };
}
