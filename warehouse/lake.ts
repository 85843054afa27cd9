/**
 * The Parquet lake: `lake/event_date=YYYY-MM-DD/event_type=<type>/run-<run>-<n>.parquet`, readable by
 * any engine with Hive partitioning (DuckDB: `read_parquet('lake/**\/*.parquet', hive_partitioning = true)`).
 *
 * Each load run writes its own files after its rows are committed to raw.events, then marks the run
 * `lake_written`. A run that crashed in between is rewritten from raw.events on the next sync: its
 * file names are deterministic, so a partial earlier attempt is removed first and never doubles rows.
 */
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows, sqlString } from './db';
import { walkFiles } from './source/dir';

/** Columns of the lake files (event_date and event_type live in the partition path). */
const LAKE_COLUMNS = 'event_id, schema_version, occurred_at, player_id, table_id, round_id, jurisdiction, currency, payload, source_object, event_date, event_type';

async function removeRunFiles(lakeDir: string, runId: number): Promise<void> {
  const prefix = `run-${runId}-`;
  for await (const file of walkFiles(lakeDir)) if (basename(file).startsWith(prefix)) await rm(file);
}

/** Writes the lake files of one committed run and marks it written. Idempotent. */
export async function writeRunToLake(con: DuckDBConnection, lakeDir: string, runId: number): Promise<void> {
  await removeRunFiles(lakeDir, runId);
  const n = (await rows<{ n: number }>(con, `select count(*)::bigint as n from raw.events where load_run = ${runId}`))[0]!.n;
  if (n > 0) {
    await con.run(`copy (select ${LAKE_COLUMNS} from raw.events where load_run = ${runId} order by occurred_at)
      to ${sqlString(lakeDir)} (format parquet, compression zstd, partition_by (event_date, event_type),
      overwrite_or_ignore true, filename_pattern ${sqlString(`run-${runId}-{i}`)})`);
  }
  await con.run(`update meta.sync_runs set lake_written = true where run_id = ${runId}`);
}

/** Finishes the lake files of runs committed before a crash. Returns the runs it rewrote. */
export async function recoverLake(con: DuckDBConnection, lakeDir: string): Promise<number[]> {
  const pending = await rows<{ run_id: number }>(con, 'select run_id from meta.sync_runs where not lake_written order by run_id');
  for (const { run_id } of pending) await writeRunToLake(con, lakeDir, run_id);
  return pending.map((r) => r.run_id);
}

/** The lake as DuckDB reads it (for checks and ad-hoc queries). */
export function lakeScanSql(lakeDir: string): string {
  return `read_parquet(${sqlString(join(lakeDir, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {'event_date': date, 'event_type': varchar})`;
}
