/**
 * SQLMesh's macro variables in a query: the interval's time macros (`@start_ds`, `@end_ts`, ...),
 * `@this_model`, and an audit's named arguments (`@column`). Only variables: SQLMesh's function
 * macros (`@EACH`, `@IF`, `@DEF`...) need its Python macro engine and are refused with a clear error
 * rather than half-supported. An `@` inside a string literal, quoted identifier or comment is text.
 */
import { lineAt, tokens } from './sql-text';
import { type AuditArg, ModelError } from '../types';

/** Macro name (lower case, without `@`) -> the SQL text that replaces it. */
export type MacroValues = Record<string, string>;

/** Where a query sits, so a macro error names the file and line. */
export interface QuerySource {
  file: string;
  /** 1-based line on which the query text begins. */
  queryLine: number;
}

const PREFIXES = ['start', 'end', 'execution'] as const;
const SUFFIXES = ['ds', 'date', 'ts', 'dt', 'epoch'] as const;

/** Every time macro: `@start_ds` ... `@execution_epoch`. */
export const TIME_MACROS: readonly string[] = PREFIXES.flatMap((p) => SUFFIXES.map((s) => `${p}_${s}`));
export const THIS_MODEL = 'this_model';

/** SQLMesh's function macros: named so the error says "not supported" rather than "unknown". */
const FUNCTION_MACROS = new Set(['each', 'if', 'def', 'eval', 'filter', 'reduce', 'star', 'sql', 'union', 'with', 'join',
  'where', 'group_by', 'having', 'order_by', 'limit', 'and', 'or', 'generate_surrogate_key', 'safe_add', 'safe_sub',
  'safe_div', 'haversine_distance', 'pivot', 'deduplicate', 'date_spine', 'resolve_template']);

export interface MacroUse {
  /** Lower case, without `@`. */
  name: string;
  start: number;
  end: number;
}

/** The macro variables of a query, in order; a function macro (`@EACH(...)`) is a ModelError. */
export function findMacros(sql: string, src: QuerySource): MacroUse[] {
  const out: MacroUse[] = [];
  let previous: MacroUse | null = null;
  for (const t of tokens(sql)) {
    if (previous && t.text === '(' && t.start === previous.end) throw functionMacro(sql, src, previous);
    previous = null;
    if (t.kind !== 'macro') continue;
    const use = { name: t.text.slice(1).toLowerCase(), start: t.start, end: t.end };
    if (FUNCTION_MACROS.has(use.name) && !TIME_MACROS.includes(use.name)) throw functionMacro(sql, src, use);
    out.push(use);
    previous = use;
  }
  return out;
}

function functionMacro(sql: string, src: QuerySource, use: MacroUse): ModelError {
  return new ModelError(`@${use.name.toUpperCase()}(...) is a SQLMesh function macro, which the runner does not support: write the SQL it would generate`,
    { file: src.file, line: lineAt(sql, use.start, src.queryLine) });
}

function unknownMacro(sql: string, src: QuerySource, use: MacroUse, known: Iterable<string>): ModelError {
  const names = [...known].map((n) => `@${n}`).join(', ');
  return new ModelError(`unknown macro @${use.name} (known here: ${names})`, { file: src.file, line: lineAt(sql, use.start, src.queryLine) });
}

/** The query with every macro replaced by its value; a macro without a value is a ModelError with its line. */
export function substituteMacros(sql: string, values: MacroValues, src: QuerySource): string {
  let out = '';
  let pos = 0;
  for (const use of findMacros(sql, src)) {
    const value = values[use.name];
    if (value === undefined) throw unknownMacro(sql, src, use, Object.keys(values));
    out += sql.slice(pos, use.start) + value;
    pos = use.end;
  }
  return out + sql.slice(pos);
}

/** A query with neutral placeholders for its macros, and the way back from its offsets to the original's. */
export interface Placeheld {
  text: string;
  /** The offset in the original query of an offset in `text` (inside a placeholder: the macro's start). */
  toOriginal(offset: number): number;
  macros: MacroUse[];
}

/**
 * Replaces each macro by a placeholder that parses wherever the value would and names the macro,
 * so a query parses without an interval and `@start_ds` -> `@end_ds` still changes its parse tree.
 * Time macros become string literals (`'@start_ds'`), anything else (`@this_model`, audit
 * arguments such as `@column`) a quoted identifier (`"@this_model"`). `known` lists the names
 * allowed besides the time macros; any other macro is a ModelError.
 */
export function substitutePlaceholders(sql: string, src: QuerySource, known: readonly string[] = [THIS_MODEL]): Placeheld {
  const allowed = new Set([...TIME_MACROS, ...known]);
  const macros = findMacros(sql, src);
  // Segments of the output that replaced a macro: [outStart, outEnd, origStart, origEnd].
  const segments: [number, number, number, number][] = [];
  let text = '';
  let pos = 0;
  for (const use of macros) {
    if (!allowed.has(use.name)) throw unknownMacro(sql, src, use, allowed);
    text += sql.slice(pos, use.start);
    const placeholder = TIME_MACROS.includes(use.name) ? `'@${use.name}'` : `"@${use.name}"`;
    segments.push([text.length, text.length + placeholder.length, use.start, use.end]);
    text += placeholder;
    pos = use.end;
  }
  text += sql.slice(pos);
  const toOriginal = (offset: number): number => {
    let delta = 0;
    for (const [outStart, outEnd, origStart, origEnd] of segments) {
      if (offset < outStart) break;
      if (offset < outEnd) return origStart;
      delta = origEnd - outEnd;
    }
    return offset + delta;
  };
  return { text, toOriginal, macros };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dsOf = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const tsOf = (d: Date) => `${dsOf(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const quote = (s: string) => `'${s}'`;

/** The five macros of one instant; `ts` carries SQLMesh's microseconds when given (the inclusive end's .999999). */
function instantMacros(prefix: string, d: Date, micros: string, epochSeconds: string): MacroValues {
  const ts = tsOf(d) + micros;
  return {
    [`${prefix}_ds`]: quote(dsOf(d)),
    [`${prefix}_date`]: `CAST(${quote(dsOf(d))} AS DATE)`,
    [`${prefix}_ts`]: quote(ts),
    // SQLMesh's dt is a TIMESTAMPTZ in UTC; the warehouse's timestamps are naive UTC, so a plain TIMESTAMP compares without a zone.
    [`${prefix}_dt`]: `CAST(${quote(ts)} AS TIMESTAMP)`,
    [`${prefix}_epoch`]: epochSeconds,
  };
}

/**
 * The time macros of the interval [start, end) run at `execution`, as SQLMesh renders them: the end
 * macros are the inclusive end (one microsecond before `end`), so `event_date BETWEEN @start_ds AND
 * @end_ds` covers the interval. One day 2024-01-01: start_ds '2024-01-01', end_ds '2024-01-01',
 * end_ts '2024-01-01 23:59:59.999999', end_epoch 1704153599.999999. Interval bounds are whole seconds.
 */
export function timeMacros(interval: { start: Date; end: Date }, execution: Date): MacroValues {
  const { start, end } = interval;
  if (start.getTime() % 1000 !== 0 || end.getTime() % 1000 !== 0) throw new Error(`interval bounds must be whole seconds: ${start.toISOString()} .. ${end.toISOString()}`);
  if (end <= start) throw new Error(`empty interval: ${start.toISOString()} .. ${end.toISOString()}`);
  const lastSecond = new Date(end.getTime() - 1000);
  const executionSeconds = Math.floor(execution.getTime() / 1000);
  const executionSecond = new Date(executionSeconds * 1000);
  return {
    ...instantMacros('start', start, '', String(start.getTime() / 1000)),
    ...instantMacros('end', lastSecond, '.999999', `${lastSecond.getTime() / 1000}.999999`),
    ...instantMacros('execution', executionSecond, '', String(executionSeconds)),
  };
}

/**
 * An audit argument as SQL: names (`column := amount`) as written, numbers and booleans as
 * literals, lists as a comma-separated list (for `IN (@values)` or a select list), expressions
 * and string literals (kept as `{ sql }`) verbatim.
 */
export function auditArgSql(arg: AuditArg): string {
  if (arg === null) return 'NULL';
  if (typeof arg === 'boolean') return arg ? 'TRUE' : 'FALSE';
  if (typeof arg === 'number' || typeof arg === 'string') return String(arg);
  if (Array.isArray(arg)) return arg.map(auditArgSql).join(', ');
  return arg.sql;
}
