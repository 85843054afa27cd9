/**
 * Payment references: a deposit's or withdrawal's instrument, named by the payment provider's token,
 * is kept and emitted only as its keyed hash (domain/payment-reference.ts). The token itself must
 * appear in no event, no table of the player's object (idempotency records included) and no log;
 * a bad token is a 400 in the one error shape and changes nothing.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEV_PAYMENT_REFERENCE_KEY, paymentReference } from '../../domain/payment-reference';
import type { PlayerDO } from '../../durable/player/player-do';
import { signWebhook } from '../../worker/payments/providers';
import { paymentReferenceKey, referenceOf } from '../../worker/payments/reference';
import { call, expectError, idemKey, internals, player, register, type Registered } from './helpers';

const KEY = env.PAYMENT_REFERENCE_KEY;

const depositWith = (p: Registered, body: Record<string, unknown>, key = idemKey()) =>
  call('POST', '/v1/wallet/deposits', { amount_minor: 2500, currency: 'EUR', ...body }, { token: p.token, headers: { 'Idempotency-Key': key } });
const withdrawWith = (p: Registered, body: Record<string, unknown>, key = idemKey()) =>
  call('POST', '/v1/wallet/withdrawals', { amount_minor: 1000, currency: 'EUR', ...body }, { token: p.token, headers: { 'Idempotency-Key': key } });

async function webhook(body: object) {
  const raw = JSON.stringify(body);
  return call('POST', '/v1/payments/webhook/sandbox', raw, { headers: { 'X-Signature': await signWebhook(env.PAYMENT_WEBHOOK_SECRET_SANDBOX, raw) } });
}

async function events(p: Registered) {
  return (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
}

/** Every row of every table of the player's object, as text. */
async function storageDump(p: Registered): Promise<string> {
  return runInDurableObject(player(p.playerId), (o: PlayerDO) => {
    const sql = internals(o).ctx.storage.sql;
    const tables = sql.exec<{ name: string }>(`select name from sqlite_master where type = 'table' and substr(name, 1, 4) != '_cf_' and substr(name, 1, 7) != 'sqlite_'`).toArray().map((t) => t.name);
    return JSON.stringify(tables.map((t) => sql.exec(`select * from "${t}"`).toArray()));
  });
}

async function pendingDeposit(p: Registered, paymentReferenceOfRequest: string | null) {
  const sid = (JSON.parse(atob(p.token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sid: string }).sid;
  const r = await player(p.playerId).requestDeposit(sid, idemKey(), { provider: 'sandbox', currency: 'EUR', amount_minor: 2500, payment_reference: paymentReferenceOfRequest });
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.deposit;
}

let logged: string[] = [];
beforeEach(() => {
  logged = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => { logged.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')); });
  }
});
afterEach(() => vi.restoreAllMocks());

describe('payment references', () => {
  it('a deposit carries the keyed hash of its instrument in its events, never the instrument', async () => {
    const p = await register();
    const token = `pm_card_fp_${crypto.randomUUID().replaceAll('-', '')}`;
    const expected = await paymentReference(KEY, token);
    expect(expected).toMatch(/^[0-9a-f]{16}$/);

    const res = await depositWith(p, { payment_instrument: token });
    expect(res.status).toBe(201);
    expect(res.body.deposit).toMatchObject({ state: 'completed', payment_reference: expected });

    const evs = await events(p);
    const requested = evs.find((e) => e.event_type === 'wallet.deposit.requested')!;
    const completed = evs.find((e) => e.event_type === 'wallet.deposit.completed')!;
    expect(requested.payload.payment_reference).toBe(expected);
    expect(completed.payload.payment_reference).toBe(expected);

    // the same instrument gives the same reference (that is what the warehouse counts); another, another
    const again = await depositWith(p, { payment_instrument: token });
    expect(again.body.deposit.payment_reference).toBe(expected);
    const other = await depositWith(p, { payment_instrument: `${token}x` });
    expect(other.body.deposit.payment_reference).not.toBe(expected);

    expect(JSON.stringify(await events(p))).not.toContain(token);
    const dump = await storageDump(p);
    expect(dump).toContain(expected); // the dump does read the wallet's tables
    expect(dump).not.toContain(token);
    expect(logged.join('\n')).not.toContain(token);
  });

  it('a deposit without an instrument has a null reference; the same key with an instrument is another request', async () => {
    const p = await register();
    const key = idemKey();
    const plain = await depositWith(p, {}, key);
    expect(plain.status).toBe(201);
    expect(plain.body.deposit.payment_reference).toBeNull();
    expect((await events(p)).find((e) => e.event_type === 'wallet.deposit.completed')!.payload.payment_reference).toBeNull();
    expectError(await depositWith(p, { payment_instrument: 'pm_card_fp_another1' }, key), 409, 'idempotency_conflict');
  });

  it('the provider\'s webhook names the instrument it charged, which wins over the request\'s', async () => {
    const p = await register();
    const asked = await paymentReference(KEY, 'pm_card_fp_asked_for');
    const d = await pendingDeposit(p, asked);
    const charged = 'pm_card_fp_really_charged';
    const n = { deposit_id: d.deposit_id, player_id: p.playerId, status: 'completed', amount_minor: 2500, currency: 'EUR', provider_ref: 'psp-9', payment_instrument: charged };
    const ok = await webhook(n);
    expect(ok.status).toBe(200);
    const chargedRef = await paymentReference(KEY, charged);
    expect(ok.body.deposit.payment_reference).toBe(chargedRef);
    const evs = await events(p);
    expect(evs.find((e) => e.event_type === 'wallet.deposit.requested')!.payload.payment_reference).toBe(asked);
    expect(evs.find((e) => e.event_type === 'wallet.deposit.completed')!.payload.payment_reference).toBe(chargedRef);
    expect(JSON.stringify(evs)).not.toContain(charged);
    expect(await storageDump(p)).not.toContain(charged);
  });

  it('the player\'s object itself refuses a reference that is not a keyed hash (a raw 16-character token), storing nothing', async () => {
    const p = await register();
    const sid = (JSON.parse(atob(p.token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sid: string }).sid;
    const raw = 'pm_card_ABCDEFGH'; // 16 characters: the column's length check alone would take it
    await expect((async () => player(p.playerId).requestDeposit(sid, idemKey(), { provider: 'sandbox', currency: 'EUR', amount_minor: 2500, payment_reference: raw }))()).rejects.toThrow(/payment_reference/);
    const d = await pendingDeposit(p, null);
    await expect((async () => player(p.playerId).confirmPayment({ deposit_id: d.deposit_id, provider: 'sandbox', status: 'completed', amount_minor: 2500, currency: 'EUR', provider_ref: 'psp-1', reason: null, payment_reference: raw }))()).rejects.toThrow(/payment_reference/);
    await expect((async () => player(p.playerId).confirmPayment({ deposit_id: d.deposit_id, provider: 'sandbox', status: 'failed', amount_minor: 2500, currency: 'EUR', provider_ref: 'psp-1', reason: null, payment_reference: raw }))()).rejects.toThrow(/payment_reference/);
    await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'X123' }, { token: p.token });
    await expect((async () => player(p.playerId).requestWithdrawal(sid, idemKey(), { currency: 'EUR', amount_minor: 100, payment_reference: raw }))()).rejects.toThrow(/payment_reference/);
    expect(await storageDump(p)).not.toContain(raw);
    expect(JSON.stringify(await events(p))).not.toContain(raw);
  });

  it('a withdrawal carries the hash of its destination instrument', async () => {
    const p = await register();
    expect((await depositWith(p, { amount_minor: 10_000 })).status).toBe(201);
    await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'X123' }, { token: p.token });
    const iban = 'iban_tok_DE89370400440532013000';
    const res = await withdrawWith(p, { payment_instrument: iban });
    expect(res.status).toBe(201);
    const expected = await paymentReference(KEY, iban);
    expect(res.body.withdrawal.payment_reference).toBe(expected);
    const requested = (await events(p)).find((e) => e.event_type === 'wallet.withdrawal.requested')!;
    expect(requested.payload.payment_reference).toBe(expected);
    expect(JSON.stringify(await events(p))).not.toContain(iban);
    expect(await storageDump(p)).not.toContain(iban);
    expect(logged.join('\n')).not.toContain(iban);
  });

  it('refuses a card number, a bad charset or length, and a non-string, changing nothing', async () => {
    const p = await register();
    const bad: unknown[] = ['4111111111111111', '4111-1111-1111-1111', 'short', 'has space in it', 'x'.repeat(129), '{"json":1}', 12345678, ''];
    for (const instrument of bad) {
      const res = await depositWith(p, { payment_instrument: instrument });
      expectError(res, 400, 'validation_failed');
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['payment_instrument']);
      if (typeof instrument === 'string' && instrument.length > 0) expect(JSON.stringify(res.body)).not.toContain(instrument);
    }
    const pan = await depositWith(p, { payment_instrument: '4111111111111111' });
    expect(pan.body.error.message).toMatch(/card number/);

    // nothing happened: no deposit, no ledger row, no deposit event
    expect((await call('GET', '/v1/wallet/ledger', undefined, { token: p.token })).body.entries).toEqual([]);
    expect((await events(p)).filter((e) => e.event_type.startsWith('wallet.'))).toEqual([]);
    const deposits = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.all`select * from deposits`);
    expect(deposits).toEqual([]);
    expect(await storageDump(p)).not.toContain('4111111111111111');
  });

  it('refuses a bad instrument in a withdrawal or a webhook, changing nothing', async () => {
    const p = await register();
    expect((await depositWith(p, { amount_minor: 10_000 })).status).toBe(201);
    await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'X123' }, { token: p.token });
    expectError(await withdrawWith(p, { payment_instrument: '5500 0000 0000 0004' }), 400, 'validation_failed');
    expectError(await withdrawWith(p, { payment_instrument: '5500000000000004' }), 400, 'validation_failed');
    const w = (await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances[0];
    expect(w).toMatchObject({ real_minor: 10_000, held_minor: 0 });
    expect((await events(p)).some((e) => e.event_type === 'wallet.withdrawal.requested')).toBe(false);

    const d = await pendingDeposit(p, null);
    const n = { deposit_id: d.deposit_id, player_id: p.playerId, status: 'completed', amount_minor: 2500, currency: 'EUR', provider_ref: 'psp-10', payment_instrument: '4000056655665556' };
    expectError(await webhook(n), 400, 'validation_failed');
    const state = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.first<{ state: string; payment_reference: string | null }>`select state, payment_reference from deposits where deposit_id = ${d.deposit_id}`);
    expect(state).toEqual({ state: 'pending', payment_reference: null });
  });
});

describe('the payment reference key', () => {
  const envWith = (ENVIRONMENT: string, PAYMENT_REFERENCE_KEY: string | undefined) => ({ ...env, ENVIRONMENT, PAYMENT_REFERENCE_KEY }) as Env;

  it('is PAYMENT_REFERENCE_KEY when set (32+ characters); in development without one, the public development key', () => {
    expect(paymentReferenceKey(envWith('production', KEY))).toBe(KEY);
    expect(paymentReferenceKey(envWith('development', undefined))).toBe(DEV_PAYMENT_REFERENCE_KEY);
    expect(paymentReferenceKey(envWith('development', 'too-short'))).toBe(DEV_PAYMENT_REFERENCE_KEY);
  });

  it('production without a usable key refuses instruments (misconfigured) rather than hash them under no secret', async () => {
    expect(paymentReferenceKey(envWith('production', undefined))).toBeNull();
    expect(paymentReferenceKey(envWith('production', 'too-short'))).toBeNull();
    await expect(referenceOf(envWith('production', undefined), 'pm_card_fp_8f3Kq2LxW9')).rejects.toMatchObject({ code: 'misconfigured' });
    expect(await referenceOf(envWith('production', undefined), undefined)).toBeNull(); // no instrument, nothing to hash
  });
});

