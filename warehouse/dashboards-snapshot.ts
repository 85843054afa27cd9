/**
 * The dashboards' copy of the marts (`wh snapshot`, `npm run dashboards:build`): prod's `marts` and
 * `seeds` as plain tables in a DuckDB file of their own, which the Evidence project in dashboards/
 * reads as its source.
 *
 * Why a copy and not the warehouse file itself:
 * - Evidence's DuckDB connector runs DuckDB 1.4.x (`@duckdb/node-api` 1.4.4-r.3, what
 *   `@evidence-dev/duckdb` 2.0.1 installs with), the warehouse 1.5.x. The copy is written with
 *   STORAGE_VERSION v1.4.0, so the older reader can open it whatever 1.5 would default to.
 * - DuckDB lets no other process open a file while one writes to it: the sync loop (`npm start`)
 *   writes casino.duckdb every few seconds, so a build reading it would wait or fail mid-way. The
 *   copy is read by nobody but Evidence, and replaced whole (written beside, then renamed), so a
 *   build never sees half a snapshot.
 * - prod's marts are views over versioned physical tables (`wh_physical.*`): a reader needs the
 *   runner's layout to follow them. The copy has plain tables under the names analysts know
 *   (`marts.fct_ggr_daily`), and nothing else (no raw events, no staging, no runner state).
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { isLockConflict, rows, sqlString } from './db';
import type { WarehousePaths } from './config';

/** The schemas copied: what dashboards may read (marts) and the reference data they label with (seeds). */
export const SNAPSHOT_SCHEMAS = ['marts', 'seeds'] as const;
/** The oldest DuckDB storage format the snapshot is written in: what Evidence's DuckDB 1.4 reads. */
export const SNAPSHOT_STORAGE_VERSION = 'v1.4.0';

export type SnapshotSummary = {
  file: string; tables: { name: string; rows: number }[]; bytes: number; ms: number; taken_at: string;
  /** The brand the copy is limited to (null: every brand), and the marts copied empty for it. */
  brand: string | null; withheld: string[];
};

/**
 * How a relation is limited to one brand (`wh snapshot --brand`, the brand builds of the deployed
 * dashboards): a static site has all its data baked in, so what an operator of that brand may not
 * see must not be in the copy. Decided by the relation's columns, default deny:
 *   - a `brand` column: that brand's rows;
 *   - no brand but `player_id` (marts): the rows of that brand's players (marts.dim_players);
 *   - seeds without either: reference data (games, FX rates), whole;
 *   - any other mart (per live table, game, operator or jurisdiction across brands): empty, its
 *     columns kept so the pages still compile; listed as withheld.
 */
export function brandFilter(schema: string, columns: readonly string[], brand: string, from: string): string | null {
  if (columns.includes('brand')) return `brand = ${sqlString(brand)}`;
  if (schema === 'marts' && columns.includes('player_id')) return `player_id in (select player_id from ${ident(from)}.marts.dim_players where brand = ${sqlString(brand)})`;
  if (schema === 'seeds') return 'true';
  return null;
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Where the dashboards' snapshot lives by default: beside the warehouse file. */
export const defaultSnapshotPath = (paths: Pick<WarehousePaths, 'dir'>) => resolve(paths.dir, 'dashboards.duckdb');

/**
 * Copies prod's marts and seeds of catalog `from` (attached or the connection's own database) into
 * a new file `out`, replacing any earlier one atomically. `snapshot.info` records when it was taken
 * and how many rows each table had, so a page can say how fresh its numbers are.
 */
export async function writeSnapshot(con: DuckDBConnection, from: string, out: string, opts: { brand?: string } = {}): Promise<SnapshotSummary> {
  const brand = opts.brand ?? null;
  if (brand !== null && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(brand)) throw new Error(`not a brand id: ${JSON.stringify(brand)}`);
  const withheld: string[] = [];
  const t0 = Date.now();
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  for (const f of [partial, `${partial}.wal`]) rmSync(f, { force: true });
  const relations = await rows<{ schema_name: string; name: string }>(con, `
    select schema_name, table_name as name from duckdb_tables() where database_name = ${sqlString(from)} and schema_name in (${SNAPSHOT_SCHEMAS.map(sqlString).join(',')})
    union all
    select schema_name, view_name from duckdb_views() where database_name = ${sqlString(from)} and not internal and schema_name in (${SNAPSHOT_SCHEMAS.map(sqlString).join(',')})
    order by 1, 2`);
  if (!relations.some((r) => r.schema_name === 'marts')) throw new Error(`no marts in the warehouse yet: apply prod's plan first (\`npm run wh -- plan --auto-apply\`, or let \`npm start\`'s loop do it)`);
  const alias = 'dashboards_snapshot';
  await con.run(`attach ${sqlString(partial)} as ${alias} (storage_version ${sqlString(SNAPSHOT_STORAGE_VERSION)})`);
  const tables: SnapshotSummary['tables'] = [];
  const takenAt = new Date().toISOString();
  try {
    // One transaction: every table of the copy comes from the same state of the warehouse.
    await con.run('begin transaction');
    for (const schema of new Set(relations.map((r) => r.schema_name))) await con.run(`create schema ${alias}.${ident(schema)}`);
    for (const r of relations) {
      const name = `${r.schema_name}.${r.name}`;
      const source = `${ident(from)}.${ident(r.schema_name)}.${ident(r.name)}`;
      let where = 'true';
      if (brand !== null) {
        const columns = (await rows<{ column_name: string }>(con, `select column_name from (describe select * from ${source})`)).map((c) => c.column_name);
        const filter = brandFilter(r.schema_name, columns, brand, from);
        if (filter === null) withheld.push(name);
        where = filter ?? 'false';
      }
      await con.run(`create table ${alias}.${ident(r.schema_name)}.${ident(r.name)} as select * from ${source} where ${where}`);
      const [{ n }] = await rows<{ n: number }>(con, `select count(*)::bigint as n from ${alias}.${ident(r.schema_name)}.${ident(r.name)}`) as [{ n: number }];
      tables.push({ name, rows: Number(n) });
    }
    await con.run(`create schema ${alias}.snapshot`);
    await con.run(`create table ${alias}.snapshot.info as select ${sqlString(takenAt)}::timestamp as taken_at, ${brand === null ? 'null::varchar' : sqlString(brand)} as brand, unnest(${'['}${tables.map((t) => sqlString(t.name)).join(',')}${']'}::varchar[]) as relation, unnest([${tables.map((t) => t.rows).join(',')}]::bigint[]) as row_count`);
    await con.run('commit');
  } catch (err) {
    await con.run('rollback').catch(() => {});
    await con.run(`detach ${alias}`).catch(() => {});
    rmSync(partial, { force: true });
    throw err;
  }
  await con.run(`detach ${alias}`);
  renameSync(partial, out);
  return { file: out, tables, bytes: statSync(out).size, ms: Date.now() - t0, taken_at: takenAt, brand, withheld };
}

/**
 * `wh snapshot`: opens the warehouse read-only beside whoever writes it (waiting while the loop
 * holds it, which it does a few seconds per cycle) and writes the snapshot.
 */
export async function snapshotWarehouse(paths: Pick<WarehousePaths, 'db'>, out: string, opts: { onWait?: (err: Error) => void; lockWaitMs?: number; brand?: string } = {}): Promise<SnapshotSummary> {
  if (!existsSync(paths.db)) throw new Error(`no warehouse at ${paths.db}: run \`npm run wh -- sync\` first`);
  // An in-memory database attaching the warehouse read-only: the copy is written through the same
  // connection (a read-only instance cannot attach a file to write).
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    await con.run("set TimeZone = 'UTC'");
    const deadline = Date.now() + (opts.lockWaitMs ?? Infinity);
    let told = false;
    for (;;) {
      try {
        await con.run(`attach ${sqlString(paths.db)} as wh (read_only)`);
        break;
      } catch (err) {
        if (!isLockConflict(err) || Date.now() >= deadline) throw err;
        if (!told) opts.onWait?.(err as Error);
        told = true;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    try {
      return await writeSnapshot(con, 'wh', out, { brand: opts.brand });
    } finally {
      await con.run('detach wh').catch(() => {});
    }
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
