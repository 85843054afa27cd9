/**
 * The second, adversarial review of the money controls (attacker and auditor): each test is one
 * hole it found, reproduced through the real interface, asserting the safe behaviour (each failed
 * before its fix).
 */
import { runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { advance, call, expectError, idemKey, internals, player, register, type Registered } from './helpers';
import { adjust, dispute, funded, lostRound, realBalance, sessionOf } from './money-helpers';
import type { PlayerDO } from './entry';
import { backOfficeCrew, createOperator, opCall, type Operator } from './ops-helpers';

let admin: Operator;
let operator: Operator;
let compliance: Operator;

beforeAll(async () => {
  ({ admin, operator, compliance } = await backOfficeCrew());
});

const decide = (op: Operator, p: Registered, id: string, decision: 'approve' | 'reject') =>
  opCall('POST', `/v1/ops/players/${p.playerId}/adjustments/${id}/decision`, op, { decision, reason: 'checked the round' });

describe('a void is a credit like any other', () => {
  it('voiding 3 x 3,000.00 EUR of lost bets waits for a second operator, and the bet takes nothing else meanwhile', async () => {
    const p = await funded(1_000_000);
    const holds = [await lostRound(p, 300_000), await lostRound(p, 300_000), await lostRound(p, 300_000)];
    const voids = [];
    for (const hold of holds) voids.push(await dispute(operator, p, { hold_id: hold, resolution: 'void', reason: 'game froze' }));
    expect(voids.map((v) => `${v.status}:${v.body.dispute.state}`)).toEqual(['201:pending', '201:pending', '201:pending']);
    expect(await realBalance(p.playerId)).toBe(100_000);
    // while a void waits, the bet takes no other resolution
    expectError(await dispute(operator, p, { hold_id: holds[0], resolution: 'correct', amount_minor: 100, reason: 'meanwhile' }), 409, 'invalid_state');
    const own = await dispute(admin, p, { hold_id: holds[0], resolution: 'void', reason: 'again' });
    expectError(own, 409, 'invalid_state');
    // a second operator approves one: the bet is undone, exactly
    expect((await decide(compliance, p, voids[0]!.body.dispute.dispute_id, 'approve')).status).toBe(200);
    expect(await realBalance(p.playerId)).toBe(400_000);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('small voids count in the operator\'s day: the third 400.00 void waits', async () => {
    const p = await funded(200_000);
    const holds = [await lostRound(p, 40_000), await lostRound(p, 40_000), await lostRound(p, 40_000)];
    const states = [];
    for (const hold of holds) states.push((await dispute(operator, p, { hold_id: hold, resolution: 'void', reason: 'game froze' })).body.dispute.state);
    expect(states).toEqual(['applied', 'applied', 'pending']);
    expect(await realBalance(p.playerId)).toBe(200_000 - 40_000);
  });

  it('a pending void is rejected by a provider rollback of the same bet, which goes ahead', async () => {
    const p = await funded(1_000_000);
    const stub = player(p.playerId);
    const sessionId = sessionOf(p);
    const base = { provider_id: 'sandbox-slots', round_id: 'pr-v', game_id: 'sandbox-slots:fruit-party', currency: 'EUR' as const };
    expect(await stub.providerBet({ ...base, session_id: sessionId, tx_id: 'bet-v', amount_minor: 300_000 }, null)).toMatchObject({ ok: true });
    const v = await dispute(operator, p, { hold_id: 'prov:sandbox-slots:bet-v', resolution: 'void', reason: 'stuck' });
    expect(v.body.dispute.state).toBe('pending');
    expect(await stub.providerRollback({ ...base, tx_id: 'rb-v', bet_tx_id: 'bet-v' })).toMatchObject({ ok: true, tx: { amount_minor: 300_000 } });
    expect(await realBalance(p.playerId)).toBe(1_000_000);
    expectError(await decide(compliance, p, v.body.dispute.dispute_id, 'approve'), 409, 'invalid_state');
    expect(await realBalance(p.playerId)).toBe(1_000_000);
  });
});

describe('pending corrections bound the bet whichever way they are decided', () => {
  it('a pending debit that is never approved makes no room for credits (two UTC days, one operator)', async () => {
    const p = await funded(100_000);
    const hold = await lostRound(p, 200); // can return 1,000.00 EUR
    const before = await realBalance(p.playerId);
    const c = (amount_minor: number) => dispute(operator, p, { hold_id: hold, resolution: 'correct', amount_minor, reason: 'mis-settled' });
    expect((await c(50_000)).body.dispute.state).toBe('applied');
    expect((await c(50_000)).body.dispute.state).toBe('applied');
    const neg = await c(-100_000);
    expect(neg.body.dispute.state).toBe('pending');
    await advance(p.playerId, 24 * 3_600_000);
    expectError(await c(50_000), 422, 'correction_out_of_bounds');
    expect((await decide(compliance, p, neg.body.dispute.dispute_id, 'reject')).status).toBe(200);
    expect((await realBalance(p.playerId)) - before).toBe(100_000);
  });
});

describe("the operator's day spans currencies", () => {
  it('1,000.00 EUR alone uses the whole day: 0.02 BTC more waits', async () => {
    const p = await funded(1_000);
    const eur = [await adjust(operator, p, 50_000), await adjust(operator, p, 50_000)].map((r) => r.body.adjustment.state);
    const btc = [await adjust(operator, p, 1_000_000, 'BTC')].map((r) => r.body.adjustment.state);
    expect([...eur, ...btc]).toEqual(['applied', 'applied', 'pending']);
  });
});

describe('replays after the idempotency retention', () => {
  it('a rejected correction replayed after its key expired answers as a replay, not a 500', async () => {
    const p = await funded(100_000);
    const hold = await lostRound(p, 200);
    const key = idemKey();
    const body = { hold_id: hold, resolution: 'correct', amount_minor: 60_000, reason: 'big' };
    const first = await dispute(operator, p, body, key);
    expect(first.body.dispute.state).toBe('pending');
    expect((await decide(compliance, p, first.body.dispute.dispute_id, 'reject')).status).toBe(200);
    await advance(p.playerId, 36 * 24 * 3_600_000);
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const c = internals(o).c;
      internals(o).ctx.storage.transactionSync(() => c.db.run`delete from idempotency where created_at < ${c.now() - 35 * 24 * 3_600_000}`);
    });
    const again = await dispute(operator, p, body, key);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ replayed: true, dispute: { state: 'rejected' } });
  });
});

describe('login throttle', () => {
  it('60 concurrent wrong passwords: at most 5 are checked, the rest are throttled', async () => {
    const p = await register({ brand: 'aurora' });
    const stub = player(p.playerId);
    const tries = await Promise.all(Array.from({ length: 60 }, () => stub.login({ password: 'wrong password guess', country: 'MT', ip: null, user_agent: null, device: 'unknown' })));
    expect(tries.filter((t) => !t.ok && 'code' in t && t.code === 'invalid_credentials').length).toBeLessThanOrEqual(5);
    // and the right password inside the window is throttled too
    expect(await stub.login({ password: p.password, country: 'MT', ip: null, user_agent: null, device: 'unknown' })).toMatchObject({ ok: false, code: 'rate_limited' });
  });
});

describe('alarms after a refusal', () => {
  it('a job scheduled again at the same time after a rolled-back call still arms the alarm', async () => {
    const p = await register({ brand: 'aurora' });
    const out = await runInDurableObject(player(p.playerId), async (o: PlayerDO) => {
      const { c } = internals(o);
      const existing = c.schedules.pending().map((r) => r.due_at);
      const at = Math.min(c.now() + 500, ...existing) - 1; // earlier than every other job
      // a call that schedules a job and is then refused (PlayerDO.tx rolls it back)
      const tx = (o as unknown as { tx: <T>(fn: () => T) => T }).tx.bind(o);
      tx(() => { c.schedules.at('review.probe', 'x', at); return { ok: false as const, code: 'invalid_state' as const }; });
      tx(() => { c.schedules.at('review.probe', 'x', at); return { ok: true as const }; });
      const alarm = await internals(o).ctx.storage.getAlarm();
      tx(() => { c.schedules.cancel('review.probe', 'x'); c.schedules.rearm(); return { ok: true as const }; });
      return { at, alarm };
    });
    expect(out.alarm).toBe(out.at);
  });
});

describe('sessions', () => {
  it('a provider bet on an idle session is refused and the session ends for good', async () => {
    const p = await funded(10_000);
    const stub = player(p.playerId);
    const sessionId = sessionOf(p);
    await advance(p.playerId, 31 * 60_000);
    const bet = await stub.providerBet({ provider_id: 'sandbox-slots', round_id: 'pr-x', game_id: 'sandbox-slots:fruit-party', currency: 'EUR', session_id: sessionId, tx_id: 'b-x', amount_minor: 100 }, null);
    expect(bet).toMatchObject({ ok: false, code: 'session_expired' });
    const after = await stub.inspect();
    if (!after.ok) throw new Error('no player');
    expect(after.sessions.find((x) => x.session_id === sessionId)!.ended_at).not.toBeNull();
    expect(await realBalance(p.playerId)).toBe(10_000);
  });
});

describe('crediting and paying out are never one person\'s decision', () => {
  it('an operator who credited a player alone today cannot approve that player\'s withdrawal; a colleague can', async () => {
    const p = await funded(100_000);
    expect((await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P1234567' }, { token: p.token })).status).toBe(200);
    const hold = await lostRound(p, 40_000);
    expect((await dispute(operator, p, { hold_id: hold, resolution: 'void', reason: 'game froze' })).body.dispute.state).toBe('applied');
    const w = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 90_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
    expect(w.status).toBe(201);
    const path = `/v1/ops/players/${p.playerId}/withdrawals/${w.body.withdrawal.withdrawal_id}/decision`;
    expectError(await opCall('POST', path, operator, { decision: 'approve', reason: 'player is verified' }), 403, 'four_eyes_violation');
    const other = await createOperator(admin, { roles: ['operator'] });
    expect((await opCall('POST', path, other, { decision: 'approve', reason: 'player is verified' })).status).toBe(200);
  });
});

describe('ids and kinds the object checks whoever calls it', () => {
  it("settleTableBet refuses a withdrawal's hold; a dispute id already used by an adjustment is a conflict, not a crash", async () => {
    const p = await funded(10_000);
    expect((await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P1234567' }, { token: p.token })).status).toBe(200);
    const w = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 3_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
    const stub = player(p.playerId);
    expect(await stub.settleTableBet({ hold_id: `wd:${w.body.withdrawal.withdrawal_id}`, win_id: 'x', returned_minor: 0 })).toMatchObject({ ok: false, code: 'invalid_state' });
    const hold = await lostRound(p, 100);
    expect(await stub.requestAdjustment({ adjustment_id: 'same-id', currency: 'EUR', bucket: 'real', amount_minor: 100, reason: 'goodwill', actor: 'operator:a' })).toMatchObject({ ok: true });
    expect(await stub.resolveDispute({ dispute_id: 'same-id', hold_id: hold, resolution: 'correct', amount_minor: 50, reason: 'x', actor: 'operator:a' })).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    const after = await stub.inspect();
    if (!after.ok) throw new Error('no player');
    expect(after.withdrawals[0]).toMatchObject({ state: 'requested' });
    expect(await stub.audit()).toEqual([]);
  });
});

describe('a table that restarted while reserving', () => {
  it('a reservation that arrives after the table gave the bet up is refused: no stake held for a day', async () => {
    const p = await funded(10_000);
    const stub = player(p.playerId);
    const sessionId = sessionOf(p);
    // the table (after its restart) gives up the bet whose reservation never answered...
    expect(await stub.abandonTableBet('table:roulette-1:late-bet')).toMatchObject({ ok: true, hold: null });
    // ...and the reservation it had sent arrives afterwards
    const late = await stub.reserveTableBet(sessionId, {
      hold_id: 'table:roulette-1:late-bet', currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + 24 * 3_600_000, ref: 'roulette-1:r', max_return_minor: 2_000,
    }, ['MT']);
    expect(late).toMatchObject({ ok: false, code: 'betting_closed' });
    const after = await stub.inspect();
    if (!after.ok) throw new Error('no player');
    expect(after.open_holds).toEqual([]);
    expect(await realBalance(p.playerId)).toBe(10_000);
  });
});

/** Moves the player's clock to `msBefore` before the next UTC midnight. */
async function toBeforeMidnight(playerId: string, msBefore: number): Promise<void> {
  const DAY = 24 * 3_600_000;
  const now = await runInDurableObject(player(playerId), (o: PlayerDO) => internals(o).c.now());
  await advance(playerId, Math.ceil(now / DAY) * DAY - msBefore - now);
}

describe('nothing resets at midnight (third review)', () => {
  it('an operator who credited 1,000.00 EUR alone seconds before midnight cannot approve the payout of it seconds after', async () => {
    const p = await funded(1_000);
    expect((await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P1234567' }, { token: p.token })).status).toBe(200);
    await toBeforeMidnight(p.playerId, 2_000);
    expect([await adjust(operator, p, 50_000), await adjust(operator, p, 50_000)].map((r) => r.body.adjustment.state)).toEqual(['applied', 'applied']);
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.status).toBe(201);
    const w = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 100_000, currency: 'EUR' }, { token: login.body.token, headers: { 'Idempotency-Key': idemKey() } });
    expect(w.status).toBe(201);
    await advance(p.playerId, 4_000); // 00:00:02 UTC, the next day
    const path = `/v1/ops/players/${p.playerId}/withdrawals/${w.body.withdrawal.withdrawal_id}/decision`;
    expectError(await opCall('POST', path, operator, { decision: 'approve', reason: 'verified' }), 403, 'four_eyes_violation');
    // nor a day later: the bar is tied to the withdrawal, not to the clock
    await advance(p.playerId, 25 * 3_600_000);
    expectError(await opCall('POST', path, operator, { decision: 'approve', reason: 'verified' }), 403, 'four_eyes_violation');
  });

  it('one operator alone cannot credit 2,000.00 EUR to one player within a few seconds across midnight', async () => {
    const p = await funded(1_000);
    await toBeforeMidnight(p.playerId, 2_000);
    const a = [await adjust(operator, p, 50_000), await adjust(operator, p, 50_000)];
    await advance(p.playerId, 4_000);
    const b = [await adjust(operator, p, 50_000), await adjust(operator, p, 50_000)];
    expect([...a, ...b].map((r) => r.body.adjustment.state)).toEqual(['applied', 'applied', 'pending', 'pending']);
  });
});

describe('a table that re-sends a settlement (restarted mid-settlement, or faulty)', () => {
  /** A funded player with a 10.00 table bet reserved, and the table's settlement call for it. */
  async function betOf1000() {
    const p = await funded(10_000);
    const stub = player(p.playerId);
    const holdId = `table:roulette-1:resend-${crypto.randomUUID()}`;
    expect(await stub.reserveTableBet(sessionOf(p), {
      hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + 3_600_000, ref: 'roulette-1:r', max_return_minor: 36_000,
    }, ['MT'])).toMatchObject({ ok: true });
    const settle = (returned_minor: number) => stub.settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor });
    return { p, stub, settle };
  }

  it('a bet settled as a loss is never paid by a later settlement naming a return; the answer says what was paid', async () => {
    const { p, stub, settle } = await betOf1000();
    expect(await settle(0)).toMatchObject({ ok: true, state: 'posted', returned_minor: 0 });
    const before = await realBalance(p.playerId);
    for (const again of [36_000, 1_000, 0]) expect(await settle(again), String(again)).toMatchObject({ ok: true, state: 'posted', returned_minor: 0 });
    expect(await realBalance(p.playerId)).toBe(before);
    expect(before).toBe(9_000);
    expect(await stub.audit()).toEqual([]);
  });

  it('a bet settled as a win is paid once; a re-send naming another return answers the first payout', async () => {
    const { p, stub, settle } = await betOf1000();
    expect(await settle(2_000)).toMatchObject({ ok: true, state: 'posted', returned_minor: 2_000 });
    for (const again of [2_000, 36_000, 0]) expect(await settle(again), String(again)).toMatchObject({ ok: true, state: 'posted', returned_minor: 2_000 });
    expect(await realBalance(p.playerId)).toBe(11_000);
    expect(await stub.audit()).toEqual([]);
  });
});
