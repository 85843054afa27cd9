import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { MoneyCell, ReportDocument } from '../document';
import { minorToDecimal } from '../money';
import { SAMPLE_DOCUMENT } from '../sample-document';
import { plainNumber, renderCsv } from './csv';
import { readCsv } from './read-csv';

const money = (minor: bigint, currency: string, exponent: number): MoneyCell => ({ minor, currency, exponent });
const TRICKY = 'O\'Brien, "Jr."\r\nsecond line — 山田';

/** Every column type, a section without a `currency` column, and text that needs quoting. */
const MIXED: ReportDocument = {
  ...SAMPLE_DOCUMENT,
  report_id: 'mixed',
  sections: [{
    id: 'alerts',
    title: 'Alerts',
    columns: [
      { name: 'alert_id', label: 'Alert', type: 'text' },
      { name: 'note', label: 'Note', type: 'text' },
      { name: 'amount_minor', label: 'Amount', type: 'money', total: true },
      { name: 'count', label: 'Count', type: 'integer' },
      { name: 'rate', label: 'Rate', type: 'percent' },
      { name: 'tiny', label: 'Tiny', type: 'decimal' },
      { name: 'day', label: 'Day', type: 'date' },
      { name: 'decided_at', label: 'Decided at', type: 'timestamp' },
      { name: 'escalated', label: 'Escalated', type: 'boolean' },
    ],
    rows: [
      ['a-1', TRICKY, money(-5n, 'BTC', 8), 12n, 0.125, 1e-7, '2026-10-05', '2026-10-05T13:14:15.000Z', true],
      ['a-2', null, money(1_234_567_890_123_456_789n, 'EUR', 2), 0n, 0, 2.5e21, '2026-10-31', '2026-10-31T23:59:59.999Z', false],
      ['a-3', '=HYPERLINK("x")', null, null, null, null, null, null, null],
    ],
    totals: [{ label: 'Total', currency: 'EUR', cells: [null, null, money(1n, 'EUR', 2), null, null, null, null, null, null] }],
  }],
};

describe('renderCsv', () => {
  it('writes one file per section, named <report>-<section>.csv, with its data-row count', () => {
    const files = renderCsv(SAMPLE_DOCUMENT);
    expect(files.map((f) => f.name)).toEqual(['sample-revenue.csv', 'sample-players.csv', 'sample-suspicious.csv']);
    expect(files.map((f) => f.rows)).toEqual([4, 120, 0]);
  });

  it('reads back, record by record, as the document: machine names, exact money, ISO dates; no totals records', () => {
    const [revenue, players, suspicious] = renderCsv(SAMPLE_DOCUMENT).map((f) => readCsv(f.text));
    const [revSection, playerSection] = SAMPLE_DOCUMENT.sections;
    expect(revenue![0]).toEqual(revSection!.columns.map((c) => c.name));
    expect(revenue!.slice(1)).toEqual([
      ['live_roulette', 'EUR', '1200', '12345.67', '617.28', '0.05', '617.28'],
      ['live_baccarat', 'EUR', '800', '9876.54', '-123.45', '0.05', '-123.45'],
      ['slots', 'BTC', '40', '1.50000000', '0.02500000', '0.05', '2075.5'],
      ['slots', 'JPY', '10', '500000', '25000', '0.05', '153.4'],
    ]);
    expect(players!.length).toBe(1 + 120);
    playerSection!.rows.forEach((row, i) => {
      const m = row[3] as MoneyCell;
      expect(players![i + 1]).toEqual([row[0], row[1], row[2], minorToDecimal(m.minor, m.exponent), String(row[4]), row[5]]);
    });
    expect(players!.map((r) => r[1])).toContain('山田 太郎');
    expect(players!.map((r) => r[1])).toContain('Ґанна Їжакевич');
    expect(suspicious).toEqual([['alert_id', 'decided_at']]);
  });

  it('is RFC 4180: CRLF records, quotes only where needed, comma/quote/newline survive a round trip', () => {
    const [file] = renderCsv(MIXED);
    expect(file!.text.endsWith('\r\n')).toBe(true);
    expect(file!.text.split('\r\n')[1]).toBe(`a-1,"O'Brien, ""Jr.""`);
    const records = readCsv(file!.text);
    expect(records[0]).toEqual(['alert_id', 'note', 'amount_minor', 'amount_minor_currency', 'count', 'rate', 'tiny', 'day', 'decided_at', 'escalated']);
    expect(records.slice(1)).toEqual([
      ['a-1', TRICKY, '-0.00000005', 'BTC', '12', '0.125', '0.0000001', '2026-10-05', '2026-10-05T13:14:15.000Z', 'true'],
      ['a-2', '', '12345678901234567.89', 'EUR', '0', '0', '2500000000000000000000', '2026-10-31', '2026-10-31T23:59:59.999Z', 'false'],
      ['a-3', '=HYPERLINK("x")', '', '', '', '', '', '', '', ''],
    ]);
    expect(file!.rows).toBe(3);
  });

  it('refuses an amount whose currency is not its row\'s, instead of labelling it wrongly', () => {
    const doc = structuredClone(SAMPLE_DOCUMENT);
    doc.sections[0]!.rows[0]![3] = money(1n, 'GBP', 2);
    expect(() => renderCsv(doc)).toThrow(/GBP but the row's currency is EUR/);
  });

  it('refuses a money cell that is a bare number (no currency, no exponent)', () => {
    const doc = structuredClone(SAMPLE_DOCUMENT);
    doc.sections[0]!.rows[0]![3] = 12345.67;
    expect(() => renderCsv(doc)).toThrow(/stakes_minor: money must be minor units/);
  });

  it('spells numbers in plain notation from the same digits', () => {
    expect(plainNumber(1e-7)).toBe('0.0000001');
    expect(plainNumber(-1.25e-7)).toBe('-0.000000125');
    expect(plainNumber(2.5e21)).toBe('2500000000000000000000');
    expect(plainNumber(617.28)).toBe('617.28');
    expect(Number(plainNumber(1.2345678901234567e-10))).toBe(1.2345678901234567e-10);
    expect(() => plainNumber(Number.NaN)).toThrow(RangeError);
  });
});

describe('renderCsv, opened by LibreOffice', () => {
  it('imports as the document: the quoted comma, quote and line break in one cell, exact money, dates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-test-'));
    try {
      const [file] = renderCsv(MIXED);
      writeFileSync(join(dir, file!.name), file!.text);
      // CSV import options: comma, double quote, UTF-8 (76), from line 1; a private profile per run.
      await promisify(execFile)('/usr/bin/soffice', [`-env:UserInstallation=file://${join(dir, 'lo-profile')}`, '--headless', '--norestore',
        '--infilter=CSV:44,34,76,1', '--convert-to', 'xlsx', '--outdir', dir, join(dir, file!.name)], { timeout: 180_000 });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(join(dir, file!.name.replace(/\.csv$/, '.xlsx')));
      const ws = wb.worksheets[0]!;
      expect(ws.rowCount).toBe(1 + file!.rows);
      expect(ws.getCell('A1').text).toBe('alert_id');
      // A spreadsheet keeps one line-break character in a cell: CRLF comes back as LF.
      expect(ws.getCell('B2').text).toBe(TRICKY.replace('\r\n', '\n'));
      expect(ws.getCell('C2').value).toBe(-0.00000005);
      expect(ws.getCell('D2').text).toBe('BTC');
      expect((ws.getCell('H2').value as Date).toISOString()).toBe('2026-10-05T00:00:00.000Z');
      // 19 significant digits in the text; LibreOffice, like Excel, keeps 15 of them. The CSV is
      // exact for machines; a spreadsheet cannot hold such an amount to the cent.
      expect(ws.getCell('C3').value).toBe(12345678901234600);
      expect(ws.getCell('J3').value).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);
});
