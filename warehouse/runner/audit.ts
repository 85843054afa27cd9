/**
 * Audits: queries over a model's built table that return its bad rows (SQLMesh's definition). A
 * model lists them in its header; the built-ins below carry SQLMesh's names and parameters, custom
 * ones are `audits/*.sql` files (AuditDef). Blocking audits that find rows stop the model's
 * downstream; `<name>_non_blocking` (or `blocking := false`) only warns.
 *
 * Each audit runs as one query that counts its bad rows and keeps a few of them, so a failure
 * shows what is wrong, not just that something is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows } from '../db';
import { quotedIdentifier, replaceAtNames, sqlLiteral, stripStatementEnd } from './sql-values';
import { ModelError, type AuditArg, type AuditDef, type AuditRef, type ModelDef } from './types';

/** Bad rows kept per failing audit. */
export const AUDIT_SAMPLE_ROWS = 5;
const NON_BLOCKING = '_non_blocking';
const COUNT_COLUMN = '__wh_bad_rows';

/** The interval an incremental run just built: [start, end), as DuckDB TIMESTAMP text or Dates. */
export interface AuditInterval {
  start: string | Date;
  end: string | Date;
}

export interface AuditTarget {
  /** SQL relation text of the built table (e.g. physicalRelation(...) or envRelation(...)). */
  relation: string;
  model: ModelDef;
  customAudits: Map<string, AuditDef>;
  /** For INCREMENTAL_BY_TIME_RANGE models: audit only the rows of this interval (SQLMesh does the same). */
  interval?: AuditInterval;
}

export interface AuditResult {
  /** The audit's name as the model's header writes it (e.g. `not_null_non_blocking`). */
  audit: string;
  blocking: boolean;
  ok: boolean;
  badRows: number;
  /** Up to AUDIT_SAMPLE_ROWS of the bad rows. */
  sample: Record<string, unknown>[];
  /** The query as executed (what `wh audit --sql` would show). */
  sql: string;
}

export interface CompiledAudit {
  audit: string;
  blocking: boolean;
  sql: string;
}

/** Runs every audit of the model against the built relation, in header order. */
export async function runAudits(con: DuckDBConnection, target: AuditTarget): Promise<AuditResult[]> {
  const results: AuditResult[] = [];
  for (const ref of target.model.audits) {
    const compiled = compileAudit(ref, target);
    results.push(await runCompiledAudit(con, compiled, whereOf(ref, target)));
  }
  return results;
}

/** One audit's SQL and blocking flag, without running it; throws ModelError for a bad reference. */
export function compileAudit(ref: AuditRef, target: AuditTarget): CompiledAudit {
  const { model } = target;
  const suffixed = ref.name.endsWith(NON_BLOCKING);
  const baseName = suffixed ? ref.name.slice(0, -NON_BLOCKING.length) : ref.name;
  // `blocking := false` is an argument in SQLMesh's syntax; it is not the audit's own argument.
  const { blocking: blockingArg, ...args } = ref.args;
  const blockingWanted = ref.blocking && !suffixed && blockingArg !== false;
  const thisModel = auditedRelation(target);

  const custom = target.customAudits.get(ref.name) ?? target.customAudits.get(baseName);
  if (custom) {
    return { audit: ref.name, blocking: blockingWanted && custom.blocking, sql: customAuditSql(custom, args, thisModel, model) };
  }
  const builtIn = BUILT_INS[baseName];
  if (!builtIn) {
    const known = [...Object.keys(BUILT_INS), ...target.customAudits.keys()].sort().join(', ');
    throw new ModelError(`unknown audit '${ref.name}' (known: ${known})`, model.where, model.name);
  }
  const reader = new ArgReader(baseName, args, model);
  reader.rejectUnknown(builtIn.params);
  return { audit: ref.name, blocking: blockingWanted, sql: builtIn.sql(reader, thisModel) };
}

async function runCompiledAudit(con: DuckDBConnection, audit: CompiledAudit, where: ModelDef['where']): Promise<AuditResult> {
  // One scan: the window count rides along the sampled rows (and is absent when there are none).
  const probe = `SELECT *, count(*) OVER () AS ${COUNT_COLUMN} FROM (\n${audit.sql}\n) LIMIT ${AUDIT_SAMPLE_ROWS}`;
  let found: Record<string, unknown>[];
  try {
    found = await rows(con, probe);
  } catch (err) {
    throw new ModelError(`audit ${audit.audit} could not run: ${(err as Error).message}\n${audit.sql}`, where);
  }
  const badRows = Number(found[0]?.[COUNT_COLUMN] ?? 0);
  const sample = found.map(({ [COUNT_COLUMN]: _count, ...row }) => row);
  return { audit: audit.audit, blocking: audit.blocking, ok: badRows === 0, badRows, sample, sql: audit.sql };
}

function whereOf(ref: AuditRef, target: AuditTarget): ModelDef['where'] {
  const base = ref.name.endsWith(NON_BLOCKING) ? ref.name.slice(0, -NON_BLOCKING.length) : ref.name;
  return (target.customAudits.get(ref.name) ?? target.customAudits.get(base))?.where ?? target.model.where;
}

/** `@this_model`: the table, or for an incremental model with an interval, only that interval's rows. */
function auditedRelation({ relation, model, interval }: AuditTarget): string {
  if (!interval || model.kind.name !== 'INCREMENTAL_BY_TIME_RANGE') return relation;
  const column = quotedIdentifier(model.kind.timeColumn);
  if (!column) throw new ModelError(`time_column '${model.kind.timeColumn}' is not a column name`, model.where, model.name);
  const at = (t: string | Date) => `CAST(${sqlLiteral(t instanceof Date ? t : String(t))} AS TIMESTAMP)`;
  return `(SELECT * FROM ${relation} WHERE ${column} >= ${at(interval.start)} AND ${column} < ${at(interval.end)})`;
}

// ---------------------------------------------------------------------------------------------
// Built-ins (SQLMesh's sqlmesh/core/audit/builtin.py, same names, parameters and bad-row meaning).

interface BuiltIn {
  params: string[];
  sql(args: ArgReader, rel: string): string;
}

const anyOf = (conditions: string[]) => conditions.map((c) => `(${c})`).join(' OR ');

const BUILT_INS: Record<string, BuiltIn> = {
  /** Rows where any of the columns is NULL. */
  not_null: {
    params: ['columns'],
    sql: (a, rel) => `SELECT * FROM ${rel} WHERE ${anyOf(a.columns('columns').map((c) => `${c} IS NULL`))}`,
  },
  /** Each column on its own is unique: rows beyond the first of each value (NULLs count as one value, as in SQLMesh). */
  unique_values: {
    params: ['columns'],
    sql: (a, rel) => {
      const cols = a.columns('columns');
      const rank = (i: number) => `__wh_rank_${i}`;
      const ranks = cols.map((c, i) => `row_number() OVER (PARTITION BY ${c}) AS ${rank(i)}`).join(', ');
      return `SELECT * EXCLUDE (${cols.map((_, i) => rank(i)).join(', ')}) FROM (SELECT *, ${ranks} FROM ${rel}) WHERE ${anyOf(cols.map((_, i) => `${rank(i)} > 1`))}`;
    },
  },
  /** The columns together are unique: one bad row per repeated combination, with how many rows share it. */
  unique_combination_of_columns: {
    params: ['columns', 'condition'],
    sql: (a, rel) => {
      const cols = a.columns('columns').join(', ');
      return `SELECT ${cols}, count(*) AS duplicate_rows FROM ${rel} WHERE ${a.condition('condition')} GROUP BY ${cols} HAVING count(*) > 1`;
    },
  },
  /** Rows whose value is not in the list (NULL passes, as NOT IN does in SQL and SQLMesh). */
  accepted_values: {
    params: ['column', 'is_in'],
    sql: (a, rel) => `SELECT * FROM ${rel} WHERE ${a.column('column')} NOT IN (${a.literals('is_in').join(', ')})`,
  },
  /** Rows whose value is in the list. */
  not_accepted_values: {
    params: ['column', 'is_in'],
    sql: (a, rel) => `SELECT * FROM ${rel} WHERE ${a.column('column')} IN (${a.literals('is_in').join(', ')})`,
  },
  /** Rows outside [min_v, max_v] (bounds excluded with inclusive := false); a missing bound is open. NULL passes. */
  accepted_range: {
    params: ['column', 'min_v', 'max_v', 'inclusive'],
    sql: (a, rel) => {
      const col = a.column('column');
      const min = a.has('min_v') ? a.literal('min_v') : 'NULL';
      const max = a.has('max_v') ? a.literal('max_v') : 'NULL';
      if (min === 'NULL' && max === 'NULL') a.fail('needs min_v or max_v (or both)');
      const inclusive = a.has('inclusive') ? a.boolean('inclusive') : true;
      const below = min === 'NULL' ? [] : [`${col} ${inclusive ? '<' : '<='} ${min}`];
      const above = max === 'NULL' ? [] : [`${col} ${inclusive ? '>' : '>='} ${max}`];
      return `SELECT * FROM ${rel} WHERE ${anyOf([...below, ...above])}`;
    },
  },
  /** Fails (one bad row, the count) when the table has threshold rows or fewer; reads at most threshold + 1 rows. */
  number_of_rows: {
    params: ['threshold'],
    sql: (a, rel) => {
      const threshold = a.count('threshold');
      return `SELECT count(*) AS row_count FROM (SELECT 1 FROM ${rel} LIMIT ${threshold + 1}) HAVING count(*) <= ${threshold}`;
    },
  },
  /**
   * Fails when the column has no non-NULL value. Unlike SQLMesh's GROUP BY form, an empty table
   * fails too: "at least one" value cannot hold over no rows.
   */
  at_least_one: {
    params: ['column'],
    sql: (a, rel) => `SELECT count(*) AS row_count FROM ${rel} HAVING count(${a.column('column')}) = 0`,
  },
  /** Rows for which any criterion is false (a NULL criterion passes, as in SQLMesh). */
  forall: {
    params: ['criteria'],
    sql: (a, rel) => `SELECT * FROM ${rel} WHERE ${anyOf(a.expressions('criteria').map((c) => `NOT (${c})`))}`,
  },
};

export const BUILT_IN_AUDITS: readonly string[] = Object.keys(BUILT_INS);

/** Reads a built-in's arguments, checking each against what the parameter needs; errors name the model's file and line. */
class ArgReader {
  constructor(
    private readonly audit: string,
    private readonly args: Record<string, AuditArg>,
    private readonly model: ModelDef,
  ) {}

  fail(message: string): never {
    throw new ModelError(`audit ${this.audit}: ${message}`, this.model.where, this.model.name);
  }

  rejectUnknown(params: string[]): void {
    for (const name of Object.keys(this.args)) {
      if (!params.includes(name)) this.fail(`unknown argument '${name}' (it takes ${params.join(', ')})`);
    }
  }

  has(name: string): boolean {
    return name in this.args && this.args[name] !== null;
  }

  private get(name: string): AuditArg {
    if (!(name in this.args)) this.fail(`missing argument '${name}' (write ${this.audit}(${name} := ...))`);
    return this.args[name]!;
  }

  private ident(v: AuditArg, name: string): string {
    return quotedIdentifier(v) ?? this.fail(`${name}: ${JSON.stringify(v)} is not a column name`);
  }

  columns(name: string): string[] {
    const v = this.get(name);
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) this.fail(`${name} is empty`);
    return list.map((c) => this.ident(c, name));
  }

  column(name: string): string {
    return this.ident(this.get(name), name);
  }

  /**
   * A value: a number, boolean or NULL as a literal, `{ sql }` (a 'string literal' or any expression,
   * as header.ts keeps them) verbatim, and a bare string as what it is in the header: a column name.
   */
  literal(name: string, v: AuditArg = this.get(name)): string {
    if (typeof v === 'string') return this.ident(v, name);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return `(${v.sql})`;
    return sqlLiteral(v) ?? this.fail(`${name}: ${JSON.stringify(v)} is not a single value`);
  }

  literals(name: string): string[] {
    const v = this.get(name);
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) this.fail(`${name} is empty`);
    return list.map((x) => this.literal(name, x));
  }

  boolean(name: string): boolean {
    const v = this.get(name);
    return typeof v === 'boolean' ? v : this.fail(`${name} must be true or false, not ${JSON.stringify(v)}`);
  }

  /** A non-negative whole number (row counts). */
  count(name: string): number {
    const v = this.get(name);
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : this.fail(`${name} must be a whole number >= 0, not ${JSON.stringify(v)}`);
  }

  /** Boolean SQL expressions: { sql } as written, a bare name as a boolean column, true/false as themselves. */
  expressions(name: string): string[] {
    return this.literals(name);
  }

  /** An optional row filter (SQLMesh's `condition`), TRUE when absent. */
  condition(name: string): string {
    return this.has(name) ? this.expressions(name).join(' AND ') : 'TRUE';
  }
}

// ---------------------------------------------------------------------------------------------
// Custom audits.

/**
 * The custom audit's query with `@this_model` and its arguments substituted. Arguments come from the
 * model's reference, else the audit's defaults; one the query uses and neither gives is an error at
 * the model's header. Arguments render as header.ts keeps them: a name (string) as a checked, quoted
 * identifier, `{ sql }` (string literals, expressions) verbatim, a list comma-separated for `IN (@values)`.
 */
function customAuditSql(def: AuditDef, args: Record<string, AuditArg>, thisModel: string, model: ModelDef): string {
  const values: Record<string, AuditArg> = { ...def.defaults, ...args };
  const render = (v: AuditArg, name: string): string => {
    if (Array.isArray(v)) return v.map((x) => render(x, name)).join(', ');
    if (typeof v === 'string') {
      return quotedIdentifier(v) ?? fail(`audit '${def.name}': argument ${name}: ${JSON.stringify(v)} is not a column name`);
    }
    if (v !== null && typeof v === 'object') return v.sql;
    return sqlLiteral(v)!;
  };
  const fail = (message: string): never => {
    throw new ModelError(message, model.where, model.name);
  };
  return stripStatementEnd(
    replaceAtNames(def.query, (name) => {
      if (name.toLowerCase() === 'this_model') return thisModel;
      if (name in values) return render(values[name]!, name);
      if (MACRO_FUNCTIONS.has(name.toLowerCase()) || TIME_MACROS.has(name.toLowerCase())) return undefined;
      return fail(
        `audit '${def.name}' (${def.where.file}:${def.where.line}) needs argument '${name}': give it in this model's audits (${def.name}(${name} := ...)) or as a default in the audit's header`,
      );
    }),
  );
}

/** Macro names that are not audit arguments: left for the macro pass instead of reported missing. */
const TIME_MACROS = new Set(['start_ds', 'end_ds', 'start_ts', 'end_ts', 'start_date', 'end_date', 'start_dt', 'end_dt', 'start_epoch', 'end_epoch', 'start_millis', 'end_millis', 'execution_ds', 'execution_ts', 'execution_date', 'execution_dt']);
const MACRO_FUNCTIONS = new Set(['if', 'each', 'reduce', 'sql', 'def', 'filter', 'eval', 'or', 'and']);
