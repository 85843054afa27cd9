/**
 * Signed provider requests. Every call of the seamless-wallet API carries
 *
 *   X-Timestamp: <unix seconds>
 *   X-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<action>.<raw body>")>
 *
 * where <action> is the last path segment (balance, bet, win, rollback) and <raw body> the exact
 * bytes sent, and the secret is that provider's (wrangler secret PROVIDER_SECRET_<ID>). Binding the
 * action stops a signed bet body from being replayed as a win (the bodies look alike). A timestamp
 * more than 5 minutes from our clock is refused, so a captured request cannot be replayed later;
 * within the window a replay is harmless (each transaction id applies once). Verification is over
 * the raw bytes, before any JSON parsing, and the comparison is constant-time (WebCrypto verify).
 * The mechanism is shared (domain/signed-request.ts); this binds it to the provider actions.
 */

import { signRequest, verifyRequest, type SignatureVerdict } from '../../domain/signed-request';

export { SIGNATURE_WINDOW_MS, type SignatureVerdict } from '../../domain/signed-request';
export const PROVIDER_ACTIONS = ['balance', 'bet', 'win', 'rollback'] as const;
export type ProviderAction = (typeof PROVIDER_ACTIONS)[number];

/** Headers for a request (what a provider does; used by tests, the bench and the docs). */
export function signProviderRequest(secret: string, action: ProviderAction, body: string | Uint8Array, nowMs = Date.now()): Promise<{ 'X-Timestamp': string; 'X-Signature': string }> {
  return signRequest(secret, action, body, nowMs);
}

/** Signature first (invalid_signature), then freshness (request_expired): only a genuine request learns it is late. */
export function verifyProviderRequest(
  secret: string, action: ProviderAction, body: string | Uint8Array,
  headers: { timestamp: string | undefined; signature: string | undefined }, nowMs = Date.now(),
): Promise<SignatureVerdict> {
  return verifyRequest(secret, action, body, headers, nowMs);
}
