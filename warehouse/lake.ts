/**
 * The Parquet lake: `lake/event_date=YYYY-MM-DD/event_type=<type>/run-<run>-<n>.parquet`, readable by
 * any engine with Hive partitioning (DuckDB: `read_parquet('lake/**\/*.parquet', hive_partitioning = true)`).
 *
 * A sync writes the files of its load runs after their rows are committed to raw.events, then marks
 * them `lake_written`. Runs that crashed in between are rewritten from raw.events on the next sync:
 * their file names are deterministic, so a partial earlier attempt is removed first and never
 * doubles rows. `wh compact` (compact.ts) later folds a closed day's small files into one.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { supersededLakeFilesSql } from './compact';
import { rows, sqlString } from './db';
import { walkFiles } from './source/dir';

/** Columns of the lake files (event_date and event_type live in the partition path). */
const LAKE_COLUMNS = 'event_id, schema_version, occurred_at, player_id, table_id, round_id, jurisdiction, currency, payload, source_object, event_date, event_type';

/** Removes the files of these runs (a partial earlier attempt): one walk of the lake. */
async function removeRunFiles(lakeDir: string, runIds: number[]): Promise<void> {
  const prefixes = runIds.map((id) => `run-${id}-`);
  for await (const file of walkFiles(lakeDir)) {
    const name = basename(file);
    if (prefixes.some((p) => name.startsWith(p))) await rm(file);
  }
}

/**
 * Writes the lake files of committed runs, in one partitioned COPY, and marks them written (one
 * statement: all or none). The files are named after the first run (`run-<first>-<n>.parquet`), so
 * whatever a crash left of an earlier attempt at any of these runs is removed first. Idempotent.
 */
export async function writeRunsToLake(con: DuckDBConnection, lakeDir: string, runIds: number[]): Promise<void> {
  if (runIds.length === 0) return;
  const ids = [...runIds].sort((a, b) => a - b);
  if (existsSync(lakeDir)) await removeRunFiles(lakeDir, ids);
  const list = ids.join(', ');
  const n = (await rows<{ n: number }>(con, `select count(*)::bigint as n from raw.events where load_run in (${list})`))[0]!.n;
  if (n > 0) {
    // Compaction (compact.ts) sorts a closed day's file by time.
    // Row order within a file is not promised (see above), so DuckDB need not keep it.
    await con.run('set preserve_insertion_order = false');
    try {
      await con.run(`copy (select ${LAKE_COLUMNS} from raw.events where load_run in (${list}))
        to ${sqlString(lakeDir)} (format parquet, compression zstd, partition_by (event_date, event_type),
        overwrite_or_ignore true, filename_pattern ${sqlString(`run-${ids[0]}-{i}`)})`);
    } finally {
      await con.run('reset preserve_insertion_order');
    }
  }
  await con.run(`update meta.sync_runs set lake_written = true where run_id in (${list})`);
}

/** Finishes the lake files of runs committed before a crash. Returns the runs it rewrote. */
export async function recoverLake(con: DuckDBConnection, lakeDir: string): Promise<number[]> {
  const pending = (await rows<{ run_id: number }>(con, 'select run_id from meta.sync_runs where not lake_written order by run_id')).map((r) => r.run_id);
  await writeRunsToLake(con, lakeDir, pending);
  return pending;
}

/**
 * The lake as DuckDB reads it (for checks and ad-hoc queries): every file but those a compacted
 * file supersedes (compact.ts), so a reader never sees a partition twice or not at all while
 * `wh compact` swaps a day's files for one.
 */
export function lakeScanSql(lakeDir: string): string {
  const glob = join(lakeDir, '**', '*.parquet');
  return `(select * exclude (filename) from read_parquet(${sqlString(glob)}, hive_partitioning = true, hive_types = {'event_date': date, 'event_type': varchar}, filename = true)
    where filename not in (${supersededLakeFilesSql(glob)}))`;
}
