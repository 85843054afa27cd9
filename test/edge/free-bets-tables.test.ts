/**
 * Free bets staked at a live table (docs/rewards.md "Cash-like rewards"), through the real worker,
 * table and player objects: `free_bet_id` on POST /v1/tables/{id}/bets takes the token instead of
 * holding the player's money; a win pays the return without the stake (a `win` of the free-bet
 * hold, real money), a loss and a push pay nothing; every refusal has its code and changes nothing;
 * the same bet retried is one use; a voided round gives the token back, once, and it can be used
 * again; the wallet's audit stays clean. A property: under any sequence of placing, retrying,
 * voiding and settling, a token is in play at most once and wins at most once.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import type { Currency } from '../../domain/money';
import type { PlayerDO } from '../../durable/player/player-do';
import type { PlayerRewards } from '../../durable/player/rewards';
import type { TableDO } from '../../durable/table/table-do';
import { advance, call, expectError, internals, player, type Json, type Registered } from './helpers';
import { giveFreeBet, playerState, rewardsOf } from './free-bet-helpers';
import { funded, sessionOf } from './money-helpers';
import { opCall, tableCrew, type Operator } from './ops-helpers';

const ROULETTE = 'roulette-1';
const table = (id: string) => env.TABLE.getByName(id) as DurableObjectStub<TableDO>;

let dealer: Operator;
let floor: Operator;

beforeAll(async () => {
  ({ dealer, floor } = await tableCrew());
});

async function freeBetStatus(p: Registered, grantId: string): Promise<string | undefined> {
  const view = await call('GET', '/v1/players/me/rewards', undefined, { token: p.token });
  return (view.body.free_bets as Json[]).find((f) => f.grant_id === grantId)?.status;
}

async function available(p: Registered): Promise<number> {
  const r = await call('GET', '/v1/wallet', undefined, { token: p.token });
  return (r.body.balances as Json[]).find((b) => b.currency === 'EUR')?.available_minor ?? 0;
}

function bet(p: Registered, roundId: string, spot: string, amount_minor: number, over: Json = {}, tableId = ROULETTE) {
  return call('POST', `/v1/tables/${tableId}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot, amount_minor, currency: 'EUR', ...over }, { token: p.token });
}

async function openRound(): Promise<string> {
  const r = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.round.round_id as string;
}

async function result(roundId: string, number: number): Promise<void> {
  const r = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${roundId}/result`, dealer, { outcome: { number } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function playerEvents(p: Registered): Promise<CasinoEvent[]> {
  return (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
}

async function tableEvents(roundId: string): Promise<CasinoEvent[]> {
  return (await table(ROULETTE).outbox(0, 1000)).map((r) => r.event).filter((e) => e.round_id === roundId);
}

describe('a free bet staked at a roulette table', () => {
  it('wins: the return without the stake, as real money, once; the events name the free bet', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500 });
    const roundId = await openRound();
    const placed = await bet(p, roundId, 'straight:17', 500, { free_bet_id: grantId });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body.bet).toMatchObject({ state: 'accepted', amount_minor: 500, free_bet_id: grantId });
    expect(placed.body.available_minor).toBe(10_000); // none of the player's money is held
    expect(await available(p)).toBe(10_000);
    expect(await freeBetStatus(p, grantId)).toBe('used');

    await result(roundId, 17);
    // 500 * 36 returned; the stake (the operator's) is not: 17,500 paid
    expect(await available(p)).toBe(10_000 + 500 * 36 - 500);
    const state = await playerState(p);
    const holdId = `table:${ROULETTE}:${placed.body.bet.bet_id}`;
    expect(state.ledger.filter((l: Json) => l.kind !== 'deposit')).toEqual([{ entry_id: expect.any(Number), kind: 'win', amount_minor: 17_500, ref: `${holdId}:return` }]);
    expect(state.holds).toEqual([{ hold_id: holdId, state: 'posted', real_minor: 0, bonus_minor: 0 }]);
    expect(state.play_usage).toEqual([]); // no loss or wager limit counted the stake or the win

    // the table's settlement retried: nothing paid twice
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, state: 'posted' });
    expect(await available(p)).toBe(27_500);
    expect(await player(p.playerId).audit()).toEqual([]);

    const events = [...await playerEvents(p), ...await tableEvents(roundId)];
    for (const e of events) expect(validateEvent(e), e.event_type).toMatchObject({ ok: true });
    expect(events.find((e) => e.event_type === 'wallet.hold.reserved')?.payload).toMatchObject({ hold_id: holdId, amount_minor: 0, free_bet_id: grantId });
    expect(events.filter((e) => e.event_type === 'wallet.win.credited').map((e) => e.payload)).toEqual([
      { win_id: `${holdId}:return`, hold_id: holdId, bucket: 'real', amount_minor: 17_500, balance_after_minor: 27_500, free_bet_id: grantId },
    ]);
    expect(events.find((e) => e.event_type === 'table.bet.placed')?.payload).toMatchObject({ amount_minor: 500, free_bet_id: grantId });
    expect(events.find((e) => e.event_type === 'table.bet.settled')?.payload).toMatchObject({ amount_minor: 500, returned_minor: 18_000, result: 'win', free_bet_id: grantId });
  });

  it('loses: nothing moves; the token stays used', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 300 });
    const before = await playerState(p);
    const roundId = await openRound();
    expect((await bet(p, roundId, 'red', 300, { free_bet_id: grantId })).status).toBe(201);
    await result(roundId, 2); // black
    expect(await available(p)).toBe(10_000);
    const after = await playerState(p);
    expect(after.balances).toEqual(before.balances);
    expect(after.ledger).toEqual(before.ledger);
    expect(after.uses).toHaveLength(1);
    expect(after.play_usage).toEqual([]);
    expect(await freeBetStatus(p, grantId)).toBe('used');
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('refusals (unknown, wrong amount, currency or table, used, expired) keep their codes and change nothing', async () => {
    const p = await funded(10_000);
    const good = await giveFreeBet(p, { value_minor: 500 });
    const otherTable = await giveFreeBet(p, { value_minor: 500, table_id: 'roulette-2' });
    const gbp = await giveFreeBet(p, { value_minor: 500, currency: 'GBP' });
    const expired = await giveFreeBet(p, { value_minor: 500, expires_in_ms: -1 });
    const roundId = await openRound();
    const before = await playerState(p);
    const tableBefore = (await tableEvents(roundId)).length;
    expectError(await bet(p, roundId, 'red', 500, { free_bet_id: 'no-such-token' }), 404, 'free_bet_not_found');
    expectError(await bet(p, roundId, 'red', 400, { free_bet_id: good }), 422, 'free_bet_wrong_amount');
    expectError(await bet(p, roundId, 'red', 500, { free_bet_id: good, currency: 'GBP' }), 422, 'free_bet_wrong_currency');
    expectError(await bet(p, roundId, 'red', 500, { free_bet_id: gbp }), 422, 'free_bet_wrong_currency');
    expectError(await bet(p, roundId, 'red', 500, { free_bet_id: otherTable }), 422, 'free_bet_wrong_table');
    expectError(await bet(p, roundId, 'red', 500, { free_bet_id: expired }), 409, 'free_bet_expired');
    expectError(await bet(p, roundId, 'red', 500, { free_bet_id: 'x'.repeat(257) }), 400, 'validation_failed');
    expect(await playerState(p)).toEqual(before);
    expect((await tableEvents(roundId)).length).toBe(tableBefore); // no bet placed
    const mine = await call('GET', `/v1/tables/${ROULETTE}/bets?round_id=${roundId}`, undefined, { token: p.token });
    expect((mine.body.bets as Json[]).filter((b) => b.state === 'accepted')).toEqual([]);

    // used: in play on another bet
    expect((await bet(p, roundId, 'red', 500, { free_bet_id: good })).status).toBe(201);
    const inPlay = await playerState(p);
    expectError(await bet(p, roundId, 'black', 500, { free_bet_id: good }), 409, 'free_bet_used');
    expect(await playerState(p)).toEqual(inPlay);
    await result(roundId, 1);
    const next = await openRound();
    expectError(await bet(p, next, 'black', 500, { free_bet_id: good }), 409, 'free_bet_used');
    await result(next, 1);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('the same bet retried is one use; the same bet id with another token is a conflict', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500 });
    const other = await giveFreeBet(p, { value_minor: 500 });
    const roundId = await openRound();
    const body = { bet_id: crypto.randomUUID(), round_id: roundId, spot: 'odd', amount_minor: 500, currency: 'EUR', free_bet_id: grantId };
    const first = await call('POST', `/v1/tables/${ROULETTE}/bets`, body, { token: p.token });
    expect(first.status).toBe(201);
    const again = await call('POST', `/v1/tables/${ROULETTE}/bets`, body, { token: p.token });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, bet: { bet_id: body.bet_id, free_bet_id: grantId } });
    const state = await playerState(p);
    expectError(await call('POST', `/v1/tables/${ROULETTE}/bets`, { ...body, free_bet_id: other }, { token: p.token }), 409, 'idempotency_conflict');
    expectError(await call('POST', `/v1/tables/${ROULETTE}/bets`, { ...body, free_bet_id: undefined }, { token: p.token }), 409, 'idempotency_conflict');
    expect(await playerState(p)).toEqual(state);
    expect(state.uses).toEqual([expect.objectContaining({ grant_id: grantId, use_no: 0 })]);
    // the table's reservation retried straight at the player's object: the same use
    const holdId = `table:${ROULETTE}:${body.bet_id}`;
    const retried = await player(p.playerId).reserveTableBet(sessionOf(p), {
      hold_id: holdId, currency: 'EUR', amount_minor: 500, expires_at: Date.now() + 3_600_000, ref: `${ROULETTE}:${roundId}`, max_return_minor: 1_000,
      free_bet: { free_bet_id: grantId, table_id: ROULETTE },
    }, ['MT']);
    expect(retried).toMatchObject({ ok: true, replayed: true });
    expect(await playerState(p)).toEqual(state);
    await result(roundId, 3); // odd wins 1:1: returned 1,000, paid 500
    expect(await available(p)).toBe(10_500);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a voided round gives the token back once; it can then be staked again', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500 });
    const roundId = await openRound();
    const placed = await bet(p, roundId, 'even', 500, { free_bet_id: grantId });
    expect(placed.status).toBe(201);
    const voided = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${roundId}/void`, floor, { reason: 'wheel jammed, ticket 7' });
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(await freeBetStatus(p, grantId)).toBe('available');
    const holdId = `table:${ROULETTE}:${placed.body.bet.bet_id}`;
    const state = await playerState(p);
    expect(state.returns).toEqual([{ hold_id: holdId, grant_id: grantId, reason: 'voided', at: expect.any(Number) }]);
    // the void retried (the table's refund wave again, a settlement after it): nothing more
    expect(await player(p.playerId).abandonTableBet(holdId)).toMatchObject({ ok: true, replayed: true });
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 1_000 })).toMatchObject({ ok: true, state: 'voided' });
    expect(await playerState(p)).toEqual(state);
    expect(await available(p)).toBe(10_000);
    const table1 = await tableEvents(roundId);
    expect(table1.find((e) => e.event_type === 'table.bet.settled')?.payload).toMatchObject({ result: 'void', free_bet_id: grantId });

    // staked again on the next round: its second use, and it wins
    const next = await openRound();
    expect((await bet(p, next, 'even', 500, { free_bet_id: grantId })).status).toBe(201);
    expect((await playerState(p)).uses).toEqual([expect.objectContaining({ use_no: 0, hold_id: holdId }), expect.objectContaining({ use_no: 1 })]);
    await result(next, 4);
    expect(await available(p)).toBe(10_500);
    expect(await freeBetStatus(p, grantId)).toBe('used');
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a push (the stake returned) pays nothing and consumes the token', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500 });
    const holdId = `table:baccarat-1:push-${crypto.randomUUID()}`;
    expect(await player(p.playerId).reserveTableBet(sessionOf(p), {
      hold_id: holdId, currency: 'EUR', amount_minor: 500, expires_at: Date.now() + 3_600_000, ref: 'baccarat-1:r', max_return_minor: 1_000,
      free_bet: { free_bet_id: grantId, table_id: 'baccarat-1' },
    }, ['MT'])).toMatchObject({ ok: true, replayed: false });
    const before = await playerState(p);
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 500 })).toMatchObject({ ok: true, state: 'posted', returned_minor: 0 });
    const after = await playerState(p);
    expect(after.balances).toEqual(before.balances);
    expect(after.ledger).toEqual(before.ledger);
    expect(after.returns).toEqual([]);
    expect(await freeBetStatus(p, grantId)).toBe('used');
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a free bet whose hold expires unsettled comes back (reason expired), once; a settlement after it pays nothing', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500, expires_in_ms: 72 * 3_600_000 });
    const holdId = `table:${ROULETTE}:expire-${crypto.randomUUID()}`;
    expect(await player(p.playerId).reserveTableBet(sessionOf(p), {
      hold_id: holdId, currency: 'EUR', amount_minor: 500, expires_at: Date.now() + 3_600_000, ref: `${ROULETTE}:r`, max_return_minor: 18_000,
      free_bet: { free_bet_id: grantId, table_id: ROULETTE },
    }, ['MT'])).toMatchObject({ ok: true });
    await advance(p.playerId, 3_600_000 + 1_000);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    const state = await playerState(p);
    expect(state.holds).toEqual([{ hold_id: holdId, state: 'expired', real_minor: 0, bonus_minor: 0 }]);
    expect(state.returns).toEqual([{ hold_id: holdId, grant_id: grantId, reason: 'expired', at: expect.any(Number) }]);
    expect(state.tokens.find((t: Json) => t.grant_id === grantId)).toMatchObject({ status: 'available' });
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, state: 'expired' });
    expect(await player(p.playerId).abandonTableBet(holdId)).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await playerState(p)).toEqual(state);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a locked account cannot stake a free bet; nothing changes', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500 });
    expect(await player(p.playerId).setStatus('locked', 'fraud review', 'test')).toMatchObject({ ok: true });
    const before = await playerState(p);
    const r = await player(p.playerId).reserveTableBet(sessionOf(p), {
      hold_id: `table:${ROULETTE}:locked`, currency: 'EUR', amount_minor: 500, expires_at: Date.now() + 3_600_000, ref: `${ROULETTE}:r`, max_return_minor: 1_000,
      free_bet: { free_bet_id: grantId, table_id: ROULETTE },
    }, ['MT']);
    expect(r.ok).toBe(false);
    expect(await playerState(p)).toEqual(before);
  });
});

describe('property: a token is in play at most once and wins at most once', () => {
  const step = fc.oneof(
    fc.record({ t: fc.constant('place' as const), hold: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ t: fc.constant('void' as const), hold: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ t: fc.constant('settle' as const), hold: fc.integer({ min: 0, max: 3 }), returned: fc.constantFrom(0, 500, 1_000, 18_000) }),
  );

  it('under any sequence of placing, retrying, voiding and settling', async () => {
    const p = await funded(1_000);
    const session = sessionOf(p);
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      const grantId = await giveFreeBet(p, { value_minor: 500 });
      const run = crypto.randomUUID();
      await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
        const { c } = internals(o);
        const holdOf = (k: number) => `table:${ROULETTE}:prop-${run}-${k}`;
        for (const s of steps) {
          const holdId = holdOf(s.hold);
          if (s.t === 'place') {
            o.reserveTableBet(session, { hold_id: holdId, currency: 'EUR', amount_minor: 500, expires_at: c.now() + 3_600_000, ref: 'r', max_return_minor: 18_000, free_bet: { free_bet_id: grantId, table_id: ROULETTE } }, ['MT']);
          } else if (s.t === 'void') {
            o.abandonTableBet(holdId);
          } else {
            o.settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: s.returned });
          }
          const uses = c.db.all<{ hold_id: string }>`select hold_id from reward_free_bet_uses where grant_id = ${grantId}`;
          const live = uses.filter((u) => c.db.first`select 1 from reward_free_bet_returns where hold_id = ${u.hold_id}` === null);
          expect(live.length).toBeLessThanOrEqual(1);
          const posted = c.db.first<{ n: number }>`select count(*) as n from holds where state = 'posted' and hold_id in (select hold_id from reward_free_bet_uses where grant_id = ${grantId})`!.n;
          expect(posted).toBeLessThanOrEqual(1);
          const wins = c.db.first<{ n: number }>`select count(*) as n from wins where hold_id in (select hold_id from reward_free_bet_uses where grant_id = ${grantId})`!.n;
          expect(wins).toBeLessThanOrEqual(1);
          // a posted use is never given back; a given-back use is a voided hold
          expect(c.db.first<{ n: number }>`select count(*) as n from reward_free_bet_returns r join holds h using (hold_id) where h.state = 'posted'`!.n).toBe(0);
          // the money: the deposit plus the free bets' wins (each the return without the stake), nothing held, no limit counting
          const won = c.db.first<{ s: number | null }>`select sum(amount_minor) as s from wins`!.s ?? 0;
          expect(c.db.first<{ b: number; h: number }>`select balance_minor as b, held_minor as h from balances where currency = 'EUR' and bucket = 'real'`).toEqual({ b: 1_000 + won, h: 0 });
          expect(c.db.first<{ m: number | null }>`select max(amount_minor) as m from wins`!.m ?? 0).toBeLessThanOrEqual(18_000 - 500);
          expect(c.db.all`select 1 from rg_usage where metric != 'deposit'`).toEqual([]);
        }
        expect(o.audit()).toEqual([]);
      });
    }), { numRuns: 25 });
  });
});
