/**
 * R5, the handlers' half: requests that pass every schema and are still wrong. The zod fuzzer in
 * bad-input.test.ts never gets past validation; these do, so the handlers and the objects are what
 * refuse them: another player's ids, amounts just above balances and limits, idempotency keys
 * reused with another body, steps out of order. Each generated request must get its one expected
 * 4xx in the error shape and leave both players' money exactly as it was.
 */
import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../worker/payments/providers';
import { call, deposit, idemKey, player, register, type Json, type Registered } from './helpers';
import { bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';

const SECRET = (env as unknown as Record<string, string>).PAYMENT_WEBHOOK_SECRET_SANDBOX!;
const REFUSAL_EVENTS = new Set(['rg.limit.breach_refused']);

type World = {
  a: Registered; b: Registered; operator: Operator; compliance: Operator;
  aDepositKey: string; aDepositAmount: number; aPendingDeposit: string; bPendingDeposit: string; bPendingAdjustment: string;
  aWithdrawal: string; aWithdrawalHold: string; aSettledBet: string; depositLimit: number; closedRound: string;
};

/** Everything that money or a decision could have touched, minus the events that only record a refusal. */
async function money(p: Registered): Promise<string> {
  const i = await player(p.playerId).inspect();
  if (!i.ok) throw new Error('no player');
  const ledger = await player(p.playerId).ledgerForOperator({ before: null, limit: 200, currency: null });
  const outbox = (await player(p.playerId).outbox(0, 1000)).filter((r) => !REFUSAL_EVENTS.has(r.event.event_type));
  return JSON.stringify({
    balances: i.balances, holds: i.open_holds, withdrawals: i.withdrawals, adjustments: i.adjustments, kyc: i.player.kyc_status,
    ledger: ledger.ok ? ledger.entries.length : -1, outbox: outbox.length,
  });
}

async function available(p: Registered): Promise<number> {
  const i = await player(p.playerId).inspect();
  if (!i.ok) throw new Error('no player');
  return i.balances.find((b: Json) => b.currency === 'EUR')?.available_minor ?? 0;
}

async function webhook(body: object) {
  const raw = JSON.stringify(body);
  return call('POST', '/v1/payments/webhook/sandbox', raw, { headers: { 'X-Signature': await signWebhook(SECRET, raw) } });
}

async function verified(amount: number): Promise<Registered> {
  const p = await register({ brand: 'aurora' });
  expect((await deposit(p.token, amount)).status).toBe(201);
  expect((await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P1234567' }, { token: p.token })).status).toBe(200);
  return p;
}

let w: World;

beforeAll(async () => {
  const admin = await bootstrapAdmin();
  const operator = await createOperator(admin, { roles: ['operator'] });
  const compliance = await createOperator(admin, { roles: ['compliance_officer'] });
  const [a, b] = [await verified(50_000), await verified(50_000)];
  const sid = (p: Registered) => decodeJwt(p.token).sid as string;
  const pending = async (p: Registered) => {
    const r = await player(p.playerId).requestDeposit(sid(p), idemKey(), { provider: 'sandbox', currency: 'EUR', amount_minor: 1_000 });
    if (!r.ok) throw new Error(JSON.stringify(r));
    return r.deposit.deposit_id;
  };
  const aDepositKey = idemKey();
  expect((await deposit(a.token, 3_000, 'EUR', aDepositKey)).status).toBe(201);
  const depositLimit = 100_000;
  expect((await call('PUT', '/v1/limits/deposit', { period: 'day', currency: 'EUR', amount_minor: depositLimit }, { token: a.token })).status).toBe(200);
  const wd = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 2_000, currency: 'EUR' }, { token: a.token, headers: { 'Idempotency-Key': idemKey() } });
  expect(wd.status).toBe(201);
  const adj = await opCall('POST', `/v1/ops/players/${b.playerId}/adjustments`, operator, { currency: 'EUR', amount_minor: 70_000, reason: 'manual jackpot' }, { headers: { 'Idempotency-Key': idemKey() } });
  expect(adj.body.adjustment?.state).toBe('pending');
  const round = `r-${crypto.randomUUID()}`;
  expect((await call('POST', '/v1/dev/rounds', { round_id: round, currency: 'EUR', amount_minor: 100, win_minor: 0 }, { token: a.token })).status).toBe(200);
  w = {
    a, b, operator, compliance, aDepositKey, aDepositAmount: 3_000, aPendingDeposit: await pending(a), bPendingDeposit: await pending(b),
    bPendingAdjustment: adj.body.adjustment.adjustment_id, aWithdrawal: wd.body.withdrawal.withdrawal_id, aWithdrawalHold: `wd:${wd.body.withdrawal.withdrawal_id}`,
    aSettledBet: `instant:${round}`, depositLimit, closedRound: crypto.randomUUID(),
  };
});

type Case = { name: string; expect: [number, string][]; send: () => Promise<{ status: number; body: Json; headers: Headers }> };

const k = fc.integer({ min: 1, max: 5_000 });

/** Each arbitrary builds one request that passes the schema and must still be refused. */
const cases = (): fc.Arbitrary<Case> => fc.oneof(
  k.map((d): Case => ({
    name: `withdraw available + ${d}`, expect: [[422, 'insufficient_funds']],
    send: async () => call('POST', '/v1/wallet/withdrawals', { amount_minor: (await available(w.a)) + d, currency: 'EUR' }, { token: w.a.token, headers: { 'Idempotency-Key': idemKey() } }),
  })),
  k.map((d): Case => ({
    name: `deposit above the day limit by ${d}`, expect: [[422, 'limit_exceeded']],
    send: () => deposit(w.a.token, w.depositLimit + d),
  })),
  k.map((d): Case => ({
    name: `deposit key reused with ${d} more`, expect: [[409, 'idempotency_conflict']],
    send: () => deposit(w.a.token, w.aDepositAmount + d, 'EUR', w.aDepositKey),
  })),
  k.map((d): Case => ({
    name: `round staking available + ${d}`, expect: [[422, 'insufficient_funds']],
    send: async () => call('POST', '/v1/dev/rounds', { round_id: `r-${crypto.randomUUID()}`, currency: 'EUR', amount_minor: (await available(w.a)) + d, win_minor: 0 }, { token: w.a.token }),
  })),
  fc.constantFrom('red', 'black', '17').map((spot): Case => ({
    name: `table bet on a round that does not exist (${spot})`, expect: [[404, 'round_not_found'], [409, 'betting_closed']],
    send: () => call('POST', '/v1/tables/roulette-1/bets', { bet_id: crypto.randomUUID(), round_id: w.closedRound, spot, amount_minor: 100, currency: 'EUR' }, { token: w.a.token }),
  })),
  fc.constant<Case>({
    name: "webhook naming A for B's deposit", expect: [[404, 'deposit_not_found']],
    send: () => webhook({ deposit_id: w.bPendingDeposit, player_id: w.a.playerId, status: 'completed', amount_minor: 1_000, currency: 'EUR', provider_ref: 'x' }),
  }),
  k.map((d): Case => ({
    name: `webhook confirming B's deposit with ${d} more`, expect: [[422, 'payment_mismatch']],
    send: () => webhook({ deposit_id: w.bPendingDeposit, player_id: w.b.playerId, status: 'completed', amount_minor: 1_000 + d, currency: 'EUR', provider_ref: 'x' }),
  })),
  fc.constant<Case>({
    name: "webhook confirming A's deposit in another currency", expect: [[422, 'payment_mismatch']],
    send: () => webhook({ deposit_id: w.aPendingDeposit, player_id: w.a.playerId, status: 'completed', amount_minor: 1_000, currency: 'GBP', provider_ref: 'x' }),
  }),
  fc.constantFrom('approve', 'reject').map((decision): Case => ({
    name: `${decision} B's adjustment through A`, expect: [[404, 'adjustment_not_found']],
    send: () => opCall('POST', `/v1/ops/players/${w.a.playerId}/adjustments/${w.bPendingAdjustment}/decision`, w.compliance, { decision, reason: 'cross-player attempt' }),
  })),
  fc.constant<Case>({
    name: 'withdrawal paid before it was approved', expect: [[409, 'invalid_state']],
    send: () => opCall('POST', `/v1/ops/players/${w.a.playerId}/withdrawals/${w.aWithdrawal}/paid`, w.operator, { reason: 'paid early' }),
  }),
  fc.constant<Case>({
    name: "A's withdrawal decided through B", expect: [[404, 'withdrawal_not_found']],
    send: () => opCall('POST', `/v1/ops/players/${w.b.playerId}/withdrawals/${w.aWithdrawal}/decision`, w.operator, { decision: 'approve', reason: 'cross-player attempt' }),
  }),
  fc.constantFrom('approve', 'reject').map((decision): Case => ({
    name: `KYC ${decision} of an already verified player`, expect: [[409, 'invalid_state']],
    send: () => opCall('POST', `/v1/ops/players/${w.a.playerId}/kyc-decision`, w.compliance, { decision, reason: 'second look' }),
  })),
  fc.constant<Case>({
    name: "void of A's withdrawal hold as a bet", expect: [[409, 'invalid_state']],
    send: () => disputeOf(w.a, { hold_id: w.aWithdrawalHold, resolution: 'void', reason: 'not a bet' }),
  }),
  fc.constant<Case>({
    name: "void of A's bet through B", expect: [[404, 'hold_not_found']],
    send: () => disputeOf(w.b, { hold_id: w.aSettledBet, resolution: 'void', reason: 'cross-player attempt' }),
  }),
  k.map((d): Case => ({
    name: `correction of a 1.00 bet by 500.00 + ${d}`, expect: [[422, 'correction_out_of_bounds']],
    send: () => disputeOf(w.a, { hold_id: w.aSettledBet, resolution: 'correct', amount_minor: 50_000 + d, reason: 'too generous' }),
  })),
  k.map((d): Case => ({
    name: `correction taking back ${d} more than the bet returned`, expect: [[422, 'correction_out_of_bounds']],
    send: () => disputeOf(w.a, { hold_id: w.aSettledBet, resolution: 'correct', amount_minor: -d, reason: 'clawback' }),
  })),
);

function disputeOf(p: Registered, body: Json) {
  return opCall('POST', `/v1/ops/players/${p.playerId}/disputes`, w.operator, body, { headers: { 'Idempotency-Key': idemKey() } });
}

describe('requests that pass validation and are still wrong (R5, handlers)', () => {
  it('each gets its own 4xx in the error shape and moves no money of either player', async () => {
    const before = [await money(w.a), await money(w.b)];
    const seen = new Map<string, number>();
    await fc.assert(fc.asyncProperty(cases(), async (c) => {
      const r = await c.send();
      const got: [number, string] = [r.status, r.body?.error?.code];
      expect(c.expect, `${c.name}: ${JSON.stringify(r.body)}`).toContainEqual(got);
      expect(Object.keys(r.body)).toEqual(['error']);
      expect(typeof r.body.error.message).toBe('string');
      const family = c.name.replace(/\d+/g, 'n');
      seen.set(family, (seen.get(family) ?? 0) + 1);
    }), { numRuns: 400 });
    expect([await money(w.a), await money(w.b)]).toEqual(before);
    expect(await player(w.a.playerId).audit()).toEqual([]);
    expect(await player(w.b.playerId).audit()).toEqual([]);
    expect(seen.size, [...seen.keys()].join('\n')).toBeGreaterThanOrEqual(15);
  }, 240_000);
});
