/**
 * Money: integer minor units per ISO-4217 exponent. No floats anywhere near money.
 * BTC is not ISO-4217 but is carried with its conventional 8-decimal exponent (satoshi).
 */

export const CURRENCY_EXPONENTS = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CAD: 2,
  SEK: 2,
  NOK: 2,
  BRL: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
  BTC: 8,
} as const;

export type Currency = keyof typeof CURRENCY_EXPONENTS;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** Largest amount we ever hold in one number: balances must stay exactly representable. */
export const MAX_AMOUNT_MINOR = Number.MAX_SAFE_INTEGER;

/**
 * Bets that are never settled give their money back after this long at the latest. Here, not in
 * the wallet, because the simulator's fast mode (Node) must use the same lifetime as the objects.
 */
export const HOLD_TTL_MAX_MS = 24 * 3_600_000;

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function exponentOf(currency: Currency): number {
  return CURRENCY_EXPONENTS[currency];
}

/** A positive whole number of minor units that can be added to a safe balance. */
export function isValidAmountMinor(amount: unknown): amount is number {
  return typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0;
}

/** Adds two amounts, or returns null when the sum would leave the exact integer range. */
export function addMinor(a: number, b: number): number | null {
  const sum = a + b;
  return Number.isSafeInteger(sum) ? sum : null;
}

/** Human rendering for logs and the back office, never for arithmetic. */
export function formatMinor(amountMinor: number, currency: Currency): string {
  const exp = exponentOf(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const digits = Math.abs(amountMinor).toString().padStart(exp + 1, '0');
  const whole = exp === 0 ? digits : digits.slice(0, -exp);
  const frac = exp === 0 ? '' : '.' + digits.slice(-exp);
  return `${sign}${whole}${frac} ${currency}`;
}
