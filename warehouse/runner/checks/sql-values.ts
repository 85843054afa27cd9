/**
 * Small pieces of SQL text built from values the runner did not write itself: column names from a
 * model header, audit arguments, test rows. Column names are checked as plain identifiers and then
 * quoted, so a header cannot smuggle SQL through a column name and a reserved word (`from`, `table`)
 * still works as a column.
 */
import { sqlString } from '../../db';
import { quoteIdent } from '../names';
import { tokens } from '../files/sql-text';

/** A plain SQL identifier: letters, digits, `_` and `$`, not starting with a digit (what headers and grains use). */
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_IDENT_CHARS = 120;

export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_IDENT_CHARS && IDENT.test(name);
}

/** The quoted identifier, or undefined when `name` is not a plain identifier (the caller says where it came from). */
export function quotedIdentifier(name: unknown): string | undefined {
  return isIdentifier(name) ? quoteIdent(name) : undefined;
}

/** A JS scalar as a SQL literal; undefined for anything that has no single-literal form. */
export function sqlLiteral(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return sqlString(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : `TIMESTAMP ${sqlString(v.toISOString().replace('T', ' ').replace('Z', ''))}`;
  return undefined;
}

/** The query without what may trail it (semicolons, comments, whitespace), so it can be wrapped as a subquery. */
export function stripStatementEnd(sql: string): string {
  let end = 0;
  for (const t of tokens(sql)) if (t.text !== ';') end = t.end;
  return sql.slice(0, end);
}
