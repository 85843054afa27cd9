/**
 * What differs between two delivered versions of one report period, computed from their
 * document.json files (canonical JSON: bigints are strings there, which compares exactly).
 *
 * Rows are matched by their descriptive cells (text, date, timestamp, boolean columns: game type
 * and currency, player and name, ...), so a row whose figures moved is "changed", not "removed and
 * added". Totals rows are matched by label and every totalled cell that moved is listed before ->
 * after, since totals are what a regulator compares first.
 */
import type { Cell, Column, ColumnType, MoneyCell, ReportDocument, Section } from './document';
import { canonicalJson } from './canonical';
import { minorToDecimal } from './money';

export interface CellChange {
  column: string;
  before: string | null;
  after: string | null;
}

export interface RowChange {
  /** The row's descriptive cells joined by ` | ` (e.g. `slots | BTC`). */
  key: string;
  change: 'added' | 'removed' | 'changed';
  /** For a changed row: the cells that differ. */
  cells?: CellChange[];
}

export interface TotalsChange extends CellChange {
  /** The totals row's label, e.g. `Total EUR`. */
  row: string;
}

export interface SectionChanges {
  id: string;
  title: string;
  status: 'added' | 'removed' | 'changed';
  /** The section's columns differ (names or types): rows are then counted, not matched. */
  columns_changed?: boolean;
  /** No descriptive column names a row: rows were paired by position and are keyed `row 1`, `row 2`, ... */
  rows_by_position?: boolean;
  rows_added: number;
  rows_removed: number;
  rows_changed: number;
  /** Up to ROW_DETAILS_MAX rows (after's order, then removed ones); `rows_omitted` more were not listed. */
  rows: RowChange[];
  rows_omitted: number;
  totals: TotalsChange[];
}

export interface DeliveryChanges {
  /** One line for people: what moved, section by section. */
  summary: string;
  sections: SectionChanges[];
  missing_days?: { filled: string[]; new: string[] };
  models?: { model: string; before: string | null; after: string | null }[];
  /** Other document fields that differ (title, footnotes, ...). */
  other?: string[];
}

export const ROW_DETAILS_MAX = 20;

const DESCRIPTIVE: ColumnType[] = ['text', 'date', 'timestamp', 'boolean'];

/** A cell as text for the change list: money with its currency, exactly (from minor units). */
export function cellText(cell: unknown): string | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'object' && 'minor' in (cell as object)) {
    const m = cell as { minor: string | bigint; currency: string; exponent: number } & Partial<MoneyCell>;
    return `${minorToDecimal(BigInt(m.minor), m.exponent)} ${m.currency}`;
  }
  return String(cell);
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const columnsSignature = (cols: Column[]) => cols.map((c) => `${c.name}:${c.type}`).join(',');

/** Both documents as parsed from document.json (or live documents: bigints compare as strings either way). */
export function diffDocuments(before: ReportDocument, after: ReportDocument): DeliveryChanges {
  const sections: SectionChanges[] = [];
  const beforeById = new Map(before.sections.map((s) => [s.id, s]));
  const afterIds = new Set(after.sections.map((s) => s.id));
  for (const s of after.sections) {
    const prev = beforeById.get(s.id);
    const c = prev ? diffSection(prev, s) : wholeSection(s, 'added');
    if (c) sections.push(c);
  }
  for (const s of before.sections) if (!afterIds.has(s.id)) sections.push(wholeSection(s, 'removed'));

  const out: DeliveryChanges = { summary: '', sections };
  const filled = before.missing_days.filter((d) => !after.missing_days.includes(d));
  const newGaps = after.missing_days.filter((d) => !before.missing_days.includes(d));
  if (filled.length || newGaps.length) out.missing_days = { filled, new: newGaps };

  const models: NonNullable<DeliveryChanges['models']> = [];
  const beforeModels = new Map(before.models.map((m) => [m.model, m.version]));
  const afterModels = new Map(after.models.map((m) => [m.model, m.version]));
  for (const [model, version] of afterModels) if (beforeModels.get(model) !== version) models.push({ model, before: beforeModels.get(model) ?? null, after: version });
  for (const [model, version] of beforeModels) if (!afterModels.has(model)) models.push({ model, before: version, after: null });
  if (models.length) out.models = models;

  const other = (['title', 'audience', 'footnotes'] as const).filter((k) => !same(before[k], after[k]));
  if (other.length) out.other = [...other];
  out.summary = summarize(out);
  return out;
}

function wholeSection(s: Section, status: 'added' | 'removed'): SectionChanges {
  const n = s.rows.length;
  return { id: s.id, title: s.title, status, rows_added: status === 'added' ? n : 0, rows_removed: status === 'removed' ? n : 0, rows_changed: 0, rows: [], rows_omitted: 0, totals: [] };
}

function diffSection(before: Section, after: Section): SectionChanges | null {
  const out: SectionChanges = { id: after.id, title: after.title, status: 'changed', rows_added: 0, rows_removed: 0, rows_changed: 0, rows: [], rows_omitted: 0, totals: [] };
  const list = (r: RowChange) => {
    if (out.rows.length < ROW_DETAILS_MAX) out.rows.push(r);
    else out.rows_omitted++;
  };
  if (columnsSignature(before.columns) !== columnsSignature(after.columns)) {
    // Different columns: no row of one is comparable with a row of the other.
    out.columns_changed = true;
    out.rows_removed = before.rows.length;
    out.rows_added = after.rows.length;
  } else {
    const keyIdx = after.columns.map((c, i) => (DESCRIPTIVE.includes(c.type) ? i : -1)).filter((i) => i >= 0);
    if (keyIdx.length === 0) {
      // No descriptive column (a headline section of figures only): nothing names a row but its
      // place, so rows are paired by position, and a moved figure is a changed row with its cells
      // before -> after rather than one row removed and an unreadable one added.
      out.rows_by_position = true;
      diffByPosition(after.columns, before.rows, after.rows, out, list);
    } else diffByKey(after.columns, keyIdx, before.rows, after.rows, out, list);
  }

  const totalsKey = (t: { label: string; currency?: string }) => `${t.label}\u0000${t.currency ?? ''}`;
  const beforeTotals = new Map(before.totals.map((t) => [totalsKey(t), t]));
  const afterKeys = new Set(after.totals.map(totalsKey));
  for (const t of after.totals) {
    const prev = beforeTotals.get(totalsKey(t));
    for (const c of diffCells(after.columns, prev?.cells ?? [], t.cells)) out.totals.push({ row: t.label, ...c });
  }
  for (const t of before.totals) if (!afterKeys.has(totalsKey(t))) for (const c of diffCells(before.columns, t.cells, [])) out.totals.push({ row: t.label, ...c });

  const changed = out.rows_added + out.rows_removed + out.rows_changed + out.totals.length > 0 || out.columns_changed || before.title !== after.title;
  return changed ? out : null;
}

/** Rows matched by their descriptive cells; rows sharing a key are paired in order. */
function diffByKey(columns: Column[], keyIdx: number[], beforeRows: Cell[][], afterRows: Cell[][], out: SectionChanges, list: (r: RowChange) => void): void {
  const keyOf = (row: Cell[]) => keyIdx.map((i) => cellText(row[i]) ?? '').join(' | ');
  const pending = new Map<string, Cell[][]>();
  for (const row of beforeRows) {
    const k = keyOf(row);
    pending.set(k, [...(pending.get(k) ?? []), row]);
  }
  for (const row of afterRows) {
    const k = keyOf(row);
    const old = pending.get(k)?.shift();
    if (!old) {
      out.rows_added++;
      list({ key: k, change: 'added' });
      continue;
    }
    const cells = diffCells(columns, old, row);
    if (cells.length) {
      out.rows_changed++;
      list({ key: k, change: 'changed', cells });
    }
  }
  for (const [k, rows] of pending)
    for (let i = 0; i < rows.length; i++) {
      out.rows_removed++;
      list({ key: k, change: 'removed' });
    }
}

/** Rows of a section without descriptive columns, paired by position: `row 1`, `row 2`, ... */
function diffByPosition(columns: Column[], beforeRows: Cell[][], afterRows: Cell[][], out: SectionChanges, list: (r: RowChange) => void): void {
  const n = Math.max(beforeRows.length, afterRows.length);
  for (let i = 0; i < n; i++) {
    const key = `row ${i + 1}`;
    const old = beforeRows[i];
    const row = afterRows[i];
    if (!old) {
      out.rows_added++;
      list({ key, change: 'added' });
    } else if (!row) {
      out.rows_removed++;
      list({ key, change: 'removed' });
    } else {
      const cells = diffCells(columns, old, row);
      if (cells.length) {
        out.rows_changed++;
        list({ key, change: 'changed', cells });
      }
    }
  }
}

function diffCells(columns: Column[], before: Cell[], after: Cell[]): CellChange[] {
  const out: CellChange[] = [];
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) {
    if (same(before[i], after[i])) continue;
    out.push({ column: columns[i]?.label ?? `#${i + 1}`, before: cellText(before[i]), after: cellText(after[i]) });
  }
  return out;
}

const TOTALS_IN_SUMMARY = 3;
/** Cells of keyless rows spelled out in the summary before "n more". */
const CELLS_IN_SUMMARY = 5;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A change as the summary says it: `Deposits 820 -> 821`. */
const cellChangeText = (c: CellChange) => `${c.column} ${c.before ?? '—'} -> ${c.after ?? '—'}`;

/**
 * The moved cells of a section without descriptive columns (`row 1`, ...: a headline of figures),
 * spelled out in the summary: "1 row changed" alone would not say which figure moved, where a keyed
 * row's key at least names it in `rows`.
 */
function positionalCells(s: SectionChanges): string {
  if (!s.rows_by_position) return '';
  const changed = s.rows.filter((r) => r.change === 'changed');
  const single = s.rows_added + s.rows_removed + s.rows_changed === 1 && changed.length === 1;
  const texts = changed.flatMap((r) => (r.cells ?? []).map((c) => (single ? cellChangeText(c) : `${r.key} ${cellChangeText(c)}`)));
  const shown = texts.slice(0, CELLS_IN_SUMMARY);
  if (texts.length > CELLS_IN_SUMMARY) shown.push(`${texts.length - CELLS_IN_SUMMARY} more`);
  return ` (${shown.join(', ')})`;
}

function summarize(c: DeliveryChanges): string {
  const parts: string[] = [];
  for (const s of c.sections) {
    if (s.status !== 'changed') {
      parts.push(`section ${s.id} ${s.status} (${plural(s.status === 'added' ? s.rows_added : s.rows_removed, 'row')})`);
      continue;
    }
    const bits: string[] = [];
    if (s.columns_changed) bits.push('columns changed');
    if (s.rows_added) bits.push(`${plural(s.rows_added, 'row')} added`);
    if (s.rows_removed) bits.push(`${plural(s.rows_removed, 'row')} removed`);
    if (s.rows_changed) bits.push(`${plural(s.rows_changed, 'row')} changed${positionalCells(s)}`);
    const totals = s.totals.slice(0, TOTALS_IN_SUMMARY).map((t) => `${t.row} ${cellChangeText(t)}`);
    if (s.totals.length > TOTALS_IN_SUMMARY) totals.push(`${s.totals.length - TOTALS_IN_SUMMARY} more`);
    if (totals.length) bits.push(`totals: ${totals.join(', ')}`);
    parts.push(`${s.id}: ${bits.join(', ') || 'title changed'}`);
  }
  if (c.missing_days?.filled.length) parts.push(`missing days now filled: ${c.missing_days.filled.join(', ')}`);
  if (c.missing_days?.new.length) parts.push(`days now missing: ${c.missing_days.new.join(', ')}`);
  for (const m of c.models ?? []) parts.push(`model ${m.model} ${m.before ?? '(none)'} -> ${m.after ?? '(none)'}`);
  if (c.other?.length) parts.push(`${c.other.join(', ')} changed`);
  if (!c.sections.length) parts.unshift('figures unchanged');
  return parts.join('; ');
}
