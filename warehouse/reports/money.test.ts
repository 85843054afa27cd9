import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupThousands, minorToDecimal } from './money';

describe('minorToDecimal', () => {
  it('places the point by the exponent, sign kept, zeros padded', () => {
    expect(minorToDecimal(-12345n, 2)).toBe('-123.45');
    expect(minorToDecimal(5n, 8)).toBe('0.00000005');
    expect(minorToDecimal(-5n, 2)).toBe('-0.05');
    expect(minorToDecimal(25000n, 0)).toBe('25000');
    expect(minorToDecimal(0n, 2)).toBe('0.00');
  });
  it('is exact: parsing the text back gives the same minor units', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), (minor, exp) => {
      expect(BigInt(minorToDecimal(minor, exp).replace('.', ''))).toBe(minor);
    }));
  });
  it('refuses an exponent no currency has', () => {
    expect(() => minorToDecimal(1n, -1)).toThrow(RangeError);
  });
});

describe('groupThousands', () => {
  it('groups the whole part only', () => {
    expect(groupThousands('-1234567.89')).toBe('-1,234,567.89');
    expect(groupThousands('999')).toBe('999');
    expect(groupThousands('0.00012345')).toBe('0.00012345');
  });
});
