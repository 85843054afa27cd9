/**
 * SQLMesh's built-in audits (sqlmesh/core/audit/builtin.py): same names, parameters and meaning of
 * a bad row, written here as SQL builders so each argument is checked for what it must be (a column
 * name, a value, a count) before it reaches the query. Errors name the model's file and line.
 */
import { quotedIdentifier, sqlLiteral } from './sql-values';
import { ModelError, type AuditArg, type ModelDef } from '../types';

export interface BuiltInAudit {
  params: string[];
  sql(args: ArgReader, rel: string): string;
}


const anyOf = (conditions: string[]) => conditions.map((c) => `(${c})`).join(' OR ');

export const BUILT_INS: Record<string, BuiltInAudit> = {
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
export class ArgReader {
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
