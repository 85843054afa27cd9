/**
 * Posting a hold (Wallet.postHold), reviewed as an attacker and an auditor against the expiry rule
 * that a table's settlement already follows (docs/live-tables.md: "expiry is measured against the
 * player object's clock when the settlement arrives"). Through the edge entry's postHold RPC (the
 * production object has none: its callers are the provider wallet and the sandbox round, which
 * reserve and post in one transaction with no expiry), so that every path to a post keeps it:
 *  1. a bet's hold past its expiry, its alarm not run yet, is expired first (stake back, usage given
 *     back) and the post refused as if the alarm had come first: the same answer, state and events
 *     whatever the order, also across a restart in between;
 *  2. a post that succeeded in time still answers as a replay once the expiry has passed: the
 *     money left once and stays gone; a provider's debit (reserved and posted at once, no expiry)
 *     retried a day later answers its first result;
 *  3. a withdrawal's hold is not a bet: it never expires, and only its withdrawal's decision may
 *     post it (markWithdrawalPaid), never a raw post behind the withdrawal's back.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { PlayerDO } from '../../durable/player/player-do';
import { signProviderRequest } from '../../worker/provider/signature';
import { advance, call, deposit, idemKey, internals, player, register, restartPlayer, type Registered } from './helpers';

const HOUR = 3_600_000;

/** Everything a post may touch, read inside the object: compared before and after a refusal. */
async function snapshot(playerId: string) {
  return runInDurableObject(player(playerId), (o: PlayerDO) => {
    const db = internals(o).c.db;
    return {
      balances: db.all`select * from balances order by currency, bucket`,
      ledger: db.all<{ entry_id: number; kind: string; amount_minor: number; ref: string }>`select entry_id, kind, amount_minor, ref from ledger order by entry_id`,
      holds: db.all`select hold_id, kind, state, resolved_at from holds order by hold_id`,
      withdrawals: db.all`select withdrawal_id, state, updated_at from withdrawals order by withdrawal_id`,
      usage: db.all<{ metric: string; currency: string; hour: number; amount_minor: number }>`select * from rg_usage order by metric, currency, hour`,
      events: db.all`select event_type from outbox order by seq`,
    };
  });
}

async function holdState(playerId: string, holdId: string): Promise<string | null> {
  return runInDurableObject(player(playerId), (o: PlayerDO) => internals(o).walletRg.hold(holdId)?.state ?? null);
}

/** The hold's events in the player's outbox, oldest first. */
async function holdEvents(playerId: string, holdId: string): Promise<string[]> {
  return (await player(playerId).outbox(0, 500)).filter((r) => r.event.payload.hold_id === holdId).map((r) => r.event.event_type);
}

/** The EUR balance, read inside the object (the player's session may have timed out on the moved clock). */
async function eur(p: Registered) {
  return runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).walletRg.balances().find((b) => b.currency === 'EUR'));
}

/** A player with 10,000 EUR and a bet's hold of 1,000 that expires in an hour, the hour passed, its alarm not run. */
async function overdueBet(tag: string) {
  const p = await register();
  expect((await deposit(p.token, 10_000)).status).toBe(201);
  const holdId = `bet:${tag}:${crypto.randomUUID()}`;
  expect(await player(p.playerId).reserveHold({ hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + HOUR, ref: tag })).toMatchObject({ ok: true, replayed: false });
  expect(await eur(p)).toMatchObject({ real_minor: 10_000, held_minor: 1_000 });
  await advance(p.playerId, HOUR + 1_000);
  return { p, holdId };
}

/** What an expired bet leaves: stake back, no ledger entry, one expiry event, no post. */
async function expectExpired(p: Registered, holdId: string) {
  expect(await holdState(p.playerId, holdId)).toBe('expired');
  expect(await eur(p)).toMatchObject({ real_minor: 10_000, held_minor: 0, available_minor: 10_000 });
  expect(await holdEvents(p.playerId, holdId)).toEqual(['wallet.hold.reserved', 'wallet.hold.expired']);
  const s = await snapshot(p.playerId);
  expect(s.ledger.filter((e) => e.ref === holdId)).toEqual([]);
  expect(await player(p.playerId).audit()).toEqual([]);
}

describe('1. a bet past its expiry is never posted: expiry first, whatever the order', () => {
  it('post first: the overdue hold is expired (stake back) and the post refused, as if the alarm had run', async () => {
    const { p, holdId } = await overdueBet('post-first');
    const r = await player(p.playerId).postHold(holdId);
    expect(r).toMatchObject({ ok: false, code: 'invalid_state', details: { hold_id: holdId, state: 'expired' } });
    await expectExpired(p, holdId);
    // the alarm that comes afterwards finds nothing left to do
    const before = await snapshot(p.playerId);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    expect((await snapshot(p.playerId)).holds).toEqual(before.holds);
    await expectExpired(p, holdId);
    // a retry of the post answers the same, and no win can be credited on the stake that came back
    expect(await player(p.playerId).postHold(holdId)).toMatchObject({ ok: false, code: 'invalid_state', details: { state: 'expired' } });
    expect(await player(p.playerId).creditWin({ win_id: `${holdId}:win`, hold_id: holdId, currency: 'EUR', amount_minor: 5_000, bucket: 'real' }))
      .toMatchObject({ ok: false, code: 'invalid_state' });
    await expectExpired(p, holdId);
  });

  it('alarm first: the same answer, state and events', async () => {
    const { p, holdId } = await overdueBet('alarm-first');
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    expect(await holdState(p.playerId, holdId)).toBe('expired');
    expect(await player(p.playerId).postHold(holdId)).toMatchObject({ ok: false, code: 'invalid_state', details: { hold_id: holdId, state: 'expired' } });
    await expectExpired(p, holdId);
  });

  it('the expiry gives the stake\'s wager and loss usage back, as the alarm does', async () => {
    const first = await overdueBet('usage-post');
    await player(first.p.playerId).postHold(first.holdId);
    const second = await overdueBet('usage-alarm');
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(second.p.playerId))); i++);
    const net = async (playerId: string) => (await snapshot(playerId)).usage
      .reduce<Record<string, number>>((acc, u) => ({ ...acc, [u.metric]: (acc[u.metric] ?? 0) + u.amount_minor }), {});
    const afterPost = await net(first.p.playerId);
    expect(afterPost).toEqual(await net(second.p.playerId));
    expect(afterPost.wager ?? 0).toBe(0);
    expect(afterPost.loss ?? 0).toBe(0);
  });

  it('a restart between the expiry and the post: the new instance refuses it too (its alarm not run yet)', async () => {
    const { p, holdId } = await overdueBet('restart');
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      // no relay delivery in flight when the object is aborted (it would reject with the abort)
      (o as unknown as { relay: { targetOf: unknown } }).relay.targetOf = () => ({ ingest: async () => ({ ok: true }) });
    });
    await restartPlayer(p.playerId);
    // the clock offset lived in the old instance's memory: the new one's is moved past the expiry again
    await advance(p.playerId, HOUR + 1_000);
    expect(await holdState(p.playerId, holdId)).toBe('pending');
    expect(await player(p.playerId).postHold(holdId)).toMatchObject({ ok: false, code: 'invalid_state', details: { hold_id: holdId, state: 'expired' } });
    await expectExpired(p, holdId);
  });

  it('a caller whose transaction rolls refusals back (as PlayerDO.tx does by default) gets the same refusal; the alarm then expires the hold', async () => {
    const { p, holdId } = await overdueBet('rolled-back');
    const r = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const tx = (o as unknown as { tx: <T>(fn: () => T) => T }).tx.bind(o);
      return tx(() => internals(o).walletRg.postHold(holdId));
    });
    expect(r).toMatchObject({ ok: false, code: 'invalid_state', details: { hold_id: holdId, state: 'expired' } });
    // the expiry was rolled back with the refusal: nothing was posted, and the stake is still held
    expect(await holdState(p.playerId, holdId)).toBe('pending');
    expect(await holdEvents(p.playerId, holdId)).toEqual(['wallet.hold.reserved']);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    await expectExpired(p, holdId);
  });

  it('a hold within its expiry is posted as before, up to the last millisecond before it', async () => {
    const p = await register();
    expect((await deposit(p.token, 10_000)).status).toBe(201);
    const holdId = `bet:in-time:${crypto.randomUUID()}`;
    const expiresAt = Date.now() + HOUR;
    await player(p.playerId).reserveHold({ hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: expiresAt, ref: null });
    // the object's clock is moved to just before the expiry (what it reads, not the wall clock)
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => { internals(o).c.clockOffsetMs = expiresAt - 500 - Date.now(); });
    expect(await player(p.playerId).postHold(holdId)).toMatchObject({ ok: true, replayed: false, hold: { state: 'posted' }, balance_after_minor: 9_000 });
    expect(await holdEvents(p.playerId, holdId)).toEqual(['wallet.hold.reserved', 'wallet.hold.posted']);
  });
});

describe('2. a post that succeeded in time is final', () => {
  it('its replay after the expiry passed answers the post (replayed), and neither the replay nor the alarm expires it', async () => {
    const p = await register();
    expect((await deposit(p.token, 10_000)).status).toBe(201);
    const holdId = `bet:replay:${crypto.randomUUID()}`;
    await player(p.playerId).reserveHold({ hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + HOUR, ref: null });
    const first = await player(p.playerId).postHold(holdId);
    expect(first).toMatchObject({ ok: true, replayed: false, balance_after_minor: 9_000 });
    await advance(p.playerId, HOUR + 1_000);
    const again = await player(p.playerId).postHold(holdId);
    expect(again).toMatchObject({ ok: true, replayed: true, hold: { hold_id: holdId, state: 'posted' }, balance_after_minor: 9_000 });
    if (!first.ok || !again.ok) throw new Error('unreachable');
    expect(again.hold).toEqual(first.hold);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    expect(await holdState(p.playerId, holdId)).toBe('posted');
    expect(await eur(p)).toMatchObject({ real_minor: 9_000, held_minor: 0 });
    expect(await holdEvents(p.playerId, holdId)).toEqual(['wallet.hold.reserved', 'wallet.hold.posted']);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
  it('a provider retrying a debit a day later gets its first result: the stake was posted at once, and its hold never expires', async () => {
    const p = await register();
    expect((await deposit(p.token, 10_000)).status).toBe(201);
    const launch = await call('POST', '/v1/games/sandbox-starfall-fortune/launch', {}, { token: p.token });
    expect(launch.status, JSON.stringify(launch.body)).toBe(200);
    const raw = JSON.stringify({ token: launch.body.token, tx_id: `late-${crypto.randomUUID()}`, round_id: 'r-late', game_id: 'sandbox-starfall-fortune', currency: 'EUR', amount_minor: 1_000 });
    const debit = async () => call('POST', '/v1/provider/sandbox-slots/bet', raw, {
      headers: { 'Content-Type': 'application/json', ...await signProviderRequest(env.PROVIDER_SECRET_SANDBOX_SLOTS, 'bet', raw) },
    });
    const first = await debit();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const holdId = `prov:sandbox-slots:${JSON.parse(raw).tx_id}`;
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).walletRg.hold(holdId))).toMatchObject({ state: 'posted', expires_at: null });
    await advance(p.playerId, 30 * HOUR);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    const again = await debit();
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    expect(await holdState(p.playerId, holdId)).toBe('posted');
    expect(await eur(p)).toMatchObject({ real_minor: 9_000, held_minor: 0 });
    expect((await snapshot(p.playerId)).ledger.filter((e) => e.ref === holdId)).toHaveLength(1);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('3. a withdrawal\'s hold is posted by its payout only', () => {
  async function requested() {
    const p = await register();
    expect((await deposit(p.token, 10_000)).status).toBe(201);
    const kyc = await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'X123' }, { token: p.token });
    expect(kyc.body.player.kyc_status).toBe('verified');
    const w = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 4_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
    expect(w.status).toBe(201);
    const id = w.body.withdrawal.withdrawal_id as string;
    return { p, id, holdId: `wd:${id}` };
  }

  it('a raw post of a requested withdrawal\'s hold is refused and changes nothing; the player can still cancel it', async () => {
    const { p, id, holdId } = await requested();
    const before = await snapshot(p.playerId);
    expect(await player(p.playerId).postHold(holdId)).toMatchObject({ ok: false, code: 'invalid_state', details: { hold_id: holdId, kind: 'withdrawal' } });
    expect(await snapshot(p.playerId)).toEqual(before);
    const cancelled = await call('POST', `/v1/wallet/withdrawals/${id}/cancel`, undefined, { token: p.token });
    expect(cancelled.body).toMatchObject({ withdrawal: { state: 'cancelled' } });
    expect(await eur(p)).toMatchObject({ real_minor: 10_000, held_minor: 0 });
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('nor of an approved one: only the payout posts it, once', async () => {
    const { p, id, holdId } = await requested();
    expect(await player(p.playerId).decideWithdrawal(id, 'approve', 'op:alice', null)).toMatchObject({ ok: true });
    const before = await snapshot(p.playerId);
    expect(await player(p.playerId).postHold(holdId)).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await snapshot(p.playerId)).toEqual(before);
    expect(await player(p.playerId).markWithdrawalPaid(id)).toMatchObject({ ok: true, withdrawal: { state: 'paid' } });
    expect(await eur(p)).toMatchObject({ real_minor: 6_000, held_minor: 0 });
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('it never expires: a day and more later, alarms run, the withdrawal and its hold are as they were', async () => {
    const { p, id, holdId } = await requested();
    await advance(p.playerId, 30 * HOUR);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    expect(await holdState(p.playerId, holdId)).toBe('pending');
    const w = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).walletRg.withdrawal(id));
    expect(w).toMatchObject({ state: 'requested' });
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).walletRg.expireHold(holdId))).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await holdState(p.playerId, holdId)).toBe('pending');
  });
});
