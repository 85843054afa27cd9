/**
 * A ReportDocument as CSV files, for machines: one RFC 4180 file per section.
 *
 * - UTF-8 without a byte-order mark, CRLF line ends (RFC 4180's), a CRLF after the last record too.
 *   Fields holding a comma, a double quote, CR or LF are quoted, quotes doubled; no other quoting.
 * - The first record is the header: the columns' machine names (`stakes_minor`), not their labels.
 * - Money is the exact decimal in major units (`-123.45`, `0.00000005`, `25000`) from bigint minor
 *   units (money.ts): no grouping, no float on the way. Its currency: when the section has a
 *   `currency` column, every amount must be in the currency of its row (a document where it is not
 *   is refused rather than laid out under the wrong code); otherwise each money column is followed
 *   by `<column>_currency`.
 * - Integers as digits, decimals and percents as the document's number (percent as the fraction,
 *   0.05 = 5 %) in plain notation, dates `YYYY-MM-DD`, timestamps ISO 8601 UTC as the document has
 *   them, booleans `true`/`false`, null as an empty field.
 * - Totals are not records: a CSV is a table of like rows, and a consumer summing a column would
 *   count a totals row twice. They are in the XLSX and the PDF of the same document.
 * - Text is written as it is. A field starting with `=` is not defused with a leading quote
 *   (that would change the data for every machine reading it); open the XLSX, not the CSV, in Excel.
 * - File name `<report_id>-<section_id>.csv`; `rows` counts the data records (header excluded).
 */
import type { Cell, Column, MoneyCell, ReportDocument, Section } from '../document';
import { minorToDecimal } from '../money';

export interface CsvFile {
  name: string;
  text: string;
  rows: number;
}

const EOL = '\r\n';

/** RFC 4180: quote a field only when it holds a comma, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A double in plain decimal notation: `String(n)` is the shortest text that reads back as the same
 * double, but writes `1e-7` or `1e+21`, which not every CSV reader takes as a number; those are
 * spelled out here from the same digits (nothing rounded).
 */
export function plainNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} is not a number a CSV can hold`);
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, rest = '', exp] = m;
  const digits = lead! + rest;
  const point = 1 + Number(exp); // position of the decimal point within `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function isMoney(value: Cell): value is MoneyCell {
  return typeof value === 'object' && value !== null;
}

function fieldText(value: Cell, column: Column): string {
  if (value === null) return '';
  if (isMoney(value)) return minorToDecimal(value.minor, value.exponent);
  // An amount without its currency and exponent cannot be written exactly; the document is wrong.
  if (column.type === 'money') throw new TypeError(`column ${column.name}: money must be minor units with a currency, got ${typeof value} ${String(value)}`);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return plainNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (column.type === 'boolean') return value === 'true' ? 'true' : 'false';
  return value;
}

function sectionCsv(reportId: string, section: Section): CsvFile {
  const { columns } = section;
  const currencyAt = columns.findIndex((c) => c.name === 'currency');
  const ownCurrency = currencyAt < 0;
  const header: string[] = [];
  for (const c of columns) {
    header.push(c.name);
    if (c.type === 'money' && ownCurrency) header.push(`${c.name}_currency`);
  }
  const lines = [header.map(csvField).join(',')];
  section.rows.forEach((cells, r) => {
    const fields: string[] = [];
    columns.forEach((column, i) => {
      const value = cells[i] ?? null;
      fields.push(fieldText(value, column));
      if (column.type !== 'money') return;
      const currency = isMoney(value) ? value.currency : '';
      if (ownCurrency) fields.push(currency);
      else if (isMoney(value) && cells[currencyAt] !== value.currency) {
        throw new Error(`section ${section.id} row ${r + 1}: ${column.name} is in ${value.currency} but the row's currency is ${String(cells[currencyAt])}`);
      }
    });
    lines.push(fields.map(csvField).join(','));
  });
  return { name: `${reportId}-${section.id}.csv`, text: lines.join(EOL) + EOL, rows: section.rows.length };
}

export function renderCsv(doc: ReportDocument): CsvFile[] {
  return doc.sections.map((s) => sectionCsv(doc.report_id, s));
}
