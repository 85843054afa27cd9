/**
 * `wh diff <model> prod:dev`: a row-level diff of two versions of a model's table, joined on the
 * model's grain. Rows only in the right side are added, only in the left removed; for rows in both,
 * each column counts the rows whose value differs (NULL-safe: NULL = NULL, NULL != 0), with a
 * sample of keys and both values. Floating-point columns compare within a relative tolerance, so
 * the same sum computed in another order is not a change.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows } from '../../db';
import { formatTable } from '../format';
import { quoteIdent } from '../names';
import { quotedIdentifier } from './sql-values';
import { ModelError, type ModelDef } from '../types';

export const DIFF_SAMPLE_DEFAULT = 5;
const DIFF_SAMPLE_MAX = 100;
/** Relative tolerance for FLOAT/DOUBLE/DECIMAL columns (absolute for values below 1). */
export const DIFF_FLOAT_TOLERANCE_DEFAULT = 1e-9;

export interface DiffOptions {
  model: ModelDef;
  /** SQL relation text of each side, e.g. envRelation(model, 'prod') and envRelation(model, 'dev'). */
  left: string;
  right: string;
  /** Columns that identify a row; default the model's grain. */
  grain?: string[];
  /** Rows kept per sample (added, removed, each changed column); default 5, at most 100. */
  sample?: number;
  /** Relative tolerance for floating-point and decimal columns; 0 compares exactly. */
  tolerance?: number;
  /** Names of the sides for the report, e.g. { left: 'prod', right: 'dev' }. */
  labels?: { left: string; right: string };
}

export type Row = Record<string, unknown>;

export interface ColumnDiff {
  column: string;
  /** Rows present on both sides whose value of this column differs. */
  changed: number;
  sample: { key: Row; left: unknown; right: unknown }[];
}

export interface SchemaChange {
  column: string;
  change: 'only_left' | 'only_right' | 'type';
  left?: string;
  right?: string;
}

export interface TableDiff {
  model: string;
  grain: string[];
  labels: { left: string; right: string };
  leftRows: number;
  rightRows: number;
  /** Keys present on both sides. */
  matched: number;
  /** Matched rows with at least one column changed. */
  rowsChanged: number;
  /** Rows only in the right side (whole rows in the sample). */
  added: { count: number; sample: Row[] };
  /** Rows only in the left side. */
  removed: { count: number; sample: Row[] };
  /** Columns with at least one change, in the left side's column order. */
  changed: ColumnDiff[];
  schemaChanges: SchemaChange[];
}

interface Column {
  name: string;
  type: string;
}

export async function diffTables(con: DuckDBConnection, opts: DiffOptions): Promise<TableDiff> {
  const { model, left, right } = opts;
  const labels = opts.labels ?? { left: 'left', right: 'right' };
  const fail = (message: string): never => {
    throw new ModelError(message, model.where, model.name);
  };
  const grain = opts.grain?.length ? opts.grain : model.grain;
  if (grain.length === 0) {
    fail(`${model.name} has no grain, and a row-level diff joins the two sides on it: add one to its header, e.g. grain [event_date, player_id]`);
  }
  const keys = grain.map((g) => quotedIdentifier(g) ?? fail(`grain column '${g}' is not a column name`));
  const sample = Math.min(DIFF_SAMPLE_MAX, Math.max(0, Math.floor(opts.sample ?? DIFF_SAMPLE_DEFAULT)));
  const tolerance = opts.tolerance ?? DIFF_FLOAT_TOLERANCE_DEFAULT;
  if (!(tolerance >= 0)) fail(`tolerance must be >= 0, not ${tolerance}`);

  const [leftCols, rightCols] = [await describe(con, left, labels.left, fail), await describe(con, right, labels.right, fail)];
  const rightByName = new Map(rightCols.map((c) => [c.name, c]));
  const leftByName = new Map(leftCols.map((c) => [c.name, c]));
  for (const g of grain) {
    if (!leftByName.has(g)) fail(`grain column '${g}' is not in ${labels.left}`);
    if (!rightByName.has(g)) fail(`grain column '${g}' is not in ${labels.right}`);
  }
  await assertUniqueGrain(con, left, keys, grain, labels.left, fail);
  await assertUniqueGrain(con, right, keys, grain, labels.right, fail);

  const schemaChanges: SchemaChange[] = [
    ...leftCols.filter((c) => !rightByName.has(c.name)).map((c): SchemaChange => ({ column: c.name, change: 'only_left', left: c.type })),
    ...rightCols.filter((c) => !leftByName.has(c.name)).map((c): SchemaChange => ({ column: c.name, change: 'only_right', right: c.type })),
    ...leftCols
      .filter((c) => rightByName.has(c.name) && rightByName.get(c.name)!.type !== c.type)
      .map((c): SchemaChange => ({ column: c.name, change: 'type', left: c.type, right: rightByName.get(c.name)!.type })),
  ];
  const compared = leftCols.filter((c) => rightByName.has(c.name) && !grain.includes(c.name));

  // Both sides joined once on the grain (NULL-safe), one boolean per compared column.
  const joined = `WITH l AS (SELECT *, TRUE AS __wh_in FROM ${left}), r AS (SELECT *, TRUE AS __wh_in FROM ${right}),
j AS (
  SELECT ${keys.map((k) => `coalesce(l.${k}, r.${k}) AS ${k}`).join(', ')}, l.__wh_in AS __l, r.__wh_in AS __r,
    ${compared.length ? compared.map((c, i) => `l.${quoteIdent(c.name)} AS __l_${i}, r.${quoteIdent(c.name)} AS __r_${i}, ${changedSql(c, rightByName.get(c.name)!, tolerance)} AS __ch_${i}`).join(',\n    ') : 'FALSE AS __none'}
  FROM l FULL OUTER JOIN r ON ${keys.map((k) => `l.${k} IS NOT DISTINCT FROM r.${k}`).join(' AND ')}
)`;
  const anyChange = compared.length ? compared.map((_, i) => `__ch_${i}`).join(' OR ') : 'FALSE';
  const [counts] = await rows<Record<string, number>>(
    con,
    `${joined}
SELECT count(__l) AS left_rows, count(__r) AS right_rows,
  count(*) FILTER (WHERE __l IS NULL) AS added, count(*) FILTER (WHERE __r IS NULL) AS removed,
  count(*) FILTER (WHERE __l AND __r) AS matched, count(*) FILTER (WHERE __l AND __r AND (${anyChange})) AS rows_changed
  ${compared.map((_, i) => `, count(*) FILTER (WHERE __l AND __r AND __ch_${i}) AS ch_${i}`).join('')}
FROM j`,
  );
  const num = (k: string) => Number(counts?.[k] ?? 0);
  const order = `ORDER BY ${keys.join(', ')}`;
  const onlyIn = async (side: string, other: string) =>
    sample === 0 ? [] : rows(con, `SELECT s.* FROM ${side} AS s ANTI JOIN ${other} AS o ON ${keys.map((k) => `s.${k} IS NOT DISTINCT FROM o.${k}`).join(' AND ')} ${order} LIMIT ${sample}`);

  const changed: ColumnDiff[] = [];
  for (const [i, c] of compared.entries()) {
    if (num(`ch_${i}`) === 0) continue;
    const found = sample === 0 ? [] : await rows(con, `${joined} SELECT ${keys.join(', ')}, __l_${i} AS __left, __r_${i} AS __right FROM j WHERE __l AND __r AND __ch_${i} ${order} LIMIT ${sample}`);
    changed.push({
      column: c.name,
      changed: num(`ch_${i}`),
      sample: found.map(({ __left, __right, ...key }) => ({ key, left: __left, right: __right })),
    });
  }
  return {
    model: model.name,
    grain,
    labels,
    leftRows: num('left_rows'),
    rightRows: num('right_rows'),
    matched: num('matched'),
    rowsChanged: num('rows_changed'),
    added: { count: num('added'), sample: num('added') ? await onlyIn(right, left) : [] },
    removed: { count: num('removed'), sample: num('removed') ? await onlyIn(left, right) : [] },
    changed,
    schemaChanges,
  };
}

async function describe(con: DuckDBConnection, relation: string, label: string, fail: (m: string) => never): Promise<Column[]> {
  try {
    const found = await rows<{ column_name: string; column_type: string }>(con, `DESCRIBE SELECT * FROM ${relation}`);
    return found.map((r) => ({ name: r.column_name, type: r.column_type }));
  } catch (err) {
    return fail(`cannot read ${label} (${relation}): ${(err as Error).message}`);
  }
}

/** A grain that repeats would multiply rows in the join: refuse, showing a repeated key. */
async function assertUniqueGrain(con: DuckDBConnection, relation: string, keys: string[], grain: string[], label: string, fail: (m: string) => never): Promise<void> {
  const cols = keys.join(', ');
  const repeated = await rows(con, `SELECT ${cols}, count(*) AS rows, count(*) OVER () AS __keys FROM ${relation} GROUP BY ${cols} HAVING count(*) > 1 ORDER BY ${cols} LIMIT 1`);
  if (repeated.length === 0) return;
  const { __keys, rows: n, ...key } = repeated[0]!;
  fail(`the grain (${grain.join(', ')}) is not unique in ${label}: ${Number(__keys)} keys repeat, e.g. ${JSON.stringify(key)} (${Number(n)} rows); audit it with unique_combination_of_columns`);
}

const FLOATING = /^(FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)/i;
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC)/i;

/** TRUE when the column's value differs between the sides (never NULL: a NULL on one side only is a change). */
function changedSql(left: Column, right: Column, tolerance: number): string {
  const l = `l.${quoteIdent(left.name)}`;
  const r = `r.${quoteIdent(right.name)}`;
  const bothNumeric = NUMERIC.test(left.type) && NUMERIC.test(right.type);
  if (bothNumeric && (FLOATING.test(left.type) || FLOATING.test(right.type)) && tolerance > 0) {
    const [ld, rd] = [`CAST(${l} AS DOUBLE)`, `CAST(${r} AS DOUBLE)`];
    return `NOT coalesce(${l} IS NOT DISTINCT FROM ${r} OR abs(${ld} - ${rd}) <= ${tolerance} * greatest(abs(${ld}), abs(${rd}), 1), FALSE)`;
  }
  // Different non-numeric types (a column changed from INTEGER to VARCHAR) compare as text.
  if (left.type !== right.type && !bothNumeric) return `CAST(${l} AS VARCHAR) IS DISTINCT FROM CAST(${r} AS VARCHAR)`;
  return `${l} IS DISTINCT FROM ${r}`;
}

/** The diff as text for the CLI: summary lines, then a table per section with samples. */
export function formatDiff(d: TableDiff): string {
  const { left: L, right: R } = d.labels;
  const out: string[] = [`${d.model}: ${L} ${d.leftRows} rows, ${R} ${d.rightRows} rows, joined on (${d.grain.join(', ')})`];
  for (const s of d.schemaChanges) {
    if (s.change === 'only_left') out.push(`schema: column ${s.column} only in ${L} (${s.left})`);
    else if (s.change === 'only_right') out.push(`schema: column ${s.column} only in ${R} (${s.right})`);
    else out.push(`schema: column ${s.column} is ${s.left} in ${L}, ${s.right} in ${R}`);
  }
  out.push(`rows: ${d.added.count} only in ${R} (added), ${d.removed.count} only in ${L} (removed), ${d.matched} in both, ${d.rowsChanged} of them changed`);
  if (d.added.count === 0 && d.removed.count === 0 && d.rowsChanged === 0 && d.schemaChanges.length === 0) out.push('no differences');
  if (d.changed.length) {
    const pct = (n: number) => (d.matched ? `${((100 * n) / d.matched).toFixed(1)}%` : '');
    out.push('', formatTable(d.changed.map((c) => ({ column: c.column, changed: c.changed, 'of matched': pct(c.changed) }))));
  }
  if (d.added.sample.length) out.push('', `only in ${R} (first ${d.added.sample.length} of ${d.added.count}):`, formatTable(d.added.sample));
  if (d.removed.sample.length) out.push('', `only in ${L} (first ${d.removed.sample.length} of ${d.removed.count}):`, formatTable(d.removed.sample));
  for (const c of d.changed) {
    if (c.sample.length === 0) continue;
    out.push('', `${c.column} changed (first ${c.sample.length} of ${c.changed}):`, formatTable(c.sample.map((s) => ({ ...s.key, [L]: s.left, [R]: s.right }))));
  }
  return out.join('\n');
}
