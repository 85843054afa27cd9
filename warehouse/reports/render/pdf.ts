/**
 * The PDF of a report: a ReportDocument laid out with pdfkit, A4.
 *
 * It only lays out. Every figure, total and rounding comes in the document (build.ts); money is
 * turned into text here from its integer minor units (money.ts), never through a float.
 *
 * Layout: a portrait cover (title, audience, period, parameters, generation time, data freshness,
 * a boxed warning for missing days, the model versions); then the sections, each starting on a new
 * page when its table needs a different orientation from the page before or the page is nearly
 * full. Orientation is chosen PER SECTION: portrait when the table's columns, measured with their
 * contents, fit 515 pt; landscape (762 pt) otherwise. Wider still: when the figures alone nearly
 * fill the page the table's type shrinks (to 5.5 pt at least), then the text columns share what is
 * left and long text ends in "…" (figures are never cut); figures wider than the page even then
 * split the table into column groups, each repeating the rows' leading text columns. Tables repeat their header row on every page they run onto;
 * totals rows (bold, one per currency) close them. Footnotes follow the last section; every page
 * carries "Page n of m", the report id and the period. Bookmarks: the cover, each section, the notes.
 *
 * Text is drawn run by run (fonts.ts) at measured positions, so a Ukrainian name with Ґ and a
 * Japanese one can share a line, and a right-aligned figure ends exactly at its column's edge.
 *
 * Deterministic: the same document gives the same bytes. CreationDate/ModDate are the document's
 * generated_at (pdfkit would stamp the wall clock), and pdfkit derives the trailer /ID from the
 * info dictionary (an MD5 of it, no randomness) and the font subset tags from the font ids.
 */
import PDFDocument from 'pdfkit';
import type { Cell, Chart, Column, ModelVersion, ReportDocument, Section } from '../document';
import { groupThousands, minorToDecimal } from '../money';
import { fontName, type PdfkitFont, primeLayouts, reportFonts, type ReportFonts, type Script, sharedLayoutCache, splitRuns, trimSharedLayouts, type Weight } from './fonts';

type Doc = PDFKit.PDFDocument;
type Orientation = 'portrait' | 'landscape';
type Align = 'left' | 'right' | 'center';

const MARGIN = 40;
/** Room kept at the bottom of every page for the footer. */
const FOOTER = 22;
const PAGE: Record<Orientation, { width: number; height: number }> = {
  portrait: { width: 595.28, height: 841.89 },
  landscape: { width: 841.89, height: 595.28 },
};
const contentWidth = (o: Orientation) => PAGE[o].width - 2 * MARGIN;

/** Table text size, row height and cell padding (pt). */
const TABLE_SIZE = 8;
/** Smallest table text: a table whose figures alone are wider than a landscape page gets smaller type, down to this. */
const MIN_TABLE_SIZE = 5.5;
const PAD = 4;
/** Row height for a text size (13 pt at 8 pt). */
const rowHeight = (size: number) => Math.round(size * 1.625 * 10) / 10;
/** Narrowest a squeezed text column gets. */
const MIN_TEXT_COL = 40;

const INK = '#1a1f26';
const MUTED = '#5b6470';
const RULE = '#c9d0d8';
const HEADER_FILL = '#e6ebf1';
const ZEBRA_FILL = '#f6f8fa';
const TOTAL_FILL = '#eef2e4';
const WARN_STROKE = '#b3261e';
const WARN_FILL = '#fdecea';
const SERIES_COLORS = ['#2f6db5', '#d9822b', '#3c9a5f', '#8e5bb5', '#c0392b'];

// ---------------------------------------------------------------- cell text

const NUMERIC: ReadonlySet<Column['type']> = new Set(['integer', 'money', 'decimal', 'percent']);
const alignOf = (c: Column): Align => (NUMERIC.has(c.type) ? 'right' : c.type === 'boolean' ? 'center' : 'left');

/** `2026-11-02T06:00:00.000Z` -> `2026-11-02 06:00:00 UTC` (the input when it is not ISO UTC). */
export function formatTimestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** A decimal number shown with `scale` decimals and thousands separators; -0.00 shown as 0.00. */
function formatNumber(n: number, scale: number): string {
  const text = n.toFixed(scale);
  return groupThousands(/^-0(\.0*)?$/.test(text) ? text.slice(1) : text);
}

/** A cell as the reader sees it. Money: `22,222.21 EUR`, `1.50000000 BTC`, `500,000 JPY`. */
export function formatCell(cell: Cell, column: Column): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'object') return `${groupThousands(minorToDecimal(cell.minor, cell.exponent))} ${cell.currency}`;
  if (typeof cell === 'bigint') return groupThousands(cell.toString());
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  if (typeof cell === 'number') {
    if (column.type === 'percent') return `${formatNumber(cell * 100, column.scale ?? 0)} %`;
    if (column.type === 'integer') return groupThousands(String(cell));
    return formatNumber(cell, column.scale ?? 2);
  }
  return column.type === 'timestamp' ? formatTimestamp(cell) : cell;
}

/** The last day of a period (its `end` is exclusive). */
function lastDay(end: string): string {
  const d = new Date(`${end}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- text on the page

/** The page cursor and the drawing primitives every part of the layout shares. */
class Pen {
  y = MARGIN;
  orientation: Orientation = 'portrait';
  constructor(
    readonly doc: Doc,
    readonly fonts: ReportFonts,
  ) {}

  get width(): number {
    return contentWidth(this.orientation);
  }
  get bottom(): number {
    return PAGE[this.orientation].height - MARGIN - FOOTER;
  }

  newPage(orientation: Orientation): void {
    this.orientation = orientation;
    this.doc.addPage({ size: 'A4', layout: orientation, margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN } });
    this.y = MARGIN;
  }

  /** A new page when `height` does not fit below the cursor. */
  ensure(height: number): void {
    if (this.y + height > this.bottom) this.newPage(this.orientation);
  }

  /** pdfkit's current font (the face `use` selected). */
  private current(): PdfkitFont {
    return (this.doc as unknown as { _font: PdfkitFont })._font;
  }

  /** Faces registered with this document, by name (registered on first use: see renderPdf). */
  private readonly ready = new Set<string>();

  private use(weight: Weight, script: Script, size: number): void {
    const name = fontName(weight, script);
    if (!this.ready.has(name)) {
      // Registered when first drawn, so a document without Japanese text never loads Noto Sans JP
      // (pdfkit numbers fonts when first selected, not when registered: the bytes are the same).
      // pdfkit accepts a parsed fontkit font (anything with `layout`); its types only list files.
      const face = this.fonts[weight][script];
      this.doc.registerFont(name, face as unknown as Uint8Array);
      this.doc.font(name);
      // The shaped strings are shared by every document of the process (fonts.ts sharedLayoutCache).
      (this.doc as unknown as { _font: { layoutCache?: Record<string, unknown> } })._font.layoutCache = sharedLayoutCache(face);
      this.ready.add(name);
    }
    this.doc.font(name).fontSize(size);
  }

  /** Measured widths of this document: table cells repeat (names, codes, dates), shaping is not cheap. */
  private readonly widths = new Map<string, number>();

  /** Width in pt of `text` drawn run by run. */
  measure(text: string, size: number, weight: Weight = 'regular'): number {
    const key = `${weight[0]}${size}|${text}`;
    const known = this.widths.get(key);
    if (known !== undefined) return known;
    let w = 0;
    for (const run of splitRuns(text, this.fonts[weight])) {
      const k = `${weight[0]}${run.script[0]}|${run.text}`;
      let advance = this.advances.get(k);
      if (advance === undefined) {
        this.use(weight, run.script, size);
        if (run.script === 'latin') primeLayouts(this.current(), run.text);
        // pdfkit's EmbeddedFont.widthOfString(text, size) is the shaped advance (1000 units/em) x size/1000
        advance = (this.doc as unknown as { _font: { widthOfString(t: string, size: number): number } })._font.widthOfString(run.text, 1000);
        this.advances.set(k, advance);
      }
      // doc.widthOfString's own arithmetic (no character spacing, 100 % scaling), so the widths are
      // the same numbers as before this cache, to the last bit
      w += ((advance * (size / 1000)) + 0) * 100 / 100;
    }
    this.widths.set(key, w);
    return w;
  }

  /**
   * Shaped advance of each run (weight, script, text) in 1000 units/em: a width at any type size is
   * this times size/1000, so a table measured at 8 pt and drawn at 6.3 pt is not measured again.
   */
  private readonly advances = new Map<string, number>();

  /** One line of text, its baseline at `baseline`; right/center align within [x, x + boxWidth]. No wrapping, no page break. */
  line(text: string, x: number, baseline: number, size: number, opts: { weight?: Weight; align?: Align; boxWidth?: number; color?: string } = {}): void {
    if (text === '') return;
    const weight = opts.weight ?? 'regular';
    const align = opts.align ?? 'left';
    let cx = x;
    if (align !== 'left') {
      const w = this.measure(text, size, weight);
      const room = opts.boxWidth ?? 0;
      cx = align === 'right' ? x + room - w : x + (room - w) / 2;
    }
    this.doc.fillColor(opts.color ?? INK);
    const runs = splitRuns(text, this.fonts[weight]);
    runs.forEach((run, i) => {
      this.use(weight, run.script, size);
      if (run.script === 'latin') primeLayouts(this.current(), run.text);
      this.doc.text(run.text, cx, baseline, { lineBreak: false, baseline: 'alphabetic' });
      if (i < runs.length - 1) cx += this.doc.widthOfString(run.text);
    });
  }

  /** `text` cut to fit `width`, ending in "…" when cut. */
  fit(text: string, width: number, size: number, weight: Weight = 'regular'): string {
    const full = this.measure(text, size, weight);
    if (full <= width) return text;
    const chars = [...text];
    // The longest prefix that fits with its "…" (widths grow with the prefix). Every probe shapes a
    // new string, so first estimate: the prefix's width as its characters' advances in the whole
    // text's shaping (glyphs of one font run), which differs from the prefix's own shaping only at
    // the cut (a kerning pair, a ligature: far less than SLACK em). A prefix clearly inside or
    // clearly beyond the width needs no probe; only one near the edge is measured exactly.
    const SLACK = 0.25 * size;
    const fits = (n: number) => n === 0 || this.measure(`${chars.slice(0, n).join('')}…`, size, weight) <= width;
    const est = this.prefixWidths(text, chars.length, size, weight);
    let n: number;
    if (est) {
      const ellipsis = this.measure('…', size, weight);
      n = 0;
      while (n + 1 < chars.length && est[n + 1]! + ellipsis <= width) n++;
      const surelyFits = (k: number) => k === 0 || est[k]! + ellipsis < width - SLACK;
      const surelyNot = (k: number) => k >= chars.length || est[k]! + ellipsis > width + SLACK;
      if (surelyFits(n) || fits(n)) {
        while (n + 1 < chars.length && !surelyNot(n + 1) && fits(n + 1)) n++;
        return `${chars.slice(0, n).join('')}…`;
      }
    } else {
      n = Math.min(chars.length - 1, Math.max(0, Math.floor((chars.length * width) / full) - 1));
      if (fits(n)) {
        while (n + 1 < chars.length && fits(n + 1)) n++;
        return `${chars.slice(0, n).join('')}…`;
      }
    }
    do n--; while (!fits(n));
    return `${chars.slice(0, n).join('')}…`;
  }

  /**
   * Width in pt of the first k characters of `text` (k = 0..length) from the shaping of the whole
   * text, when it is one font run; null otherwise. Characters inside one glyph (a ligature) share it.
   */
  private prefixWidths(text: string, length: number, size: number, weight: Weight): number[] | null {
    const runs = splitRuns(text, this.fonts[weight]);
    if (runs.length !== 1) return null;
    this.use(weight, runs[0]!.script, size);
    if (runs[0]!.script === 'latin') primeLayouts(this.current(), text);
    const font = (this.doc as unknown as { _font: { layout(t: string): { glyphs: { codePoints: number[] }[]; positions: { xAdvance: number }[] } } })._font;
    const { glyphs, positions } = font.layout(text);
    const out = new Array<number>(length + 1).fill(NaN);
    out[0] = 0;
    let k = 0;
    let acc = 0;
    glyphs.forEach((g, i) => {
      const before = acc;
      acc += positions[i]!.xAdvance;
      const n = Math.max(1, g.codePoints.length);
      for (let j = 1; j <= n && k + j <= length; j++) out[k + j] = ((before + ((acc - before) * j) / n) * size) / 1000;
      k += n;
    });
    // a shaping that did not account for every character (should not happen): no estimate
    return out.every((w) => Number.isFinite(w)) ? out : null;
  }

  /** Greedy word wrap by measured width; a word longer than a line is cut by characters. */
  wrap(text: string, width: number, size: number, weight: Weight = 'regular'): string[] {
    const lines: string[] = [];
    let current = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const candidate = current ? `${current} ${word}` : word;
      if (this.measure(candidate, size, weight) <= width) {
        current = candidate;
        continue;
      }
      if (current) lines.push(current);
      current = word;
      while (this.measure(current, size, weight) > width && [...current].length > 1) {
        const chars = [...current];
        let n = chars.length - 1;
        while (n > 1 && this.measure(chars.slice(0, n).join(''), size, weight) > width) n--;
        lines.push(chars.slice(0, n).join(''));
        current = chars.slice(n).join('');
      }
    }
    if (current) lines.push(current);
    return lines;
  }

  /** A wrapped paragraph at the cursor, breaking pages between lines; moves the cursor below it. */
  paragraph(text: string, size: number, opts: { weight?: Weight; color?: string; x?: number; width?: number; gapAfter?: number } = {}): void {
    const x = opts.x ?? MARGIN;
    const leading = size * 1.4;
    for (const l of this.wrap(text, opts.width ?? this.width, size, opts.weight)) {
      this.ensure(leading);
      this.line(l, x, this.y + size, size, { weight: opts.weight, color: opts.color });
      this.y += leading;
    }
    this.y += opts.gapAfter ?? 0;
  }
}

// ---------------------------------------------------------------- tables

interface TableColumn {
  label: string;
  align: Align;
  width: number;
  /** Text columns give up width when a table is wider than the page; figures never do. */
  squeezable: boolean;
}

interface TableRow {
  cells: string[];
  kind: 'body' | 'total';
}

interface TableLayout {
  orientation: Orientation;
  columns: TableColumn[];
  /** Text size of the table (TABLE_SIZE unless the figures needed smaller type). */
  size: number;
}

/** Column widths fitted to header and contents, and the orientation they need. */
function fitTable(pen: Pen, labels: string[], aligns: Align[], squeezable: boolean[], rows: TableRow[], only?: Orientation): TableLayout {
  const natural = labels.map((l) => pen.measure(l, TABLE_SIZE, 'bold'));
  for (const row of rows) {
    row.cells.forEach((text, i) => {
      const w = pen.measure(text, TABLE_SIZE, row.kind === 'total' ? 'bold' : 'regular');
      if (w > natural[i]!) natural[i] = w;
    });
  }
  let widths = natural.map((w) => Math.ceil(w) + 2 * PAD);
  let total = widths.reduce((a, b) => a + b, 0);
  const orientation: Orientation = only ?? (total <= contentWidth('portrait') ? 'portrait' : 'landscape');
  const room = contentWidth(orientation);
  let size = TABLE_SIZE;
  const figuresWidth = () => widths.reduce((a, w, i) => (squeezable[i] ? a : a + w), 0);
  if (total > room && figuresWidth() > room * 0.7) {
    // The figures alone nearly fill the page: smaller type rather than cut text to nothing.
    const scale = Math.max(MIN_TABLE_SIZE / TABLE_SIZE, (room - 2 * PAD * widths.length) / (total - 2 * PAD * widths.length));
    size = Math.floor(TABLE_SIZE * scale * 10) / 10;
    widths = natural.map((w) => Math.ceil((w * size) / TABLE_SIZE) + 2 * PAD);
    total = widths.reduce((a, b) => a + b, 0);
  }
  const columns = labels.map((label, i) => ({ label, align: aligns[i]!, width: widths[i]!, squeezable: squeezable[i]! }));
  // Figures wider than the page even at the smallest type: the table is split into column groups
  // (columnGroups), each fitted on its own, rather than running off the page's edge.
  if (total > room && figuresWidth() <= room) squeeze(columns, room);
  return { orientation, size, columns };
}

/** Figures keep their width (a cut number is a wrong number); text columns share the rest of `room`. */
function squeeze(columns: TableColumn[], room: number): void {
  const total = columns.reduce((a, c) => a + c.width, 0);
  if (total <= room) return;
  const fixed = columns.reduce((a, c) => (c.squeezable ? a : a + c.width), 0);
  const share = Math.max(0, room - fixed) / Math.max(1, total - fixed);
  for (const c of columns) if (c.squeezable) c.width = Math.max(MIN_TEXT_COL, Math.floor(c.width * share));
}

/** Most leading text columns a split table repeats in each of its column groups (the rows' key). */
const MAX_KEY_COLUMNS = 2;

/**
 * A table wider than its page, even in the smallest type, as column groups that each fit: the
 * leading text columns (what names a row: a month, a currency, an alert) start every group, the
 * other columns follow in order. One group when the table fits.
 */
export function columnGroups(widths: number[], squeezable: boolean[], room: number): number[][] {
  const all = widths.map((_, i) => i);
  const width = (idx: number[]) => idx.reduce((a, i) => a + widths[i]!, 0);
  if (width(all) <= room || all.every((i) => squeezable[i])) return [all];
  const firstFigure = squeezable.findIndex((t) => !t);
  const key = all.slice(0, Math.min(firstFigure, MAX_KEY_COLUMNS));
  const groups: number[][] = [];
  let current = [...key];
  for (const i of all.slice(key.length)) {
    if (current.length > key.length && width([...current, i]) > room) {
      groups.push(current);
      current = [...key];
    }
    current.push(i);
  }
  groups.push(current);
  return groups;
}

function drawHeader(pen: Pen, { columns, size }: TableLayout): void {
  const doc = pen.doc;
  const rowH = rowHeight(size);
  const tableWidth = columns.reduce((a, c) => a + c.width, 0);
  doc.rect(MARGIN, pen.y, tableWidth, rowH + 2).fill(HEADER_FILL);
  let x = MARGIN;
  for (const c of columns) {
    const text = pen.fit(c.label, c.width - 2 * PAD, size, 'bold');
    pen.line(text, x + PAD, pen.y + rowH * 0.73, size, { weight: 'bold', align: c.align, boxWidth: c.width - 2 * PAD });
    x += c.width;
  }
  pen.y += rowH + 2;
  doc.moveTo(MARGIN, pen.y).lineTo(MARGIN + tableWidth, pen.y).lineWidth(0.6).strokeColor(RULE).stroke();
}

/**
 * Rows at the cursor: the header first and again at the top of every page the table runs onto
 * (with the table's title marked "continued"), totals rows bold after a rule.
 */
function drawTable(pen: Pen, title: string, layout: TableLayout, rows: TableRow[]): void {
  const { columns, size } = layout;
  const rowH = rowHeight(size);
  const doc = pen.doc;
  const tableWidth = columns.reduce((a, c) => a + c.width, 0);
  // Header plus at least one row (or a totals row) on the first page.
  pen.ensure(2 * rowH + 4);
  drawHeader(pen, layout);
  let bodyIndex = 0;
  let firstTotal = true;
  for (const row of rows) {
    if (pen.y + rowH > pen.bottom) {
      pen.newPage(layout.orientation);
      pen.line(`${title} (continued)`, MARGIN, pen.y + 9, 9, { weight: 'bold', color: MUTED });
      pen.y += 16;
      drawHeader(pen, layout);
    }
    const total = row.kind === 'total';
    if (total && firstTotal) {
      doc.moveTo(MARGIN, pen.y).lineTo(MARGIN + tableWidth, pen.y).lineWidth(0.8).strokeColor(INK).stroke();
      firstTotal = false;
    }
    if (total) doc.rect(MARGIN, pen.y + 0.5, tableWidth, rowH - 0.5).fill(TOTAL_FILL);
    else if (bodyIndex++ % 2 === 1) doc.rect(MARGIN, pen.y, tableWidth, rowH).fill(ZEBRA_FILL);
    let x = MARGIN;
    const weight: Weight = total ? 'bold' : 'regular';
    row.cells.forEach((cell, i) => {
      const c = columns[i]!;
      const text = c.squeezable ? pen.fit(cell, c.width - 2 * PAD, size, weight) : cell;
      pen.line(text, x + PAD, pen.y + rowH * 0.715, size, { weight, align: c.align, boxWidth: c.width - 2 * PAD });
      x += c.width;
    });
    pen.y += rowH;
  }
  doc.moveTo(MARGIN, pen.y).lineTo(MARGIN + tableWidth, pen.y).lineWidth(0.6).strokeColor(RULE).stroke();
  pen.y += 6;
}

/** A section's rows and totals as text, with the labels of totals rows in the first empty cell. */
function sectionRows(section: Section): TableRow[] {
  const rows: TableRow[] = section.rows.map((r) => ({ kind: 'body', cells: section.columns.map((c, i) => formatCell(r[i] ?? null, c)) }));
  for (const t of section.totals) {
    const cells = section.columns.map((c, i) => formatCell(t.cells[i] ?? null, c));
    // The label goes in the first empty cell; with none, over the first column's value when that
    // is text (a currency code the label repeats), never over a figure.
    const labelAt = cells.findIndex((c) => c === '');
    if (labelAt >= 0) cells[labelAt] = t.label;
    else if (section.columns[0] && !NUMERIC.has(section.columns[0].type)) cells[0] = t.label;
    rows.push({ kind: 'total', cells });
  }
  return rows;
}

function sectionLayout(pen: Pen, section: Section, rows: TableRow[]): TableLayout {
  return fitTable(
    pen,
    section.columns.map((c) => c.label),
    section.columns.map(alignOf),
    section.columns.map((c) => !NUMERIC.has(c.type)),
    rows,
  );
}

// ---------------------------------------------------------------- charts

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, target = 5): { ticks: number[]; step: number } {
  if (lo === hi) {
    hi = lo + 1;
  }
  const raw = (hi - lo) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= Math.ceil(hi / step) * step + step / 2; v += step) ticks.push(Number(v.toFixed(12)));
  return { ticks, step };
}

const CHART_H = 210;

/** A bar or line chart at the cursor, in vector primitives: axes, ticks, zero line, categories, legend. */
function drawChart(pen: Pen, chart: Chart): void {
  const doc = pen.doc;
  pen.ensure(CHART_H + 10);
  const top = pen.y;
  const width = Math.min(pen.width, 520);
  pen.line(chart.title, MARGIN, top + 10, 10, { weight: 'bold' });

  // Legend: a swatch per series, then the unit.
  let lx = MARGIN;
  const legendY = top + 18;
  chart.series.forEach((s, i) => {
    doc.rect(lx, legendY + 2, 8, 8).fill(SERIES_COLORS[i % SERIES_COLORS.length]!);
    pen.line(s.label, lx + 11, legendY + 9, 7.5, { color: INK });
    lx += 11 + pen.measure(s.label, 7.5) + 14;
  });
  pen.line(`Unit: ${chart.unit}`, lx, legendY + 9, 7.5, { color: MUTED });

  const values = chart.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const { ticks, step } = niceTicks(Math.min(0, ...values), Math.max(0, ...values));
  const lo = ticks[0]!;
  const hi = ticks[ticks.length - 1]!;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const tickText = ticks.map((t) => formatNumber(t, decimals));
  const axisLabelW = Math.max(...tickText.map((t) => pen.measure(t, 7))) + 6;

  const plotLeft = MARGIN + axisLabelW;
  const plotTop = top + 36;
  const plotBottom = top + CHART_H - 22;
  const plotW = width - axisLabelW;
  const plotH = plotBottom - plotTop;
  const yOf = (v: number) => plotBottom - ((v - lo) / (hi - lo)) * plotH;

  ticks.forEach((t, i) => {
    const y = yOf(t);
    doc.moveTo(plotLeft, y).lineTo(plotLeft + plotW, y).lineWidth(0.4).strokeColor(RULE).stroke();
    doc.moveTo(plotLeft - 3, y).lineTo(plotLeft, y).lineWidth(0.6).strokeColor(INK).stroke();
    pen.line(tickText[i]!, MARGIN, y + 2.5, 7, { align: 'right', boxWidth: axisLabelW - 5, color: MUTED });
  });
  doc.moveTo(plotLeft, plotTop).lineTo(plotLeft, plotBottom).lineWidth(0.8).strokeColor(INK).stroke();

  const n = Math.max(1, chart.categories.length);
  const slot = plotW / n;
  const zeroY = yOf(0);
  if (chart.kind === 'bar') {
    const group = slot * 0.7;
    const barW = group / Math.max(1, chart.series.length);
    chart.series.forEach((s, si) => {
      s.values.forEach((v, ci) => {
        if (!Number.isFinite(v)) return;
        const x = plotLeft + ci * slot + (slot - group) / 2 + si * barW;
        // Negative values hang below the zero line.
        const yTop = yOf(Math.max(v, 0));
        const h = Math.max(0.5, Math.abs(yOf(v) - zeroY));
        doc.rect(x, yTop, barW - 1, h).fill(SERIES_COLORS[si % SERIES_COLORS.length]!);
      });
    });
  } else {
    chart.series.forEach((s, si) => {
      const color = SERIES_COLORS[si % SERIES_COLORS.length]!;
      const points = s.values.map((v, ci) => [plotLeft + ci * slot + slot / 2, yOf(v)] as const).filter(([, y]) => Number.isFinite(y));
      points.forEach(([x, y], i) => (i === 0 ? doc.moveTo(x, y) : doc.lineTo(x, y)));
      if (points.length > 1) doc.lineWidth(1.4).strokeColor(color).stroke();
      for (const [x, y] of points) doc.circle(x, y, 1.8).fill(color);
    });
  }
  // The zero line over the bars, so the sign of each bar reads at a glance.
  doc.moveTo(plotLeft, zeroY).lineTo(plotLeft + plotW, zeroY).lineWidth(0.9).strokeColor(INK).stroke();

  // Category labels under the plot; every k-th when they would collide.
  const labelSize = 7;
  const widest = Math.max(...chart.categories.map((c) => pen.measure(c, labelSize)));
  const every = Math.max(1, Math.ceil((Math.min(widest, 90) + 4) / slot));
  chart.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    const room = slot * every - 4;
    const text = pen.fit(c, room, labelSize);
    pen.line(text, plotLeft + i * slot + slot / 2 - room / 2, plotBottom + 11, labelSize, { align: 'center', boxWidth: room, color: INK });
  });
  pen.y = top + CHART_H + 8;
}

// ---------------------------------------------------------------- cover

function drawCover(pen: Pen, doc: ReportDocument): void {
  pen.newPage('portrait');
  pen.doc.outline.addItem('Cover');
  pen.y = MARGIN + 60;
  pen.paragraph('REPORT', 9, { weight: 'bold', color: MUTED, gapAfter: 2 });
  pen.paragraph(doc.title, 22, { weight: 'bold', gapAfter: 4 });
  pen.paragraph(`For ${doc.audience}`, 13, { color: MUTED, gapAfter: 18 });

  const p = doc.params;
  const facts: [string, string][] = [
    ['Report', doc.report_id],
    ['Period', `${p.period.label} (${p.period.kind}): ${p.period.start} to ${lastDay(p.period.end)}`],
    ['Jurisdiction', p.jurisdiction ?? 'all'],
    ['Brand', p.brand ?? 'all'],
    ['Currency', p.currency ?? 'all'],
    ['Generated', formatTimestamp(doc.generated_at)],
    ['Data through', `${formatTimestamp(doc.events_through)} (latest event in the warehouse)`],
  ];
  for (const [k, v] of facts) {
    pen.line(k, MARGIN, pen.y + 10, 10, { weight: 'bold', color: MUTED });
    pen.line(v, MARGIN + 95, pen.y + 10, 10);
    pen.y += 16;
  }
  pen.y += 12;

  if (doc.missing_days.length > 0) drawMissingDays(pen, doc.missing_days);

  pen.paragraph('Model versions', 12, { weight: 'bold', gapAfter: 4 });
  drawModels(pen, doc.models);
}

/** The boxed warning: which days have no events, and that their figures are missing, not zero. */
function drawMissingDays(pen: Pen, days: string[]): void {
  const doc = pen.doc;
  const inner = pen.width - 24;
  const heading = `Missing data: ${days.length} day${days.length === 1 ? '' : 's'} of the period without events`;
  const body = pen.wrap('The feed has no events for these days; figures for them are missing, not zero.', inner, 9.5);
  const list = pen.wrap(days.join(', '), inner, 9.5, 'bold');
  const height = 12 + 14 + (body.length + list.length) * 13 + 8;
  pen.ensure(height + 10);
  doc.rect(MARGIN, pen.y, pen.width, height).lineWidth(1.5).fillAndStroke(WARN_FILL, WARN_STROKE);
  let y = pen.y + 12;
  pen.line(`⚠ ${heading}`, MARGIN + 12, y + 9, 11, { weight: 'bold', color: WARN_STROKE });
  y += 16;
  for (const l of body) {
    pen.line(l, MARGIN + 12, y + 9.5, 9.5);
    y += 13;
  }
  for (const l of list) {
    pen.line(l, MARGIN + 12, y + 9.5, 9.5, { weight: 'bold' });
    y += 13;
  }
  pen.y += height + 16;
}

function drawModels(pen: Pen, models: ModelVersion[]): void {
  const rows: TableRow[] = models.map((m) => ({ kind: 'body', cells: [m.model, m.version, formatTimestamp(m.fresh_through)] }));
  // The cover is portrait: a long model name is cut rather than turning the cover.
  const layout = fitTable(pen, ['Model', 'Version', 'Fresh through'], ['left', 'left', 'left'], [true, false, false], rows, 'portrait');
  if (rows.length === 0) pen.paragraph('No models recorded.', 9, { color: MUTED });
  else drawTable(pen, 'Model versions', layout, rows);
}

// ---------------------------------------------------------------- sections, notes, footer

function drawSection(pen: Pen, section: Section, first: boolean): void {
  const rows = sectionRows(section);
  const layout = sectionLayout(pen, section, rows);
  // A section opens a page when the orientation changes, after the cover, or when little room is left.
  if (first || layout.orientation !== pen.orientation || pen.y + 120 > pen.bottom) pen.newPage(layout.orientation);
  else pen.y += 18;
  // A bookmark per section: a 150-page pack is read by jumping, not scrolling.
  pen.doc.outline.addItem(section.title);
  pen.paragraph(section.title, 14, { weight: 'bold', gapAfter: 2 });
  if (section.description) pen.paragraph(section.description, 9, { color: MUTED, gapAfter: 6 });
  else pen.y += 6;
  if (section.chart) drawChart(pen, section.chart);
  if (section.rows.length === 0 && section.totals.length === 0) {
    pen.paragraph(section.empty_text ?? 'No rows for the period.', 10, { gapAfter: 6 });
    return;
  }
  const room = contentWidth(layout.orientation);
  const groups = columnGroups(layout.columns.map((c) => c.width), layout.columns.map((c) => c.squeezable), room);
  groups.forEach((group, g) => {
    const columns = group.map((i) => ({ ...layout.columns[i]! }));
    squeeze(columns, room);
    const part = groups.length === 1 ? section.title : `${section.title} (columns ${g + 1} of ${groups.length})`;
    if (groups.length > 1) {
      if (g > 0) pen.y += 10;
      pen.ensure(40);
      pen.paragraph(part, 9, { weight: 'bold', color: MUTED, gapAfter: 4 });
    }
    drawTable(pen, part, { ...layout, columns }, rows.map((r) => ({ kind: r.kind, cells: group.map((i) => r.cells[i]!) })));
  });
}

function drawFootnotes(pen: Pen, notes: string[]): void {
  if (notes.length === 0) return;
  pen.ensure(60);
  pen.y += 14;
  pen.doc.outline.addItem('Notes');
  pen.paragraph('Notes', 11, { weight: 'bold', gapAfter: 2 });
  notes.forEach((note, i) => {
    const marker = `${i + 1}.`;
    pen.ensure(13);
    pen.line(marker, MARGIN, pen.y + 9, 9, { color: MUTED });
    pen.paragraph(note, 9, { x: MARGIN + 16, width: pen.width - 16, gapAfter: 2 });
  });
}

/** "Page n of m", the report id and its period on every page: drawn once the page count is known. */
function drawFooters(pen: Pen, doc: ReportDocument): void {
  const pdf = pen.doc;
  const range = pdf.bufferedPageRange();
  const period = `${doc.params.period.start} to ${lastDay(doc.params.period.end)}`;
  const left = `${doc.report_id} · ${doc.params.period.label} (${period})${doc.params.jurisdiction ? ` · ${doc.params.jurisdiction}` : ''}`;
  for (let i = 0; i < range.count; i++) {
    pdf.switchToPage(range.start + i);
    const { width, height } = pdf.page;
    const y = height - MARGIN - 6;
    pdf.moveTo(MARGIN, y - 9).lineTo(width - MARGIN, y - 9).lineWidth(0.5).strokeColor(RULE).stroke();
    pen.line(left, MARGIN, y, 7.5, { color: MUTED });
    pen.line(`Page ${i + 1} of ${range.count}`, MARGIN, y, 7.5, { color: MUTED, align: 'right', boxWidth: width - 2 * MARGIN });
  }
}

/** The document as PDF bytes; the same document always gives the same bytes. */
export function renderPdf(doc: ReportDocument): Promise<Uint8Array> {
  const fonts = reportFonts();
  const generated = new Date(doc.generated_at);
  if (Number.isNaN(generated.getTime())) throw new RangeError(`generated_at is not a timestamp: ${doc.generated_at}`);
  const pdf = new PDFDocument({
    // No default font: pdfkit would build Helvetica's metrics (AFM) for every document, and every
    // string here is drawn in a Noto face (Pen.use).
    font: null as unknown as string,
    autoFirstPage: false,
    bufferPages: true,
    size: 'A4',
    displayTitle: true,
    info: {
      Title: doc.title,
      Subject: `${doc.report_id} ${doc.params.period.label} for ${doc.audience}`,
      Creator: 'edge-casino warehouse reports',
      Producer: 'PDFKit',
      // The build time, not the wall clock: a re-render of the same document is byte-identical.
      CreationDate: generated,
      ModDate: generated,
    },
  });
  // The faces are registered by the Pen when first drawn (Pen.use).
  trimSharedLayouts();
  const chunks: Uint8Array[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    pdf.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    pdf.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    pdf.on('error', reject);
  });

  const pen = new Pen(pdf, fonts);
  drawCover(pen, doc);
  doc.sections.forEach((s, i) => drawSection(pen, s, i === 0));
  drawFootnotes(pen, doc.footnotes);
  drawFooters(pen, doc);
  pdf.end();
  return done;
}
