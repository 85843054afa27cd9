/**
 * The warehouse database: one DuckDB file with the raw layer (`raw.events`, `raw.quarantine`) and
 * the loader's bookkeeping (`meta.loaded_objects`, `meta.sync_runs`). DuckDB allows one writing
 * process per file, so long-running writers (the sync loop) open it per run and close it after,
 * and everyone else retries briefly while it is busy.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export const SCHEMA_DDL = `
create schema if not exists raw;
create schema if not exists meta;

-- Every valid event exactly once (deduplicated on event_id). occurred_at is UTC.
create table if not exists raw.events (
  event_id varchar not null,
  event_type varchar not null,
  schema_version integer not null,
  occurred_at timestamp not null,
  event_date date not null,
  player_id varchar,
  table_id varchar,
  round_id varchar,
  jurisdiction varchar,
  currency varchar,
  payload json not null,
  source_object varchar not null,
  load_run bigint not null,
  loaded_at timestamp not null
);

-- Lines that failed their schema, with the reason; never dropped silently.
create table if not exists raw.quarantine (
  object_key varchar not null,
  line varchar not null,
  reason varchar not null,
  event_id varchar,
  load_run bigint not null,
  quarantined_at timestamp not null
);

-- Which batch objects are loaded (a re-run skips them), with what each contributed.
create table if not exists meta.loaded_objects (
  object_key varchar primary key,
  source varchar not null,
  size_bytes bigint not null,
  lines bigint not null,
  events_new bigint not null,
  duplicates bigint not null,
  quarantined bigint not null,
  load_run bigint not null,
  loaded_at timestamp not null
);

-- One row per load run; lake_written turns true once the run's Parquet files are complete.
create table if not exists meta.sync_runs (
  run_id bigint primary key,
  source varchar not null,
  started_at timestamp not null,
  committed_at timestamp not null,
  objects bigint not null,
  lines bigint not null,
  events_new bigint not null,
  duplicates bigint not null,
  quarantined bigint not null,
  lake_written boolean not null
);
`;

export type Warehouse = { instance: DuckDBInstance; con: DuckDBConnection; close(): void };

const LOCK_WAIT_MS = 30_000;

/** DuckDB's answer when another process holds the file ("Could not set lock ... Conflicting lock"). */
export const isLockConflict = (err: unknown) => /Could not set lock|Conflicting lock/i.test(String((err as Error)?.message ?? err));

/** The PID DuckDB names in a lock conflict, if any. */
export function lockHolderPid(err: unknown): number | undefined {
  const m = /\(PID (\d+)\)/.exec(String((err as Error)?.message ?? err));
  return m ? Number(m[1]) : undefined;
}

/**
 * Opens (creating if needed) the database file with the schema in place; waits up to `lockWaitMs`
 * (default 30 s, Infinity allowed) while another process holds it, calling `onWait` once when it
 * starts waiting (so a caller can say why it waits instead of hanging silently).
 */
export async function openWarehouse(dbPath: string, opts: { readOnly?: boolean; lockWaitMs?: number; onWait?: (err: Error) => void } = {}): Promise<Warehouse> {
  mkdirSync(dirname(dbPath), { recursive: true });
  const deadline = Date.now() + (opts.lockWaitMs ?? LOCK_WAIT_MS);
  let told = false;
  for (;;) {
    try {
      const instance = await DuckDBInstance.create(dbPath, opts.readOnly ? { access_mode: 'READ_ONLY' } : {});
      const con = await instance.connect();
      // Timestamps in the warehouse are UTC, whatever the machine's zone.
      await con.run("set TimeZone = 'UTC'");
      if (!opts.readOnly) await con.run(SCHEMA_DDL);
      return { instance, con, close: () => { con.closeSync(); instance.closeSync(); } };
    } catch (err) {
      if (!isLockConflict(err) || Date.now() >= deadline) throw err;
      if (!told) opts.onWait?.(err as Error);
      told = true;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Rows of a query as plain objects (BIGINT as number when safe, else string; timestamps as ISO strings). */
export async function rows<T = Record<string, unknown>>(con: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await con.runAndReadAll(sql);
  return reader.getRowObjectsJson().map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'string' && /^-?\d{1,15}$/.test(v) && isBigintColumn(reader, k) ? Number(v) : v;
    return out as T;
  });
}

function isBigintColumn(reader: { columnNames(): string[]; columnTypes(): { toString(): string }[] }, name: string): boolean {
  const i = reader.columnNames().indexOf(name);
  return i >= 0 && /^(BIGINT|HUGEINT|UBIGINT|INTEGER)$/.test(reader.columnTypes()[i]!.toString());
}

export async function scalar<T = unknown>(con: DuckDBConnection, sql: string): Promise<T> {
  const r = await rows(con, sql);
  return Object.values(r[0] ?? {})[0] as T;
}

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
