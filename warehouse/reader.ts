/**
 * Reading the warehouse on behalf of someone else (`wh serve`, and the parts `wh query` shares):
 * which schemas an environment is made of, the search_path that makes its unqualified model names
 * resolve, the one-SELECT check, and a read-only DuckDB instance that cannot touch anything but its
 * own file.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { rows, sqlString } from './db';
import { PHYSICAL_SCHEMA, PROD, checkEnvName } from './runner/names';

/** An expected refusal, with a stable code (the HTTP layer maps it to a status). */
export class Refusal extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog', PHYSICAL_SCHEMA]);
const LAYER_ORDER = ['marts', 'intermediate', 'staging', 'seeds'];
/** Shared by every environment: externals (raw.events) are never wrapped per environment, and meta is the warehouse's bookkeeping. */
const SHARED_SCHEMAS = ['raw', 'meta'];

const layerRank = (schema: string) => {
  const base = schema.split('__')[0]!;
  const i = LAYER_ORDER.indexOf(base);
  return i < 0 ? LAYER_ORDER.length : i;
};

/**
 * The schemas of `env`, in search order: its model schemas (marts, intermediate, staging, seeds,
 * then the others by name: `marts` in prod, `marts__dev` in dev), then the shared `raw`, `meta`, `main`.
 * An environment with no schema of its own does not exist (Refusal `unknown_env`).
 */
export async function envSchemas(con: DuckDBConnection, env: string): Promise<string[]> {
  try {
    checkEnvName(env);
  } catch (err) {
    throw new Refusal('bad_env', (err as Error).message);
  }
  const all = (await rows<{ schema_name: string }>(con, 'select schema_name from duckdb_schemas() where database_name = current_database() and not internal order by schema_name'))
    .map((r) => r.schema_name).filter((s) => !SYSTEM_SCHEMAS.has(s));
  const own = env === PROD
    ? all.filter((s) => !s.includes('__') && !SHARED_SCHEMAS.includes(s) && s !== 'main')
    : all.filter((s) => s.endsWith(`__${env}`));
  if (env !== PROD && own.length === 0) throw new Refusal('unknown_env', `there is no environment '${env}' in the warehouse (no schema ends with __${env})`);
  own.sort((a, b) => layerRank(a) - layerRank(b) || a.localeCompare(b));
  return [...own, ...SHARED_SCHEMAS.filter((s) => all.includes(s)), 'main'];
}

/** Makes unqualified names in this connection resolve in `env`'s schemas; returns the path. */
export async function useEnv(con: DuckDBConnection, env: string): Promise<string[]> {
  const schemas = await envSchemas(con, env);
  await con.run(`set search_path = ${sqlString(schemas.join(','))}`);
  return schemas;
}

/**
 * Refuses anything but exactly one SELECT statement, using DuckDB's own parser
 * (`json_serialize_sql` serializes only SELECT statements): INSERT, CREATE, ATTACH, COPY, SET,
 * PRAGMA, CALL, EXPLAIN, a second statement after a `;` are all refused before anything runs.
 */
export async function checkSelect(con: DuckDBConnection, sql: string): Promise<void> {
  const reader = await con.runAndReadAll('select json_serialize_sql($1::varchar) as tree', [sql]);
  const tree = JSON.parse(String(reader.getRows()[0]![0])) as { error: boolean; error_type?: string; error_message?: string; statements?: unknown[] };
  if (tree.error) {
    if (tree.error_type === 'parser') throw new Refusal('syntax_error', `syntax error: ${tree.error_message}`);
    throw new Refusal('not_a_select', 'only a single SELECT statement is allowed (no INSERT, CREATE, ATTACH, COPY, SET, PRAGMA, CALL, ...)');
  }
  const n = tree.statements?.length ?? 0;
  if (n === 0) throw new Refusal('missing_sql', 'the SQL is empty');
  if (n > 1) throw new Refusal('multiple_statements', `one statement per request, not ${n}`);
}

/**
 * A read-only instance that can reach nothing but its own file: READ_ONLY (no INSERT, CREATE,
 * ...), `enable_external_access = false` (no read_csv of a local file, no COPY, no ATTACH, no
 * extension loading), timestamps in UTC, then `lock_configuration = true` so no statement can
 * change any of it back. Throws DuckDB's error (a lock conflict while a writer holds the file).
 */
export async function openHardenedReader(dbPath: string): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY', enable_external_access: 'false' });
  try {
    const con = await instance.connect();
    try {
      await con.run("set global TimeZone = 'UTC'");
      await con.run('set lock_configuration = true');
    } finally {
      con.closeSync();
    }
    return instance;
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}

export type TableListing = { env: string; search_path: string[]; schemas: { schema: string; tables: { name: string; kind: 'table' | 'view'; columns: { name: string; type: string }[] }[] }[] };

/** The environment's schemas, their tables and views, and their columns. */
export async function listTables(con: DuckDBConnection, env: string): Promise<TableListing> {
  const path = await envSchemas(con, env);
  const list = path.map(sqlString).join(',');
  const cols = await rows<{ schema_name: string; table_name: string; kind: 'table' | 'view'; column_name: string; data_type: string }>(con, `
    select c.schema_name, c.table_name, case when v.view_name is null then 'table' else 'view' end as kind, c.column_name, c.data_type
    from duckdb_columns() c
    left join duckdb_views() v on v.database_name = c.database_name and v.schema_name = c.schema_name and v.view_name = c.table_name
    where c.database_name = current_database() and c.schema_name in (${list}) and not c.internal
    order by c.schema_name, c.table_name, c.column_index`);
  const schemas: TableListing['schemas'] = path.map((schema) => ({ schema, tables: [] }));
  for (const c of cols) {
    const s = schemas.find((x) => x.schema === c.schema_name)!;
    let t = s.tables.at(-1);
    if (!t || t.name !== c.table_name) s.tables.push((t = { name: c.table_name, kind: c.kind, columns: [] }));
    t.columns.push({ name: c.column_name, type: c.data_type });
  }
  return { env, search_path: path, schemas: schemas.filter((s) => s.tables.length > 0) };
}
