/**
 * Payment instruments in, payment references out (domain/payment-reference.ts): the worker hashes
 * a provider's instrument token before anything reaches a Durable Object, so the token is never
 * stored, emitted, or part of an idempotency record; only its keyed hash is.
 */
import { z } from '@hono/zod-openapi';
import {
  DEV_PAYMENT_REFERENCE_KEY, PAYMENT_REFERENCE_KEY_MIN_LENGTH, paymentInstrumentProblem, paymentReference,
} from '../../domain/payment-reference';
import { isDevelopment } from '../http/app-env';
import { ApiError } from '../http/errors';

/** The request field: a provider token, checked here so that a bad one is a 400 listing the issue. */
export const PaymentInstrument = z.string().superRefine((v, ctx) => {
  const problem = paymentInstrumentProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}).openapi({
  description: 'The payment provider\'s stable token for the instrument (card fingerprint, stored payment-method id, tokenised IBAN or wallet id): '
    + '8-128 characters of A-Z a-z 0-9 _ - . :. Never a card number (12-19 digits are refused). Not stored: the wallet keeps and emits '
    + 'only its keyed hash, `payment_reference`, so that the same instrument is recognised across deposits and withdrawals.',
  example: 'pm_card_fp_8f3Kq2LxW9',
});

/** PAYMENT_REFERENCE_KEY; in development without one, the public development key; else null. */
export function paymentReferenceKey(env: Env): string | null {
  const key: unknown = env.PAYMENT_REFERENCE_KEY;
  if (typeof key === 'string' && key.length >= PAYMENT_REFERENCE_KEY_MIN_LENGTH) return key;
  return isDevelopment(env) ? DEV_PAYMENT_REFERENCE_KEY : null;
}

/** The reference of an instrument (null for none). Without a usable key, instruments are refused: a reference under no key would be worthless. */
export async function referenceOf(env: Env, instrument: string | null | undefined): Promise<string | null> {
  if (instrument === null || instrument === undefined) return null;
  const key = paymentReferenceKey(env);
  if (!key) throw new ApiError('misconfigured', 'payment references are not configured (PAYMENT_REFERENCE_KEY)');
  return paymentReference(key, instrument);
}
