/**
 * What the back office does to one player, through the PlayerDO's trusted RPCs: the VIP flag,
 * manual adjustments with four eyes, dispute resolutions by compensating entries, operator reads,
 * and the relay of the player's events to the brand's BrandOpsDO. After every scenario the wallet
 * audit is clean and every event validates against the shared schemas.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { fourEyesThresholdMinor } from '../../domain/backoffice';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import { BrandOpsDO } from '../../durable/brand-ops/brand-ops-do';
import { forBackOffice, NOT_FOR_BACK_OFFICE, type RelayBatch } from '../../durable/brand-ops/types';
import type { PlayerDO } from '../../durable/player/player-do';
import { RELAY_BATCH_MAX, RELAY_JOB, type IngestTarget, type Relay } from '../../durable/player/relay';
import { advance, deposit, internals, player, register, type Registered } from './helpers';

const EUR_THRESHOLD = fourEyesThresholdMinor('EUR');
type Stub = ReturnType<typeof player>;

let seq = 0;
const id = (tag: string) => `${tag}-${Date.now().toString(36)}-${++seq}`;

async function funded(amount = 10_000): Promise<Registered & { stub: Stub }> {
  const p = await register();
  if (amount > 0) expect((await deposit(p.token, amount)).status).toBe(201);
  return { ...p, stub: player(p.playerId) };
}

async function events(stub: Stub): Promise<CasinoEvent[]> {
  return (await stub.outbox(0, 1000)).map((r) => r.event);
}

async function eventsOf(stub: Stub, type: string): Promise<CasinoEvent[]> {
  return (await events(stub)).filter((e) => e.event_type === type);
}

/** Wallet invariants hold and every event this player emitted is valid. */
async function expectHealthy(stub: Stub): Promise<void> {
  expect(await stub.audit()).toEqual([]);
  for (const e of await events(stub)) expect(validateEvent(e), JSON.stringify(e)).toMatchObject({ ok: true });
}

/** Everything a refused call must leave untouched (the relay's bookkeeping runs on its own). */
async function state(stub: Stub): Promise<string> {
  const i = (await stub.inspect()) as unknown as Record<string, unknown>;
  delete i.relay;
  const ledger = await stub.ledgerForOperator({ before: null, limit: 500, currency: null });
  return JSON.stringify({ i, ledger, outbox: (await stub.outbox(0, 1000)).length });
}

async function balance(stub: Stub, bucket: 'real' | 'bonus' = 'real'): Promise<number> {
  const i = await stub.inspect();
  if (!i.ok) throw new Error('no player');
  const eur = i.balances.find((b) => b.currency === 'EUR');
  return eur ? (bucket === 'real' ? eur.real_minor : eur.bonus_minor) : 0;
}

/** A settled bet (it could return 10x its stake): reserve, post, then the given wins against it. */
async function settledBet(stub: Stub, stake: number, wins: number[] = []): Promise<string> {
  const holdId = id('bet');
  expect(await stub.reserveHold({ hold_id: holdId, currency: 'EUR', amount_minor: stake, expires_at: null, ref: 'round-1', max_return_minor: stake * 10 })).toMatchObject({ ok: true });
  expect(await stub.postHold(holdId)).toMatchObject({ ok: true });
  for (const w of wins) {
    expect(await stub.creditWin({ win_id: id('win'), hold_id: holdId, currency: 'EUR', amount_minor: w, bucket: 'real' })).toMatchObject({ ok: true });
  }
  return holdId;
}

function adjustment(over: Partial<{ adjustment_id: string; bucket: 'real' | 'bonus'; amount_minor: number; reason: string; actor: string }> = {}) {
  return { adjustment_id: id('adj'), currency: 'EUR' as const, bucket: 'real' as const, amount_minor: 1000, reason: 'goodwill', actor: 'operator:a', ...over };
}

describe('VIP flag', () => {
  it('changes with one event, and setting it again is a no-op without an event', async () => {
    const { stub } = await funded(0);
    const r = await stub.setVip(true, 'operator:a');
    expect(r).toMatchObject({ ok: true, changed: true, player: { vip: true } });
    expect(await stub.setVip(true, 'operator:b')).toMatchObject({ ok: true, changed: false });
    const vip = await eventsOf(stub, 'player.vip.changed');
    expect(vip.map((e) => e.payload)).toEqual([{ from: false, to: true, actor: 'operator:a' }]);
    expect(await stub.setVip(false, 'operator:b')).toMatchObject({ ok: true, changed: true, player: { vip: false } });
    expect(await eventsOf(stub, 'player.vip.changed')).toHaveLength(2);
    expect(await player(crypto.randomUUID()).setVip(true, 'operator:a')).toMatchObject({ ok: false, code: 'player_not_found' });
    await expectHealthy(stub);
  });
});

describe('manual adjustments', () => {
  it('up to the four-eyes threshold are applied at once, as an adjustment entry with its own ref', async () => {
    const { stub } = await funded(10_000);
    const credit = adjustment({ amount_minor: EUR_THRESHOLD });
    const r = await stub.requestAdjustment(credit);
    expect(r).toMatchObject({ ok: true, replayed: false, adjustment: { state: 'applied', requested_by: 'operator:a', decided_by: null, balance_after_minor: 10_000 + EUR_THRESHOLD } });
    const debit = await stub.requestAdjustment(adjustment({ amount_minor: -2500, reason: 'chargeback' }));
    expect(debit).toMatchObject({ ok: true, adjustment: { state: 'applied', balance_after_minor: 7500 + EUR_THRESHOLD } });
    expect(await balance(stub)).toBe(7500 + EUR_THRESHOLD);
    const ledger = await stub.ledgerForOperator({ before: null, limit: 10, currency: 'EUR' });
    if (!ledger.ok) throw new Error('ledger');
    expect(ledger.entries.slice(0, 2).map((e) => [e.kind, e.ref, e.amount_minor])).toEqual([
      ['adjustment', `adjustment:${(debit as any).adjustment.adjustment_id}`, -2500],
      ['adjustment', `adjustment:${credit.adjustment_id}`, EUR_THRESHOLD],
    ]);
    const requested = await eventsOf(stub, 'backoffice.adjustment.requested');
    expect(requested.map((e) => e.payload.needs_approval)).toEqual([false, false]);
    const applied = await eventsOf(stub, 'backoffice.adjustment.applied');
    expect(applied[0]!.payload).toEqual({ adjustment_id: credit.adjustment_id, bucket: 'real', amount_minor: EUR_THRESHOLD, balance_after_minor: 10_000 + EUR_THRESHOLD, requested_by: 'operator:a', approved_by: null });
    expect(applied[0]!.currency).toBe('EUR');
    await expectHealthy(stub);
  });

  it('above the threshold wait for a second operator: the requester cannot approve, another can', async () => {
    const { stub } = await funded(1000);
    const big = adjustment({ amount_minor: EUR_THRESHOLD + 1 });
    expect(await stub.requestAdjustment(big)).toMatchObject({ ok: true, adjustment: { state: 'pending', balance_after_minor: null } });
    expect(await balance(stub)).toBe(1000);
    expect((await eventsOf(stub, 'backoffice.adjustment.requested'))[0]!.payload).toMatchObject({ needs_approval: true, actor: 'operator:a' });
    expect(await eventsOf(stub, 'backoffice.adjustment.applied')).toHaveLength(0);
    expect(await stub.adjustments({ state: 'pending' })).toMatchObject({ ok: true, adjustments: [{ adjustment_id: big.adjustment_id }] });

    const before = await state(stub);
    expect(await stub.decideAdjustment(big.adjustment_id, 'approve', 'operator:a', null)).toMatchObject({ ok: false, code: 'four_eyes_violation' });
    expect(await state(stub)).toBe(before);

    const approved = await stub.decideAdjustment(big.adjustment_id, 'approve', 'operator:b', 'checked the ticket');
    expect(approved).toMatchObject({ ok: true, replayed: false, adjustment: { state: 'applied', decided_by: 'operator:b', decision_reason: 'checked the ticket', balance_after_minor: 1000 + EUR_THRESHOLD + 1 } });
    expect(await balance(stub)).toBe(1000 + EUR_THRESHOLD + 1);
    expect((await eventsOf(stub, 'backoffice.adjustment.applied'))[0]!.payload).toMatchObject({ requested_by: 'operator:a', approved_by: 'operator:b' });
    // the same decision again is a replay; any other decision on a decided adjustment is refused
    expect(await stub.decideAdjustment(big.adjustment_id, 'approve', 'operator:b', 'checked the ticket')).toMatchObject({ ok: true, replayed: true });
    expect(await stub.decideAdjustment(big.adjustment_id, 'reject', 'operator:c', null)).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await stub.decideAdjustment('no-such-adjustment', 'approve', 'operator:b', null)).toMatchObject({ ok: false, code: 'adjustment_not_found' });
    expect(await stub.adjustments({ state: 'pending' })).toMatchObject({ ok: true, adjustments: [] });
    expect(await eventsOf(stub, 'backoffice.adjustment.applied')).toHaveLength(1);
    await expectHealthy(stub);
  });

  it('a rejected adjustment moves no money and cannot be approved afterwards', async () => {
    const { stub } = await funded(1000);
    const big = adjustment({ amount_minor: -(EUR_THRESHOLD + 500), bucket: 'real' });
    expect(await stub.requestAdjustment(big)).toMatchObject({ ok: true, adjustment: { state: 'pending' } });
    expect(await stub.decideAdjustment(big.adjustment_id, 'reject', 'operator:a', null)).toMatchObject({ ok: false, code: 'four_eyes_violation' });
    const r = await stub.decideAdjustment(big.adjustment_id, 'reject', 'operator:b', 'no evidence');
    expect(r).toMatchObject({ ok: true, adjustment: { state: 'rejected', decided_by: 'operator:b' } });
    expect(await stub.decideAdjustment(big.adjustment_id, 'approve', 'operator:c', null)).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await balance(stub)).toBe(1000);
    expect((await eventsOf(stub, 'backoffice.adjustment.rejected')).map((e) => e.payload)).toEqual([
      { adjustment_id: big.adjustment_id, amount_minor: -(EUR_THRESHOLD + 500), actor: 'operator:b', reason: 'no evidence' },
    ]);
    await expectHealthy(stub);
  });

  it('is idempotent on adjustment_id: the same body replays the first result, another body conflicts', async () => {
    const { stub } = await funded(1000);
    const a = adjustment({ amount_minor: 300 });
    const first = await stub.requestAdjustment(a);
    const again = await stub.requestAdjustment(a);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await stub.requestAdjustment({ ...a, amount_minor: 301 })).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    expect(await stub.requestAdjustment({ ...a, actor: 'operator:z' })).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    // a pending one replays as it was first answered (pending), even after its approval
    const big = adjustment({ amount_minor: EUR_THRESHOLD * 2 });
    await stub.requestAdjustment(big);
    await stub.decideAdjustment(big.adjustment_id, 'approve', 'operator:b', null);
    expect(await stub.requestAdjustment(big)).toMatchObject({ ok: true, replayed: true, adjustment: { state: 'pending' } });
    expect(await balance(stub)).toBe(1300 + EUR_THRESHOLD * 2);
    expect(await eventsOf(stub, 'backoffice.adjustment.requested')).toHaveLength(2);
    await expectHealthy(stub);
  });

  it('a debit beyond the available balance is refused and changes nothing; a pending one stays pending', async () => {
    const { stub, token } = await funded(1000);
    const before = await state(stub);
    expect(await stub.requestAdjustment(adjustment({ amount_minor: -1001 }))).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await stub.requestAdjustment(adjustment({ amount_minor: -1, bucket: 'bonus' }))).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await state(stub)).toBe(before);
    // held money is not available either
    const hold = id('hold');
    await stub.reserveHold({ hold_id: hold, currency: 'EUR', amount_minor: 600, expires_at: null, ref: null });
    expect(await stub.requestAdjustment(adjustment({ amount_minor: -500 }))).toMatchObject({ ok: false, code: 'insufficient_funds' });
    await stub.voidHold(hold);

    const big = adjustment({ amount_minor: -(EUR_THRESHOLD + 1) });
    expect(await stub.requestAdjustment(big)).toMatchObject({ ok: true, adjustment: { state: 'pending' } });
    const pending = await state(stub);
    expect(await stub.decideAdjustment(big.adjustment_id, 'approve', 'operator:b', null)).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await state(stub)).toBe(pending);
    expect(await deposit(token, EUR_THRESHOLD)).toMatchObject({ status: 201 });
    expect(await stub.decideAdjustment(big.adjustment_id, 'approve', 'operator:b', null)).toMatchObject({ ok: true, adjustment: { state: 'applied', balance_after_minor: 999 } });
    await expectHealthy(stub);
  });

  it('refuses malformed requests and currencies the player has no account in', async () => {
    const { stub } = await funded(1000);
    const before = await state(stub);
    for (const bad of [
      adjustment({ amount_minor: 0 }), adjustment({ amount_minor: 1.5 }), adjustment({ amount_minor: 2 ** 53 }), adjustment({ amount_minor: -(2 ** 53) }),
      adjustment({ reason: '' }), adjustment({ reason: 'x'.repeat(501) }), adjustment({ actor: '' }), adjustment({ adjustment_id: 'x'.repeat(129) }),
      { ...adjustment(), bucket: 'vip' as 'real' }, { ...adjustment(), currency: 'XXX' as 'EUR' },
    ]) {
      expect(await stub.requestAdjustment(bad), JSON.stringify(bad)).toMatchObject({ ok: false, code: 'validation_failed' });
    }
    expect(await stub.requestAdjustment({ ...adjustment(), currency: 'JPY' })).toMatchObject({ ok: false, code: 'unsupported_currency' });
    expect(await state(stub)).toBe(before);
    expect(await player(crypto.randomUUID()).requestAdjustment(adjustment())).toMatchObject({ ok: false, code: 'player_not_found' });
  });
});

describe('dispute resolution', () => {
  it('voids a losing bet: the stake comes back as a compensating entry, the bet entry stays', async () => {
    const { stub } = await funded(5000);
    const hold = await settledBet(stub, 1200);
    expect(await balance(stub)).toBe(3800);
    const d = { dispute_id: id('dsp'), hold_id: hold, resolution: 'void' as const, reason: 'game malfunction', actor: 'operator:a' };
    const r = await stub.resolveDispute(d);
    expect(r).toMatchObject({ ok: true, replayed: false, dispute: { dispute_id: d.dispute_id, hold_id: hold, resolution: 'void', amount_minor: 1200, actor: 'operator:a' } });
    expect(await balance(stub)).toBe(5000);
    const ledger = await stub.ledgerForOperator({ before: null, limit: 10, currency: null });
    if (!ledger.ok) throw new Error('ledger');
    expect(ledger.entries.map((e) => [e.kind, e.ref, e.amount_minor])).toEqual([
      ['adjustment', `dispute:${d.dispute_id}`, 1200], ['bet', hold, -1200], ['deposit', expect.any(String), 5000],
    ]);
    const i = await stub.inspect();
    expect(i.ok && i.open_holds).toEqual([]);
    expect((await eventsOf(stub, 'backoffice.dispute.resolved')).map((e) => e.payload)).toEqual([
      { dispute_id: d.dispute_id, ref: hold, resolution: 'void', amount_minor: 1200, actor: 'operator:a', reason: 'game malfunction' },
    ]);
    // replay of the same dispute; any second void of the bet is refused
    expect(await stub.resolveDispute(d)).toEqual({ ...r, replayed: true });
    expect(await stub.resolveDispute({ ...d, reason: 'other' })).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    expect(await stub.resolveDispute({ ...d, dispute_id: id('dsp') })).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await stub.resolveDispute({ ...d, dispute_id: id('dsp'), resolution: 'correct', amount_minor: 10 })).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await balance(stub)).toBe(5000);
    await expectHealthy(stub);
  });

  it('voids a winning bet: the wins credited against it are taken back, netted with the stake', async () => {
    const { stub } = await funded(5000);
    const hold = await settledBet(stub, 1000, [1500, 1000]);
    expect(await balance(stub)).toBe(6500);
    const r = await stub.resolveDispute({ dispute_id: id('dsp'), hold_id: hold, resolution: 'void', reason: 'bot play', actor: 'operator:a' });
    expect(r).toMatchObject({ ok: true, dispute: { amount_minor: -1500 } });
    expect(await balance(stub)).toBe(5000);
    await expectHealthy(stub);
  });

  it('refuses to void a winning bet the balance no longer covers, and writes nothing', async () => {
    const { stub } = await funded(1000);
    const hold = await settledBet(stub, 1000, [4000]);
    // the winnings are spent (held by another bet)
    await stub.reserveHold({ hold_id: id('hold'), currency: 'EUR', amount_minor: 3500, expires_at: null, ref: null });
    const before = await state(stub);
    const d = { dispute_id: id('dsp'), hold_id: hold, resolution: 'void' as const, reason: 'bot play', actor: 'operator:a' };
    expect(await stub.resolveDispute(d)).toMatchObject({ ok: false, code: 'insufficient_funds', details: { available_minor: 500 } });
    expect(await state(stub)).toBe(before);
    await expectHealthy(stub);
  });

  it('refuses holds that are not settled bets, and unknown holds', async () => {
    const { stub } = await funded(5000);
    const dispute = (hold_id: string) => ({ dispute_id: id('dsp'), hold_id, resolution: 'void' as const, reason: 'r', actor: 'operator:a' });
    const pending = id('hold');
    await stub.reserveHold({ hold_id: pending, currency: 'EUR', amount_minor: 100, expires_at: null, ref: null });
    const voided = id('hold');
    await stub.reserveHold({ hold_id: voided, currency: 'EUR', amount_minor: 100, expires_at: null, ref: null });
    await stub.voidHold(voided);
    await stub.setKycStatus('verified', null, 'operator:a');
    const wd = await stub.requestWithdrawal(await sessionOf(stub), 'wd-1', { currency: 'EUR', amount_minor: 100 });
    if (!wd.ok) throw new Error(JSON.stringify(wd));
    await stub.decideWithdrawal(wd.withdrawal.withdrawal_id, 'approve', 'operator:a', null);
    await stub.markWithdrawalPaid(wd.withdrawal.withdrawal_id);
    const before = await state(stub);
    expect(await stub.resolveDispute(dispute(pending))).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await stub.resolveDispute(dispute(voided))).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await stub.resolveDispute(dispute(wd.withdrawal.hold_id))).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await stub.resolveDispute(dispute('no-such-hold'))).toMatchObject({ ok: false, code: 'hold_not_found' });
    expect(await stub.resolveDispute({ ...dispute(pending), amount_minor: 5 })).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(await stub.resolveDispute({ ...dispute(pending), resolution: 'correct' })).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(await state(stub)).toBe(before);
    await expectHealthy(stub);
  });

  it('corrects a settled bet by a signed amount of real money, within what the bet could return', async () => {
    const { stub } = await funded(2000);
    const hold = await settledBet(stub, 500, [400]); // could return 5,000
    const correct = (amount_minor: number) => ({ dispute_id: id('dsp'), hold_id: hold, resolution: 'correct' as const, amount_minor, reason: 'mis-settled', actor: 'operator:a' });
    expect(await stub.resolveDispute(correct(600))).toMatchObject({ ok: true, dispute: { resolution: 'correct', amount_minor: 600, state: 'applied' } });
    expect(await stub.resolveDispute(correct(-100))).toMatchObject({ ok: true, dispute: { amount_minor: -100 } });
    expect(await balance(stub)).toBe(2000 - 500 + 400 + 600 - 100);
    // the bet's total return (400 + 500 so far) stays within 0..5,000
    expect(await stub.resolveDispute(correct(-901))).toMatchObject({ ok: false, code: 'correction_out_of_bounds', details: { min_minor: -900, max_minor: 4100 } });
    expect(await stub.resolveDispute(correct(4101))).toMatchObject({ ok: false, code: 'correction_out_of_bounds' });
    expect(await balance(stub)).toBe(2400);
    // a void after corrections puts the player back where they stood before the bet
    expect(await stub.resolveDispute({ dispute_id: id('dsp'), hold_id: hold, resolution: 'void', reason: 'void', actor: 'operator:b' })).toMatchObject({ ok: true, dispute: { amount_minor: 500 - 400 - 500 } });
    expect(await balance(stub)).toBe(2000);
    expect(await stub.resolveDispute(correct(10))).toMatchObject({ ok: false, code: 'invalid_state' });
    await expectHealthy(stub);
  });

  it('voids a bet staked partly with bonus money back into the buckets it came from', async () => {
    const { stub } = await funded(300);
    expect(await stub.requestAdjustment(adjustment({ bucket: 'bonus', amount_minor: 700 }))).toMatchObject({ ok: true });
    const hold = await settledBet(stub, 1000, [200]);
    expect([await balance(stub, 'real'), await balance(stub, 'bonus')]).toEqual([200, 0]);
    expect(await stub.resolveDispute({ dispute_id: id('dsp'), hold_id: hold, resolution: 'void', reason: 'r', actor: 'operator:a' })).toMatchObject({ ok: true, dispute: { amount_minor: 800 } });
    expect([await balance(stub, 'real'), await balance(stub, 'bonus')]).toEqual([300, 700]);
    await expectHealthy(stub);
  });
});

async function sessionOf(stub: Stub): Promise<string> {
  const i = await stub.inspect();
  if (!i.ok) throw new Error('no player');
  return i.sessions.find((s) => s.ended_at === null)!.session_id;
}

describe('operator reads', () => {
  it('inspect shows brand, VIP, full PII, withdrawals, adjustments and open holds', async () => {
    const p = await register({ brand: 'sakura', date_of_birth: '1984-03-09' });
    const stub = player(p.playerId);
    await deposit(p.token, 4000);
    await stub.setVip(true, 'operator:a');
    await stub.reserveHold({ hold_id: 'open-1', currency: 'EUR', amount_minor: 100, expires_at: null, ref: null });
    await stub.requestAdjustment(adjustment({ adjustment_id: 'adj-big', amount_minor: EUR_THRESHOLD + 1 }));
    await stub.setKycStatus('verified', null, 'operator:a');
    await stub.requestWithdrawal(await sessionOf(stub), 'wd', { currency: 'EUR', amount_minor: 500 });
    const i = await stub.inspect();
    if (!i.ok) throw new Error('inspect');
    expect(i.player).toMatchObject({ brand: 'sakura', vip: true, email: p.email.toLowerCase(), date_of_birth: '1984-03-09', kyc_status: 'verified' });
    expect(i.withdrawals.map((w) => [w.amount_minor, w.state])).toEqual([[500, 'requested']]);
    expect(i.adjustments.map((a) => [a.adjustment_id, a.state])).toEqual([['adj-big', 'pending']]);
    expect(i.open_holds.map((h) => [h.kind, h.real_minor]).sort()).toEqual([['bet', 100], ['withdrawal', 500]]);
    expect(i.relay).toMatchObject({ after_seq: expect.any(Number), failures: expect.any(Number) });
    expect(await player(crypto.randomUUID()).inspect()).toMatchObject({ ok: false, code: 'player_not_found' });
  });

  it('pages the ledger and the timeline newest first, without a player session', async () => {
    const { stub } = await funded(1000);
    for (let n = 1; n <= 5; n++) await stub.requestAdjustment(adjustment({ amount_minor: n }));
    const page1 = await stub.ledgerForOperator({ before: null, limit: 4, currency: 'EUR' });
    if (!page1.ok) throw new Error('ledger');
    expect(page1.entries.map((e) => e.amount_minor)).toEqual([5, 4, 3, 2]);
    const page2 = await stub.ledgerForOperator({ before: page1.next_before, limit: 4, currency: 'EUR' });
    expect(page2.ok && page2.entries.map((e) => e.amount_minor)).toEqual([1, 1000]);
    expect(page2.ok && page2.next_before).toBe(null);

    const all = (await stub.outbox(0, 1000)).map((r) => r.seq).reverse();
    const seen: number[] = [];
    let before: number | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const t = await stub.timeline({ before, limit: 3 });
      if (!t.ok) throw new Error('timeline');
      seen.push(...t.events.map((e) => e.seq));
      if (t.next_before === null) break;
      before = t.next_before;
    }
    expect(seen).toEqual(all);
    const newest = await stub.timeline({ limit: 1 });
    expect(newest.ok && newest.events[0]!.event.event_type).toBe('backoffice.adjustment.applied');
    expect(await player(crypto.randomUUID()).timeline({ limit: 5 })).toMatchObject({ ok: false, code: 'player_not_found' });
  });
});

// ---- relay -------------------------------------------------------------------------------------

function relayOf(o: unknown): Relay {
  return (o as { relay: Relay }).relay;
}

/** A back office stand-in: records batches, fails while `down`, and can be held mid-call. */
class FakeBrandOps implements IngestTarget {
  batches: RelayBatch[] = [];
  down = false;
  calls = 0;
  concurrent = 0;
  maxConcurrent = 0;
  gate: Promise<void> | null = null;

  async ingest(batch: RelayBatch) {
    this.calls++;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.gate) await this.gate;
      if (this.down) throw new Error('brand ops unavailable');
      this.batches.push(structuredClone(batch));
      return { ok: true, accepted: batch.events.length, duplicates: 0 };
    } finally {
      this.concurrent--;
    }
  }

  delivered(): number[] {
    return this.batches.flatMap((b) => b.events.map((e) => e.event_id)).map((eid) => this.seqOf.get(eid) ?? -1);
  }

  seqOf = new Map<string, number>();
}

/** A registered player whose relay talks to `fake` from its very first event. */
async function relayedPlayer(fake: FakeBrandOps, brand = 'aurora'): Promise<Stub> {
  const playerId = crypto.randomUUID();
  const stub = player(playerId);
  await stub.audit(); // instantiate without events
  await runInDurableObject(stub, (o: PlayerDO) => { relayOf(o).targetOf = () => fake; });
  const r = await stub.register({
    player_id: playerId, brand, email: `${playerId}@example.test`, password_hash: 'not-a-hash', date_of_birth: '1990-01-01', country: 'MT',
    jurisdiction: 'MT', currency: 'EUR', acquisition_source: null, config_version: 'test',
  }, { country: 'MT', ip: null, user_agent: null, device: 'unknown' });
  expect(r.ok).toBe(true);
  return stub;
}

async function quiet(stub: Stub) {
  return runInDurableObject(stub, async (o: PlayerDO) => {
    await relayOf(o).settled();
    return { ...relayOf(o).status(), scheduled: internals(o).c.schedules.pending().filter((j) => j.kind === RELAY_JOB) };
  });
}

async function outboxSeqs(stub: Stub, fake: FakeBrandOps): Promise<number[]> {
  const rows = await stub.outbox(0, 1000);
  for (const r of rows) fake.seqOf.set(r.event.event_id, r.seq);
  return rows.map((r) => r.seq);
}

describe('relay to the brand back office', () => {
  it('delivers new events with the player snapshot right after the transaction, then needs no retry', async () => {
    const fake = new FakeBrandOps();
    const stub = await relayedPlayer(fake, 'sakura');
    await stub.setVip(true, 'operator:a');
    const s = await quiet(stub);
    const seqs = await outboxSeqs(stub, fake);
    expect(fake.delivered()).toEqual(seqs);
    expect(s).toMatchObject({ after_seq: seqs.at(-1), failures: 0, scheduled: [] });
    const last = fake.batches.at(-1)!;
    expect(last.player).toMatchObject({ brand: 'sakura', vip: true, jurisdiction: 'MT', status: 'active', kyc_status: 'none' });
    expect(last.events.at(-1)!.event_type).toBe('player.vip.changed');
  });

  it('moves the cursor only after a successful ingest; the alarm retries a failed delivery', async () => {
    const fake = new FakeBrandOps();
    fake.down = true;
    const stub = await relayedPlayer(fake);
    const failed = await quiet(stub);
    expect(failed).toMatchObject({ after_seq: 0, failures: 1, last_error: 'brand ops unavailable' });
    expect(failed.scheduled).toHaveLength(1); // the retry, armed in the events' own transaction
    // while backing off, new events wait for the alarm instead of hammering the back office
    const calls = fake.calls;
    await stub.setVip(true, 'operator:a');
    expect((await quiet(stub)).after_seq).toBe(0);
    expect(fake.calls).toBe(calls);

    fake.down = false;
    await advance(await playerIdOf(stub), 60 * 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const ok = await quiet(stub);
    const seqs = await outboxSeqs(stub, fake);
    expect(ok).toMatchObject({ after_seq: seqs.at(-1), failures: 0, last_error: null, scheduled: [] });
    expect(fake.delivered()).toEqual(seqs); // in order, nothing lost, nothing sent twice after success
  });

  it('sends at most RELAY_BATCH_MAX events per call, in order', async () => {
    const fake = new FakeBrandOps();
    fake.down = true;
    const stub = await relayedPlayer(fake);
    await quiet(stub);
    await runInDurableObject(stub, (o: PlayerDO) => {
      // 130 adjustments in one go: 260 events, queued while the back office is down
      internals(o).ctx.storage.transactionSync(() => {
        const adj = (o as unknown as { adjustmentsRg: { request(i: unknown): unknown } }).adjustmentsRg;
        for (let n = 0; n < 130; n++) adj.request(adjustment({ adjustment_id: `bulk-${n}`, amount_minor: 1 }));
      });
    });
    fake.down = false;
    await runInDurableObject(stub, async (o: PlayerDO) => { await relayOf(o).kick(); });
    const seqs = await outboxSeqs(stub, fake);
    expect(seqs.length).toBeGreaterThan(RELAY_BATCH_MAX);
    expect(fake.batches.map((b) => b.events.length)).toEqual([RELAY_BATCH_MAX, seqs.length - RELAY_BATCH_MAX]);
    expect(fake.delivered()).toEqual(seqs);
    expect((await quiet(stub)).after_seq).toBe(seqs.at(-1));
  });

  it('never runs two deliveries at once; events committed meanwhile follow in the next batch', async () => {
    const fake = new FakeBrandOps();
    let release!: () => void;
    fake.gate = new Promise((r) => { release = r; });
    const stub = await relayedPlayer(fake);
    // the registration's delivery is held; three more transactions commit meanwhile
    await stub.setVip(true, 'operator:a');
    await stub.setVip(false, 'operator:a');
    await stub.requestAdjustment(adjustment({ amount_minor: 5 }));
    expect(fake.calls).toBe(1);
    fake.gate = null;
    release();
    await quiet(stub);
    const seqs = await outboxSeqs(stub, fake);
    expect(fake.maxConcurrent).toBe(1);
    expect(fake.batches).toHaveLength(2);
    expect(fake.delivered()).toEqual(seqs);
  });

  it("leaves a bet's hold steps out: a bet alone delivers nothing, the next delivery passes them, in order", async () => {
    const fake = new FakeBrandOps();
    const brand = 'sakura';
    const stub = await relayedPlayer(fake, brand);
    expect(await stub.requestAdjustment(adjustment({ amount_minor: 5_000 }))).toMatchObject({ ok: true }); // funds, relayed
    await quiet(stub);
    const calls = fake.calls;
    const seqBefore = (await outboxSeqs(stub, fake)).at(-1)!;

    // a bet (reserve + post) and a voided one: only hold steps, nothing the back office reads
    const stake = id('bet');
    expect(await stub.reserveHold({ hold_id: stake, currency: 'EUR', amount_minor: 100, expires_at: null, ref: 'round-1', max_return_minor: 1000 })).toMatchObject({ ok: true });
    expect(await stub.postHold(stake)).toMatchObject({ ok: true });
    const voided = id('bet');
    expect(await stub.reserveHold({ hold_id: voided, currency: 'EUR', amount_minor: 50, expires_at: null, ref: 'round-2' })).toMatchObject({ ok: true });
    expect(await stub.voidHold(voided)).toMatchObject({ ok: true });
    const afterBets = await quiet(stub);
    expect(fake.calls).toBe(calls); // no delivery, and no retry armed for one
    expect(afterBets).toMatchObject({ after_seq: seqBefore, failures: 0, scheduled: [] });

    // a win is for the back office: delivered at once, alone, and the cursor passes the hold steps too
    expect(await stub.creditWin({ win_id: id('win'), hold_id: stake, currency: 'EUR', amount_minor: 300, bucket: 'real' })).toMatchObject({ ok: true });
    const s = await quiet(stub);
    const seqs = await outboxSeqs(stub, fake);
    expect(fake.calls).toBe(calls + 1);
    expect(fake.batches.at(-1)!.events.map((e) => e.event_type)).toEqual(['wallet.win.credited']);
    expect(s).toMatchObject({ after_seq: seqs.at(-1), failures: 0, scheduled: [] });
    const all = await events(stub);
    expect(fake.batches.flatMap((b) => b.events.map((e) => e.event_id))).toEqual(all.filter((e) => forBackOffice(e.event_type)).map((e) => e.event_id));
    const left = all.filter((e) => !forBackOffice(e.event_type));
    expect(new Set(left.map((e) => e.event_type))).toEqual(new Set(['wallet.hold.reserved', 'wallet.hold.posted', 'wallet.hold.voided']));

    // ... and the real back office would have done nothing with them: applied, they change no
    // queue, alert, count or snapshot (ingest.ts routes none of NOT_FOR_BACK_OFFICE)
    type Ops = { ingest(b: RelayBatch): Promise<unknown>; counts(): Promise<unknown>; alerts(): Promise<unknown>; player(id: string): Promise<unknown> };
    const ops = env.BRAND_OPS.getByName(`ops:${brand}`) as unknown as Ops;
    const snapshot = fake.batches.at(-1)!.player;
    await ops.ingest({ player: snapshot, events: [] });
    const view = async () => JSON.stringify([await ops.counts(), await ops.alerts(), await ops.player(snapshot.player_id)]);
    const before = await view();
    expect(await ops.ingest({ player: snapshot, events: left })).toMatchObject({ ok: true, accepted: left.length });
    expect(await view()).toBe(before);
    expect(NOT_FOR_BACK_OFFICE).toEqual(expect.arrayContaining([...new Set(left.map((e) => e.event_type))]));
  });

  const hasBrandOps = ['ingest', 'seen'].every((m) => typeof (BrandOpsDO.prototype as unknown as Record<string, unknown>)[m] === 'function');
  it.runIf(hasBrandOps)('reaches the real BrandOpsDO of the player\'s brand', async () => {
    const p = await register({ brand: 'sakura' });
    const stub = player(p.playerId);
    await stub.setVip(true, 'operator:a');
    await quiet(stub);
    const ops = env.BRAND_OPS.getByName('ops:sakura') as unknown as { seen(eventId: string): Promise<boolean> };
    for (const e of await events(stub)) expect(await ops.seen(e.event_id), e.event_type).toBe(true);
    expect((await quiet(stub)).failures).toBe(0);
  });
});

async function playerIdOf(stub: Stub): Promise<string> {
  const i = await stub.inspect();
  if (!i.ok) throw new Error('no player');
  return i.player.player_id;
}
