/**
 * A player cancels (reverses) a requested withdrawal: POST /v1/wallet/withdrawals/{id}/cancel.
 * Reviewed as an attacker (cancel racing approve, double cancel, cancel then pay, a retry after the
 * object restarted, another player's withdrawal) and as an auditor (balance == sum of the ledger,
 * held <= balance, the withdrawal's hold released exactly once, no ledger entry for a cancellation).
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { PlayerDO } from '../../durable/player/player-do';
import { call, deposit, expectError, idemKey, internals, player, register, type Json, type Registered } from './helpers';

async function verified(amount = 10_000): Promise<Registered> {
  const p = await register();
  expect((await deposit(p.token, amount)).status).toBe(201);
  const kyc = await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'X123' }, { token: p.token });
  expect(kyc.body.player.kyc_status).toBe('verified');
  return p;
}

async function withdraw(p: Registered, amount: number): Promise<string> {
  const r = await call('POST', '/v1/wallet/withdrawals', { amount_minor: amount, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
  expect(r.status).toBe(201);
  return r.body.withdrawal.withdrawal_id as string;
}

const cancel = (p: Registered, id: string) => call('POST', `/v1/wallet/withdrawals/${encodeURIComponent(id)}/cancel`, undefined, { token: p.token });
const eur = async (p: Registered) => (await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances.find((b: Json) => b.currency === 'EUR');

/** Everything a cancellation may touch, read inside the object: compared before and after a refusal. */
async function snapshot(playerId: string) {
  return runInDurableObject(player(playerId), (o: PlayerDO) => {
    const db = internals(o).c.db;
    return {
      balances: db.all`select * from balances order by currency, bucket`,
      ledger: db.all`select entry_id, kind, amount_minor, ref from ledger order by entry_id`,
      holds: db.all`select hold_id, state, resolved_at from holds order by hold_id`,
      withdrawals: db.all`select withdrawal_id, state, decided_by, updated_at from withdrawals order by withdrawal_id`,
      events: db.all`select event_type from outbox order by seq`,
    };
  });
}

/** Events of one withdrawal (and its hold) in the player's outbox, oldest first. */
async function eventsOf(playerId: string, withdrawalId: string) {
  const rows = await player(playerId).outbox(0, 500);
  return rows.map((r) => r.event).filter((e) => e.payload.withdrawal_id === withdrawalId || e.payload.hold_id === `wd:${withdrawalId}`);
}

describe('a player cancels a requested withdrawal', () => {
  it('releases the hold (funds available again, no ledger entry), emits wallet.withdrawal.cancelled once, and replays', async () => {
    const p = await verified(10_000);
    const id = await withdraw(p, 4_000);
    expect(await eur(p)).toMatchObject({ real_minor: 10_000, held_minor: 4_000, available_minor: 6_000 });
    const ledgerBefore = (await snapshot(p.playerId)).ledger;

    const r = await cancel(p, id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ replayed: false, withdrawal: { withdrawal_id: id, state: 'cancelled', decided_by: 'player', amount_minor: 4_000, currency: 'EUR' } });
    expect(await eur(p)).toMatchObject({ real_minor: 10_000, held_minor: 0, available_minor: 10_000 });
    const after = await snapshot(p.playerId);
    expect(after.ledger).toEqual(ledgerBefore); // a hold that never posted leaves the ledger alone
    expect(after.holds).toContainEqual(expect.objectContaining({ hold_id: `wd:${id}`, state: 'voided' }));

    // the same answer again, nothing more happens
    const again = await cancel(p, id);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, withdrawal: r.body.withdrawal });
    expect(await snapshot(p.playerId)).toEqual(after);

    const events = await eventsOf(p.playerId, id);
    expect(events.map((e) => e.event_type)).toEqual(['wallet.hold.reserved', 'wallet.withdrawal.requested', 'wallet.hold.voided', 'wallet.withdrawal.cancelled']);
    expect(events[3]).toMatchObject({ currency: 'EUR', payload: { withdrawal_id: id, amount_minor: 4_000, actor: 'player' } });
    expect(events[2]!.payload).toEqual({ hold_id: `wd:${id}`, kind: 'withdrawal', amount_minor: 4_000 });
    expect(await player(p.playerId).audit()).toEqual([]);

    // the player's list shows it cancelled; the money can be withdrawn (or played) again in full
    const list = await call('GET', '/v1/wallet/withdrawals', undefined, { token: p.token });
    expect(list.body.withdrawals.find((w: Json) => w.withdrawal_id === id)).toMatchObject({ state: 'cancelled' });
    await withdraw(p, 10_000);
  });

  it('is refused with 409 withdrawal_not_cancellable once approved, paid or rejected, and nothing changes', async () => {
    const p = await verified(10_000);
    const stub = player(p.playerId);
    const approved = await withdraw(p, 1_000);
    const paid = await withdraw(p, 2_000);
    const rejected = await withdraw(p, 3_000);
    expect(await stub.decideWithdrawal(approved, 'approve', 'operator:o1', null)).toMatchObject({ ok: true });
    expect(await stub.decideWithdrawal(paid, 'approve', 'operator:o1', null)).toMatchObject({ ok: true });
    expect(await stub.markWithdrawalPaid(paid)).toMatchObject({ ok: true });
    expect(await stub.decideWithdrawal(rejected, 'reject', 'operator:o1', 'docs')).toMatchObject({ ok: true });
    const before = await snapshot(p.playerId);
    for (const [id, state] of [[approved, 'approved'], [paid, 'paid'], [rejected, 'rejected']] as const) {
      const r = await cancel(p, id);
      expectError(r, 409, 'withdrawal_not_cancellable');
      expect(r.body.error.details).toEqual({ withdrawal_id: id, state });
    }
    expect(await snapshot(p.playerId)).toEqual(before);
    // the approved one is still held and can still be paid
    expect(await eur(p)).toMatchObject({ real_minor: 8_000, held_minor: 1_000, available_minor: 7_000 });
    expect(await stub.markWithdrawalPaid(approved)).toMatchObject({ ok: true, withdrawal: { state: 'paid' } });
    expect(await stub.audit()).toEqual([]);
  });

  it('cancelled is final: an operator cannot approve, reject or pay it (409 invalid_state), nothing changes', async () => {
    const p = await verified(5_000);
    const stub = player(p.playerId);
    const id = await withdraw(p, 5_000);
    expect((await cancel(p, id)).status).toBe(200);
    const before = await snapshot(p.playerId);
    for (const r of [
      await stub.decideWithdrawal(id, 'approve', 'operator:o1', null),
      await stub.decideWithdrawal(id, 'reject', 'operator:o1', 'late'),
      await stub.markWithdrawalPaid(id),
    ]) expect(r).toMatchObject({ ok: false, code: 'invalid_state', details: { state: 'cancelled' } });
    expect(await snapshot(p.playerId)).toEqual(before);
    expect(await eur(p)).toMatchObject({ real_minor: 5_000, held_minor: 0, available_minor: 5_000 });
  });

  it('unknown ids and other players\' withdrawals are 404 withdrawal_not_found; a token is required', async () => {
    const p = await verified(5_000);
    const other = await verified(5_000);
    const theirs = await withdraw(other, 2_500);
    expectError(await cancel(p, 'no-such-withdrawal'), 404, 'withdrawal_not_found');
    expectError(await cancel(p, theirs), 404, 'withdrawal_not_found');
    expectError(await call('POST', `/v1/wallet/withdrawals/${theirs}/cancel`), 401, 'unauthenticated');
    expectError(await call('POST', `/v1/wallet/withdrawals/${'x'.repeat(65)}/cancel`, undefined, { token: p.token }), 400, 'validation_failed');
    // the other player's withdrawal is untouched
    expect((await call('GET', '/v1/wallet/withdrawals', undefined, { token: other.token })).body.withdrawals[0]).toMatchObject({ withdrawal_id: theirs, state: 'requested' });
    expect(await eur(other)).toMatchObject({ held_minor: 2_500 });
  });

  it('Great Britain: no reverse withdrawals (UKGC), refused with 409 and nothing changes; the operator still decides it', async () => {
    const p = await register({ country: 'GB' }, { country: 'GB' });
    expect((await deposit(p.token, 5_000, 'GBP', idemKey(), { country: 'GB' })).status).toBe(201);
    const kyc = await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'X123' }, { token: p.token, country: 'GB' });
    expect(kyc.body.player.kyc_status).toBe('verified');
    const w = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 3_000, currency: 'GBP' }, { token: p.token, country: 'GB', headers: { 'Idempotency-Key': idemKey() } });
    expect(w.status).toBe(201);
    const id = w.body.withdrawal.withdrawal_id as string;
    const before = await snapshot(p.playerId);
    const r = await call('POST', `/v1/wallet/withdrawals/${id}/cancel`, undefined, { token: p.token, country: 'GB' });
    expectError(r, 409, 'withdrawal_not_cancellable');
    expect(r.body.error.details).toEqual({ withdrawal_id: id, state: 'requested', jurisdiction: 'GB' });
    expect(await snapshot(p.playerId)).toEqual(before);
    expect(await player(p.playerId).decideWithdrawal(id, 'approve', 'operator:o1', null)).toMatchObject({ ok: true, withdrawal: { state: 'approved' } });
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('cooling off: no cancellation (the break ends the session), the payout stays on its way', async () => {
    const p = await verified(5_000);
    const id = await withdraw(p, 3_000);
    expect((await call('POST', '/v1/cool-off', { hours: 24 }, { token: p.token })).status).toBe(200);
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.status).toBe(403);
    // the break ended the session it was asked in, and no new one opens until it is over (asActivePlayer
    // would refuse a session that somehow survived with 403 cooling_off)
    expectError(await cancel(p, id), 401, 'session_expired');
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).walletRg.withdrawal(id)?.state)).toBe('requested');
  });

  it('cancel racing an approval: exactly one wins, the hold ends once, the books balance', async () => {
    for (let round = 0; round < 6; round++) {
      const p = await verified(10_000);
      const stub = player(p.playerId);
      const id = await withdraw(p, 6_000);
      const order = round % 2 === 0;
      const [c, a] = order
        ? await Promise.all([cancel(p, id), stub.decideWithdrawal(id, 'approve', 'operator:o1', null)])
        : await Promise.all([stub.decideWithdrawal(id, 'approve', 'operator:o1', null), cancel(p, id)]).then(([x, y]) => [y, x] as const);
      const cancelled = c.status === 200;
      expect(cancelled !== a.ok, `one of cancel (${c.status}) and approve (${JSON.stringify(a)}) wins`).toBe(true);
      if (!cancelled) expectError(c, 409, 'withdrawal_not_cancellable');
      else expect(a).toMatchObject({ ok: false, code: 'invalid_state' });
      // then the payout: only an approved withdrawal pays; a cancelled one is refused and its money stays
      const paid = await stub.markWithdrawalPaid(id);
      expect(paid.ok).toBe(!cancelled);
      expect(await eur(p)).toMatchObject(cancelled ? { real_minor: 10_000, held_minor: 0 } : { real_minor: 4_000, held_minor: 0 });
      const holdEnds = (await eventsOf(p.playerId, id)).filter((e) => ['wallet.hold.voided', 'wallet.hold.posted', 'wallet.hold.expired'].includes(e.event_type));
      expect(holdEnds.map((e) => e.event_type)).toEqual([cancelled ? 'wallet.hold.voided' : 'wallet.hold.posted']);
      expect(await stub.audit()).toEqual([]);
    }
  });

  it('double cancel sent at once: one cancellation, one replay, one event', async () => {
    const p = await verified(10_000);
    const id = await withdraw(p, 7_000);
    const answers = await Promise.all([cancel(p, id), cancel(p, id), cancel(p, id)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.replayed === false)).toHaveLength(1);
    const events = (await eventsOf(p.playerId, id)).map((e) => e.event_type);
    expect(events.filter((t) => t === 'wallet.withdrawal.cancelled')).toHaveLength(1);
    expect(events.filter((t) => t === 'wallet.hold.voided')).toHaveLength(1);
    expect(await eur(p)).toMatchObject({ real_minor: 10_000, held_minor: 0, available_minor: 10_000 });
  });

  it('a retry after the object restarted replays the cancellation from storage', async () => {
    const p = await verified(10_000);
    const id = await withdraw(p, 2_500);
    expect((await cancel(p, id)).body.replayed).toBe(false);
    const died = await runInDurableObject(player(p.playerId), async (o: PlayerDO) => {
      await internals(o).ctx.storage.sync();
      internals(o).ctx.abort('test: restart after a cancellation');
    }).then(() => 'alive', (e: Error) => e.message);
    expect(died).toContain('restart after a cancellation');
    const retry = await cancel(p, id);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ replayed: true, withdrawal: { state: 'cancelled' } });
    expect((await eventsOf(p.playerId, id)).filter((e) => e.event_type === 'wallet.withdrawal.cancelled')).toHaveLength(1);
    expect(await eur(p)).toMatchObject({ real_minor: 10_000, held_minor: 0 });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});
