/**
 * The seed CSVs of models/seeds/ that copy a table of the project's own code must not drift from
 * it: seeds.currencies is domain/money.ts's CURRENCY_EXPONENTS, row for row.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENTS } from '../domain/money';

const seed = (file: string) => readFileSync(fileURLToPath(new URL(`../models/seeds/${file}`, import.meta.url)), 'utf8');

describe('models/seeds', () => {
  it('currencies.csv holds exactly domain/money.ts CURRENCY_EXPONENTS', () => {
    const [header, ...lines] = seed('currencies.csv').trim().split('\n');
    expect(header).toBe('code,exponent');
    const rows = lines.map((l) => l.split(','));
    expect(rows.every((r) => r.length === 2 && /^\d+$/.test(r[1]!))).toBe(true);
    expect(Object.fromEntries(rows.map(([code, exp]) => [code, Number(exp)]))).toEqual(CURRENCY_EXPONENTS);
    expect(rows.length).toBe(Object.keys(CURRENCY_EXPONENTS).length);
  });
});
