/** Deposits, webhooks, withdrawals, holds and the ledger, through real HTTP and RPC. */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { PlayerDO } from '../../durable/player/player-do';
import { signWebhook } from '../../worker/payments/providers';
import { call, deposit, expectError, idemKey, player, register, restartPlayer, type Registered, internals } from './helpers';

const SECRET = env.PAYMENT_WEBHOOK_SECRET_SANDBOX;

function sid(p: Registered): string {
  return decodeJwt(p.token).sid as string;
}

async function ledgerCount(p: Registered): Promise<number> {
  return (await call('GET', '/v1/wallet/ledger?limit=200', undefined, { token: p.token })).body.entries.length;
}

async function webhook(body: object, opts: { secret?: string; at?: number; provider?: string; signature?: string } = {}) {
  const raw = JSON.stringify(body);
  const signature = opts.signature ?? await signWebhook(opts.secret ?? SECRET, raw, opts.at);
  return call('POST', `/v1/payments/webhook/${opts.provider ?? 'sandbox'}`, raw, { headers: { 'X-Signature': signature } });
}

async function pendingDeposit(p: Registered, amount = 2500) {
  const r = await player(p.playerId).requestDeposit(sid(p), idemKey(), { provider: 'sandbox', currency: 'EUR', amount_minor: amount });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.deposit;
}

describe('deposits', () => {
  it('a replayed Idempotency-Key returns the first deposit and adds no ledger row', async () => {
    const p = await register();
    const key = idemKey();
    const first = await deposit(p.token, 1000, 'EUR', key);
    expect(first.status).toBe(201);
    const again = await deposit(p.token, 1000, 'EUR', key);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, deposit: { deposit_id: first.body.deposit.deposit_id, state: 'completed' } });
    expect(await ledgerCount(p)).toBe(1);
    const conflict = await deposit(p.token, 2000, 'EUR', key);
    expectError(conflict, 409, 'idempotency_conflict');
    const w = await call('GET', '/v1/wallet', undefined, { token: p.token });
    expect(w.body.balances[0].real_minor).toBe(1000);
  });

  it('requires an Idempotency-Key and a currency of the jurisdiction', async () => {
    const p = await register();
    expectError(await call('POST', '/v1/wallet/deposits', { amount_minor: 100, currency: 'EUR' }, { token: p.token }), 400, 'idempotency_key_required');
    expectError(await deposit(p.token, 100, 'JPY'), 422, 'unsupported_currency');
    expect(await ledgerCount(p)).toBe(0);
  });

  it('keeps currencies apart with their own exponents (JPY 0, KWD 3, BTC 8)', async () => {
    const jp = await register({ country: 'JP', currency: 'JPY' }, { country: 'JP' });
    expect((await deposit(jp.token, 5000, 'JPY', idemKey(), { country: 'JP' })).status).toBe(201);
    expect((await deposit(jp.token, 1250, 'KWD', idemKey(), { country: 'JP' })).status).toBe(201);
    expect((await deposit(jp.token, 150_000_000, 'BTC', idemKey(), { country: 'JP' })).status).toBe(201);
    const w = await call('GET', '/v1/wallet', undefined, { token: jp.token, country: 'JP' });
    expect(Object.fromEntries(w.body.balances.map((b: any) => [b.currency, b.real_minor]))).toEqual({ BTC: 150_000_000, JPY: 5000, KWD: 1250 });
  });

  it('a signed provider webhook completes a pending deposit exactly once', async () => {
    const p = await register();
    const d = await pendingDeposit(p);
    const n = { deposit_id: d.deposit_id, player_id: p.playerId, status: 'completed', amount_minor: 2500, currency: 'EUR', provider_ref: 'psp-1' };
    const ok = await webhook(n);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ replayed: false, deposit: { state: 'completed', provider_ref: 'psp-1' } });
    const again = await webhook(n);
    expect(again.body.replayed).toBe(true);
    expect(await ledgerCount(p)).toBe(1);
  });

  it('refuses forged, stale, mismatched and unknown-provider webhooks without changing anything', async () => {
    const p = await register();
    const d = await pendingDeposit(p);
    const n = { deposit_id: d.deposit_id, player_id: p.playerId, status: 'completed', amount_minor: 2500, currency: 'EUR', provider_ref: 'psp-2' };
    expectError(await webhook(n, { secret: 'not-the-secret-at-all-000' }), 401, 'unauthenticated');
    expectError(await webhook(n, { signature: 't=1,v1=zz' }), 401, 'unauthenticated');
    expectError(await webhook(n, { at: Date.now() - 6 * 60_000 }), 401, 'unauthenticated');
    expectError(await webhook({ ...n, amount_minor: 999_999 }), 422, 'payment_mismatch');
    expectError(await webhook(n, { provider: 'nosuchpsp' }), 404, 'not_found');
    expectError(await webhook({ ...n, deposit_id: crypto.randomUUID() }), 404, 'deposit_not_found');
    expect(await ledgerCount(p)).toBe(0);
    const state = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.first<{ state: string }>`select state from deposits where deposit_id = ${d.deposit_id}`);
    expect(state?.state).toBe('pending');
  });

  it('checks the signature before the body: an unsigned or forged caller gets a bare 401, never the schema', async () => {
    const p = await register();
    const d = await pendingDeposit(p);
    const bad = JSON.stringify({ deposit_id: d.deposit_id, player_id: p.playerId, status: 'refunded', amount_minor: -1, extra: true });
    const post = (raw: string, headers: Record<string, string>) => call('POST', '/v1/payments/webhook/sandbox', raw, { headers });
    for (const res of [
      await post(bad, {}), // unsigned
      await post(bad, { 'X-Signature': await signWebhook('not-the-secret-at-all-000', bad) }), // forged
      await post('{"deposit_id": ', { 'X-Signature': await signWebhook('not-the-secret-at-all-000', '{"deposit_id": ') }), // forged, not even JSON
      await post(bad, { 'X-Signature': 't=1,v1=zz', 'Content-Type': 'text/plain' }), // forged, and not even JSON's media type
    ]) {
      expectError(res, 401, 'unauthenticated');
      expect(res.body.error.details).toEqual({});
      expect(JSON.stringify(res.body)).not.toMatch(/status|amount_minor|extra|issues/);
    }
    // signed by the provider: now the body is checked, and its faults are listed
    const signed = await post(bad, { 'X-Signature': await signWebhook(SECRET, bad) });
    expectError(signed, 400, 'validation_failed');
    expect(signed.body.error.details.issues.length).toBeGreaterThan(0);
    expectError(await post('{"deposit_id": ', { 'X-Signature': await signWebhook(SECRET, '{"deposit_id": ') }), 400, 'malformed_json');
    expectError(await post(bad, { 'X-Signature': await signWebhook(SECRET, bad), 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
    expect(await ledgerCount(p)).toBe(0);
    const state = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.first<{ state: string }>`select state from deposits where deposit_id = ${d.deposit_id}`);
    expect(state?.state).toBe('pending');
  });

  it('a failed payment gives back the deposit-limit usage', async () => {
    const p = await register();
    await call('PUT', '/v1/limits/deposit', { period: 'day', currency: 'EUR', amount_minor: 3000 }, { token: p.token });
    const d = await pendingDeposit(p, 2500);
    expectError(await deposit(p.token, 1000), 422, 'limit_exceeded');
    const failed = await webhook({ deposit_id: d.deposit_id, player_id: p.playerId, status: 'failed', amount_minor: 2500, currency: 'EUR', provider_ref: 'psp-3', reason: 'card declined' });
    expect(failed.body.deposit).toMatchObject({ state: 'failed', failure_reason: 'card declined' });
    expect((await deposit(p.token, 3000)).status).toBe(201);
  });
});

describe('withdrawals', () => {
  it('need verified KYC, reserve the funds, and are paid or rejected by an operator', async () => {
    const p = await register();
    await deposit(p.token, 10_000);
    const wd = (amount: number) => call('POST', '/v1/wallet/withdrawals', { amount_minor: amount, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
    expectError(await wd(4000), 422, 'kyc_required');
    const kyc = await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'X123' }, { token: p.token });
    expect(kyc.body.player.kyc_status).toBe('verified');

    const a = await wd(4000);
    expect(a.status).toBe(201);
    expect(a.body.withdrawal.state).toBe('requested');
    let w = (await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances[0];
    expect(w).toMatchObject({ real_minor: 10_000, held_minor: 4000, available_minor: 6000 });
    expectError(await wd(6001), 422, 'insufficient_funds');

    const stub = player(p.playerId);
    expect(await stub.markWithdrawalPaid(a.body.withdrawal.withdrawal_id)).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await stub.decideWithdrawal(a.body.withdrawal.withdrawal_id, 'approve', 'op:alice', null)).toMatchObject({ ok: true });
    expect(await stub.markWithdrawalPaid(a.body.withdrawal.withdrawal_id)).toMatchObject({ ok: true, withdrawal: { state: 'paid' } });
    expect(await stub.markWithdrawalPaid(a.body.withdrawal.withdrawal_id)).toMatchObject({ ok: true, replayed: true });
    w = (await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances[0];
    expect(w).toMatchObject({ real_minor: 6000, held_minor: 0, available_minor: 6000 });

    const b = await wd(1000);
    expect(await stub.decideWithdrawal(b.body.withdrawal.withdrawal_id, 'reject', 'op:bob', 'docs expired')).toMatchObject({ ok: true, withdrawal: { state: 'rejected' } });
    w = (await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances[0];
    expect(w).toMatchObject({ real_minor: 6000, held_minor: 0 });
    expect(await stub.audit()).toEqual([]);
    const kinds = (await stub.outbox(0, 100)).map((r) => r.event.event_type);
    expect(kinds).toEqual(expect.arrayContaining(['wallet.withdrawal.requested', 'wallet.withdrawal.approved', 'wallet.withdrawal.paid', 'wallet.withdrawal.rejected', 'player.kyc.changed']));
  });
});

describe('holds (two-phase bets)', () => {
  it('reserve is idempotent on hold id; post and void resolve once; wins credit once', async () => {
    const p = await register();
    await deposit(p.token, 1000);
    const stub = player(p.playerId);
    const req = { hold_id: 'bet-1', currency: 'EUR' as const, amount_minor: 300, expires_at: null, ref: 'round-1' };
    expect(await stub.reserveHold(req)).toMatchObject({ ok: true, replayed: false });
    expect(await stub.reserveHold(req)).toMatchObject({ ok: true, replayed: true });
    expect(await stub.reserveHold({ ...req, amount_minor: 301 })).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    expect(await stub.reserveHold({ ...req, hold_id: 'bet-2', amount_minor: 701 })).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await stub.postHold('bet-1')).toMatchObject({ ok: true, replayed: false, balance_after_minor: 700 });
    expect(await stub.postHold('bet-1')).toMatchObject({ ok: true, replayed: true });
    expect(await stub.voidHold('bet-1')).toMatchObject({ ok: false, code: 'invalid_state' });
    const win = { win_id: 'win-1', hold_id: 'bet-1', currency: 'EUR' as const, amount_minor: 600, bucket: 'real' as const };
    expect(await stub.creditWin(win)).toMatchObject({ ok: true, replayed: false, balance_after_minor: 1300 });
    expect(await stub.creditWin(win)).toMatchObject({ ok: true, replayed: true, balance_after_minor: 1300 });
    expect(await stub.creditWin({ ...win, amount_minor: 601 })).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    expect(await stub.reserveHold({ ...req, hold_id: 'bet-3' })).toMatchObject({ ok: true });
    expect(await stub.voidHold('bet-3')).toMatchObject({ ok: true, replayed: false });
    expect(await stub.voidHold('bet-3')).toMatchObject({ ok: true, replayed: true });
    expect(await stub.postHold('bet-3')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await stub.postHold('nope')).toMatchObject({ ok: false, code: 'hold_not_found' });
    expect(await stub.audit()).toEqual([]);
  });

  it('an unsettled hold expires by alarm and gives the money back', async () => {
    const p = await register();
    await deposit(p.token, 1000);
    const stub = player(p.playerId);
    const expiresAt = Date.now() + 60_000;
    expect(await stub.reserveHold({ hold_id: 'stale', currency: 'EUR', amount_minor: 400, expires_at: expiresAt, ref: null })).toMatchObject({ ok: true });
    await runInDurableObject(stub, (o: PlayerDO) => { internals(o).c.clockOffsetMs = 61_000; });
    // other schedules (session checks) may come first; drain until the hold has expired
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(stub)); i++);
    const w = (await call('GET', '/v1/wallet', undefined, { token: p.token })).body;
    expect(w.balances[0]).toMatchObject({ real_minor: 1000, held_minor: 0 });
    expect(await stub.postHold('stale')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect((await stub.outbox(0, 100)).map((r) => r.event.event_type)).toContain('wallet.hold.expired');
  });

  it('a pending hold outlives a restart of its object: the new instance arms the alarm by its expiry and expires it', async () => {
    const p = await register();
    const before = player(p.playerId);
    // no relay delivery in flight when the object is aborted (it would reject with the abort)
    await runInDurableObject(before, (o: PlayerDO) => { (o as unknown as { relay: { targetOf: unknown } }).relay.targetOf = () => ({ ingest: async () => ({ ok: true }) }); });
    await deposit(p.token, 1000);
    const expiresAt = Date.now() + 60_000;
    expect(await before.reserveHold({ hold_id: 'survivor', currency: 'EUR', amount_minor: 400, expires_at: expiresAt, ref: null })).toMatchObject({ ok: true });
    // no alarm left behind: only the new instance's constructor (its pending holds loaded from SQL) can arm it
    await runInDurableObject(before, (o: PlayerDO) => internals(o).ctx.storage.deleteAlarm());
    await restartPlayer(p.playerId);
    const stub = player(p.playerId); // the old stub is broken with the instance it reached
    const armed = await runInDurableObject(stub, (o: PlayerDO) => internals(o).ctx.storage.getAlarm());
    expect(armed ?? Infinity).toBeLessThanOrEqual(expiresAt);
    expect(await runInDurableObject(stub, (o: PlayerDO) => internals(o).walletRg.nextExpiry())).toBe(expiresAt); // what rearm arms by
    expect(await runInDurableObject(stub, (o: PlayerDO) => internals(o).walletRg.openHolds().map((h) => h.hold_id))).toEqual(['survivor']);
    await runInDurableObject(stub, (o: PlayerDO) => { internals(o).c.clockOffsetMs = 61_000; });
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(stub)); i++);
    expect((await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances[0]).toMatchObject({ real_minor: 1000, held_minor: 0 });
    expect(await stub.postHold('survivor')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await runInDurableObject(stub, (o: PlayerDO) => internals(o).walletRg.openHolds())).toEqual([]);
    expect(await stub.audit()).toEqual([]);
  });

  it('uses real money first, then bonus, and posts each bucket', async () => {
    const p = await register();
    await deposit(p.token, 100);
    const stub = player(p.playerId);
    await runInDurableObject(stub, (o: PlayerDO) => {
      // a bonus credit (the bonus engine arrives later): through the wallet's one ledger path
      internals(o).walletRg.creditWin({ win_id: 'bonus-grant', hold_id: null, currency: 'EUR', amount_minor: 500, bucket: 'bonus' });
    });
    const r = await stub.reserveHold({ hold_id: 'mixed', currency: 'EUR', amount_minor: 300, expires_at: null, ref: null });
    expect(r).toMatchObject({ ok: true, hold: { real_minor: 100, bonus_minor: 200 } });
    await stub.postHold('mixed');
    const w = (await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances[0];
    expect(w).toMatchObject({ real_minor: 0, bonus_minor: 300, held_minor: 0 });
    expect(await stub.audit()).toEqual([]);
  });
});

describe('ledger', () => {
  it('is append-only with running balances, newest first, keyset-paginated', async () => {
    const p = await register();
    for (const a of [100, 200, 300, 400, 500]) await deposit(p.token, a);
    const page1 = await call('GET', '/v1/wallet/ledger?limit=2', undefined, { token: p.token });
    expect(page1.body.entries.map((e: any) => e.amount_minor)).toEqual([500, 400]);
    expect(page1.body.entries[0].balance_after_minor).toBe(1500);
    const page2 = await call('GET', `/v1/wallet/ledger?limit=2&before=${page1.body.next_before}`, undefined, { token: p.token });
    expect(page2.body.entries.map((e: any) => e.amount_minor)).toEqual([300, 200]);
    const page3 = await call('GET', `/v1/wallet/ledger?limit=2&before=${page2.body.next_before}`, undefined, { token: p.token });
    expect(page3.body).toMatchObject({ next_before: null });
    expect(page3.body.entries.map((e: any) => e.balance_after_minor)).toEqual([100]);
  });
});
