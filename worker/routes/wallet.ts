/** Balances, ledger, deposits and withdrawals of the logged-in player. Money-moving POSTs need an Idempotency-Key. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { requirePlayer } from '../http/auth';
import { ApiError, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { applyPaymentNotification } from '../payments/confirm';
import { PROVIDERS, providerAvailable } from '../payments/providers';
import { PaymentInstrument, referenceOf } from '../payments/reference';
import { AmountMinor, Balance, body, CurrencyCode, Deposit, errors, IdempotencyHeaders, json, LedgerEntry, Withdrawal } from '../schemas';

export const wallet = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
// Path-scoped: sub-apps are mounted at '/', so a '*' middleware here would guard every route.
wallet.use('/wallet', geoGate, requirePlayer);
wallet.use('/wallet/*', geoGate, requirePlayer);

const security = [{ bearer: [] }];

wallet.openapi(createRoute({
  method: 'get', path: '/wallet', tags: ['Wallet'], summary: 'Balances per currency', security,
  responses: { 200: json(z.object({ currency: z.string(), balances: z.array(Balance) }), 'Home currency and balances'), ...errors(401, 451) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).wallet(sessionId));
  return c.json({ currency: r.currency, balances: r.balances }, 200);
});

wallet.openapi(createRoute({
  method: 'get', path: '/wallet/ledger', tags: ['Wallet'], summary: 'Ledger entries, newest first', security,
  description: 'Keyset pagination: pass `next_before` of one page as `before` of the next.',
  request: {
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
      currency: CurrencyCode.optional(),
    }),
  },
  responses: { 200: json(z.object({ entries: z.array(LedgerEntry), next_before: z.number().nullable() }), 'A page of the ledger'), ...errors(400, 401, 451) },
}), async (c) => {
  const q = c.req.valid('query');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).ledger(sessionId, { before: q.before ?? null, limit: q.limit, currency: q.currency ?? null }));
  return c.json({ entries: r.entries, next_before: r.next_before }, 200);
});

const DepositRequest = z.strictObject({
  amount_minor: AmountMinor,
  currency: CurrencyCode,
  provider: z.enum(PROVIDERS).default('sandbox').openapi({ description: 'Payment provider; the sandbox (development only) confirms at once' }),
  payment_instrument: PaymentInstrument.optional().openapi({ description: 'The instrument the player chose, as the provider\'s token (from its payment form or a saved method). The provider\'s webhook may name the one it actually charged, which then wins.' }),
}).openapi('DepositRequest');

wallet.openapi(createRoute({
  method: 'post', path: '/wallet/deposits', tags: ['Wallet'], summary: 'Start a deposit', security,
  description: 'Creates a pending deposit, checked against deposit limits. The payment provider confirms it through the signed webhook; the sandbox confirms at once.',
  request: { headers: IdempotencyHeaders, body: body(DepositRequest) },
  responses: {
    201: json(z.object({ deposit: Deposit, replayed: z.boolean() }), 'Deposit created'),
    200: json(z.object({ deposit: Deposit, replayed: z.boolean() }), 'Replay of an earlier request with the same key'),
    ...errors(400, 401, 403, 409, 422, 451),
  },
}), async (c) => {
  const input = c.req.valid('json');
  const key = c.req.valid('header')['idempotency-key'];
  if (!providerAvailable(c.env, input.provider)) throw new ApiError('unknown_provider', `no payment provider '${input.provider}' here (the sandbox only exists in development)`, { provider: input.provider });
  const { playerId, sessionId } = c.get('player');
  // hashed here: the instrument itself never reaches the player's object, its events or its idempotency record
  const { payment_instrument: instrument, ...request } = input;
  const r = unwrap(await playerStub(c.env, playerId).requestDeposit(sessionId, key, { ...request, payment_reference: await referenceOf(c.env, instrument) }));
  let deposit = r.deposit;
  if (input.provider === 'sandbox' && deposit.state === 'pending') {
    deposit = (await applyPaymentNotification(c.env, {
      deposit_id: deposit.deposit_id, player_id: playerId, provider: 'sandbox', status: 'completed', amount_minor: deposit.amount_minor,
      currency: deposit.currency, provider_ref: `sandbox-${deposit.deposit_id}`, reason: null,
    })).deposit;
  }
  return c.json({ deposit, replayed: r.replayed }, r.replayed ? 200 : 201);
});

const WithdrawalRequest = z.strictObject({
  amount_minor: AmountMinor,
  currency: CurrencyCode,
  payment_instrument: PaymentInstrument.optional().openapi({ description: 'Where the money goes, as the payment provider\'s token for the instrument; only its keyed hash is kept (`payment_reference`).' }),
}).openapi('WithdrawalRequest');

wallet.openapi(createRoute({
  method: 'post', path: '/wallet/withdrawals', tags: ['Wallet'], summary: 'Request a withdrawal', security,
  description: 'Needs verified KYC. Reserves the funds until an operator approves and pays, or rejects, or the player cancels it (POST /v1/wallet/withdrawals/{withdrawal_id}/cancel).',
  request: { headers: IdempotencyHeaders, body: body(WithdrawalRequest) },
  responses: {
    201: json(z.object({ withdrawal: Withdrawal, replayed: z.boolean() }), 'Withdrawal requested'),
    200: json(z.object({ withdrawal: Withdrawal, replayed: z.boolean() }), 'Replay of an earlier request with the same key'),
    ...errors(400, 401, 403, 409, 422, 451),
  },
}), async (c) => {
  const input = c.req.valid('json');
  const key = c.req.valid('header')['idempotency-key'];
  const { playerId, sessionId } = c.get('player');
  const { payment_instrument: instrument, ...withdrawal } = input;
  const r = unwrap(await playerStub(c.env, playerId).requestWithdrawal(sessionId, key, { ...withdrawal, payment_reference: await referenceOf(c.env, instrument) }));
  return c.json({ withdrawal: r.withdrawal, replayed: r.replayed }, r.replayed ? 200 : 201);
});

wallet.openapi(createRoute({
  method: 'get', path: '/wallet/withdrawals', tags: ['Wallet'], summary: 'Recent withdrawals', security,
  responses: { 200: json(z.object({ withdrawals: z.array(Withdrawal) }), 'Withdrawals, newest first'), ...errors(401, 451) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).withdrawals(sessionId));
  return c.json({ withdrawals: r.withdrawals }, 200);
});

const WithdrawalParam = z.object({
  withdrawal_id: z.string().min(1).max(64).openapi({ param: { name: 'withdrawal_id', in: 'path' }, description: 'A withdrawal of the logged-in player' }),
});

wallet.openapi(createRoute({
  method: 'post', path: '/wallet/withdrawals/{withdrawal_id}/cancel', tags: ['Wallet'], summary: 'Cancel a requested withdrawal', security,
  description: 'Takes back a withdrawal that no operator has approved or rejected yet: its reserved funds are available again at once (no ledger entry: nothing had left the balance) and it ends `cancelled`. '
    + 'Idempotent on the withdrawal: cancelling a cancelled withdrawal answers it again with `replayed: true`, so no Idempotency-Key is needed. '
    + 'Refused with 409 `withdrawal_not_cancellable` once it is approved, paid or rejected, and always where the jurisdiction forbids reverse withdrawals (GB; `details.jurisdiction`) (nothing changes); 404 `withdrawal_not_found` for an id that is not one of your withdrawals; '
    + '403 while cooling off or self-excluded.',
  request: { params: WithdrawalParam },
  responses: {
    200: json(z.object({ withdrawal: Withdrawal, replayed: z.boolean() }), 'Cancelled (or a replay of an earlier cancellation)'),
    ...errors(400, 401, 403, 404, 409, 451),
  },
}), async (c) => {
  const { withdrawal_id } = c.req.valid('param');
  const { playerId, sessionId } = c.get('player');
  // Only the player's own object is asked: another player's withdrawal id is simply not found there.
  const r = unwrap(await playerStub(c.env, playerId).cancelWithdrawal(sessionId, withdrawal_id));
  return c.json({ withdrawal: r.withdrawal, replayed: r.replayed }, 200);
});
