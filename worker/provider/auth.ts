/**
 * The provider caller: a route middleware that identifies the provider by its path
 * (/v1/provider/{provider_id}/...) and verifies the request's signature over the raw body before
 * anything parses it (signature.ts). Player bearer tokens, operator tokens and cookies mean
 * nothing here: only the provider's signature authenticates. Sets c.var.providerId.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env';
import { ApiError } from '../http/errors';
import { providerSecret } from './providers';
import { verifyProviderRequest, type ProviderAction } from './signature';

export type ProviderEnv = { Bindings: Env; Variables: AppEnv['Variables'] & { providerId: string } };

const MESSAGES = {
  invalid_signature: 'X-Timestamp and X-Signature (sha256=<hex HMAC-SHA256(secret, "<timestamp>.<action>.<raw body>")>) are missing or do not match',
  request_expired: 'X-Timestamp (unix seconds) is more than 5 minutes from our clock; sign each request when it is sent',
} as const;

export function signedBy(action: ProviderAction) {
  return createMiddleware<ProviderEnv>(async (c, next) => {
    const providerId = c.req.param('provider_id') ?? '';
    const secret = providerSecret(c.env, providerId);
    if (!secret) throw new ApiError('provider_not_found', `no provider '${providerId.slice(0, 40)}' on the seamless-wallet API`, { provider_id: providerId.slice(0, 40) });
    const body = new Uint8Array(await c.req.arrayBuffer());
    const verdict = await verifyProviderRequest(secret, action, body, { timestamp: c.req.header('X-Timestamp'), signature: c.req.header('X-Signature') });
    if (verdict !== 'ok') throw new ApiError(verdict, MESSAGES[verdict]);
    c.set('providerId', providerId);
    await next();
  });
}
