// The FX seed's converter on a small sample in the ECB's eurofxref-hist.csv format (newest first,
// units per EUR, N/A, trailing commas), and the committed seed against what it promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without type declarations
import { buildFxRows, invertRate, parseEcbHistory, platformCurrencies, SEED_CSV, toCsv } from './fx-seed.mjs';

type Row = { rate_date: string; currency: string; rate_to_eur: string; carried_forward: boolean; source: string };

// 2026-01-01 is a TARGET holiday, 01-03 and 01-04 a weekend: the ECB publishes nothing on those days.
const SAMPLE = [
  'Date,USD,JPY,BGN,CYP,GBP,',
  '2026-01-05,1.1700,183.50,1.9558,N/A,0.87000,',
  '2026-01-02,1.1650,182.00,1.9558,N/A,0.86500,',
  '2025-12-31,1.1600,181.25,1.9558,N/A,0.86000,',
  '2025-12-30,1.1500,180.00,1.9558,N/A,0.85000,',
  '',
].join('\n');

const ROOT = join(import.meta.dirname, '..');

describe('fx-seed', () => {
  it('reads the ECB format: currencies from the header, N/A skipped, dates ascending', () => {
    const ecb = parseEcbHistory(SAMPLE);
    expect([...ecb.keys()].sort()).toEqual(['BGN', 'GBP', 'JPY', 'USD']);
    expect(ecb.get('USD')).toEqual([['2025-12-30', '1.1500'], ['2025-12-31', '1.1600'], ['2026-01-02', '1.1650'], ['2026-01-05', '1.1700']]);
    expect(() => parseEcbHistory('Day,USD\n2026-01-01,1.1\n')).toThrow(/Date/);
    expect(() => parseEcbHistory('Date,USD,\n2026-01-01,1,1,\n')).not.toThrow();
    expect(() => parseEcbHistory('Date,USD,\n2026-01-01,abc,\n')).toThrow(/bad USD rate/);
  });

  it('inverts units per EUR exactly to EUR per unit, rounded half-up to 10 decimals', () => {
    expect(invertRate('1')).toBe('1.0000000000');
    expect(invertRate('1.1650')).toBe('0.8583690987'); // 1 / 1.165 = 0.858369098712...
    expect(invertRate('182.00')).toBe('0.0054945055'); // 0.00549450549450...
    expect(invertRate('0.86500')).toBe('1.1560693642'); // 1.15606936416...
    expect(invertRate('0.0000125')).toBe('80000.0000000000');
  });

  it('gives every day a rate, carrying the last ECB rate over weekends and holidays', () => {
    const rows: Row[] = buildFxRows({ currencies: ['EUR', 'GBP', 'USD', 'BTC'], from: '2026-01-01', to: '2026-01-05', ecb: parseEcbHistory(SAMPLE) });
    const usd = rows.filter((r) => r.currency === 'USD');
    expect(usd.map((r) => [r.rate_date, r.rate_to_eur, r.carried_forward])).toEqual([
      ['2026-01-01', invertRate('1.1600'), true],
      ['2026-01-02', invertRate('1.1650'), false],
      ['2026-01-03', invertRate('1.1650'), true],
      ['2026-01-04', invertRate('1.1650'), true],
      ['2026-01-05', invertRate('1.1700'), false],
    ]);
    expect(usd[0]!.source).toMatch(/^ECB euro reference rate of 2025-12-31 \(1.1600 USD per EUR\) carried forward: no ECB rate on 2026-01-01/);
    expect(usd[1]!.source).toBe('ECB euro reference rate of 2026-01-02 (1.1650 USD per EUR), inverted');
    expect(rows.filter((r) => r.currency === 'EUR').every((r) => r.rate_to_eur === '1.0000000000')).toBe(true);
    const btc = rows.filter((r) => r.currency === 'BTC');
    expect(btc).toHaveLength(5);
    expect(btc.every((r) => r.source.startsWith('ILLUSTRATIVE constant (not in the ECB file)'))).toBe(true);
    expect(rows).toHaveLength(20);
  });

  it('refuses days after the file, before it, or behind too long a gap', () => {
    const ecb = parseEcbHistory(SAMPLE);
    expect(() => buildFxRows({ currencies: ['USD'], from: '2026-01-05', to: '2026-01-06', ecb })).toThrow(/after the file's last rate \(2026-01-05\)/);
    expect(() => buildFxRows({ currencies: ['USD'], from: '2025-12-29', to: '2025-12-30', ecb })).toThrow(/no rate on or before 2025-12-29/);
    const gap = parseEcbHistory('Date,USD,\n2026-01-20,1.2,\n2026-01-02,1.1,\n');
    expect(() => buildFxRows({ currencies: ['USD'], from: '2026-01-02', to: '2026-01-20', ecb: gap })).toThrow(/no ECB rate for 8 days before 2026-01-10/);
    expect(() => buildFxRows({ currencies: ['XYZ'], from: '2026-01-02', to: '2026-01-02', ecb })).toThrow(/XYZ/);
  });

  it('writes CSV with the seed column order and quotes the source', () => {
    const csv = toCsv(buildFxRows({ currencies: ['GBP'], from: '2026-01-02', to: '2026-01-02', ecb: parseEcbHistory(SAMPLE) }));
    expect(csv).toBe('rate_date,currency,rate_to_eur,carried_forward,source\n2026-01-02,GBP,1.1560693642,false,"ECB euro reference rate of 2026-01-02 (0.86500 GBP per EUR), inverted"\n');
  });

  it('the committed seed covers every platform currency on every day of 2026, as the illustrative run writes it', () => {
    const currencies: string[] = platformCurrencies(JSON.parse(readFileSync(join(ROOT, 'config', 'jurisdictions.json'), 'utf8')));
    expect(currencies).toEqual(['BRL', 'BTC', 'CAD', 'EUR', 'GBP', 'JPY', 'KWD', 'USD']);
    const committed = readFileSync(SEED_CSV, 'utf8');
    const lines = committed.trimEnd().split('\n');
    // Either the illustrative constants exactly, or a converter run on the ECB file (every row then
    // names its origin; the year may end at the file's last rate, so only the currencies are checked
    // here: the seed's no_missing_fx_days audit checks the days).
    if (lines.some((l) => l.includes('ECB euro reference rate of') && !l.includes('ILLUSTRATIVE'))) {
      expect(lines.slice(1).every((l) => /,"?(ECB euro reference rate of|ILLUSTRATIVE|EUR is the base)/.test(l))).toBe(true);
      expect([...new Set(lines.slice(1).map((l) => l.split(',')[1]))].sort()).toEqual(currencies);
    } else {
      expect(lines).toHaveLength(1 + 365 * currencies.length);
      expect(committed).toBe(toCsv(buildFxRows({ currencies, from: '2026-01-01', to: '2026-12-31' })));
    }
  });
});
