/**
 * The CLI's text tables: one header line, a rule, one line per row, columns padded to their widest
 * cell (capped at 60 characters so a JSON payload cannot push everything off screen). Pure, so the
 * verbs that print tables (status, audit, diff, test) and their tests share one rendering.
 */

const MAX_WIDTH = 60;

/** A cell as text: NULL is empty, objects (lists, structs, JSON) are compact JSON. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return v instanceof Date ? v.toISOString() : JSON.stringify(v);
  return String(v);
}

/** Rows as an aligned text table; the columns are the first row's keys. `(no rows)` when empty. */
export function formatTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Object.keys(rows[0]!);
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c])));
  const width = cols.map((c, i) => Math.min(MAX_WIDTH, Math.max(c.length, ...cells.map((r) => r[i]!.length))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (v.length > width[i]! ? `${v.slice(0, width[i]! - 1)}…` : v.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
