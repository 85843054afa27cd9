/**
 * Responsible-gaming rules that do not depend on storage: windows, cooling-off, exclusion bounds.
 * The player object applies them inside the same call that moves the money.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type MoneyLimitKind = 'deposit' | 'loss' | 'wager';
export type LimitKind = MoneyLimitKind | 'session_time' | 'reality_check';
export type LimitPeriod = 'day' | 'week' | 'month' | 'session';

export const MONEY_LIMIT_KINDS: readonly MoneyLimitKind[] = ['deposit', 'loss', 'wager'];
export const MONEY_LIMIT_PERIODS = ['day', 'week', 'month'] as const;

/** Rolling windows (not calendar ones): a limit always covers the last 24 h / 7 d / 30 d. */
export const WINDOW_MS: Record<(typeof MONEY_LIMIT_PERIODS)[number], number> = {
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 30 * DAY_MS,
};

/** Raising or removing a limit waits this long; lowering it applies at once. */
export const LIMIT_INCREASE_COOLING_MS = DAY_MS;

export const COOL_OFF_HOURS_MIN = 24;
export const COOL_OFF_HOURS_MAX = 6 * 7 * 24; // six weeks
export const SELF_EXCLUSION_MONTHS_MIN = 6;
export const SELF_EXCLUSION_MONTHS_MAX = 120;

export const SESSION_TIME_MINUTES_MAX = 24 * 60;
export const REALITY_CHECK_MINUTES = { min: 10, max: 240 } as const;

/**
 * Is a change from `current` to `requested` restrictive (applies now) or permissive (waits)?
 * `null` means "no limit", the most permissive value there is.
 */
export function isRestrictive(current: number | null, requested: number | null): boolean {
  if (requested === null) return current === null; // removing: permissive unless nothing to remove
  if (current === null) return true; // setting a first limit
  return requested <= current;
}

/** Hour bucket used for rolling usage sums. Over-inclusive by < 1 h at the window's start: safe for RG. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

export function windowStartHour(period: keyof typeof WINDOW_MS, nowMs: number): number {
  return hourOf(nowMs - WINDOW_MS[period]);
}

/** Adds whole calendar months in UTC (self-exclusion periods are stated in months). */
export function addMonthsUtc(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}
