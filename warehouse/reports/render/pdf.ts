/**
 * The PDF of a report: a ReportDocument laid out with pdfkit, A4.
 *
 * It only lays out. Every figure, total and rounding comes in the document (build.ts); money is
 * turned into text here from its integer minor units (money.ts), never through a float.
 *
 * Layout: a portrait cover (title, audience, period, parameters, generation time, data freshness,
 * a boxed warning for missing days, the model versions); then the sections, each starting on a new
 * page when its table needs a different orientation from the page before, or when its heading and
 * description would not fit together with its chart, or with its table's header and first rows (a
 * heading is never left alone at the foot of a page). Orientation is chosen PER SECTION: portrait
 * when the table's columns, measured with their contents on one line, fit 515 pt; landscape
 * (762 pt) otherwise. Wider still: text columns (and headers) wrap onto up to three lines, their
 * widths from their content first (each at least its longest word, up to 80 pt, and wide enough for
 * its cells in three lines; spare room to the text before the figures' headers); only beyond three
 * lines does text end in "…". A timestamp wraps only between its date and its time (two lines). Figures are never wrapped or cut: when they nearly fill the page the
 * table's type shrinks (to 5.5 pt at least), and a table that does not fit even then is split into
 * column groups, each repeating the rows' leading text columns. Tables repeat their header row on
 * every page they run onto; totals rows (bold, one per currency) close them, labelled in the first
 * column that is not a figure ("Total EUR"), or in a leading column when every column is a figure.
 * Footnotes follow the last section; every page carries "Page n of m", the report id and the
 * period. Bookmarks: the cover, each section, the notes.
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

/** The options pdfkit's _fragment reads, as text(…, { lineBreak: false, baseline: 'alphabetic' }) hands them on. */
interface FragmentOptions {
  baseline: 'alphabetic';
  lineBreak: false;
  /** Only for a link's, underline's or strike's extent, none drawn here: 0 spares measuring the string. */
  textWidth: number;
  wordCount: number;
}
const FRAGMENT: FragmentOptions = Object.freeze({ baseline: 'alphabetic', lineBreak: false, textWidth: 0, wordCount: 0 });

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
      this.fragment(run.text, cx, baseline);
      if (i < runs.length - 1) cx += this.doc.widthOfString(run.text);
    });
  }

  /**
   * One run of text at (x, baseline) in the current face, size and colour: what
   * `doc.text(text, x, baseline, { lineBreak: false, baseline: 'alphabetic' })` writes, byte for
   * byte, without its per-call overhead. text() copies its options, moves pdfkit's cursor, splits
   * on newlines and measures the string twice (for the cursor, and for the underline/link width it
   * then does not draw) before calling _fragment, which writes the operators; a 7,458-row alert
   * table makes ~130,000 such calls. Here _fragment is called directly, told the width is not
   * needed (no link, no underline, no strike). pdfkit's cursor (doc.x, doc.y) is not moved: every
   * position in this renderer is explicit.
   */
  private fragment(text: string, x: number, baseline: number): void {
    if (text.length === 0 || text.includes('\n')) {
      this.doc.text(text, x, baseline, { lineBreak: false, baseline: 'alphabetic' });
      return;
    }
    (this.doc as unknown as { _fragment(t: string, x: number, y: number, o: FragmentOptions): void })._fragment(text, x, baseline, FRAGMENT);
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

  /** Greedy word wrap by measured width; a word longer than a line is cut after its last '-', '_' or '/' that fits, else by characters. */
  wrap(text: string, width: number, size: number, weight: Weight = 'regular'): string[] {
    const lines: string[] = [];
    let current = '';
    // A line's width as the sum of its words' and spaces' widths: words repeat across the cells
    // of a long listing, so each is shaped once per document, not every growing line again.
    const space = this.measure(' ', size, weight);
    let currentWidth = 0;
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const wordWidth = this.measure(word, size, weight);
      const candidate = current ? currentWidth + space + wordWidth : wordWidth;
      if (candidate <= width) {
        current = current ? `${current} ${word}` : word;
        currentWidth = candidate;
        continue;
      }
      if (current) lines.push(current);
      current = word;
      currentWidth = wordWidth;
      while (this.measure(current, size, weight) > width && [...current].length > 1) {
        const chars = [...current];
        let n = chars.length - 1;
        while (n > 1 && this.measure(chars.slice(0, n).join(''), size, weight) > width) n--;
        // Rather after a '-', '_' or '/' of what fits (a rule name, a UUID, a path) than mid-token.
        const soft = Math.max(...['-', '_', '/'].map((b) => chars.lastIndexOf(b, n - 1)));
        if (soft >= 1) n = soft + 1;
        lines.push(chars.slice(0, n).join(''));
        current = chars.slice(n).join('');
        currentWidth = this.measure(current, size, weight);
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

/** Most lines a cell or a header wraps to; what is left after them ends in "…". */
const MAX_LINES = 3;
/** Widest a single unbreakable word (an id, a hash) may make its column; longer ones break across lines. */
const WORD_CAP = 80;
/** Leading of the second and later lines of a wrapped cell, per pt of type. */
const LINE_LEADING = 1.25;
/** Body rows kept with a table's header (and with its section's heading) at the foot of a page. */
const KEEP_ROWS = 3;

interface TableColumn {
  label: string;
  align: Align;
  /** Text, dates, timestamps: wrap onto more lines when narrow. Figures never wrap nor get cut. */
  wraps: boolean;
  /** On one line: the widest of header and cells, plus padding. */
  natural: number;
  /**
   * The width at which every cell takes at most MAX_LINES lines (figures: their widest cell), but
   * no narrower than the longest header word, any totals cell (never wrapped: a label, a currency)
   * and the longest word of a cell (up to WORD_CAP).
   */
  soft: number;
  /** The narrowest without breaking words (up to WORD_CAP): below it, text is cut. */
  hard: number;
  width: number;
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

/** A table as drawn: the header's and every row's lines per cell, and their heights. */
interface PlacedRow {
  kind: 'body' | 'total' | 'header';
  lines: string[][];
  height: number;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const words = (text: string) => text.split(/\s+/).filter(Boolean);

/**
 * The words of a cell that must stay on one line: each word, except that a timestamp's time and zone
 * (`06:00:00 UTC`) are one, so a narrow timestamp column wraps to two lines (date, then time) and
 * never to three.
 */
function unbreakable(text: string, timestamp: boolean): string[] {
  const ws = words(text);
  return timestamp && ws.length === 3 ? [ws[0]!, `${ws[1]} ${ws[2]}`] : ws;
}

/** Each column's natural, soft and hard widths at `size`. */
function measureColumns(pen: Pen, labels: string[], aligns: Align[], wraps: boolean[], rows: TableRow[], size: number, timestamps: boolean[] = []): TableColumn[] {
  return labels.map((label, i) => {
    const headerWord = Math.max(0, ...words(label).map((w) => pen.measure(w, size, 'bold')));
    let natural = pen.measure(label, size, 'bold');
    let longestCell = 0;
    let longestWord = 0;
    let totals = 0;
    for (const row of rows) {
      const text = row.cells[i]!;
      const weight: Weight = row.kind === 'total' ? 'bold' : 'regular';
      const w = pen.measure(text, size, weight);
      natural = Math.max(natural, w);
      if (row.kind === 'total') totals = Math.max(totals, w);
      else if (wraps[i]) {
        longestCell = Math.max(longestCell, w);
        for (const word of unbreakable(text, timestamps[i] === true)) longestWord = Math.max(longestWord, Math.min(WORD_CAP, pen.measure(word, size, weight)));
      } else longestCell = Math.max(longestCell, w);
    }
    const pad = (w: number) => Math.ceil(w) + 2 * PAD;
    const nat = pad(natural);
    // The header in at most MAX_LINES lines: a header cut short names no column.
    const header = pad(widthForLines(pen, label, size, headerWord));
    // Figures keep their widest cell; only their header wraps.
    const hard = Math.min(nat, wraps[i] ? pad(Math.max(headerWord, totals, longestWord)) : Math.max(header, pad(longestCell)));
    const soft = wraps[i] ? Math.min(nat, Math.max(hard, header, pad(longestCell / MAX_LINES))) : hard;
    return { label, align: aligns[i]!, wraps: wraps[i]!, natural: nat, soft, hard, width: nat };
  });
}

/** The narrowest width (whole points, at least `longestWord`) at which a bold `label` wraps to at most MAX_LINES lines. */
function widthForLines(pen: Pen, label: string, size: number, longestWord: number): number {
  let lo = Math.ceil(longestWord);
  let hi = Math.ceil(pen.measure(label, size, 'bold'));
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (pen.wrap(label, mid, size, 'bold').length <= MAX_LINES) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

/** Column widths fitted to header and contents, and the orientation they need. */
function fitTable(pen: Pen, labels: string[], aligns: Align[], wraps: boolean[], rows: TableRow[], only?: Orientation, timestamps: boolean[] = []): TableLayout {
  const natural = labels.map((label, i) =>
    Math.max(pen.measure(label, TABLE_SIZE, 'bold'), ...rows.map((r) => pen.measure(r.cells[i]!, TABLE_SIZE, r.kind === 'total' ? 'bold' : 'regular'))),
  ).map((w) => Math.ceil(w) + 2 * PAD);
  const naturalWidth = sum(natural);
  const orientation: Orientation = only ?? (naturalWidth <= contentWidth('portrait') ? 'portrait' : 'landscape');
  const room = contentWidth(orientation);
  if (naturalWidth <= room) {
    // Every cell on one line: nothing to wrap, so no word of a 5,000-row table is measured alone.
    const columns = labels.map((label, i) => ({ label, align: aligns[i]!, wraps: wraps[i]!, natural: natural[i]!, soft: natural[i]!, hard: natural[i]!, width: natural[i]! }));
    return { orientation, size: TABLE_SIZE, columns };
  }
  let columns = measureColumns(pen, labels, aligns, wraps, rows, TABLE_SIZE, timestamps);
  let size = TABLE_SIZE;
  const softWidth = sum(columns.map((c) => c.soft));
  const figuresWidth = sum(columns.map((c) => (c.wraps ? 0 : c.soft)));
  if (softWidth > room && figuresWidth > room * 0.7) {
    // The figures alone nearly fill the page: smaller type rather than cut text to nothing.
    const pads = 2 * PAD * columns.length;
    const scale = Math.max(MIN_TABLE_SIZE / TABLE_SIZE, (room - pads) / (softWidth - pads));
    size = Math.floor(TABLE_SIZE * scale * 10) / 10;
    columns = measureColumns(pen, labels, aligns, wraps, rows, size, timestamps);
    // Widths do not scale exactly with the type (padding, whole points, a header's longest word):
    // a tenth of a point less until the table fits, rather than one column split off on its own.
    while (sum(columns.map((c) => c.soft)) > room && size > MIN_TABLE_SIZE) {
      size = Math.round(size * 10 - 1) / 10;
      columns = measureColumns(pen, labels, aligns, wraps, rows, size, timestamps);
    }
  }
  allocate(columns, room);
  return { orientation, size, columns };
}

/**
 * Widths for columns sharing `room`. On one line when they fit. Otherwise text gets its width from
 * its content first: every column starts at its soft width (text in at most MAX_LINES lines,
 * headers wrapped), and what room is left goes to the text columns, in proportion to what they
 * lack of one line each, then to the figures' headers. Only when even the soft widths do not fit
 * (one column group too wide) are text columns narrowed below them, to their hard width (text
 * beyond MAX_LINES ends in "…") and then further, never under MIN_TEXT_COL. Figures never shrink.
 */
function allocate(columns: TableColumn[], room: number): void {
  const widths = (key: 'natural' | 'soft' | 'hard') => sum(columns.map((c) => c[key]));
  if (widths('natural') <= room) {
    for (const c of columns) c.width = c.natural;
    return;
  }
  /**
   * Spreads `spare` over the columns `which` selects towards their `to` width, in equal shares,
   * those lacking less than a share first (water-filling): a column a few points short of one line
   * gets them before a long one takes everything. Returns what is left.
   */
  const grow = (to: 'natural' | 'soft', which: (c: TableColumn) => boolean, spare: number): number => {
    let open = columns.filter((c) => which(c) && c[to] > c.width);
    while (open.length > 0 && spare >= open.length) {
      const share = Math.floor(spare / open.length);
      const done = open.filter((c) => c[to] - c.width <= share);
      for (const c of done.length > 0 ? done : open) {
        const add = Math.min(c[to] - c.width, share);
        c.width += add;
        spare -= add;
      }
      open = open.filter((c) => c[to] > c.width);
    }
    return spare;
  };
  if (widths('soft') <= room) {
    for (const c of columns) c.width = c.soft;
    const spare = grow('natural', (c) => c.wraps, room - widths('soft'));
    grow('natural', (c) => !c.wraps, spare);
    return;
  }
  for (const c of columns) c.width = c.hard;
  if (widths('hard') <= room) {
    grow('soft', (c) => c.wraps, room - widths('hard'));
    return;
  }
  const fixed = sum(columns.filter((c) => !c.wraps).map((c) => c.hard));
  const text = sum(columns.filter((c) => c.wraps).map((c) => c.hard));
  const share = Math.max(0, room - fixed) / Math.max(1, text);
  for (const c of columns) if (c.wraps) c.width = Math.max(Math.min(MIN_TEXT_COL, c.hard), Math.floor(c.hard * share));
}

/** Most leading text columns a split table repeats in each of its column groups (the rows' key). */
const MAX_KEY_COLUMNS = 2;

/**
 * A table wider than its page, even in the smallest type, as column groups that each fit: the
 * leading text columns (what names a row: a month, a currency, an alert) start every group, the
 * other columns follow in order. One group when the table fits. `widths` are the columns' soft
 * widths (text in at most MAX_LINES lines), so a group never has to cut its text.
 */
export function columnGroups(widths: number[], squeezable: boolean[], room: number): number[][] {
  const all = widths.map((_, i) => i);
  const width = (idx: number[]) => idx.reduce((a, i) => a + widths[i]!, 0);
  if (width(all) <= room || all.every((i) => squeezable[i])) return [all];
  const firstFigure = squeezable.findIndex((t) => !t);
  const key = all.slice(0, Math.min(firstFigure < 0 ? all.length : firstFigure, MAX_KEY_COLUMNS));
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

/** `text` in lines of `width`: as many as it needs up to MAX_LINES, the last ending in "…" when more was left. */
function cellLines(pen: Pen, text: string, width: number, size: number, weight: Weight): string[] {
  if (text === '' || pen.measure(text, size, weight) <= width) return [text];
  const lines = pen.wrap(text, width, size, weight);
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES - 1), pen.fit(lines.slice(MAX_LINES - 1).join(' '), width, size, weight)];
}

const lineStep = (size: number) => size * LINE_LEADING;
const heightOf = (lines: number, size: number) => rowHeight(size) + (lines - 1) * lineStep(size);

/** The header and rows broken into their lines for the columns' widths. */
function placeRows(pen: Pen, { columns, size }: TableLayout, rows: TableRow[]): { header: PlacedRow; rows: PlacedRow[] } {
  const inner = (c: TableColumn) => c.width - 2 * PAD;
  const headerLines = columns.map((c) => cellLines(pen, c.label, inner(c), size, 'bold'));
  const header: PlacedRow = { kind: 'header', lines: headerLines, height: heightOf(Math.max(1, ...headerLines.map((l) => l.length)), size) + 2 };
  const placed = rows.map((row): PlacedRow => {
    const weight: Weight = row.kind === 'total' ? 'bold' : 'regular';
    // Figures stay whole on one line (a cut number is a wrong number).
    const lines = row.cells.map((cell, i) => (columns[i]!.wraps ? cellLines(pen, cell, inner(columns[i]!), size, weight) : [cell]));
    return { kind: row.kind, lines, height: heightOf(Math.max(1, ...lines.map((l) => l.length)), size) };
  });
  return { header, rows: placed };
}

/** The height a table needs on the page it starts on: its header and its first KEEP_ROWS rows. */
const tableStart = (t: { header: PlacedRow; rows: PlacedRow[] }) => t.header.height + sum(t.rows.slice(0, KEEP_ROWS).map((r) => r.height)) + 1;

function drawHeader(pen: Pen, { columns, size }: TableLayout, header: PlacedRow): void {
  const doc = pen.doc;
  const tableWidth = sum(columns.map((c) => c.width));
  doc.rect(MARGIN, pen.y, tableWidth, header.height).fill(HEADER_FILL);
  const lines = Math.max(...header.lines.map((l) => l.length));
  let x = MARGIN;
  columns.forEach((c, i) => {
    // Labels sit on the header's last line, so one-line labels line up under wrapped ones.
    const cell = header.lines[i]!;
    cell.forEach((text, k) => {
      const baseline = pen.y + rowHeight(size) * 0.73 + (lines - cell.length + k) * lineStep(size);
      pen.line(text, x + PAD, baseline, size, { weight: 'bold', align: c.align, boxWidth: c.width - 2 * PAD });
    });
    x += c.width;
  });
  pen.y += header.height;
  doc.moveTo(MARGIN, pen.y).lineTo(MARGIN + tableWidth, pen.y).lineWidth(0.6).strokeColor(RULE).stroke();
}

/**
 * Rows at the cursor: the header first and again at the top of every page the table runs onto
 * (with the table's title marked "continued"), totals rows bold after a rule. A row is never split
 * across pages; its cells are top-aligned, so a row's figures stand on its first line.
 */
function drawTable(pen: Pen, title: string, layout: TableLayout, rows: TableRow[]): void {
  const { columns, size } = layout;
  const doc = pen.doc;
  const tableWidth = sum(columns.map((c) => c.width));
  const placed = placeRows(pen, layout, rows);
  const continued = () => {
    pen.newPage(layout.orientation);
    pen.line(`${title} (continued)`, MARGIN, pen.y + 9, 9, { weight: 'bold', color: MUTED });
    pen.y += 16;
  };
  // The header and the first rows together: a header alone at the foot of a page says nothing.
  if (pen.y + tableStart(placed) > pen.bottom) continued();
  drawHeader(pen, layout, placed.header);
  let bodyIndex = 0;
  let firstTotal = true;
  for (const row of placed.rows) {
    if (pen.y + row.height > pen.bottom) {
      continued();
      drawHeader(pen, layout, placed.header);
    }
    const total = row.kind === 'total';
    if (total && firstTotal) {
      doc.moveTo(MARGIN, pen.y).lineTo(MARGIN + tableWidth, pen.y).lineWidth(0.8).strokeColor(INK).stroke();
      firstTotal = false;
    }
    if (total) doc.rect(MARGIN, pen.y + 0.5, tableWidth, row.height - 0.5).fill(TOTAL_FILL);
    else if (bodyIndex++ % 2 === 1) doc.rect(MARGIN, pen.y, tableWidth, row.height).fill(ZEBRA_FILL);
    let x = MARGIN;
    const weight: Weight = total ? 'bold' : 'regular';
    row.lines.forEach((lines, i) => {
      const c = columns[i]!;
      lines.forEach((text, k) => {
        pen.line(text, x + PAD, pen.y + rowHeight(size) * 0.715 + k * lineStep(size), size, { weight, align: c.align, boxWidth: c.width - 2 * PAD });
      });
      x += c.width;
    });
    pen.y += row.height;
  }
  doc.moveTo(MARGIN, pen.y).lineTo(MARGIN + tableWidth, pen.y).lineWidth(0.6).strokeColor(RULE).stroke();
  pen.y += 6;
}

/** A section as a table: its columns' labels, alignment and wrapping, its rows and totals as text. */
interface SectionTable {
  labels: string[];
  aligns: Align[];
  wraps: boolean[];
  /** Timestamp columns: their time and zone stay on one line (unbreakable). */
  timestamps: boolean[];
  rows: TableRow[];
}

/**
 * The section's rows and totals as text. A totals row's label ("Total", "Total EUR") goes in the
 * first column that is not a figure (over the currency code it repeats, or an empty cell), never
 * over a figure; a section of figures only gets a narrow leading column for it, so every totals
 * row says what it is.
 */
export function sectionTable(section: Section): SectionTable {
  const figure = section.columns.map((c) => NUMERIC.has(c.type));
  const labelAt = figure.indexOf(false);
  const lead = section.totals.length > 0 && labelAt < 0;
  const prefix = <T>(x: T, xs: T[]) => (lead ? [x, ...xs] : xs);
  const rows: TableRow[] = section.rows.map((r) => ({ kind: 'body', cells: prefix('', section.columns.map((c, i) => formatCell(r[i] ?? null, c))) }));
  for (const t of section.totals) {
    const cells = section.columns.map((c, i) => formatCell(t.cells[i] ?? null, c));
    if (lead) cells.unshift(t.label);
    else cells[labelAt] = t.label;
    rows.push({ kind: 'total', cells });
  }
  return {
    labels: prefix('', section.columns.map((c) => c.label)),
    aligns: prefix<Align>('left', section.columns.map(alignOf)),
    wraps: prefix(true, figure.map((f) => !f)),
    timestamps: prefix(false, section.columns.map((c) => c.type === 'timestamp')),
    rows,
  };
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
  // The cover is portrait: a long model name wraps (or is cut after MAX_LINES) rather than turning the cover.
  const layout = fitTable(pen, ['Model', 'Version', 'Fresh through'], ['left', 'left', 'left'], [true, false, false], rows, 'portrait');
  if (rows.length === 0) pen.paragraph('No models recorded.', 9, { color: MUTED });
  else drawTable(pen, 'Model versions', layout, rows);
}

// ---------------------------------------------------------------- sections, notes, footer

/** Space between a section and the one before it on the same page. */
const SECTION_GAP = 18;
/** Heading of a column group of a split table. */
const GROUP_TITLE = { size: 9, gapAfter: 4 };

/** A table part of a section: all its columns, or one column group of a table split for width. */
interface TablePart {
  title: string;
  layout: TableLayout;
  rows: TableRow[];
  placed: { header: PlacedRow; rows: PlacedRow[] };
}

function drawSection(pen: Pen, section: Section, first: boolean): void {
  const table = sectionTable(section);
  const layout = fitTable(pen, table.labels, table.aligns, table.wraps, table.rows, undefined, table.timestamps);
  const room = contentWidth(layout.orientation);
  const empty = section.rows.length === 0 && section.totals.length === 0;
  const groups = columnGroups(layout.columns.map((c) => c.soft), layout.columns.map((c) => c.wraps), room);
  const parts = groups.map((group, g): TablePart => {
    const columns = group.map((i) => ({ ...layout.columns[i]! }));
    allocate(columns, room);
    const part: TableLayout = { ...layout, columns };
    const rows = table.rows.map((r) => ({ kind: r.kind, cells: group.map((i) => r.cells[i]!) }));
    const title = groups.length === 1 ? section.title : `${section.title} (columns ${g + 1} of ${groups.length})`;
    return { title, layout: part, rows, placed: placeRows(pen, part, rows) };
  });
  const width = contentWidth(layout.orientation);
  const groupTitle = (title: string) => paragraphHeight(pen, title, GROUP_TITLE.size, 'bold', width) + GROUP_TITLE.gapAfter;
  // The heading stays with what it introduces: its chart, or its table's header and first rows
  // (or the empty text). When they do not fit below the cursor the section starts a new page.
  const heading = paragraphHeight(pen, section.title, 14, 'bold', width) + 2 + (section.description ? paragraphHeight(pen, section.description, 9, 'regular', width) : 0) + 6;
  const opening = parts[0]!;
  const body = section.chart
    ? CHART_H + 10
    : empty
      ? paragraphHeight(pen, section.empty_text ?? 'No rows for the period.', 10, 'regular', width)
      : (parts.length > 1 ? groupTitle(opening.title) : 0) + tableStart(opening.placed);
  // A section opens a page when the orientation changes, after the cover, or when its start does not fit.
  if (first || layout.orientation !== pen.orientation || pen.y + SECTION_GAP + heading + body > pen.bottom) pen.newPage(layout.orientation);
  else pen.y += SECTION_GAP;
  // A bookmark per section: a 150-page pack is read by jumping, not scrolling.
  pen.doc.outline.addItem(section.title);
  pen.paragraph(section.title, 14, { weight: 'bold', gapAfter: 2 });
  if (section.description) pen.paragraph(section.description, 9, { color: MUTED, gapAfter: 6 });
  else pen.y += 6;
  if (section.chart) drawChart(pen, section.chart);
  if (empty) {
    pen.paragraph(section.empty_text ?? 'No rows for the period.', 10, { gapAfter: 6 });
    return;
  }
  parts.forEach((part, g) => {
    if (parts.length > 1) {
      if (g > 0) pen.y += 10;
      // A group's title with its header and first rows, like a section's heading.
      pen.ensure(groupTitle(part.title) + tableStart(part.placed));
      pen.paragraph(part.title, GROUP_TITLE.size, { weight: 'bold', color: MUTED, gapAfter: GROUP_TITLE.gapAfter });
    }
    drawTable(pen, part.title, part.layout, part.rows);
  });
}

/** The height `pen.paragraph` takes for `text`, without drawing it. */
function paragraphHeight(pen: Pen, text: string, size: number, weight: Weight, width: number): number {
  return pen.wrap(text, width, size, weight).length * size * 1.4;
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
