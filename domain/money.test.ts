import { describe, expect, it } from 'vitest';
import { addMinor, exponentOf, formatMinor, isCurrency, isValidAmountMinor, MAX_AMOUNT_MINOR } from './money';

describe('money', () => {
  it('knows ISO-4217 exponents, including 0 and 3 decimal currencies and BTC', () => {
    expect(exponentOf('EUR')).toBe(2);
    expect(exponentOf('JPY')).toBe(0);
    expect(exponentOf('KWD')).toBe(3);
    expect(exponentOf('BTC')).toBe(8);
    expect(isCurrency('XXX')).toBe(false);
    expect(isCurrency('toString')).toBe(false);
  });

  it('accepts only positive safe integers as amounts', () => {
    for (const ok of [1, 100, MAX_AMOUNT_MINOR]) expect(isValidAmountMinor(ok)).toBe(true);
    for (const bad of [0, -1, 1.5, NaN, Infinity, MAX_AMOUNT_MINOR + 1, '100', null]) expect(isValidAmountMinor(bad)).toBe(false);
  });

  it('refuses sums that leave the exact integer range', () => {
    expect(addMinor(1, 2)).toBe(3);
    expect(addMinor(MAX_AMOUNT_MINOR, 1)).toBeNull();
  });

  it('formats for humans by exponent', () => {
    expect(formatMinor(12345, 'EUR')).toBe('123.45 EUR');
    expect(formatMinor(500, 'JPY')).toBe('500 JPY');
    expect(formatMinor(1, 'KWD')).toBe('0.001 KWD');
    expect(formatMinor(-150000000, 'BTC')).toBe('-1.50000000 BTC');
  });
});
