/**
 * A ReportDocument as an Excel workbook (exceljs), for people who want to work with the figures.
 *
 * Layout: the first sheet, `Report`, is the cover as data (report, audience, period, parameters,
 * generation time, data freshness, every model's version, missing days, footnotes). Then one sheet
 * per section, named from its title (sheet-names.ts): row 1 the title, row 2 the description (blank
 * when there is none), row 3 the column headers, data from row 4, then the totals rows in bold (one
 * per currency, as the document has them; the label in the first column that is not a figure, or
 * just right of the table when every column is one). Rows 1..3 are frozen, so the headers stay in view while
 * scrolling, and the autofilter covers the header and the data rows only: sorting never moves a
 * totals row into the data. A section without rows says its `empty_text` in row 4.
 *
 * Cells are typed so Excel can compute with them: counts and money are numbers, dates are date
 * cells, percentages are fractions shown with `%`. Money carries its currency in the number format
 * (`#,##0.00 "EUR"`, `#,##0 "JPY"`, `#,##0.00000000 "BTC"`), so a column mixing currencies still
 * reads right on every row. The renderer never sums or rounds: totals come in the document.
 * Charts are not drawn here (exceljs cannot write charts); the PDF draws them.
 *
 * The same document gives the same bytes: workbook times come from `generated_at`, and the zip's
 * entry times (which JSZip would take from the wall clock) are set to it too (zip-time.ts).
 */
import ExcelJS from 'exceljs';
import type { Cell, Column, MoneyCell, ReportDocument, Section } from '../document';
import { groupThousands, minorToDecimal } from '../money';
import { sheetNames } from './sheet-names';
import { stampZipEntries } from './zip-time';

/** The metadata sheet's name; section sheets are named around it. */
export const METADATA_SHEET = 'Report';
/** Row of the column headers on a section sheet (title and description above it). */
export const HEADER_ROW = 3;

/** Columns that hold figures: totalled, right-aligned, never a place for a label. */
const FIGURE_TYPES: ReadonlySet<Column['type']> = new Set(['integer', 'money', 'decimal', 'percent']);
const DATE_FORMAT = 'yyyy-mm-dd';
const TIMESTAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"';
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;

/** `#,##0.00 "EUR"`: grouped, the currency's decimals, its code after the amount. */
export function moneyFormat(currency: string, exponent: number): string {
  const code = currency.replace(/"/g, '');
  return `#,##0${exponent > 0 ? `.${'0'.repeat(exponent)}` : ''} "${code}"`;
}

function decimalFormat(scale: number | undefined): string {
  return scale === undefined ? 'General' : `#,##0${scale > 0 ? `.${'0'.repeat(scale)}` : ''}`;
}

/** A percent column's `scale` counts the decimals of the percentage shown (2: `5.00%`). */
function percentFormat(scale: number | undefined): string {
  const s = scale ?? 2;
  return `0${s > 0 ? `.${'0'.repeat(s)}` : ''}%`;
}

/**
 * Money in major units as the double Excel will hold.
 *
 * Through the exact decimal string, not `Number(minor) / 10 ** exponent`: parsing a decimal string
 * gives the double nearest the exact amount (one correct rounding). Dividing gives the same double
 * while the minor units are below 2^53, but above that `Number(minor)` rounds first and the quotient
 * can land on a neighbouring double (9007199254740993 cents: 90071992547409.92 instead of .94, the
 * nearest to .93). Excel keeps IEEE doubles and shows at most 15 significant digits, and every
 * decimal of at most 15 significant digits comes back unchanged from its nearest double, so the
 * amount Excel shows is exact up to 9,999,999,999,999.99 EUR or 9,999,999.99999999 BTC. Beyond 15
 * significant digits no Excel number can hold the amount to the last minor unit (Excel shows the
 * 15 leading digits); the CSV (exact decimal text) and the PDF can.
 */
export function moneyToNumber(m: MoneyCell): number {
  return Number(minorToDecimal(m.minor, m.exponent));
}

function isMoney(value: Cell): value is MoneyCell {
  return typeof value === 'object' && value !== null;
}

/** `2026-10-05` as the UTC midnight exceljs turns into the Excel serial day (exceljs reads dates as UTC). */
function utcDate(iso: string): Date {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00.000Z` : iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an ISO date: ${iso}`);
  return d;
}

function finite(n: number, column: Column): number {
  if (!Number.isFinite(n)) throw new RangeError(`column ${column.name}: ${n} is not a number a workbook can hold`);
  return n;
}

/** A count as a number; refuses one a double cannot hold exactly instead of silently rounding it. */
function count(n: bigint, column: Column): number {
  const v = Number(n);
  if (!Number.isSafeInteger(v)) throw new RangeError(`column ${column.name}: ${n} is beyond 2^53, a workbook cannot hold it exactly`);
  return v;
}

/** The value exceljs writes and the number format it is shown with. */
function excelValue(value: Cell, column: Column): { value: ExcelJS.CellValue; numFmt?: string } {
  if (value === null) return { value: null };
  if (isMoney(value)) return { value: moneyToNumber(value), numFmt: moneyFormat(value.currency, value.exponent) };
  // An amount without its currency and exponent cannot be shown right; the document is wrong.
  if (column.type === 'money') throw new TypeError(`column ${column.name}: money must be minor units with a currency, got ${typeof value} ${String(value)}`);
  switch (column.type) {
    case 'integer':
      return { value: typeof value === 'bigint' ? count(value, column) : finite(Number(value), column), numFmt: '#,##0' };
    case 'decimal':
      return { value: typeof value === 'bigint' ? count(value, column) : finite(Number(value), column), numFmt: decimalFormat(column.scale) };
    case 'percent':
      return { value: finite(Number(value), column), numFmt: percentFormat(column.scale) };
    case 'date':
      return { value: utcDate(String(value)), numFmt: DATE_FORMAT };
    case 'timestamp':
      return { value: utcDate(String(value)), numFmt: TIMESTAMP_FORMAT };
    case 'boolean':
      return { value: typeof value === 'boolean' ? value : String(value) === 'true' };
    default:
      // Text stays text even when it looks like a formula (`=HYPERLINK(...)`): exceljs writes a
      // string cell for a string, never a formula, so a player's name cannot run in Excel.
      return { value: typeof value === 'bigint' ? value.toString() : String(value) };
  }
}

/** How wide a value shows, in character cells: CJK and full-width forms take two. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000 ? 2 : 1;
  }
  return w;
}

/** The text a cell shows with its format, near enough to size the column. */
function shownText(value: Cell, column: Column): string {
  if (value === null) return '';
  if (isMoney(value)) return `${groupThousands(minorToDecimal(value.minor, value.exponent))} ${value.currency}`;
  switch (column.type) {
    case 'integer':
      return groupThousands(String(value));
    case 'decimal':
      return typeof value === 'number' && column.scale !== undefined ? groupThousands(value.toFixed(column.scale)) : String(value);
    case 'percent':
      return `${(Number(value) * 100).toFixed(column.scale ?? 2)}%`;
    case 'date':
      return '2026-10-05';
    case 'timestamp':
      return '2026-10-05 12:34:56 UTC';
    case 'boolean':
      return 'FALSE';
    default:
      return String(value);
  }
}

function addSectionSheet(wb: ExcelJS.Workbook, name: string, section: Section): void {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW, topLeftCell: `A${HEADER_ROW + 1}`, activeCell: `A${HEADER_ROW + 1}` }],
    // Printed: landscape, all columns on one page width, title and headers repeated on every page.
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `1:${HEADER_ROW}` },
  });
  const { columns } = section;
  const widths = columns.map((c) => displayWidth(c.label));

  ws.getCell(1, 1).value = section.title;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  if (section.description) ws.getCell(2, 1).value = section.description;

  const header = ws.getRow(HEADER_ROW);
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.label;
    cell.font = { bold: true };
    cell.border = { bottom: { style: 'thin' } };
    // Numbers read right-aligned: so do their headers.
    if (c.type !== 'text' && c.type !== 'boolean') cell.alignment = { horizontal: 'right' };
  });

  const write = (rowNumber: number, cells: Cell[], bold: boolean): void => {
    const row = ws.getRow(rowNumber);
    columns.forEach((column, i) => {
      const value = cells[i] ?? null;
      const { value: v, numFmt } = excelValue(value, column);
      if (v === null && !bold) return;
      const cell = row.getCell(i + 1);
      if (v !== null) cell.value = v;
      if (numFmt) cell.numFmt = numFmt;
      if (bold) cell.font = { bold: true };
      widths[i] = Math.max(widths[i]!, displayWidth(shownText(value, column)));
    });
  };

  let next = HEADER_ROW + 1;
  for (const cells of section.rows) write(next++, cells, false);
  const lastDataRow = next - 1;

  if (section.rows.length === 0) {
    const cell = ws.getCell(next++, 1);
    cell.value = section.empty_text ?? 'No rows in the period.';
    cell.font = { italic: true };
  } else {
    ws.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: lastDataRow, column: columns.length } };
  }

  // A totals row's label ("Total", "Total EUR") has a cell of its own, as in the PDF: the first
  // column that is not a figure (its totals cell is empty: only figures are totalled), or, in a
  // section of figures only, the cell just right of the table. Never over a figure, and never
  // missing because the first cell happened to hold one.
  const labelAt = columns.findIndex((c) => !FIGURE_TYPES.has(c.type));
  const labelColumn = labelAt >= 0 ? labelAt : columns.length;
  for (const total of section.totals) {
    const rowNumber = next++;
    write(rowNumber, total.cells.map((c, i) => (i === labelColumn ? null : c)), true);
    const cell = ws.getCell(rowNumber, labelColumn + 1);
    cell.value = total.label;
    cell.numFmt = 'General';
    cell.font = { bold: true };
    widths[labelColumn] = Math.max(widths[labelColumn] ?? 0, displayWidth(total.label));
    ws.getRow(rowNumber).eachCell({ includeEmpty: false }, (c) => {
      c.border = { top: { style: 'thin' } };
    });
  }

  // +2 for the autofilter's drop-down button beside the header.
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w + 2));
  });
}

function addMetadataSheet(wb: ExcelJS.Workbook, doc: ReportDocument, names: string[]): void {
  const ws = wb.addWorksheet(METADATA_SHEET);
  const rows: (string | undefined)[][] = [];
  const p = doc.params;
  rows.push(['Report', doc.report_id]);
  rows.push(['Title', doc.title]);
  rows.push(['Audience', doc.audience]);
  rows.push(['Period', p.period.label]);
  rows.push(['Period start (inclusive)', p.period.start]);
  rows.push(['Period end (exclusive)', p.period.end]);
  for (const key of ['jurisdiction', 'brand', 'currency'] as const) {
    if (p[key] !== undefined) rows.push([`Parameter ${key}`, p[key]]);
  }
  rows.push(['Generated at (UTC)', doc.generated_at]);
  rows.push(['Events through (UTC)', doc.events_through]);
  rows.push(['Missing days', doc.missing_days.length === 0 ? 'none' : doc.missing_days.join(', ')]);
  rows.push(['Amounts', 'Money in major units of its own currency (the code is in each cell\'s format); times in UTC.']);
  // Rows whose long text runs on to the right instead of widening column B for everything else.
  const runOn = new Set<number>([rows.length - 1, 1]);
  rows.push([]);
  rows.push(['Model', 'Version', 'Fresh through (UTC)']);
  const modelHeader = rows.length;
  for (const m of doc.models) rows.push([m.model, m.version, m.fresh_through]);
  rows.push([]);
  rows.push(['Sheet', 'Section', 'Title']);
  const sheetHeader = rows.length;
  doc.sections.forEach((s, i) => rows.push([names[i]!, s.id, s.title]));
  if (doc.footnotes.length > 0) {
    rows.push([]);
    doc.footnotes.forEach((f, i) => { runOn.add(rows.length); rows.push([i === 0 ? 'Notes' : '', f]); });
  }
  // Strings only: this sheet is read by people and the ISO times must stay exactly as the document has them.
  rows.forEach((r, i) => {
    const row = ws.getRow(i + 1);
    r.forEach((v, j) => { if (v !== undefined) row.getCell(j + 1).value = v; });
  });
  // Keys of the key/value part and the tables' headers in bold; the tables' rows are data.
  for (let n = 1; n < modelHeader - 1; n++) ws.getCell(n, 1).font = { bold: true };
  for (const n of [modelHeader, sheetHeader]) ws.getRow(n).font = { bold: true };
  if (doc.footnotes.length > 0) ws.getCell(sheetHeader + doc.sections.length + 2, 1).font = { bold: true };
  // No wrapping: a long footnote runs on into the empty cells to its right, where a wrapped one
  // would need a row height that neither exceljs nor LibreOffice computes on load.
  const width = (col: number) => Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, ...rows.map((r, i) => (runOn.has(i) ? 0 : displayWidth(r[col - 1] ?? '') + 2))));
  for (const c of [1, 2, 3]) ws.getColumn(c).width = width(c);
  ws.pageSetup = { orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
}

export async function renderXlsx(doc: ReportDocument): Promise<Uint8Array> {
  const generated = new Date(doc.generated_at);
  if (Number.isNaN(generated.getTime())) throw new RangeError(`generated_at is not an ISO time: ${doc.generated_at}`);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'warehouse reports';
  wb.lastModifiedBy = 'warehouse reports';
  wb.created = generated;
  wb.modified = generated;
  wb.title = doc.title;
  wb.subject = `${doc.report_id} ${doc.params.period.label}`;

  const names = sheetNames(doc.sections.map((s) => s.title), [METADATA_SHEET]);
  addMetadataSheet(wb, doc, names);
  doc.sections.forEach((s, i) => addSectionSheet(wb, names[i]!, s));

  // Deflate level 1 instead of JSZip's default 6: JSZip deflates in JavaScript (pako), ~20 % of a
  // large workbook's render; the sheets' repetitive XML compresses nearly as well either way.
  const buffer = await wb.xlsx.writeBuffer({ zip: { compression: 'DEFLATE', compressionOptions: { level: 1 } } } as unknown as Partial<ExcelJS.XlsxWriteOptions>);
  return stampZipEntries(new Uint8Array(buffer as ArrayBuffer), generated);
}
