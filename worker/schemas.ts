/**
 * Request and response schemas of the public API (zod, rendered into /v1/openapi.json).
 * Objects are strict: an unknown field is a 400, so typos never pass silently.
 */
import { z } from '@hono/zod-openapi';
import { CURRENCIES, type Currency } from '../domain/money';
import type { LimitView } from '../durable/player/limits';
import type { PlayerView } from '../durable/player/profile';
import type { SessionView } from '../durable/player/sessions';
import type { BalanceView, LedgerEntry as LedgerEntryView, Withdrawal as WithdrawalView } from '../durable/player/wallet';
import { mirrors } from './http/mirror';

export const CurrencyCode = z.enum(CURRENCIES as [Currency, ...Currency[]]).openapi({ description: 'ISO-4217 code (BTC: 8 decimals)', example: 'EUR' });

export const AmountMinor = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
  .openapi({ description: 'Integer amount in minor units of the currency (cents, yen, fils, satoshi)', example: 2500 });

export const Country = z.string().regex(/^[A-Z]{2}$/).openapi({ description: 'ISO 3166-1 alpha-2', example: 'MT' });

/** One schema failure of a 400 `validation_failed` (worker/http/validation.ts builds them). */
export const ValidationIssue = z.object({
  path: z.string().openapi({ description: 'The field, its segments joined with dots (`limits.0.value`); empty for the body itself', example: 'reason' }),
  message: z.string().openapi({ example: 'Too small: expected string to have >=3 characters' }),
}).openapi('ValidationIssue');

export const ErrorResponse = z.object({
  error: z.object({
    code: z.string().openapi({ example: 'validation_failed' }),
    message: z.string(),
    details: z.object({
      issues: z.array(ValidationIssue).max(20).optional().openapi({ description: 'With validation_failed and idempotency_key_required: at most 20' }),
    }).catchall(z.unknown()),
  }),
}).openapi('Error');

export const IdempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(128).regex(/^[A-Za-z0-9_\-:.]+$/).openapi({
    description: 'Client-chosen key; a retry with the same key and body returns the first result; a different body is 409.',
    example: '3f9d1a6e-deposit-1',
  }),
});

export const Player = mirrors<PlayerView>()(z.object({
  player_id: z.string(),
  brand: z.string().openapi({ description: 'The casino site the player belongs to', example: 'aurora' }),
  email: z.string(),
  date_of_birth: z.string(),
  country: z.string(),
  jurisdiction: z.string(),
  currency: CurrencyCode,
  status: z.enum(['active', 'locked', 'self_excluded', 'closed']),
  kyc_status: z.enum(['none', 'pending', 'verified', 'rejected']),
  cool_off_until: z.number().nullable(),
  self_excluded_until: z.number().nullable(),
  self_exclusion_permanent: z.boolean(),
  created_at: z.number(),
}).openapi('Player'));

export const Session = mirrors<SessionView>()(z.object({
  session_id: z.string(),
  created_at: z.number(),
  last_seen_at: z.number(),
  ends_at: z.number(),
  time_limit_at: z.number().nullable(),
  next_reality_check_at: z.number().nullable(),
  country: z.string(),
  ended_at: z.number().nullable(),
  end_reason: z.enum(['logout', 'idle_timeout', 'max_length', 'time_limit', 'cool_off', 'self_exclusion', 'account_locked', 'account_closed']).nullable(),
}).openapi('Session'));

export const Limit = mirrors<LimitView>()(z.object({
  kind: z.enum(['deposit', 'loss', 'wager', 'session_time', 'reality_check']),
  period: z.enum(['day', 'week', 'month', 'session']),
  currency: z.string().nullable(),
  value: z.number().nullable(),
  pending: z.object({ value: z.number().nullable(), effective_at: z.number() }).nullable(),
}).openapi('Limit'));

export const Balance = mirrors<BalanceView>()(z.object({
  currency: CurrencyCode,
  real_minor: z.number(),
  bonus_minor: z.number(),
  held_minor: z.number(),
  available_minor: z.number(),
}).openapi('Balance'));

export const LedgerEntry = mirrors<LedgerEntryView>()(z.object({
  entry_id: z.number(),
  at: z.number(),
  currency: CurrencyCode,
  bucket: z.enum(['real', 'bonus']),
  kind: z.enum(['deposit', 'withdrawal', 'bet', 'win', 'adjustment', 'reward']),
  amount_minor: z.number(),
  balance_after_minor: z.number(),
  ref: z.string(),
}).openapi('LedgerEntry'));

export const Deposit = z.object({
  deposit_id: z.string(),
  provider: z.string(),
  provider_ref: z.string().nullable(),
  currency: z.string(),
  amount_minor: z.number(),
  state: z.enum(['pending', 'completed', 'failed']),
  failure_reason: z.string().nullable(),
  payment_reference: z.string().nullable().openapi({ description: 'Keyed hash (16 hex) of the payment instrument the provider charged, or the player named; never the instrument itself. Null when none was named.', example: '3f1c9a0b7d2e4c81' }),
  created_at: z.number(),
  updated_at: z.number(),
}).openapi('Deposit');

export const Withdrawal = mirrors<WithdrawalView>()(z.object({
  withdrawal_id: z.string(),
  currency: CurrencyCode,
  amount_minor: z.number(),
  hold_id: z.string(),
  state: z.enum(['requested', 'approved', 'rejected', 'paid', 'cancelled']),
  decided_by: z.string().nullable(),
  reason: z.string().nullable(),
  payment_reference: z.string().nullable().openapi({ description: 'Keyed hash (16 hex) of the destination instrument; never the instrument itself. Null when none was named.', example: '3f1c9a0b7d2e4c81' }),
  created_at: z.number(),
  updated_at: z.number(),
}).openapi('Withdrawal'));

/** Standard error responses, merged into every route's responses. */
export function errors(...statuses: number[]) {
  const out: Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorResponse } } }> = {};
  for (const s of statuses) out[s] = { description: `Error (${s})`, content: { 'application/json': { schema: ErrorResponse } } };
  return out;
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function body<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}
