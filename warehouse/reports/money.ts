/**
 * Money as text, exactly: integer minor units to a decimal string with the currency's exponent,
 * in bigint arithmetic so that no amount ever passes through a float on its way to a report
 * (1 BTC = 100,000,000 minor units; a float would already round some sums of them).
 */

/** `minorToDecimal(-12345n, 2)` = `-123.45`; `(5n, 8)` = `0.00000005`; `(25000n, 0)` = `25000`. */
export function minorToDecimal(minor: bigint, exponent: number): string {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 18) throw new RangeError(`exponent ${exponent} out of range 0..18`);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/** `groupThousands('-1234567.89')` = `-1,234,567.89`: for people, never for machines (CSV). */
export function groupThousands(decimal: string): string {
  const [sign, rest] = decimal.startsWith('-') ? ['-', decimal.slice(1)] : ['', decimal];
  const [whole, fraction] = rest.split('.') as [string, string | undefined];
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}
