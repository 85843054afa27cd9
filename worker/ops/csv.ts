/**
 * CSV for the back office's exports: RFC 4180 (CRLF line ends, quotes doubled), and safe to open
 * in a spreadsheet. A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would
 * be taken for a formula by Excel, LibreOffice or Google Sheets (CSV injection, OWASP), and a
 * player chooses some of what we export: `-2+3@example.com` and `+cmd@example.com` are valid email
 * addresses. Such a cell gets a leading `'`, which spreadsheets read as "this is text", and is
 * quoted.
 *
 * Values of JavaScript type number are written as they are, minus sign included: the column is
 * numeric, a finite number such as -500 is not a formula in any spreadsheet, and `'-500` would turn
 * an amount into text that no longer sums. Only numbers get that exemption, never strings that
 * look like numbers: the value's type, not its look, says it came from a numeric column.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\n\r]/;

export function csvCell(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  let s = String(value ?? '');
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) || s.startsWith("'") ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A header row and one row per record, CRLF-terminated. */
export function toCsv<K extends string>(columns: readonly K[], rows: readonly Record<K, unknown>[]): string {
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((k) => csvCell(r[k])).join(','))].map((line) => `${line}\r\n`).join('');
}
