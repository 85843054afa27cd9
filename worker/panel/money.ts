/**
 * Money as the panel shows and takes it: major units on screen, integer minor units on the wire.
 * Built on domain/money.ts (the currency exponents and formatMinor) and bundled into the browser
 * script as is, so the page converts exactly like the server formats. Never goes through floats.
 */
import { CURRENCIES, exponentOf, formatMinor, isCurrency, type Currency } from '../../domain/money';

export { CURRENCIES, formatMinor, isCurrency };
export type { Currency };

export type Parsed = { ok: true; minor: number } | { ok: false; error: string };

/**
 * "12.5" EUR -> 1250, "-0.01" EUR -> -1, "1000" JPY -> 1000. At most the currency's number of
 * decimals (no rounding), a '.' as decimal separator, an optional sign; the result is a safe integer.
 */
export function majorToMinor(text: string, currency: Currency): Parsed {
  const exp = exponentOf(currency);
  const m = /^\s*([+-]?)(\d{1,20})(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return { ok: false, error: `enter an amount in ${currency}, like ${exp === 0 ? '1500 or -1500' : `12.${'5'.padEnd(exp, '0')} or -12.${'5'.padEnd(exp, '0')}`}` };
  const frac = m[3] ?? '';
  if (frac.length > exp) return { ok: false, error: exp === 0 ? `${currency} has no decimals` : `${currency} has at most ${exp} decimals` };
  const digits = `${m[2]}${frac.padEnd(exp, '0')}`.replace(/^0+(?=\d)/, '');
  if (digits.length > 16 || !Number.isSafeInteger(Number(digits))) return { ok: false, error: 'the amount is too large' };
  const minor = Number(digits);
  return { ok: true, minor: m[1] === '-' && minor !== 0 ? -minor : minor };
}

/** formatMinor for any currency code an API returns: unknown codes show the raw minor amount. */
export function formatAmount(amountMinor: number | null | undefined, currency: string | null | undefined): string {
  if (typeof amountMinor !== 'number' || !Number.isFinite(amountMinor)) return '';
  if (currency && isCurrency(currency)) return formatMinor(amountMinor, currency);
  return `${amountMinor} (minor units${currency ? ` of ${currency}` : ''})`;
}
