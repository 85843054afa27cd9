/**
 * Payment providers and their webhook signatures. A provider confirms (or fails) a deposit by
 * calling POST /v1/payments/webhook/{provider} with
 *   X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * signed with that provider's secret (wrangler secret PAYMENT_WEBHOOK_SECRET_<PROVIDER>). Stale
 * timestamps (older than 5 minutes) are refused so a captured notification cannot be replayed
 * later; a repeated notification within the window is harmless (confirmation is idempotent).
 *
 * The built-in `sandbox` provider exists only in development: it confirms deposits at once,
 * through the same code path a signed webhook takes. Elsewhere it is not a provider at all, so its
 * webhook is an unknown provider even if a PAYMENT_WEBHOOK_SECRET_SANDBOX has been set.
 */
import type { Currency } from '../../domain/money';
import { dynamicSecret } from '../http/secrets';
import { isDevelopment } from '../http/app-env';

export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export type PaymentNotification = {
  deposit_id: string;
  player_id: string;
  /** The provider that sent the notification: only the deposit's own provider can settle it. */
  provider: string;
  status: 'completed' | 'failed';
  amount_minor: number;
  currency: Currency;
  provider_ref: string;
  reason: string | null;
  /** Keyed hash of the instrument the provider charged (worker/payments/reference.ts); null or absent: the deposit's own. */
  payment_reference?: string | null;
};

export const PROVIDERS = ['sandbox'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Providers that exist only in development. */
const DEVELOPMENT_PROVIDERS: readonly Provider[] = ['sandbox'];

/** Whether `provider` is a payment provider of this deployment (the sandbox only in development). */
export function providerAvailable(env: Env, provider: string): provider is Provider {
  return (PROVIDERS as readonly string[]).includes(provider) && (isDevelopment(env) || !DEVELOPMENT_PROVIDERS.includes(provider as Provider));
}

/** The provider's webhook secret; null for a provider this deployment does not have, or without a usable secret. */
export function webhookSecret(env: Env, provider: string): string | null {
  if (!providerAvailable(env, provider)) return null;
  const v = dynamicSecret(env, `PAYMENT_WEBHOOK_SECRET_${provider.toUpperCase()}`);
  return v !== null && v.length >= 16 ? v : null;
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function signWebhook(secret: string, rawBody: string, nowMs = Date.now()): Promise<string> {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${rawBody}`)}`;
}

/** Checks signature and freshness; compares in constant time. */
export async function verifyWebhook(secret: string, rawBody: string, header: string | undefined, nowMs = Date.now()): Promise<'ok' | 'bad_signature' | 'stale'> {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || typeof parts.v1 !== 'string' || !/^[0-9a-f]{64}$/.test(parts.v1)) return 'bad_signature';
  const expected = await hmacHex(secret, `${t}.${rawBody}`);
  let diff = 0;
  for (let i = 0; i < 64; i++) diff |= expected.charCodeAt(i) ^ parts.v1.charCodeAt(i);
  if (diff !== 0) return 'bad_signature';
  return Math.abs(nowMs - t * 1000) > SIGNATURE_TOLERANCE_MS ? 'stale' : 'ok';
}
