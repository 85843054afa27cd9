/**
 * The workbook checked with real clients: LibreOffice (headless) converts every sheet of the sample
 * document's workbook to CSV, once with the raw values and once as the cells are shown, and the
 * figures must equal the document's; exceljs reads the workbook back for what CSV cannot show
 * (cell types, number formats, frozen panes, autofilter, widths, properties).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Cell, MoneyCell, ReportDocument } from '../document';
import { groupThousands, minorToDecimal } from '../money';
import { SAMPLE_DOCUMENT, SAMPLE_NAMES } from '../sample-document';
import { readCsv } from './read-csv';
import { sheetNames } from './sheet-names';
import { HEADER_ROW, METADATA_SHEET, moneyFormat, moneyToNumber, renderXlsx } from './xlsx';

const run = promisify(execFile);
const SOFFICE = '/usr/bin/soffice';
const money = (minor: bigint, currency: string, exponent: number): MoneyCell => ({ minor, currency, exponent });
const isMoney = (c: Cell): c is MoneyCell => typeof c === 'object' && c !== null;

/** `1.50000000` and `1.5` are the same amount: LibreOffice's raw export drops trailing zeros. */
const canonical = (decimal: string): string => (decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal);

const SHEETS = [METADATA_SHEET, 'Gaming revenue by game type', 'Players — プレイヤー — Гравці', 'Suspicious activity'];

/**
 * Every sheet of `xlsx` as CSV records, by sheet name. The filter's 12th token (-1) writes each sheet
 * to `<file>-<sheet>.csv` (LibreOffice >= 7.2); the 9th says whether cells are written as shown
 * (number formats applied) or as their raw values. A private profile per run, so this never waits
 * on (or breaks) another LibreOffice on the machine.
 */
async function libreOfficeSheets(dir: string, xlsx: string, asShown: boolean): Promise<Map<string, string[][]>> {
  const out = join(dir, asShown ? 'shown' : 'raw');
  const filter = `csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,${asShown},false,false,-1`;
  await run(SOFFICE, [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless', '--norestore', '--convert-to', filter, '--outdir', out, xlsx], { timeout: 180_000 });
  const sheets = new Map<string, string[][]>();
  for (const f of readdirSync(out)) sheets.set(f.replace(/^sample-/, '').replace(/\.csv$/, ''), readCsv(readFileSync(join(out, f), 'utf8')));
  return sheets;
}

describe('renderXlsx, opened by LibreOffice', () => {
  let dir: string;
  let raw: Map<string, string[][]>;
  let shown: Map<string, string[][]>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xlsx-test-'));
    const file = join(dir, 'sample.xlsx');
    writeFileSync(file, await renderXlsx(SAMPLE_DOCUMENT));
    // One after the other: two LibreOffice processes on one profile would contend for its lock.
    raw = await libreOfficeSheets(dir, file, false);
    shown = await libreOfficeSheets(dir, file, true);
  }, 400_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('converts every sheet: the metadata sheet and one per section', () => {
    expect([...raw.keys()].sort()).toEqual([...SHEETS].sort());
    expect([...shown.keys()].sort()).toEqual([...SHEETS].sort());
  });

  it('reads the revenue figures and the totals per currency as the document has them', () => {
    const section = SAMPLE_DOCUMENT.sections[0]!;
    const sheet = raw.get(SHEETS[1]!)!;
    expect(sheet[0]![0]).toBe(section.title);
    expect(sheet[1]![0]).toBe(section.description);
    expect(sheet[HEADER_ROW - 1]).toEqual(section.columns.map((c) => c.label));
    const expected = (cells: Cell[]) => cells.map((c, i) => {
      if (c === null) return '';
      if (isMoney(c)) return canonical(minorToDecimal(c.minor, c.exponent));
      if (section.columns[i]!.type === 'percent') return `${Number(c) * 100}%`;
      return String(c);
    });
    const body = sheet.slice(HEADER_ROW);
    expect(body.slice(0, section.rows.length)).toEqual(section.rows.map(expected));
    // Totals: the label where the document leaves the first cell empty, then its figures.
    expect(body.slice(section.rows.length)).toEqual(section.totals.map((t) => expected(t.cells).map((v, i) => (i === 0 ? t.label : v))));
  });

  it('shows money with its currency\'s decimals and code, counts grouped, rates as percentages', () => {
    const sheet = shown.get(SHEETS[1]!)!.slice(HEADER_ROW);
    const section = SAMPLE_DOCUMENT.sections[0]!;
    [...section.rows, ...section.totals.map((t) => t.cells)].forEach((cells, r) => {
      cells.forEach((c, i) => {
        if (isMoney(c)) expect(sheet[r]![i]).toBe(`${groupThousands(minorToDecimal(c.minor, c.exponent))} ${c.currency}`);
      });
    });
    expect(sheet[0]).toEqual(['live_roulette', 'EUR', '1,200', '12,345.67 EUR', '617.28 EUR', '5.00%', '617.28']);
    expect(sheet[2]!.slice(3, 5)).toEqual(['1.50000000 BTC', '0.02500000 BTC']);
    expect(sheet[3]!.slice(3, 5)).toEqual(['500,000 JPY', '25,000 JPY']);
  });

  it('keeps every player: Japanese, Ukrainian and Greek names, balances, counts and dates', () => {
    const section = SAMPLE_DOCUMENT.sections[1]!;
    const rawRows = raw.get(SHEETS[2]!)!.slice(HEADER_ROW);
    const shownRows = shown.get(SHEETS[2]!)!.slice(HEADER_ROW);
    expect(rawRows).toHaveLength(section.rows.length);
    section.rows.forEach((row, r) => {
      const m = row[3] as MoneyCell;
      expect(rawRows[r]).toEqual([row[0], row[1], row[2], canonical(minorToDecimal(m.minor, m.exponent)), String(row[4]), row[5]]);
      expect(shownRows[r]![3]).toBe(`${groupThousands(minorToDecimal(m.minor, m.exponent))} ${m.currency}`);
    });
    for (const name of SAMPLE_NAMES) expect(rawRows.map((r) => r[1])).toContain(name);
  });

  it('says the empty section\'s text under its headers', () => {
    const sheet = raw.get(SHEETS[3]!)!;
    expect(sheet[HEADER_ROW - 1]).toEqual(['Alert', 'Decided at']);
    expect(sheet[HEADER_ROW]![0]).toBe('No suspicious activity was detected in the period.');
  });

  it('has the metadata sheet: report, audience, period, parameters, times, models, missing days, notes', () => {
    const rows = raw.get(METADATA_SHEET)!;
    const value = (key: string) => rows.find((r) => r[0] === key)?.[1];
    expect(value('Report')).toBe('sample');
    expect(value('Title')).toBe(SAMPLE_DOCUMENT.title);
    expect(value('Audience')).toBe('Malta Gaming Authority');
    expect(value('Period')).toBe('2026-10');
    expect(value('Parameter jurisdiction')).toBe('MT');
    expect(value('Generated at (UTC)')).toBe('2026-11-02T06:00:00.000Z');
    expect(value('Events through (UTC)')).toBe('2026-11-02T05:59:12.000Z');
    expect(value('Missing days')).toBe('2026-10-14');
    for (const m of SAMPLE_DOCUMENT.models) expect(rows).toContainEqual([m.model, m.version, m.fresh_through]);
    for (const f of SAMPLE_DOCUMENT.footnotes) expect(rows.map((r) => r[1])).toContain(f);
  });
});

/** Column types the sample's filled sections lack: timestamps, booleans, formula-looking text. */
const MIXED: ReportDocument = {
  ...SAMPLE_DOCUMENT,
  sections: [{
    id: 'alerts',
    title: 'Alerts: GB/MT [open]?',
    columns: [
      { name: 'note', label: 'Note', type: 'text' },
      { name: 'decided_at', label: 'Decided at', type: 'timestamp' },
      { name: 'escalated', label: 'Escalated', type: 'boolean' },
      { name: 'amount_minor', label: 'Amount', type: 'money' },
      { name: 'share', label: 'Share', type: 'percent', scale: 1 },
    ],
    rows: [
      ['=1+1', '2026-10-05T13:14:16.000Z', true, money(1n, 'UAH', 2), 0.125],
      [null, null, false, null, null],
      ['山田太郎さくら', null, null, null, null],
    ],
    totals: [],
  }],
};

describe('renderXlsx, read back with exceljs', () => {
  let wb: ExcelJS.Workbook;
  let mixed: ExcelJS.Workbook;
  beforeAll(async () => {
    wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await renderXlsx(SAMPLE_DOCUMENT)) as unknown as ArrayBuffer);
    mixed = new ExcelJS.Workbook();
    await mixed.xlsx.load(Buffer.from(await renderXlsx(MIXED)) as unknown as ArrayBuffer);
  });

  it('has the metadata sheet first, then a sheet per section, headers frozen and filtered', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(SHEETS);
    for (const ws of wb.worksheets.slice(1)) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
      expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', fitToWidth: 1, printTitlesRow: '1:3' });
    }
    expect(wb.worksheets[1]!.autoFilter).toBe('A3:G7'); // header and data rows: totals stay below
    expect(wb.worksheets[2]!.autoFilter).toBe('A3:F123');
    expect(wb.getWorksheet('Report')!.getCell('B1').value).toBe('sample');
  });

  it('types cells: counts and money as numbers with the currency\'s format, dates as dates, text as text', () => {
    const rev = wb.worksheets[1]!;
    const cell = (a: string) => rev.getCell(a);
    expect(cell('A4').type).toBe(ExcelJS.ValueType.String);
    expect(cell('C4')).toMatchObject({ type: ExcelJS.ValueType.Number, value: 1200, numFmt: '#,##0' });
    expect(cell('D4')).toMatchObject({ type: ExcelJS.ValueType.Number, value: 12345.67, numFmt: '#,##0.00 "EUR"' });
    expect(cell('E5')).toMatchObject({ value: -123.45, numFmt: '#,##0.00 "EUR"' });
    expect(cell('D6')).toMatchObject({ value: 1.5, numFmt: '#,##0.00000000 "BTC"' });
    expect(cell('D7')).toMatchObject({ value: 500000, numFmt: '#,##0 "JPY"' });
    expect(cell('F4')).toMatchObject({ value: 0.05, numFmt: '0.00%' });
    expect(cell('G4')).toMatchObject({ value: 617.28, numFmt: '#,##0.00' });
    const date = wb.worksheets[2]!.getCell('F4');
    expect(date.type).toBe(ExcelJS.ValueType.Date);
    expect((date.value as Date).toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(date.numFmt).toBe('yyyy-mm-dd');
  });

  it('puts totals in bold, one row per currency, labelled', () => {
    const rev = wb.worksheets[1]!;
    const labels = [8, 9, 10].map((r) => rev.getCell(r, 1));
    expect(labels.map((c) => c.value)).toEqual(['Total EUR', 'Total BTC', 'Total JPY']);
    for (const r of [8, 9, 10]) for (const c of [1, 3, 4, 5, 7]) expect(rev.getCell(r, c).font?.bold).toBe(true);
    expect(rev.getCell('D8')).toMatchObject({ value: 22222.21, numFmt: '#,##0.00 "EUR"' });
    expect(rev.getCell('D9')).toMatchObject({ value: 1.5, numFmt: '#,##0.00000000 "BTC"' });
  });

  it('fits widths to the content (the longest name, the widest amount), wide scripts counted double', () => {
    const players = wb.worksheets[2]!;
    expect(players.getColumn(2).width).toBe('Γιώργος Παπαδόπουλος'.length + 2);
    const rev = wb.worksheets[1]!;
    expect(rev.getColumn(4).width).toBe('1.50000000 BTC'.length + 2);
    const meta = wb.getWorksheet(METADATA_SHEET)!;
    expect(meta.getColumn(1).width).toBe('marts.rpt_gaming_revenue_monthly'.length + 2);
  });

  it('writes timestamps as date-times, booleans as booleans, formula-looking text as text', () => {
    const ws = mixed.worksheets[1]!;
    expect(ws.name).toBe('Alerts GB MT open');
    expect(ws.getCell('A4')).toMatchObject({ type: ExcelJS.ValueType.String, value: '=1+1' });
    expect(ws.getCell('B4').type).toBe(ExcelJS.ValueType.Date);
    expect((ws.getCell('B4').value as Date).toISOString()).toBe('2026-10-05T13:14:16.000Z');
    expect(ws.getCell('B4').numFmt).toBe('yyyy-mm-dd hh:mm:ss "UTC"');
    expect(ws.getCell('C4')).toMatchObject({ type: ExcelJS.ValueType.Boolean, value: true });
    expect(ws.getCell('C5')).toMatchObject({ type: ExcelJS.ValueType.Boolean, value: false });
    expect(ws.getCell('D4')).toMatchObject({ value: 0.01, numFmt: '#,##0.00 "UAH"' });
    expect(ws.getCell('E4')).toMatchObject({ value: 0.125, numFmt: '0.0%' });
    expect(ws.getCell('A5').type).toBe(ExcelJS.ValueType.Null);
    expect(ws.getColumn(1).width).toBe(2 * '山田太郎さくら'.length + 2); // wide script: two cells a character
  });

  it('refuses a money cell that is a bare number (no currency, no exponent)', async () => {
    const doc = structuredClone(SAMPLE_DOCUMENT);
    doc.sections[0]!.rows[0]![3] = 12345.67;
    await expect(renderXlsx(doc)).rejects.toThrow(/stakes_minor: money must be minor units/);
  });

  it('takes workbook times from generated_at', () => {
    expect(wb.created.toISOString()).toBe(SAMPLE_DOCUMENT.generated_at);
    expect(wb.modified.toISOString()).toBe(SAMPLE_DOCUMENT.generated_at);
  });
});

describe('renderXlsx bytes', () => {
  it('are the same for the same document, whatever the clock says (zip entry times from generated_at)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2027-01-01T00:00:00Z'));
      const a = await renderXlsx(SAMPLE_DOCUMENT);
      vi.setSystemTime(new Date('2031-06-15T13:37:41Z'));
      const b = await renderXlsx(SAMPLE_DOCUMENT);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      const other = await renderXlsx({ ...SAMPLE_DOCUMENT, generated_at: '2026-11-03T06:00:00.000Z' });
      expect(Buffer.from(a).equals(Buffer.from(other))).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('money as an Excel number', () => {
  it('is the double nearest the exact decimal, also beyond 2^53 minor units where dividing is off', () => {
    const m = money(9_007_199_254_740_993n, 'EUR', 2); // 90,071,992,547,409.93
    expect(moneyToNumber(m)).toBe(90071992547409.94);
    expect(Number(m.minor) / 100).toBe(90071992547409.92);
    expect(moneyToNumber(money(-5n, 'BTC', 8))).toBe(-0.00000005);
  });
  it('has the currency\'s decimals in its format', () => {
    expect(moneyFormat('EUR', 2)).toBe('#,##0.00 "EUR"');
    expect(moneyFormat('JPY', 0)).toBe('#,##0 "JPY"');
    expect(moneyFormat('BTC', 8)).toBe('#,##0.00000000 "BTC"');
  });
});

describe('sheetNames', () => {
  it('makes titles valid Excel sheet names: <= 31 units, no []:*?/\\, no edge apostrophes, unique, not History', () => {
    const long = 'Gaming revenue by game type and jurisdiction';
    const names = sheetNames([long, long, 'a/b:c*d?[e]\\f', "'quoted'", 'history', 'report', '', '山田'.repeat(20)], ['Report']);
    expect(names).toEqual([
      'Gaming revenue by game type and',
      'Gaming revenue by game type (2)',
      'a b c d e f',
      'quoted',
      'Section 5',
      'report (2)',
      'Section 7',
      '山田'.repeat(15) + '山',
    ]);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(31);
      expect(n).not.toMatch(/[[\]:*?/\\]|^'|'$/);
    }
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });
});

describe('renderXlsx totals labels', () => {
  it('labels a totals row in the first column that is not a figure, or just right of a table of figures, never over a figure', async () => {
    const base = SAMPLE_DOCUMENT.sections[0]!;
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      sections: [
        {
          ...base, id: 'figure_first', title: 'Figure first',
          columns: [
            { name: 'bets', label: 'Bets', type: 'integer', total: true },
            { name: 'game', label: 'Game', type: 'text' },
            { name: 'ggr', label: 'GGR', type: 'money', total: true },
          ],
          rows: [[2n, 'slots', money(150n, 'EUR', 2)], [3n, 'dice', money(50n, 'EUR', 2)]],
          totals: [{ label: 'Total EUR', currency: 'EUR', cells: [5n, null, money(200n, 'EUR', 2)] }],
          chart: undefined,
        },
        {
          ...base, id: 'figures_only', title: 'Figures only',
          columns: [
            { name: 'bets', label: 'Bets', type: 'integer', total: true },
            { name: 'rate', label: 'Rate', type: 'percent', scale: 1 },
          ],
          rows: [[7n, 0.5], [8n, 0.25]],
          totals: [{ label: 'Total', cells: [15n, null] }],
          chart: undefined,
        },
      ],
    };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await renderXlsx(doc)) as unknown as ArrayBuffer);
    const first = wb.getWorksheet('Figure first')!;
    expect([1, 2, 3].map((c) => first.getCell(HEADER_ROW + 3, c).value)).toEqual([5, 'Total EUR', 2]);
    expect(first.getCell(HEADER_ROW + 3, 2).font?.bold).toBe(true);
    const only = wb.getWorksheet('Figures only')!;
    // the figures stay in their columns; the label has the cell after the table's last column
    expect([1, 2, 3].map((c) => only.getCell(HEADER_ROW + 3, c).value)).toEqual([15, null, 'Total']);
    expect(only.getColumn(3).width).toBeGreaterThanOrEqual('Total'.length);
  });
});
