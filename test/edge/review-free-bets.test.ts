/**
 * An adversarial review of free bets staked at live tables (issue 17; docs/rewards.md "Review"),
 * through the real worker, table and player objects: replays and late calls from a stale table,
 * two tables racing for one token, restarts, the expiry race, a token expiring in play, blackjack's
 * refusal, cool-off and self-exclusion, disputes of a settled free bet, and the operator's views.
 * Each attack asserts the money (balances, ledger, holds, the token's uses and returns, what the
 * limits count) and that the wallet's audit stays clean.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Currency } from '../../domain/money';
import type { PlayerDO } from '../../durable/player/player-do';
import type { PlayerRewards } from '../../durable/player/rewards';
import { advance, call, expectError, internals, player, restartPlayer, type Json, type Registered } from './helpers';
import { giveFreeBet, playerState, rewardsOf } from './free-bet-helpers';
import { dispute, funded, sessionOf } from './money-helpers';
import { opCall, tableCrew, type Operator } from './ops-helpers';

const ROULETTE = 'roulette-1';

let dealer: Operator;
let floor: Operator;

beforeAll(async () => {
  ({ dealer, floor } = await tableCrew());
});

const statusOf = (state: Json, grantId: string) => (state.tokens as Json[]).find((t) => t.grant_id === grantId)?.status;

async function available(p: Registered): Promise<number> {
  const r = await call('GET', '/v1/wallet', undefined, { token: p.token });
  return (r.body.balances as Json[]).find((b) => b.currency === 'EUR')?.available_minor ?? 0;
}

function bet(p: Registered, roundId: string, spot: string, amount_minor: number, over: Json = {}, tableId = ROULETTE) {
  return call('POST', `/v1/tables/${tableId}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot, amount_minor, currency: 'EUR', ...over }, { token: p.token });
}

async function openRound(tableId = ROULETTE): Promise<string> {
  const r = await opCall('POST', `/v1/ops/tables/${tableId}/rounds`, dealer);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.round.round_id as string;
}

async function result(roundId: string, outcome: Json, tableId = ROULETTE): Promise<void> {
  const r = await opCall('POST', `/v1/ops/tables/${tableId}/rounds/${roundId}/result`, dealer, { outcome });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** A free bet of 500 on straight 17 at roulette, won (17 x 36 = 18,000 returned; 17,500 paid). Answers its hold id. */
async function wonFreeBet(p: Registered, grantId: string): Promise<string> {
  const roundId = await openRound();
  const placed = await bet(p, roundId, 'straight:17', 500, { free_bet_id: grantId });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  await result(roundId, { number: 17 });
  return `table:${ROULETTE}:${placed.body.bet.bet_id}`;
}

/** The table's reservation sent straight to the player's object (a retry, or a stale table). */
function reserve(p: Registered, holdId: string, grantId: string | null, amount_minor = 500, tableId = ROULETTE) {
  return player(p.playerId).reserveTableBet(sessionOf(p), {
    hold_id: holdId, currency: 'EUR', amount_minor, expires_at: Date.now() + 3_600_000, ref: `${tableId}:r`, max_return_minor: 18_000,
    ...(grantId ? { free_bet: { free_bet_id: grantId, table_id: tableId } } : {}),
  }, ['MT']);
}

const holdOf = (tag: string) => `table:${ROULETTE}:${tag}-${crypto.randomUUID()}`;

describe('a dispute of a settled free bet', () => {
  it('void of a win: the win goes, the token comes back, and no limit counts any of it', async () => {
    const p = await funded(10_000);
    expect((await call('PUT', '/v1/limits/loss', { period: 'day', currency: 'EUR', amount_minor: 10_000 }, { token: p.token })).status).toBeLessThan(300);
    const grantId = await giveFreeBet(p, { value_minor: 500 });
    const holdId = await wonFreeBet(p, grantId);
    expect(await available(p)).toBe(27_500);

    const voided = await dispute(floor, p, { hold_id: holdId, resolution: 'void', reason: 'croupier misread the wheel' });
    expect(voided.status, JSON.stringify(voided.body)).toBe(201);
    expect(voided.body.dispute).toMatchObject({ resolution: 'void', amount_minor: -17_500, state: 'applied' });
    expect(await available(p)).toBe(10_000);
    const state = await playerState(p, 'net');
    // as if the bet had not been played: the player holds the token again, and no limit moved
    expect(state.play_usage).toEqual([]);
    expect(statusOf(state, grantId)).toBe('available');
    expect(state.returns).toEqual([{ hold_id: holdId, grant_id: grantId, reason: 'disputed', at: expect.any(Number) }]);
    // the loss limit of 10,000 still has room for a bet of the player's own money
    const roundId = await openRound();
    const own = await bet(p, roundId, 'red', 6_000);
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    await result(roundId, { number: 2 });

    // replays after the void: the table's settlement and reservation, a second void: nothing moves
    const after = await playerState(p, 'net');
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, state: 'posted' });
    expect(await reserve(p, holdId, grantId)).toMatchObject({ ok: true, replayed: true });
    expectError(await dispute(floor, p, { hold_id: holdId, resolution: 'void', reason: 'croupier misread the wheel' }), 409, 'invalid_state');
    expect(await playerState(p, 'net')).toEqual(after);
    expect(await player(p.playerId).audit()).toEqual([]);

    // the token given back is staked again, once
    const again = await wonFreeBet(p, grantId);
    expect((await playerState(p, 'net')).uses).toEqual([expect.objectContaining({ use_no: 0, hold_id: holdId }), expect.objectContaining({ use_no: 1, hold_id: again })]);
    expect(await available(p)).toBe(4_000 + 17_500);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('void of a loss: nothing moves but the token, which comes back', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 300 });
    const roundId = await openRound();
    const placed = await bet(p, roundId, 'red', 300, { free_bet_id: grantId });
    expect(placed.status).toBe(201);
    await result(roundId, { number: 2 });
    const holdId = `table:${ROULETTE}:${placed.body.bet.bet_id}`;
    const before = await playerState(p, 'net');
    const voided = await dispute(floor, p, { hold_id: holdId, resolution: 'void', reason: 'wheel was off its bearing' });
    expect(voided.status, JSON.stringify(voided.body)).toBe(201);
    expect(voided.body.dispute).toMatchObject({ amount_minor: 0, state: 'applied' });
    const after = await playerState(p, 'net');
    expect(after.balances).toEqual(before.balances);
    expect(after.play_usage).toEqual([]);
    expect(statusOf(after, grantId)).toBe('available');
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a void given back after the token expired leaves it expired: it cannot be staked', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500, expires_in_ms: 3_600_000 });
    const holdId = await wonFreeBet(p, grantId);
    await advance(p.playerId, 2 * 3_600_000);
    expect((await dispute(floor, p, { hold_id: holdId, resolution: 'void', reason: 'croupier misread the wheel' })).status).toBe(201);
    expect(statusOf(await playerState(p, 'net'), grantId)).toBe('expired');
    // (the player's session lapsed over those hours: asked of the token itself)
    const taken = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.tx(() => rewardsOf(o).offers.take({
      grant_id: grantId, hold_id: holdOf('after-expiry'), table_id: ROULETTE, currency: 'EUR', amount_minor: 500,
    })));
    expect(taken).toMatchObject({ ok: false, code: 'free_bet_expired' });
  });

  it('a correction keeps a free bet within what it could pay (the return without the stake) and counts in no limit', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { value_minor: 500 });
    const holdId = await wonFreeBet(p, grantId);
    const before = await playerState(p, 'net');
    // 17,500 paid is the most a straight-up free bet of 500 can pay: the stake is never returned
    const over = await dispute(floor, p, { hold_id: holdId, resolution: 'correct', amount_minor: 500, reason: 'stake was not paid back' });
    expectError(over, 422, 'correction_out_of_bounds');
    expect(over.body.error.details).toMatchObject({ max_minor: 0, max_return_minor: 17_500 });
    expect(await playerState(p, 'net')).toEqual(before);
    const down = await dispute(floor, p, { hold_id: holdId, resolution: 'correct', amount_minor: -500, reason: 'paid on the wrong number' });
    expect(down.status, JSON.stringify(down.body)).toBe(201);
    expect((await playerState(p, 'net')).play_usage).toEqual([]);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('replays and late calls', () => {
  it('a stale table re-sending a placement after its token was given back and staked again takes nothing', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p);
    const first = holdOf('stale');
    expect(await reserve(p, first, grantId)).toMatchObject({ ok: true, replayed: false });
    expect(await player(p.playerId).abandonTableBet(first)).toMatchObject({ ok: true });
    const second = holdOf('fresh');
    expect(await reserve(p, second, grantId)).toMatchObject({ ok: true, replayed: false });
    const before = await playerState(p, 'net');
    // the stale placement: a replay of a voided hold (the table refuses a bet whose hold is not pending)
    expect(await reserve(p, first, grantId)).toMatchObject({ ok: true, replayed: true, hold: { state: 'voided' } });
    // the same hold id as a bet of the player's money, or with another token: conflicts
    expect(await reserve(p, first, null)).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    expect(await reserve(p, first, await giveFreeBet(p))).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    const after = await playerState(p, 'net');
    expect({ ...after, tokens: undefined }).toEqual({ ...before, tokens: undefined });
    expect(after.uses.filter((u: Json) => u.grant_id === grantId).map((u: Json) => u.hold_id)).toEqual([first, second]);
    // a late settlement of the stale bet pays nothing; the live one settles once
    expect(await player(p.playerId).settleTableBet({ hold_id: first, win_id: `${first}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, state: 'voided', returned_minor: 0 });
    expect(await player(p.playerId).settleTableBet({ hold_id: second, win_id: `${second}:return`, returned_minor: 1_000 })).toMatchObject({ ok: true, state: 'posted', returned_minor: 500 });
    expect(await player(p.playerId).abandonTableBet(second)).toMatchObject({ ok: false });
    expect(await available(p)).toBe(10_500);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a bet the table gave up before its reservation arrived: the late reservation is refused and the token stays free', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p);
    const holdId = holdOf('abandoned');
    expect(await player(p.playerId).abandonTableBet(holdId)).toMatchObject({ ok: true });
    const before = await playerState(p, 'net');
    expect(await reserve(p, holdId, grantId)).toMatchObject({ ok: false, code: 'betting_closed' });
    const after = await playerState(p, 'net');
    expect(after).toEqual(before);
    expect(after.uses).toEqual([]);
    expect(statusOf(after, grantId)).toBe('available');
  });

  it('one token raced by two bets at once (the same table over HTTP, two tables at the player object): one holds it, one win at most', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p);
    const roundId = await openRound();
    const [a, b] = await Promise.all([
      bet(p, roundId, 'straight:17', 500, { free_bet_id: grantId }),
      bet(p, roundId, 'odd', 500, { free_bet_id: grantId }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect([a, b].find((x) => x.status === 409)!.body.error.code).toBe('free_bet_used');
    await result(roundId, { number: 17 }); // both spots would win: one did, with the token
    expect(await available(p)).toBe(a.status === 201 ? 27_500 : 10_500);

    // two tables' reservations of one token arriving together
    const other = await giveFreeBet(p);
    const [x, y] = await Promise.all([reserve(p, holdOf('race-a'), other, 500, ROULETTE), reserve(p, `table:auto-roulette-1:race-b-${crypto.randomUUID()}`, other, 500, 'auto-roulette-1')]);
    expect([x.ok, y.ok].sort()).toEqual([false, true]);
    expect([x, y].find((r) => !r.ok)).toMatchObject({ code: 'free_bet_used' });
    const state = await playerState(p, 'net');
    expect(state.uses.filter((u: Json) => u.grant_id === other)).toHaveLength(1);
    expect(state.ledger.filter((l: Json) => l.kind === 'win')).toHaveLength(1);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('restarts, expiry and the alarm', () => {
  it('a table restarted mid-settlement re-sends it (even with another return): paid once, and the answer says what was paid', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p);
    const holdId = holdOf('resend');
    expect(await reserve(p, holdId, grantId)).toMatchObject({ ok: true });
    const settle = (returned_minor: number) => player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor });
    expect(await settle(18_000)).toMatchObject({ ok: true, state: 'posted', returned_minor: 17_500 });
    const state = await playerState(p, 'net');
    await restartPlayer(p.playerId);
    for (const again of [18_000, 1_000, 0]) expect(await settle(again), String(again)).toMatchObject({ ok: true, state: 'posted', returned_minor: 17_500 });
    expect(await playerState(p, 'net')).toEqual(state);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a restart between the take and the settlement: the win is paid once, from durable state', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p);
    const holdId = holdOf('restart');
    expect(await reserve(p, holdId, grantId)).toMatchObject({ ok: true });
    await restartPlayer(p.playerId);
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, state: 'posted', returned_minor: 17_500 });
    await restartPlayer(p.playerId);
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, state: 'posted' });
    expect(await player(p.playerId).abandonTableBet(holdId)).toMatchObject({ ok: false });
    const state = await playerState(p, 'net');
    expect(state.ledger.filter((l: Json) => l.kind === 'win').map((l: Json) => l.amount_minor)).toEqual([17_500]);
    expect(state.returns).toEqual([]);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a settlement after the hold expired but before the alarm: expired, the token back once, nothing paid; the alarm after it changes nothing', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p, { expires_in_ms: 72 * 3_600_000 });
    const holdId = holdOf('race');
    expect(await reserve(p, holdId, grantId)).toMatchObject({ ok: true });
    await advance(p.playerId, 3_600_000 + 1_000);
    expect(await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, state: 'expired', returned_minor: 0 });
    const state = await playerState(p, 'net');
    expect(state.returns).toEqual([{ hold_id: holdId, grant_id: grantId, reason: 'expired', at: expect.any(Number) }]);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    await restartPlayer(p.playerId);
    expect(await playerState(p, 'net')).toEqual(state);
    expect(statusOf(state, grantId)).toBe('available');
    expect(state.balances.find((b: Json) => b.currency === 'EUR' && b.bucket === 'real')).toMatchObject({ balance_minor: 10_000, held_minor: 0 });
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a token that expires while in play: its bet still settles and pays; voided instead, it comes back expired and cannot be staked', async () => {
    const p = await funded(10_000);
    const paid = await giveFreeBet(p, { expires_in_ms: 600_000 });
    const voided = await giveFreeBet(p, { expires_in_ms: 600_000 });
    const h1 = holdOf('in-play');
    const h2 = holdOf('in-play');
    expect(await reserve(p, h1, paid)).toMatchObject({ ok: true });
    expect(await reserve(p, h2, voided)).toMatchObject({ ok: true });
    await advance(p.playerId, 20 * 60_000); // the tokens' expiry passed; the holds' (one hour) not
    expect(await player(p.playerId).settleTableBet({ hold_id: h1, win_id: `${h1}:return`, returned_minor: 1_000 })).toMatchObject({ ok: true, state: 'posted', returned_minor: 500 });
    expect(await player(p.playerId).abandonTableBet(h2)).toMatchObject({ ok: true });
    const state = await playerState(p, 'net');
    expect(statusOf(state, paid)).toBe('used');
    expect(statusOf(state, voided)).toBe('expired');
    expect(await reserve(p, holdOf('late'), voided)).toMatchObject({ ok: false, code: 'free_bet_expired' });
    expect(await playerState(p, 'net')).toEqual(state);
    expect(await available(p)).toBe(10_500);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('refusals that change nothing', () => {
  it('a blackjack table refuses a free bet with a clear error, on both its routes', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p);
    const before = await playerState(p, 'net');
    const r = await call('POST', '/v1/tables/blackjack-1/bets', { bet_id: crypto.randomUUID(), round_id: crypto.randomUUID(), spot: 'box:1', amount_minor: 500, currency: 'EUR', free_bet_id: grantId }, { token: p.token });
    expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error.code).toBe('wrong_game');
    const bj = await call('POST', '/v1/tables/blackjack-1/blackjack/bets', { bet_id: crypto.randomUUID(), round_id: crypto.randomUUID(), currency: 'EUR', box_id: 'b1', amount_minor: 500, free_bet_id: grantId }, { token: p.token });
    expectError(bj, 400, 'validation_failed');
    expect(await playerState(p, 'net')).toEqual(before);
  });

  it('cool-off and self-exclusion refuse a free bet and change nothing; a free bet already in play still settles', async () => {
    for (const block of [{ path: '/v1/cool-off', body: { hours: 24 }, code: 'cooling_off' }, { path: '/v1/self-exclusion', body: { months: 6 }, code: 'self_excluded' }]) {
      const p = await funded(10_000);
      const inPlay = await giveFreeBet(p);
      const spare = await giveFreeBet(p);
      const h1 = holdOf('before-block');
      expect(await reserve(p, h1, inPlay)).toMatchObject({ ok: true });
      const session = sessionOf(p);
      expect((await call('POST', block.path, block.body, { token: p.token })).status, block.path).toBeLessThan(300);
      const before = await playerState(p, 'net');
      const refused = await player(p.playerId).reserveTableBet(session, {
        hold_id: holdOf('blocked'), currency: 'EUR', amount_minor: 500, expires_at: Date.now() + 3_600_000, ref: 'r', max_return_minor: 18_000,
        free_bet: { free_bet_id: spare, table_id: ROULETTE },
      }, ['MT']);
      expect(refused.ok, block.path).toBe(false);
      expect(await playerState(p, 'net')).toEqual(before);
      expect(statusOf(before, spare)).toBe('available');
      // the bet placed before the block: the table settles it like any bet in play
      expect(await player(p.playerId).settleTableBet({ hold_id: h1, win_id: `${h1}:return`, returned_minor: 1_000 })).toMatchObject({ ok: true, state: 'posted', returned_minor: 500 });
      expect(await player(p.playerId).audit()).toEqual([]);
    }
  });
});

describe('amounts: a hold of 0', () => {
  it('a player at their loss limit: their own money is refused, a free bet is not, and its win leaves the usage as it was', async () => {
    const p = await funded(10_000);
    expect((await call('PUT', '/v1/limits/loss', { period: 'day', currency: 'EUR', amount_minor: 1_000 }, { token: p.token })).status).toBeLessThan(300);
    const lost = holdOf('own');
    expect(await reserve(p, lost, null, 1_000)).toMatchObject({ ok: true });
    expect(await player(p.playerId).settleTableBet({ hold_id: lost, win_id: `${lost}:return`, returned_minor: 0 })).toMatchObject({ ok: true });
    expect(await reserve(p, holdOf('own'), null, 100)).toMatchObject({ ok: false, code: 'limit_exceeded' });
    const usage = (await playerState(p, 'net')).play_usage;
    const grantId = await giveFreeBet(p);
    const free = holdOf('free');
    expect(await reserve(p, free, grantId)).toMatchObject({ ok: true, available_minor: 9_000 });
    expect(await player(p.playerId).settleTableBet({ hold_id: free, win_id: `${free}:return`, returned_minor: 18_000 })).toMatchObject({ ok: true, returned_minor: 17_500 });
    const after = await playerState(p, 'net');
    expect(after.play_usage).toEqual(usage);
    expect(after.balances.find((b: Json) => b.currency === 'EUR' && b.bucket === 'real')).toMatchObject({ balance_minor: 9_000 + 17_500, held_minor: 0 });
    // the win does not widen the limit: the player's own money is still refused
    expect(await reserve(p, holdOf('own'), null, 100)).toMatchObject({ ok: false, code: 'limit_exceeded' });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe("the operator's views", () => {
  it('the round view and the player timeline show the bet as a free bet', async () => {
    const p = await funded(10_000);
    const grantId = await giveFreeBet(p);
    const roundId = await openRound();
    const placed = await bet(p, roundId, 'straight:17', 500, { free_bet_id: grantId });
    expect(placed.status).toBe(201);
    await result(roundId, { number: 17 });
    const round = await opCall('GET', `/v1/ops/tables/${ROULETTE}/rounds/${roundId}`, floor);
    expect(round.status, JSON.stringify(round.body)).toBe(200);
    expect((round.body.bets as Json[]).find((b) => b.bet_id === placed.body.bet.bet_id)).toMatchObject({ free_bet_id: grantId, amount_minor: 500, returned_minor: 18_000 });
    const timeline = await opCall('GET', `/v1/ops/players/${p.playerId}/timeline?limit=50`, floor);
    expect(timeline.status, JSON.stringify(timeline.body)).toBe(200);
    const shown = (type: string) => (timeline.body.events as Json[]).find((e) => e.event.event_type === type)?.shown.fields as Json[];
    for (const type of ['wallet.hold.reserved', 'wallet.win.credited']) {
      const field = shown(type).find((f) => f.name === 'free bet id');
      expect(field, type).toBeDefined();
      expect([field!.text, field!.title], type).toContain(grantId);
    }
  });
});
