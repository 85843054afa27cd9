/**
 * Expected rows (from a YAML unit test) against the rows a query returned, with messages an analyst
 * can act on: which row, which column, expected and got. Values compare by what they mean for the
 * column's DuckDB type, not by their text: 1 = 1.0 = '1' in a numeric column, '2026-11-01' = a DATE,
 * timestamps by instant, floats within a relative 1e-9, NULL = NULL. Only the columns the expected
 * rows name are compared (like SQLMesh's partial tests), so a test can focus on what it is about.
 */

export type Row = Record<string, unknown>;

/** A query's result as DuckDB gave it: column names and type names, rows as JSON-like values. */
export interface Actual {
  columns: string[];
  types: string[];
  rows: Row[];
}

const MAX_MESSAGES = 20;
const FLOAT_TOLERANCE = 1e-9;

type ValueKind = 'integer' | 'number' | 'date' | 'timestamp' | 'boolean' | 'text' | 'nested';

function kindOf(type: string): ValueKind {
  const t = type.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  if (/^(FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)/.test(t)) return 'number';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'BOOLEAN') return 'boolean';
  if (/\[\]$|^(STRUCT|MAP|UNION|JSON)/.test(t)) return 'nested';
  return 'text';
}

/**
 * Compares expected rows with the actual result; returns failure messages prefixed with `label`
 * (`output`, `cte daily`). `ordered` compares row by row, otherwise rows match as a multiset.
 */
export function compareRows(label: string, expected: Row[], actual: Actual, ordered: boolean): string[] {
  const names = [...new Set(expected.flatMap((r) => Object.keys(r)))];
  const columns: { name: string; index: number; kind: ValueKind }[] = [];
  const failures: string[] = [];
  for (const name of names) {
    const index = actual.columns.indexOf(name) >= 0 ? actual.columns.indexOf(name) : actual.columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
    if (index < 0) failures.push(`${label}: column ${name} is expected, but the query returns (${actual.columns.join(', ')})`);
    else columns.push({ name, index, kind: kindOf(actual.types[index]!) });
  }
  if (failures.length) return failures;

  const got = (row: Row, c: (typeof columns)[number]) => row[actual.columns[c.index]!];
  const diffs = (e: Row, a: Row) =>
    columns
      .filter((c) => !sameValue(e[c.name] ?? null, got(a, c) ?? null, c.kind))
      .map((c) => `column ${c.name}: expected ${show(e[c.name])}, got ${show(asShown(got(a, c), c.kind))}`);
  const showActual = (a: Row) => show(Object.fromEntries(columns.map((c) => [c.name, asShown(got(a, c), c.kind)])));

  if (expected.length !== actual.rows.length) failures.push(`${label}: expected ${expected.length} rows, got ${actual.rows.length}`);
  if (ordered) {
    for (let i = 0; i < Math.max(expected.length, actual.rows.length); i++) {
      const [e, a] = [expected[i], actual.rows[i]];
      if (e && a) {
        const d = diffs(e, a);
        if (d.length) failures.push(`${label} row ${i + 1}: ${d.join('; ')}`);
      } else if (e) failures.push(`${label} row ${i + 1}: expected ${show(e)}, missing`);
      else if (a) failures.push(`${label} row ${i + 1}: unexpected ${showActual(a)}`);
    }
    return cap(failures);
  }

  // Unordered: pair equal rows first, then pair what is left by the most columns in common, so a
  // wrong value reads as one changed row instead of one missing row and one unexpected row.
  const unmatched = new Set(actual.rows.keys());
  const leftover: number[] = [];
  expected.forEach((e, i) => {
    const j = [...unmatched].find((j) => diffs(e, actual.rows[j]!).length === 0);
    if (j === undefined) leftover.push(i);
    else unmatched.delete(j);
  });
  for (const i of leftover) {
    const e = expected[i]!;
    let best: { j: number; d: string[] } | undefined;
    for (const j of unmatched) {
      const d = diffs(e, actual.rows[j]!);
      // A row that differs in every column is only "closest" when it is the one row left on both sides.
      const comparable = d.length < columns.length || (leftover.length === 1 && unmatched.size === 1);
      if (comparable && (!best || d.length < best.d.length)) best = { j, d };
    }
    if (best) {
      unmatched.delete(best.j);
      failures.push(`${label}: expected row ${i + 1} ${show(e)} is closest to a returned row that differs in ${best.d.join('; ')}`);
    } else failures.push(`${label}: expected row ${i + 1} ${show(e)} is missing`);
  }
  for (const j of unmatched) failures.push(`${label}: unexpected row ${showActual(actual.rows[j]!)}`);
  return cap(failures);
}

function cap(messages: string[]): string[] {
  return messages.length <= MAX_MESSAGES ? messages : [...messages.slice(0, MAX_MESSAGES), `... and ${messages.length - MAX_MESSAGES} more`];
}

/** DuckDB hands BIGINT and DECIMAL over as text: show numbers as numbers. */
function asShown(v: unknown, kind: ValueKind): unknown {
  return (kind === 'integer' || kind === 'number') && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? new NumberText(v) : v;
}

/** Numeric text shown unquoted, with all its digits (a BIGINT beyond 2^53 is not rounded). */
class NumberText {
  constructor(readonly text: string) {}
}

/** A value as the message shows it: strings quoted, NULL as NULL, rows as {col: value}. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof NumberText) return v.text;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && !Array.isArray(v)) return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

export function sameValue(expected: unknown, actual: unknown, kind: ValueKind): boolean {
  if (expected === null || actual === null) return expected === actual;
  switch (kind) {
    case 'integer':
    case 'number':
      return sameNumber(expected, actual);
    case 'date':
      return dateText(expected) === dateText(actual);
    case 'timestamp': {
      const [e, a] = [instantMicros(expected), instantMicros(actual)];
      return e !== undefined && e === a;
    }
    case 'boolean':
      return booleanOf(expected) === booleanOf(actual) && booleanOf(actual) !== undefined;
    case 'nested':
      return sameNested(typeof expected === 'string' ? parseJson(expected) : expected, typeof actual === 'string' ? parseJson(actual) : actual);
    case 'text':
      return typeof expected === 'object' ? sameNested(expected, parseJson(String(actual))) : String(expected) === String(actual);
  }
}

function sameNumber(expected: unknown, actual: unknown): boolean {
  const [e, a] = [String(expected).trim(), String(actual).trim()];
  // Whole numbers beyond 2^53 (BIGINT, HUGEINT) compare exactly as integers.
  if (/^-?\d+$/.test(e) && /^-?\d+$/.test(a)) return BigInt(e) === BigInt(a);
  const [x, y] = [Number(e), Number(a)];
  if (Number.isNaN(x) || Number.isNaN(y) || e === '' || a === '') return false;
  return x === y || Math.abs(x - y) <= FLOAT_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y));
}

function dateText(v: unknown): string {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).trim();
}

const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Microseconds since the epoch (UTC unless the text has a zone), exact to the microsecond. */
export function instantMicros(v: unknown): bigint | undefined {
  if (v instanceof Date) return BigInt(v.getTime()) * 1000n;
  const m = TIMESTAMP_TEXT.exec(String(v).trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  return (BigInt(ms) - BigInt(offsetMinutes) * 60_000n) * 1000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
}

function booleanOf(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const t = String(v).toLowerCase();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Lists, structs and JSON: same shape, leaves compared as numbers when both look numeric. */
function sameNested(e: unknown, a: unknown): boolean {
  if (e === null || e === undefined || a === null || a === undefined) return (e ?? null) === (a ?? null);
  if (Array.isArray(e)) return Array.isArray(a) && e.length === a.length && e.every((x, i) => sameNested(x, a[i]));
  if (typeof e === 'object') {
    if (typeof a !== 'object' || Array.isArray(a)) return false;
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    return [...keys].every((k) => sameNested((e as Row)[k], (a as Row)[k]));
  }
  if (typeof e === 'number' || typeof a === 'number') return sameNumber(e, a);
  return String(e) === String(a);
}
