/**
 * The worker as deployed: ENVIRONMENT=production (vitest project `edge-production`), with the
 * sandbox webhook secret set anyway. The sandbox payment and KYC providers exist only for
 * development: here they are not providers at all.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { PlayerDO } from '../../durable/player/player-do';
import { signWebhook } from '../../worker/payments/providers';
import { call, expectError, idemKey, internals, player, register } from '../edge/helpers';

const SANDBOX_SECRET = (env as unknown as Record<string, string>).PAYMENT_WEBHOOK_SECRET_SANDBOX!;

describe('production: no sandbox providers', () => {
  it('runs in production mode with the sandbox webhook secret set (the premise of these tests)', async () => {
    expect((await call('GET', '/v1/health')).body.environment).toBe('production');
    expect(SANDBOX_SECRET.length).toBeGreaterThanOrEqual(16);
  });

  it('the sandbox payment provider does not exist: a correctly signed sandbox webhook is 404 and credits nothing', async () => {
    const p = await register();
    // a pending deposit (made by RPC: in production no HTTP route creates a sandbox deposit)
    const r = await player(p.playerId).requestDeposit(p.body.session.session_id, idemKey(), { provider: 'sandbox', currency: 'EUR', amount_minor: 2500 });
    if (!r.ok) throw new Error(JSON.stringify(r));
    const raw = JSON.stringify({ deposit_id: r.deposit.deposit_id, player_id: p.playerId, status: 'completed', amount_minor: 2500, currency: 'EUR', provider_ref: 'forged-1' });
    const res = await call('POST', '/v1/payments/webhook/sandbox', raw, { headers: { 'X-Signature': await signWebhook(SANDBOX_SECRET, raw) } });
    expectError(res, 404, 'not_found');
    expect(res.body.error.details).toEqual({});
    const state = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.first<{ state: string }>`select state from deposits where deposit_id = ${r.deposit.deposit_id}`);
    expect(state?.state).toBe('pending');
    const wallet = await call('GET', '/v1/wallet', undefined, { token: p.token });
    expect(wallet.body.balances.every((b: { real_minor: number }) => b.real_minor === 0)).toBe(true);
  });

  it('the sandbox payment and KYC providers are refused to players', async () => {
    const p = await register();
    expectError(await call('POST', '/v1/wallet/deposits', { amount_minor: 100, currency: 'EUR', provider: 'sandbox' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } }), 422, 'unknown_provider');
    expectError(await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'AB123' }, { token: p.token }), 422, 'unknown_provider');
    const me = await call('GET', '/v1/players/me', undefined, { token: p.token });
    expect(me.body.player.kyc_status).toBe('none');
  });
});
