/** Payment-provider webhooks: signed notifications that confirm or fail deposits. The signature comes first, the body after. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env';
import { ApiError } from '../http/errors';
import { validationHook } from '../http/validation';
import { applyPaymentNotification } from '../payments/confirm';
import { verifyWebhook, webhookSecret } from '../payments/providers';
import { PaymentInstrument, referenceOf } from '../payments/reference';
import { AmountMinor, CurrencyCode, Deposit, errors, json } from '../schemas';

export const payments = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Notification = z.strictObject({
  deposit_id: z.uuid(),
  player_id: z.uuid(),
  status: z.enum(['completed', 'failed']),
  amount_minor: AmountMinor,
  currency: CurrencyCode,
  provider_ref: z.string().min(1).max(128),
  reason: z.string().max(256).nullable().default(null),
  payment_instrument: PaymentInstrument.nullable().default(null).openapi({ description: 'The provider\'s token for the instrument it charged (or tried to); replaces the one of the deposit request. Only its keyed hash is kept.' }),
}).openapi('PaymentNotification');

/**
 * Runs before the body is parsed or validated (route middleware precedes zod-openapi's
 * validators): an unknown provider is 404, an unsigned or forged body a bare 401, so nobody
 * without the provider's secret learns anything about the schema.
 */
const verifySignature = createMiddleware<AppEnv>(async (c, next) => {
  const provider = c.req.param('provider') ?? '';
  const secret = webhookSecret(c.env, provider);
  if (!secret) throw new ApiError('not_found', 'no such payment provider');
  const check = await verifyWebhook(secret, await c.req.text(), c.req.header('X-Signature'));
  if (check !== 'ok') throw new ApiError('unauthenticated', check === 'stale' ? 'signature timestamp outside the 5-minute window' : 'bad webhook signature');
  await next();
});

payments.openapi(createRoute({
  method: 'post', path: '/payments/webhook/{provider}', tags: ['Payments'], summary: 'Payment provider notification',
  description: 'Header `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`; timestamps older than 5 minutes are refused. '
    + 'The signature is checked over the raw body before anything else: an unsigned or forged request is 401 with no further detail. Repeated notifications are idempotent.',
  middleware: [verifySignature] as const,
  request: {
    params: z.object({ provider: z.string().max(32) }),
    body: { required: true, content: { 'application/json': { schema: Notification } } },
  },
  responses: { 200: json(z.object({ deposit: Deposit, replayed: z.boolean() }), 'Applied (or already applied)'), ...errors(400, 401, 404, 409, 422) },
}), async (c) => {
  const n = c.req.valid('json');
  const { provider } = c.req.valid('param'); // signed by this provider's secret (verifySignature)
  const { payment_instrument: instrument, ...notification } = n;
  const r = await applyPaymentNotification(c.env, { ...notification, provider, reason: n.reason ?? null, payment_reference: await referenceOf(c.env, instrument) });
  return c.json({ deposit: r.deposit, replayed: r.replayed }, 200);
});
