/**
 * `wh test`: SQLMesh-shaped unit tests. Each test gets a fresh in-memory DuckDB holding only its
 * input rows, under the upstream models' own `schema.table` names, so the model's query runs
 * unchanged against them (the project's SQL macros are created as written, in schema `macros`); its output (and optionally each top-level CTE's) is compared with the
 * expected rows (rows-compare.ts). Nothing touches the warehouse file.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cteQuery, queryShape, QueryParseError, type QueryShape } from './query-shape';
import { compareRows, instantMicros, type Actual, type Row } from './rows-compare';
import { quoteIdent, splitName } from '../names';
import { sqlLiteral, stripStatementEnd } from './sql-values';
import { renderTestQuery } from './test-macros';
import { ModelError, type ModelDef, type Project, type SqlMacroDef, type UnitTestDef } from '../types';
import { createWrittenMacros } from '../compile/sql-macros';
import { createEmptyTable, queryParents, UpstreamSchemas } from './upstream-schema';

export interface UnitTestResult {
  name: string;
  /** The test file and line, for the report. */
  where: UnitTestDef['where'];
  ok: boolean;
  failures: string[];
}

export interface UnitTestSummary {
  passed: number;
  failed: number;
  results: UnitTestResult[];
}

/** Runs every unit test of the project, one fresh database each. */
export async function runUnitTests(project: Project): Promise<UnitTestSummary> {
  const results: UnitTestResult[] = [];
  for (const test of project.tests) {
    const model = project.models.get(test.model);
    results.push(
      model
        ? await runUnitTest(test, model, project.models, project.macros.values())
        : { name: test.name, where: test.where, ok: false, failures: [`model ${test.model} is not in the project`] },
    );
  }
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed, results };
}

export async function runUnitTest(test: UnitTestDef, model: ModelDef, upstream: Map<string, ModelDef>, macros: Iterable<SqlMacroDef> = []): Promise<UnitTestResult> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const defs = [...macros];
  const schemas = new UpstreamSchemas(upstream, test, defs);
  const result = (failures: string[]): UnitTestResult => ({ name: test.name, where: test.where, ok: failures.length === 0, failures });
  try {
    await con.run("set TimeZone = 'UTC'");
    try {
      await createWrittenMacros(con, defs);
    } catch (err) {
      if (err instanceof ModelError) return result([err.message]);
      throw err;
    }
    for (const [name, input] of Object.entries(test.inputs)) {
      const problem = await createInput(con, name, input, await schemas.columns(name));
      if (problem) return result([`input ${name}: ${problem}`]);
    }
    let sql: string;
    try {
      sql = stripStatementEnd(renderTestQuery(test, model));
      const problem = await createViews(con, sql, test, upstream, schemas);
      if (problem) return result([problem]);
    } catch (err) {
      if (err instanceof ModelError) return result([err.message]);
      throw err;
    }
    let shape: QueryShape;
    try {
      shape = await queryShape(con, sql);
    } catch (err) {
      if (err instanceof QueryParseError) return result([`the query of ${model.name} does not parse: ${err.message}`]);
      throw err;
    }
    const failures: string[] = [];
    if (test.outputs.query) failures.push(...(await check(con, 'output', sql, test.outputs.query, shape.ordered)));
    for (const [cte, expected] of Object.entries(test.outputs.ctes ?? {})) {
      const found = shape.ctes.find((c) => c.name.toLowerCase() === cte.toLowerCase());
      if (!found) failures.push(`cte ${cte}: the query has no such top-level CTE (it has ${shape.ctes.map((c) => c.name).join(', ') || 'none'})`);
      else failures.push(...(await check(con, `cte ${found.name}`, await cteQuery(con, sql, found.name), expected, found.ordered)));
    }
    return result(failures);
  } finally {
    schemas.close();
    con.closeSync();
    instance.closeSync();
  }
}

/**
 * A VIEW model the query reads and the test gives no input for is created from its own query over
 * the test's inputs (recursively; a parent with no input is an empty table of its columns), so a
 * shared VIEW (staging.stg_events, intermediate.int_game_rtp) is tested inside every model that reads it
 * and the tests of those models state only the source rows. Given as an input, it is a table as any other.
 * Returns a problem to report, or undefined.
 */
async function createViews(con: DuckDBConnection, sql: string, test: UnitTestDef, upstream: Map<string, ModelDef>, schemas: UpstreamSchemas, depth = 0): Promise<string | undefined> {
  for (const parent of await queryParents(con, sql)) {
    if (parent in test.inputs || (await relationExists(con, parent))) continue;
    const def = upstream.get(parent);
    if (def?.kind.name === 'VIEW' && depth < 32) {
      const viewSql = stripStatementEnd(renderTestQuery(test, def));
      const problem = await createViews(con, viewSql, test, upstream, schemas, depth + 1);
      if (problem) return problem;
      const { schema, table } = splitName(parent);
      await con.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      try {
        await con.run(`CREATE VIEW ${quoteIdent(schema)}.${quoteIdent(table)} AS ${viewSql}`);
      } catch (err) {
        return `view ${parent} (read by the model, no input given) does not build on the inputs: ${(err as Error).message}`;
      }
    } else if (depth > 0) {
      // A parent of a view the test gives no rows for: empty, with its real columns when known.
      const cols = await schemas.columns(parent);
      if (cols) await createEmptyTable(con, parent, cols);
    }
  }
  return undefined;
}

async function relationExists(con: DuckDBConnection, name: string): Promise<boolean> {
  const { schema, table } = splitName(name);
  const reader = await con.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name = ${sqlLiteral(schema)} AND table_name = ${sqlLiteral(table)}
    UNION ALL SELECT count(*)::INTEGER FROM duckdb_views() WHERE schema_name = ${sqlLiteral(schema)} AND view_name = ${sqlLiteral(table)}`);
  return reader.getRowObjectsJson().some((r) => Number(r.n) > 0);
}

async function check(con: DuckDBConnection, label: string, sql: string, expected: Row[], ordered: boolean): Promise<string[]> {
  let actual: Actual;
  try {
    const reader = await con.runAndReadAll(sql);
    actual = { columns: reader.columnNames(), types: reader.columnTypes().map(String), rows: reader.getRowObjectsJson() as Row[] };
  } catch (err) {
    return [`${label}: the query failed: ${(err as Error).message}`];
  }
  return compareRows(label, expected, actual, ordered);
}

/**
 * The input as a table named like the upstream model, with the upstream's columns and types when
 * they are known (upstream-schema.ts: the query meets the real shape, absent columns are NULL),
 * else typed from the rows. Returns a problem to report, or undefined.
 */
async function createInput(con: DuckDBConnection, name: string, input: UnitTestDef['inputs'][string], known: [string, string][] | undefined): Promise<string | undefined> {
  const { schema, table } = name.includes('.') ? splitName(name) : { schema: 'main', table: name };
  const relation = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  try {
    await con.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    if ('query' in input) {
      await con.run(`CREATE TABLE ${relation} AS ${stripStatementEnd(input.query)}`);
      return undefined;
    }
    const rowColumns = [...new Set(input.rows.flatMap((r) => Object.keys(r)))];
    let columns: [string, string][];
    if (known) {
      const unknown = rowColumns.filter((c) => !known.some(([d]) => d === c));
      if (unknown.length) return `${unknown.join(', ')} not among the columns of ${name} (${known.map(([d]) => d).join(', ')})`;
      columns = known;
    } else {
      if (rowColumns.length === 0) return `no rows, and the columns of ${name} are not known (declare them in its header: columns (...))`;
      columns = rowColumns.map((c) => [c, inferType(input.rows.map((r) => r[c]))]);
    }
    await con.run(`CREATE TABLE ${relation} (${columns.map(([c, t]) => `${quoteIdent(c)} ${t}`).join(', ')})`);
    if (input.rows.length === 0) return undefined;
    const typeOf = new Map(columns);
    const values = input.rows.map((r, i) => `(${rowColumns.map((c) => inputLiteral(r[c], i, c, typeOf.get(c)!)).join(', ')})`);
    await con.run(`INSERT INTO ${relation} (${rowColumns.map(quoteIdent).join(', ')}) VALUES ${values.join(', ')}`);
    return undefined;
  } catch (err) {
    return err instanceof InputValueError ? err.message : (err as Error).message;
  }
}

class InputValueError extends Error {}

const NAIVE_TIMESTAMP = /^(TIMESTAMP|DATETIME)(_S|_MS|_NS)?$/i;
const ZONED_TEXT = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

function inputLiteral(v: unknown, row: number, column: string, type: string): string {
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) return `CAST(${sqlLiteral(JSON.stringify(v))} AS JSON)`;
  // DuckDB drops an offset when casting text to a plain TIMESTAMP ('10:00+02' becomes 10:00): the
  // warehouse's timestamps are naive UTC, so shift to UTC here.
  if (typeof v === 'string' && NAIVE_TIMESTAMP.test(type.trim()) && ZONED_TEXT.test(v.trim())) {
    const micros = instantMicros(v);
    if (micros !== undefined) return sqlLiteral(utcText(micros))!;
  }
  const literal = sqlLiteral(v);
  if (literal === undefined) throw new InputValueError(`row ${row + 1}, column ${column}: ${String(v)} is not a value`);
  return literal;
}

function utcText(micros: bigint): string {
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n; // floor, also before 1970
  const iso = new Date(Number((micros - fraction) / 1000n)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(fraction).padStart(6, '0')}`;
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** A column type from YAML values when the upstream model declares none: dates and timestamps written as text count as such. */
export function inferType(values: unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  const all = (test: (v: unknown) => boolean) => present.length > 0 && present.every(test);
  if (all((v) => typeof v === 'boolean')) return 'BOOLEAN';
  if (all((v) => typeof v === 'number' && Number.isSafeInteger(v))) return 'BIGINT';
  if (all((v) => typeof v === 'number')) return 'DOUBLE';
  if (all((v) => typeof v === 'string' && DATE_TEXT.test(v))) return 'DATE';
  if (all((v) => v instanceof Date || (typeof v === 'string' && (DATE_TEXT.test(v) || TIMESTAMP_TEXT.test(v))))) return 'TIMESTAMP';
  if (all((v) => typeof v === 'object')) return 'JSON';
  return 'VARCHAR';
}
