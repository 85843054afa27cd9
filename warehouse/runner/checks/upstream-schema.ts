/**
 * The columns (names and DuckDB types) an upstream model produces, so a unit test's input table has
 * the real shape even when the test gives a few columns or no rows at all (SQLMesh does the same
 * with its columns_to_types). Declared columns win; otherwise the upstream's own query is described
 * (DESCRIBE, nothing runs) in a scratch database over empty tables of its parents, recursively,
 * with the project's SQL macros (a money column typed DOUBLE from the test's rows instead of its
 * DECIMAL would round differently).
 * Undefined when that is not possible (a seed without declared columns, a query that does not bind).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../db';
import type { Json } from '../compile/columns';
import { walkTables } from '../compile/compile';
import { quoteIdent, splitName } from '../names';
import { renderTestQuery } from './test-macros';
import { createWrittenMacros } from '../compile/sql-macros';
import type { ModelDef, SqlMacroDef, UnitTestDef } from '../types';

export type Columns = [name: string, type: string][];

/** Deeper than any real chain of models: a guard against cycles the compile layer would report. */
const MAX_DEPTH = 32;

export class UpstreamSchemas {
  private readonly known = new Map<string, Promise<Columns | undefined>>();
  private scratch?: { instance: DuckDBInstance; con: DuckDBConnection };

  constructor(
    private readonly upstream: Map<string, ModelDef>,
    private readonly test: Pick<UnitTestDef, 'vars' | 'where'>,
    private readonly macros: Iterable<SqlMacroDef> = [],
  ) {}

  columns(name: string, depth = 0): Promise<Columns | undefined> {
    let found = this.known.get(name);
    if (!found) {
      found = this.derive(name, depth);
      this.known.set(name, found);
    }
    return found;
  }

  close(): void {
    this.scratch?.con.closeSync();
    this.scratch?.instance.closeSync();
  }

  private async derive(name: string, depth: number): Promise<Columns | undefined> {
    const def = this.upstream.get(name);
    if (!def || depth > MAX_DEPTH) return undefined;
    const declared = Object.entries(def.columns);
    if (declared.length) return declared;
    if (!def.query.trim()) return undefined;
    try {
      const con = await this.connection();
      const sql = renderTestQuery(this.test, def);
      for (const parent of await queryParents(con, sql)) {
        const cols = await this.columns(parent, depth + 1);
        if (!cols) return undefined;
        await createEmptyTable(con, parent, cols);
      }
      const described = await con.runAndReadAll(`DESCRIBE ${sql}`);
      return described.getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]);
    } catch {
      // Not describable here: the test's rows decide the types instead.
      return undefined;
    }
  }

  private async connection(): Promise<DuckDBConnection> {
    if (!this.scratch) {
      const instance = await DuckDBInstance.create(':memory:');
      this.scratch = { instance, con: await instance.connect() };
      await createWrittenMacros(this.scratch.con, this.macros);
    }
    return this.scratch.con;
  }
}

/** The `schema.table` names a query reads (CTE names excluded), from DuckDB's parse tree. */
export async function queryParents(con: DuckDBConnection, sql: string): Promise<Set<string>> {
  const reader = await con.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})::VARCHAR AS tree`);
  const tree = JSON.parse(String(reader.getRowObjectsJson()[0]?.tree)) as Json;
  const parents = new Set<string>();
  walkTables(tree, new Set(), (table, scope) => {
    const schema = String(table['schema_name'] ?? '').toLowerCase();
    const tableName = String(table['table_name'] ?? '').toLowerCase();
    if (schema && !scope.has(tableName)) parents.add(`${schema}.${tableName}`);
  });
  return parents;
}

/** An empty table with these columns under `name`, unless one exists. */
export async function createEmptyTable(con: DuckDBConnection, name: string, cols: Columns): Promise<void> {
  const { schema, table } = splitName(name);
  await con.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await con.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.${quoteIdent(table)} (${cols.map(([c, t]) => `${quoteIdent(c)} ${t}`).join(', ')})`);
}
