/**
 * Back-office rules from config/backoffice.json: the four-eyes threshold of manual adjustments and
 * the anomaly-alert rules. Amounts are minor units per currency.
 */
import { z } from 'zod';
import raw from '../config/backoffice.json';
import { CURRENCY_EXPONENTS, type Currency } from './money';

const PerCurrency = z.record(z.string(), z.number().int().positive().safe());
const Severity = z.enum(['low', 'medium', 'high']);

const ConfigSchema = z.strictObject({
  version: z.string(),
  description: z.string().optional(),
  four_eyes_threshold_major_default: z.number().int().positive(),
  four_eyes_threshold_minor: PerCurrency,
  four_eyes_daily_cumulative_major_default: z.number().int().positive(),
  four_eyes_daily_cumulative_minor: PerCurrency,
  correction_max_return_multiple: z.number().int().min(1).max(100_000),
  anomaly_rules: z.strictObject({
    large_win: z.strictObject({ severity: Severity, threshold_minor: PerCurrency }),
    rapid_deposit_withdraw: z.strictObject({ severity: Severity, window_ms: z.number().int().positive(), min_ratio_pct: z.number().int().min(1).max(100) }),
    failed_logins: z.strictObject({ severity: Severity, window_ms: z.number().int().positive(), count: z.number().int().min(2) }),
  }),
});

export const BACKOFFICE_CONFIG = ConfigSchema.parse(raw);
export type AnomalyRules = typeof BACKOFFICE_CONFIG.anomaly_rules;

/** Adjustments with |amount| above this need a second operator's approval. */
export function fourEyesThresholdMinor(currency: Currency): number {
  return BACKOFFICE_CONFIG.four_eyes_threshold_minor[currency]
    ?? BACKOFFICE_CONFIG.four_eyes_threshold_major_default * 10 ** CURRENCY_EXPONENTS[currency];
}

/**
 * What one operator may apply alone to one player in 24 hours (a rolling window), adjustments, corrections and voids of bets
 * together (sum of absolute amounts): above it, even small ones wait for a second operator, so a
 * large credit cannot be split into pieces under the single threshold.
 */
export function fourEyesDailyCumulativeMinor(currency: Currency): number {
  return BACKOFFICE_CONFIG.four_eyes_daily_cumulative_minor[currency]
    ?? BACKOFFICE_CONFIG.four_eyes_daily_cumulative_major_default * 10 ** CURRENCY_EXPONENTS[currency];
}

/** A bet's maximum return when its game does not say (provider bets): this multiple of the stake. */
export function defaultMaxReturnMinor(stakeMinor: number): number {
  return stakeMinor * BACKOFFICE_CONFIG.correction_max_return_multiple;
}

/** The large-win threshold of a currency (default: 5,000 major units). */
export function largeWinThresholdMinor(currency: Currency): number {
  return BACKOFFICE_CONFIG.anomaly_rules.large_win.threshold_minor[currency] ?? 5000 * 10 ** CURRENCY_EXPONENTS[currency];
}
