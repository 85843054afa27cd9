/**
 * The runner's vocabulary, shared by every module of warehouse/runner/. A project is a tree of model
 * files (models/ by default, `--project <dir>` otherwise); each file is one model with a SQLMesh
 * `MODEL (...)` header and one DuckDB query. Loading turns files into ModelDefs (header.ts, project.ts),
 * compiling turns them into CompiledModels (compile.ts: parents, normalized query, data hash), and a
 * plan decides each model's version and what to build (plan.ts).
 */

/** Where a problem is, so every error can name the file and line (1-based) an analyst must open. */
export interface SourceLocation {
  /** Path relative to the project root, e.g. `marts/fct_ggr_daily.sql`. */
  file: string;
  line: number;
}

/** Every user-facing error of the runner: prints as `<file>:<line>: <message>`. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly where?: SourceLocation,
    readonly model?: string,
  ) {
    super(where ? `${where.file}:${where.line}: ${message}` : message);
    this.name = 'ModelError';
  }
}

export type Kind =
  | { name: 'VIEW' }
  | { name: 'FULL' }
  | {
      name: 'INCREMENTAL_BY_TIME_RANGE';
      /** Column of the output that places each row in an interval (a DATE or TIMESTAMP). */
      timeColumn: string;
      /** Intervals computed per query; undefined = all missing intervals in one query. */
      batchSize?: number;
      /** Intervals before the newest missing one that are recomputed on every run (late data). */
      lookback: number;
      /** Forward-only: a change never rebuilds history, it applies from the next interval on. */
      forwardOnly: boolean;
    }
  | { name: 'INCREMENTAL_BY_UNIQUE_KEY'; uniqueKey: string[]; forwardOnly: boolean }
  | { name: 'SEED'; /** CSV path relative to the model file. */ path: string }
  | { name: 'EXTERNAL' };

export type KindName = Kind['name'];

/** An audit attached to a model: a built-in (not_null, unique_values, ...) or a custom audit file's name. */
export interface AuditRef {
  name: string;
  /** Named arguments as written (`columns := [a, b]` -> { columns: ['a', 'b'] }; `threshold := 5` -> { threshold: 5 }). */
  args: Record<string, AuditArg>;
  /** Blocking audits stop the model's downstream when they find bad rows; `<name>_non_blocking` only warns. */
  blocking: boolean;
}
/**
 * A name (`column := amount`) is a string, a 'string literal' or any other expression is `{ sql }`
 * as written (quotes included), lists are arrays (header.ts).
 */
export type AuditArg = string | number | boolean | null | AuditArg[] | { sql: string };

/** SQLMesh's interval units (`interval_unit 'day'`); without one, the cron's period is the interval. */
export const INTERVAL_UNIT_NAMES = ['year', 'month', 'day', 'hour', 'half_hour', 'quarter_hour', 'five_minute'] as const;
export type IntervalUnit = (typeof INTERVAL_UNIT_NAMES)[number];

export interface ModelDef {
  /** `schema.table`, e.g. `marts.fct_ggr_daily` (lower case). */
  name: string;
  kind: Kind;
  /** Standard 5-field cron or @hourly / @daily / @weekly / @monthly. Default @daily. */
  cron: string;
  /** First interval of an incremental model (YYYY-MM-DD); default: the project's start. */
  start?: string;
  /** Columns that identify a row (used by `diff` and unique audits). */
  grain: string[];
  owner?: string;
  tags: string[];
  description?: string;
  columnDescriptions: Record<string, string>;
  /** Declared column types (`columns (a INT, ...)`): required for EXTERNAL, optional elsewhere. */
  columns: Record<string, string>;
  audits: AuditRef[];
  /** Recompute the current, still-open interval on each run (freshness within a minute). */
  allowPartials: boolean;
  /** `interval_unit` when the header gives one. */
  intervalUnit?: IntervalUnit;
  /** The query text after the header, exactly as written (with macros such as @start_ds). Empty for SEED/EXTERNAL. */
  query: string;
  /** Where the model is: file and the line of its header. */
  where: SourceLocation;
  /** 1-based line of the file on which `query` begins (query offsets map to lines from here). */
  queryLine: number;
  /** Header properties the runner does not use (kept so SQLMesh files parse unchanged). */
  extra: Record<string, unknown>;
}

/** A custom audit file (`audits/*.sql`): `AUDIT (name x, blocking false); SELECT ... FROM @this_model WHERE ...`. */
export interface AuditDef {
  name: string;
  blocking: boolean;
  /** Default argument values from the header (`defaults (threshold = 10)`). */
  defaults: Record<string, AuditArg>;
  query: string;
  where: SourceLocation;
  queryLine: number;
  /**
   * Set by compile.ts when the query calls user SQL macros (`macros.name(`): the query with each
   * call naming the macro's version (as a model's query is rendered), and those versions' DDL,
   * callees first, created before the audit runs.
   */
  macroQuery?: string;
  macros?: CompiledMacro[];
}

/** A YAML unit test (SQLMesh's shape): inputs per upstream model, expected rows of the output and optionally per CTE. */
export interface UnitTestDef {
  name: string;
  model: string;
  inputs: Record<string, { rows: Record<string, unknown>[] } | { query: string }>;
  outputs: { query?: Record<string, unknown>[]; ctes?: Record<string, Record<string, unknown>[]> };
  /** Macro values for the test (`vars: { start: ..., end: ... }`). */
  vars: Record<string, string>;
  where: SourceLocation;
}

/**
 * A user SQL macro (`macros/*.sql`): one DuckDB `CREATE MACRO name(params) AS expr` (or `AS TABLE
 * query`), called from model queries as `macros.name(...)`. Kept as written: compile.ts parses it.
 */
export interface SqlMacroDef {
  /** Lower case, without the `macros.` schema. */
  name: string;
  /** The parameter list as written, without its parentheses (`amount_minor, exponent`). */
  params: string;
  /** The expression (scalar macro) or query (table macro) after AS [TABLE], as written. */
  body: string;
  table: boolean;
  /** Where the CREATE statement starts. */
  where: SourceLocation;
  /** 1-based line of the file on which `body` begins. */
  bodyLine: number;
}

/** A macro as a model uses it: its version (hash of its text and of the macros it calls) and the DDL that creates that version. */
export interface CompiledMacro {
  name: string;
  version: string;
  /** `CREATE MACRO IF NOT EXISTS "wh_physical"."macro__<name>__<version>"(...) AS ...`, calls to other macros rewritten to their versions. */
  create: string;
}

export interface ProjectConfig {
  /** Default start of incremental models (YYYY-MM-DD). */
  start: string;
  /** Default cron. */
  cron: string;
  /** Physical tables no environment references are dropped after this many hours (janitor). */
  janitorTtlHours: number;
}

export interface Project {
  /** Absolute path of the model tree. */
  root: string;
  config: ProjectConfig;
  models: Map<string, ModelDef>;
  audits: Map<string, AuditDef>;
  tests: UnitTestDef[];
  /** User SQL macros (`macros/*.sql`) by name. */
  macros: Map<string, SqlMacroDef>;
}

/** A reference to another model (or an external table) inside a query, by character offsets into ModelDef.query. */
export interface TableRef {
  /** Model name it resolves to (`schema.table`). */
  name: string;
  start: number;
  /** Exclusive end offset. */
  end: number;
}

export interface CompiledModel {
  def: ModelDef;
  /** Models (including EXTERNAL ones) this query reads, sorted. */
  parents: string[];
  /** Every reference to a parent in the query text, to rewrite to physical or environment tables. */
  refs: TableRef[];
  /** The query's parse tree (DuckDB json_serialize_sql) with locations removed: formatting and comments do not change it. */
  normalized: string;
  /**
   * The top-level output columns when the select list names them (for lineage and non-breaking checks).
   * `*` expands over sources whose columns are known (declared, a seed CSV's header, or a parent's own
   * outputColumns). Markers (columns.ts): '*' stands for the columns of a star over a source with
   * unknown columns (a table function, a parent with unknown columns); '?' for an unaliased expression
   * (DuckDB names it after its text). When the query has an unexpanded '*' and the header declares
   * `columns`, the declared names are used instead.
   */
  outputColumns: string[];
  /**
   * Every `macros.name(` call in the query, by character offsets into ModelDef.query (`name` is the
   * macro's name), and the macros it needs, callees first. Absent in snapshots made before macros.
   */
  macroRefs?: TableRef[];
  macros?: CompiledMacro[];
  /** Hash of the normalized query and the kind settings that shape the data (not metadata). */
  dataHash: string;
  /** Hash of the metadata (description, owner, cron, audits, ...): changes it alone keep the table. */
  metadataHash: string;
}
