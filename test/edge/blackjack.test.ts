/**
 * Live blackjack through the real worker and objects: a dealer table played card by card (seats in
 * turn, a double, a split with a double after it, side bets), refusals that change nothing, an
 * automated Seated round dealt from the committed shoe and verified afterwards, and an Infinite
 * table whose decision window runs out.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkShoe } from '../../domain/games/blackjack';
import type { TableDO } from '../../durable/table/table-do';
import {
  advanceTable, AUTO_SEATED, available, bjBet, decide, DEALER_TABLE, drainAlarms, funded, INFINITE, outbox, roundView, table,
} from './blackjack-helpers';
import { call, expectError, player, type Json, type Registered } from './helpers';
import { sessionOf } from './money-helpers';
import { connectTable } from './table-socket';
import { bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';

let admin: Operator;
let dealer: Operator;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  dealer = await createOperator(admin, { roles: ['dealer'], brands: ['aurora'] });
});

describe('a dealer table, card by card', () => {
  it('plays seats in turn with a double, a split and a double after it; refuses what the rules forbid and changes nothing; settles every stake once', async () => {
    const [a, b, c] = [await funded(), await funded(), await funded()];
    const opened = await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds`, dealer);
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const roundId = opened.body.round.round_id as string;

    const seatA = await bjBet(DEALER_TABLE, a, roundId, { seat: 1, main_minor: 1000, side_bets: { perfect_pairs: 100 } });
    expect(seatA.status, JSON.stringify(seatA.body)).toBe(201);
    expect(seatA.body.bets.map((x: Json) => [x.spot, x.state])).toEqual([['main', 'accepted'], ['perfect_pairs', 'accepted']]);
    expect((await bjBet(DEALER_TABLE, b, roundId, { seat: 2, main_minor: 1000 })).status).toBe(201);
    // a taken seat, a side bet the table does not offer: refused, nothing reserved
    expectError(await bjBet(DEALER_TABLE, c, roundId, { seat: 1, main_minor: 1000 }), 409, 'seat_taken');
    expectError(await bjBet(DEALER_TABLE, c, roundId, { seat: 3, main_minor: 1000, side_bets: { hot_3: 100 } }), 422, 'side_bet_not_offered');
    expect(await available(c)).toBe(10_000);
    expect([await available(a), await available(b)]).toEqual([8_900, 9_000]);

    expect((await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/close`, dealer)).status).toBe(200);
    const card = (x: string) => opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/cards`, dealer, { card: x });
    // the opening deal: seat 1, seat 2, the dealer's up card, seat 1, seat 2 (no hole card: European)
    for (const x of ['5H', '8S', '6D', '6C']) expect((await card(x)).status).toBe(200);
    expectError(await card('ZZ'), 422, 'not_a_card');
    expect((await card('8D')).status).toBe(200);
    expectError(await card('2C'), 409, 'no_card_needed'); // decisions first

    // seat 2 decides out of turn; seat 1 splits unequal cards: refused, nothing changed
    const before = await roundView(DEALER_TABLE, roundId);
    expectError(await decide(DEALER_TABLE, b, roundId, 'seat-2', 'split'), 409, 'not_your_turn');
    expectError(await decide(DEALER_TABLE, a, roundId, 'seat-1', 'split'), 422, 'split_unequal_cards');
    expectError(await decide(DEALER_TABLE, b, roundId, 'seat-1', 'stand'), 403, 'not_your_box');
    expect(await roundView(DEALER_TABLE, roundId)).toEqual(before);
    expect([await available(a), await available(b)]).toEqual([8_900, 9_000]);

    // seat 1 doubles on 11: a second hold, idempotent on decision_id
    const doubleId = crypto.randomUUID();
    const doubled = await decide(DEALER_TABLE, a, roundId, 'seat-1', 'double', 0, doubleId);
    expect(doubled.status, JSON.stringify(doubled.body)).toBe(201);
    expect(doubled.body.bets).toMatchObject([{ spot: 'double', amount_minor: 1000, state: 'accepted' }]);
    const again = await decide(DEALER_TABLE, a, roundId, 'seat-1', 'double', 0, doubleId);
    expect(again.status).toBe(200);
    expect(again.body.replayed).toBe(true);
    expect(await available(a)).toBe(7_900);
    expect((await card('10H')).status).toBe(200); // 21, doubled: seat 1 is done

    // seat 2 splits its eights, then doubles the first hand after the split (DAS)
    expect((await decide(DEALER_TABLE, b, roundId, 'seat-2', 'split')).status).toBe(201);
    expect((await card('3C')).status).toBe(200); // hand 0: 8 3
    expect((await decide(DEALER_TABLE, b, roundId, 'seat-2', 'double', 0)).status).toBe(201);
    expect((await card('9D')).status).toBe(200); // hand 0: 20
    expect((await card('2S')).status).toBe(200); // hand 1: 8 2
    expect((await decide(DEALER_TABLE, b, roundId, 'seat-2', 'hit', 1)).status).toBe(201);
    expect((await card('3H')).status).toBe(200); // hand 1: 13, three cards
    expectError(await decide(DEALER_TABLE, b, roundId, 'seat-2', 'double', 1), 422, 'double_needs_two_cards');
    expect(await available(b)).toBe(7_000);
    expect((await decide(DEALER_TABLE, b, roundId, 'seat-2', 'stand', 1)).status).toBe(201);

    // the dealer: 6 10 -> 16, draws 9: bust. The last card settles the round.
    expect((await card('10S')).status).toBe(200);
    const last = await card('9C');
    expect(last.status).toBe(200);
    expect(last.body.round.phase).toBe('complete');

    const done = await call('GET', `/v1/tables/${DEALER_TABLE}/rounds/${roundId}`);
    expect(done.body.round).toMatchObject({ state: 'settled', summary: { dealer_cards: '6D 10S 9C', dealer_total: 25, dealer_busted: true } });
    // seat 1: 1000 + double 1000 win (4000), Perfect Pairs lost; seat 2: three stakes of 1000 win (6000)
    expect(await available(a)).toBe(10_000 - 2_100 + 4_000);
    expect(await available(b)).toBe(10_000 - 3_000 + 6_000);
    const events = await outbox(DEALER_TABLE, roundId);
    const settledBets = events.filter((e) => e.event_type === 'table.bet.settled');
    expect(settledBets.map((e) => [e.payload.bet_type, e.payload.result, e.payload.returned_minor]).sort()).toEqual([
      ['double', 'win', 2000], ['double', 'win', 2000], ['main', 'win', 2000], ['main', 'win', 2000], ['perfect_pairs', 'lose', 0], ['split', 'win', 2000],
    ].sort());
    expect(events.filter((e) => e.event_type === 'table.hand.dealt').map((e) => [e.payload.box_id, e.payload.cards, e.payload.dealer_up_card])).toEqual([['seat-1', '5H 6C', '6D'], ['seat-2', '8S 8D', '6D']]);
    expect(events.filter((e) => e.event_type === 'table.hand.decision').map((e) => [e.payload.box_id, e.payload.hand_index, e.payload.decision, e.payload.stake_minor]))
      .toEqual([['seat-1', 0, 'double', 1000], ['seat-2', 0, 'split', 1000], ['seat-2', 0, 'double', 1000], ['seat-2', 1, 'hit', 0], ['seat-2', 1, 'stand', 0]]);
    const hands = events.filter((e) => e.event_type === 'table.hand.settled');
    expect(hands.map((e) => [e.payload.box_id, e.payload.hand_index, e.payload.cards, e.payload.total, e.payload.staked_minor, e.payload.returned_minor, e.payload.side_bet_result])).toEqual([
      ['seat-1', 0, '5H 6C 10H', 21, 2100, 4000, 'perfect_pairs=lose'],
      ['seat-2', 0, '8S 3C 9D', 20, 2000, 4000, null],
      ['seat-2', 1, '8D 2S 3H', 13, 1000, 2000, null],
    ]);
    expect(hands.every((e) => e.currency === 'EUR' && e.jurisdiction !== null && e.player_id !== null)).toBe(true);
  });
});


describe('bets behind, leaving, insurance and the socket', () => {
  it('a bet behind follows the seat, a player who leaves gets the stake back, insurance pays on the dealer\'s blackjack; the socket follows every step', async () => {
    const [a, b, c] = [await funded(), await funded(), await funded()];
    const sock = await connectTable(DEALER_TABLE, a.token);
    await sock.next('hello');
    const roundId = (await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds`, dealer)).body.round.round_id as string;
    expect((await bjBet(DEALER_TABLE, a, roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
    expect((await sock.next('bet.accepted')).bet).toMatchObject({ spot: 'main', amount_minor: 1000 });
    const behind = (p: Registered, seat: number, amount_minor = 500) =>
      call('POST', `/v1/tables/${DEALER_TABLE}/blackjack/behind`, { bet_id: crypto.randomUUID(), round_id: roundId, currency: 'EUR', seat, amount_minor }, { token: p.token });
    expectError(await behind(a, 1), 422, 'own_seat');
    expectError(await behind(b, 5), 404, 'seat_empty');
    expect((await behind(b, 1)).status).toBe(201);
    // C sits and leaves before the deal: the stake comes back at once
    expect((await bjBet(DEALER_TABLE, c, roundId, { seat: 2, main_minor: 1000, side_bets: { twenty_one_plus_three: 200 } })).status).toBe(201);
    expect(await available(c)).toBe(8_800);
    const left = await call('POST', `/v1/tables/${DEALER_TABLE}/blackjack/leave`, { round_id: roundId, seat: 2 }, { token: c.token });
    expect(left.status, JSON.stringify(left.body)).toBe(200);
    expect(left.body.bets.map((x: Json) => [x.spot, x.state])).toEqual([['main', 'voided'], ['twenty_one_plus_three', 'voided']]);
    expect(await available(c)).toBe(10_000);
    expect(left.body.round.seats.map((x: Json) => x.seat)).toEqual([1]);

    expect((await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/close`, dealer)).status).toBe(200);
    const card = async (x: string) => expect((await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/cards`, dealer, { card: x })).status).toBe(200);
    for (const x of ['10H', 'AS', '9D']) await card(x);
    const view = await roundView(DEALER_TABLE, roundId, a);
    expect(view).toMatchObject({ phase: 'insurance', dealer_cards: ['AS'], dealer_up_card: 'AS' });
    expect(view.you.boxes[0]).toMatchObject({ box_id: 'seat-1', insurance_offered: true });
    expect((await sock.next('blackjack.hand')).events.map((e: Json) => e.type)).toEqual(['table.hand.dealt']);
    // the hand's player alone decides insurance; surrender is not offered at this table
    expectError(await decide(DEALER_TABLE, b, roundId, 'seat-1', 'insurance'), 403, 'not_your_box');
    expect((await decide(DEALER_TABLE, a, roundId, 'seat-1', 'insurance')).body.bets).toMatchObject([{ spot: 'insurance', amount_minor: 500, state: 'accepted' }]);
    expectError(await decide(DEALER_TABLE, a, roundId, 'seat-1', 'surrender'), 422, 'surrender_not_offered');
    expect((await decide(DEALER_TABLE, a, roundId, 'seat-1', 'stand')).status).toBe(201);
    await card('KC'); // the dealer's blackjack: it takes the hand (no hole card) and pays the insurance 2:1
    const round = await sock.next('round.settled');
    expect(round.round.summary).toMatchObject({ dealer_cards: 'AS KC', dealer_natural: true });
    expect(await available(a)).toBe(10_000 - 1_500 + 1_500);
    expect(await available(b)).toBe(9_500);
    const steps = sock.log.filter((m) => m.type === 'blackjack.round').map((m) => m.round.phase);
    expect(steps).toContain('insurance');
    expect(steps).toContain('decisions');
    expect(sock.log.filter((m) => m.type === 'bet.settled').map((m) => [m.bet.spot, m.bet.returned_minor]).sort()).toEqual([['insurance', 1500], ['main', 0]]);
    // the hole card never reached a socket before the dealer played
    expect(sock.log.filter((m) => m.type === 'blackjack.round' && m.round.phase !== 'complete').every((m) => m.round.dealer_cards.length <= 1)).toBe(true);
    sock.ws.close();
  });
});

describe('an automated Seated table', () => {
  it('deals from the committed shoe with the players\' seeds; every card verifies after the round', async () => {
    const p = await funded();
    const opened = await table(AUTO_SEATED).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const roundId = opened.round.round_id;
    expect(opened.round.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect((await bjBet(AUTO_SEATED, p, roundId, { seat: 4, main_minor: 500, client_seed: 'my-lucky-seed' })).status).toBe(201);
    await advanceTable(AUTO_SEATED, 16_000);
    await drainAlarms(AUTO_SEATED);
    // stand whenever asked (insurance declined) until the round is over
    for (let i = 0; i < 10; i++) {
      const view = await roundView(AUTO_SEATED, roundId, p);
      if (view.state !== 'betting_closed') break;
      const box = view.you.boxes[0];
      if (box.insurance_offered) expect((await decide(AUTO_SEATED, p, roundId, box.box_id, 'no_insurance')).status).toBe(201);
      else if (box.active_hand !== null) expect((await decide(AUTO_SEATED, p, roundId, box.box_id, 'stand', box.active_hand)).status).toBe(201);
    }
    const pub = (await call('GET', `/v1/tables/${AUTO_SEATED}/rounds/${roundId}`)).body.round;
    expect(pub.state).toBe('settled');
    const o = pub.outcome;
    expect(o.client_seed).toMatch(/^[0-9a-f]{32}$/);
    expect(checkShoe({ commitment: pub.commitment, server_seed: pub.server_seed, client_seed: o.client_seed, nonce: o.nonce, decks: o.decks, dealt: o.dealt })).toEqual({ ok: true });
    expect(checkShoe({ commitment: pub.commitment, server_seed: pub.server_seed, client_seed: 'someone-else', nonce: o.nonce, decks: o.decks, dealt: o.dealt }).ok).toBe(false);
    const events = await outbox(AUTO_SEATED, roundId);
    const settled = events.filter((e) => e.event_type === 'table.bet.settled');
    expect(settled).toHaveLength(1);
    expect(await available(p)).toBe(10_000 - 500 + (settled[0]!.payload.returned_minor as number));
  });
});

describe('an Infinite table', () => {
  it('lets every player decide their own hand on the same cards; the decision window stands the rest', async () => {
    const players = [await funded(), await funded(), await funded()];
    const opened = await table(INFINITE).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const roundId = opened.round.round_id;
    for (const p of players) expect((await bjBet(INFINITE, p, roundId, { main_minor: 1000, side_bets: { hot_3: 100 } })).status).toBe(201);
    expectError(await bjBet(INFINITE, players[0]!, roundId, { main_minor: 1000 }), 409, 'already_bet');
    expectError(await bjBet(INFINITE, players[0]!, roundId, { main_minor: 1000, seat: 2 }), 422, 'seat_not_offered');
    await advanceTable(INFINITE, 16_000);
    await drainAlarms(INFINITE);
    let view = await roundView(INFINITE, roundId, players[0]);
    if (view.phase === 'insurance') {
      await advanceTable(INFINITE, 9_000);
      await drainAlarms(INFINITE);
      view = await roundView(INFINITE, roundId, players[0]);
    }
    const initial = view.you ? view.you.boxes[0].hands[0].cards.slice(0, 2) : [];
    if (view.phase === 'decisions') {
      // the same two cards for everyone; one player stands, the others let the window run out
      for (const p of players.slice(1)) expect((await roundView(INFINITE, roundId, p)).you.boxes[0].hands[0].cards.slice(0, 2)).toEqual(initial);
      const box = view.you.boxes[0];
      if (box.hands[0].actions.includes('stand')) expect((await decide(INFINITE, players[0]!, roundId, box.box_id, 'stand')).status).toBe(201);
      await advanceTable(INFINITE, 16_000);
      await drainAlarms(INFINITE);
    }
    const pub = (await call('GET', `/v1/tables/${INFINITE}/rounds/${roundId}`)).body.round;
    expect(pub.state).toBe('settled');
    const events = await outbox(INFINITE, roundId);
    expect(events.filter((e) => e.event_type === 'table.hand.settled')).toHaveLength(3);
    expect(events.filter((e) => e.event_type === 'table.bet.settled')).toHaveLength(6);
    for (const p of players) {
      const mine = events.filter((e) => e.event_type === 'table.bet.settled' && e.player_id === p.playerId);
      expect(await available(p)).toBe(10_000 - 1_100 + mine.reduce((n, e) => n + (e.payload.returned_minor as number), 0));
    }
  });
});

describe('bench E5 for blackjack (development routes)', () => {
  it('holds an Infinite round\'s decision window open, then runs it out at once: every hand stands, the round settles before the answer', async () => {
    const [a, b] = [await funded(), await funded()];
    // a round whose common cards are not a blackjack (that one completes at the deal, with nothing to decide)
    let roundId = '';
    // a round skipped for its blackjack settles at once: the balances before the kept round's bets are the base
    let base = [0, 0];
    for (let attempt = 0; attempt < 8 && !roundId; attempt++) {
      base = [await available(a), await available(b)];
      const open = await opCall('POST', `/v1/dev/tables/${INFINITE}/rounds`, admin, { betting_seconds: 900 });
      expect(open.status, JSON.stringify(open.body)).toBe(201);
      const id = open.body.round.round_id as string;
      expect((await bjBet(INFINITE, a, id, { main_minor: 500, side_bets: { hot_3: 100 } })).status).toBe(201);
      expect((await bjBet(INFINITE, b, id, { main_minor: 300 })).status).toBe(201);
      const probe = await opCall('POST', `/v1/dev/tables/${INFINITE}/rounds/${id}/floor-probe`, admin);
      expect(probe.status, JSON.stringify(probe.body)).toBe(200);
      expect(probe.body.calls).toBe(3);
      expect((await opCall('POST', `/v1/ops/tables/${INFINITE}/rounds/${id}/close`, admin)).status).toBe(200);
      if ((await roundView(INFINITE, id)).state === 'betting_closed') roundId = id;
    }
    expect(roundId).not.toBe('');
    const timer = (due_in_seconds: number) => opCall('POST', `/v1/dev/tables/${INFINITE}/rounds/${roundId}/decision-timer`, admin, { due_in_seconds });
    if ((await roundView(INFINITE, roundId)).phase === 'insurance') {
      const ran = await timer(0);
      expect(ran.status, JSON.stringify(ran.body)).toBe(200);
      expect(ran.body.timer).toBe('insurance');
    }
    expect((await roundView(INFINITE, roundId)).phase).toBe('decisions');
    // held for an hour: the window's own 15 s pass and nothing happens
    const held = await timer(3600);
    expect(held.status, JSON.stringify(held.body)).toBe(200);
    expect(held.body.timer).toBe('decisions:0');
    await advanceTable(INFINITE, 20_000);
    await drainAlarms(INFINITE);
    const still = await roundView(INFINITE, roundId, a);
    expect(still.state).toBe('betting_closed');
    expect(still.decision_due_at).toBeGreaterThan(Date.now() + 3_000_000);
    expect([await available(a), await available(b)]).toEqual([base[0]! - 600, base[1]! - 300]);
    // bad input changes nothing
    expectError(await opCall('POST', `/v1/dev/tables/${INFINITE}/rounds/${roundId}/decision-timer`, admin, { due_in_seconds: 3601 }), 400, 'validation_failed');
    expectError(await opCall('POST', `/v1/dev/tables/${INFINITE}/rounds/${crypto.randomUUID()}/decision-timer`, admin, { due_in_seconds: 0 }), 404, 'round_not_found');
    expectError(await call('POST', `/v1/dev/tables/${INFINITE}/rounds/${roundId}/decision-timer`, { due_in_seconds: 0 }), 401, 'unauthenticated');
    expect((await roundView(INFINITE, roundId)).state).toBe('betting_closed');
    // run out now: both hands stand, the dealer plays, every stake is settled before the answer
    const ran = await timer(0);
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body.round.state).toBe('settled');
    const settled = (await outbox(INFINITE, roundId)).filter((e) => e.event_type === 'table.bet.settled');
    expect(settled).toHaveLength(3);
    for (const [p, staked, before] of [[a, 600, base[0]!], [b, 300, base[1]!]] as const) {
      const back = settled.filter((e) => e.player_id === p.playerId).reduce((n, e) => n + (e.payload.returned_minor as number), 0);
      expect(await available(p)).toBe(before - staked + back);
    }
    expectError(await timer(0), 409, 'invalid_state');
    const again = await opCall('POST', `/v1/dev/tables/${INFINITE}/rounds/${roundId}/floor-probe`, admin);
    expect(again.body.calls).toBe(3);
    expectError(await opCall('POST', `/v1/dev/tables/roulette-1/rounds/${roundId}/decision-timer`, admin, { due_in_seconds: 0 }), 422, 'wrong_game');
  });
});

describe('R3: a blackjack round through restarts', () => {
  type Internals = {
    c: import('../../durable/table/context').TableContext;
    ctx: DurableObjectState;
    settlement: { port: (playerId: string) => import('../../durable/table/player-port').PlayerPort; wave: number };
    askHold: (...args: unknown[]) => Promise<unknown>;
  };
  const internals = (o: unknown) => o as Internals;
  /** The table object dies (what it wrote is durable first); the next call starts a fresh one from SQL. */
  async function restart(tableId: string): Promise<void> {
    await runInDurableObject(table(tableId), async (o: TableDO) => {
      await internals(o).ctx.storage.sync();
      internals(o).ctx.abort('test: table restart');
    }).catch(() => undefined);
  }

  it('deals, decides, confirms a double and settles with the table dying at each step: every stake settled once, nothing paid twice', async () => {
    const players = [await funded(), await funded(), await funded(), await funded(), await funded()];
    const round = (await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds`, dealer)).body.round;
    const roundId = round.round_id as string;
    for (const [i, p] of players.entries()) expect((await bjBet(DEALER_TABLE, p, roundId, { seat: i + 1, main_minor: 1000, side_bets: { perfect_pairs: 100 } })).status).toBe(201);
    await restart(DEALER_TABLE);
    expect((await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/close`, dealer)).status).toBe(200);
    const card = async (x: string) => expect((await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/cards`, dealer, { card: x })).status).toBe(200);
    // seats 1-5, the dealer's up card, seats 1-5 again; a restart in the middle of the deal
    for (const x of ['5H', '10S', '9C', '2D', 'QH', '6D']) await card(x);
    await restart(DEALER_TABLE);
    for (const x of ['6C', '7D', '9H', 'KC', '8S']) await card(x);

    // seat 1 doubles: the player's object reserves the hold, then the table dies before applying the double
    const doubleId = crypto.randomUUID();
    const died = await runInDurableObject(table(DEALER_TABLE), async (o: TableDO) => {
      const t = internals(o);
      const real = t.askHold.bind(o);
      t.askHold = async (...args: unknown[]) => {
        const answer = await real(...args);
        await t.ctx.storage.sync();
        t.ctx.abort('test: restart between the reservation and the double');
        return answer;
      };
      return o.blackjackDecide({ player_id: players[0]!.playerId, session_id: sessionOf(players[0]!), round_id: roundId, decision_id: doubleId, box_id: 'seat-1', hand_index: 0, action: 'double' })
        .then(() => 'finished', (e: Error) => e.message);
    }).catch((e: Error) => e.message);
    expect(died).toBe('test: restart between the reservation and the double');
    expect(await available(players[0]!)).toBe(10_000 - 1_100 - 1_000); // held once, not applied yet
    // the client retries the same decision: the same hold, applied once
    const retried = await decide(DEALER_TABLE, players[0]!, roundId, 'seat-1', 'double', 0, doubleId);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.bets).toMatchObject([{ spot: 'double', state: 'accepted', amount_minor: 1000 }]);
    expect(await available(players[0]!)).toBe(10_000 - 1_100 - 1_000);
    await card('10H');
    for (const [i, p] of players.slice(1).entries()) expect((await decide(DEALER_TABLE, p, roundId, `seat-${i + 2}`, 'stand')).status).toBe(201);
    await restart(DEALER_TABLE);
    await card('10C'); // 16: the dealer draws

    // the last card records the result; the settlement dies after 6 of 11 calls (waves of 4: one recorded)
    const cut = await runInDurableObject(table(DEALER_TABLE), async (o: TableDO) => {
      const t = internals(o);
      t.settlement.wave = 4;
      const realPort = t.settlement.port;
      let calls = 0;
      t.settlement.port = (id) => {
        const port = realPort(id);
        return {
          reserveTableBet: (...a) => port.reserveTableBet(...a), abandonTableBet: (h) => port.abandonTableBet(h), floorProbe: () => port.floorProbe(),
          settleTableBet: async (input) => {
            if (++calls > 6) {
              await t.ctx.storage.sync();
              t.ctx.abort('test: restart in the middle of a settlement');
              throw new Error('aborted');
            }
            return port.settleTableBet(input);
          },
        };
      };
      return o.blackjackCard(roundId, '7C').then(() => 'finished', (e: Error) => e.message);
    }).catch((e: Error) => e.message);
    expect(cut).toBe('test: restart in the middle of a settlement');
    for (let i = 0; i < 10; i++) {
      if ((await call('GET', `/v1/tables/${DEALER_TABLE}/rounds/${roundId}`)).body.round.state === 'settled') break;
      await runDurableObjectAlarm(table(DEALER_TABLE));
      await advanceTable(DEALER_TABLE, 61_000);
    }
    expect((await call('GET', `/v1/tables/${DEALER_TABLE}/rounds/${roundId}`)).body.round.state).toBe('settled');

    // dealer 6 10 7: bust. Every main and the double win; seat 3's 9-9 is a mixed pair (6:1).
    const expected = [10_000 - 2_100 + 4_000, 10_900, 10_900 + 700, 10_900, 10_900];
    for (const [i, p] of players.entries()) {
      expect(await player(p.playerId).audit()).toEqual([]);
      const entries = (await call('GET', '/v1/wallet/ledger', undefined, { token: p.token })).body.entries as Json[];
      expect(entries.filter((e) => e.kind === 'bet')).toHaveLength(i === 0 ? 3 : 2);
      expect(entries.filter((e) => e.kind === 'win')).toHaveLength(i === 0 ? 2 : i === 2 ? 2 : 1);
      expect(await available(p)).toBe(expected[i]);
    }
    const events = await outbox(DEALER_TABLE, roundId);
    expect(events.filter((e) => e.event_type === 'table.bet.settled')).toHaveLength(11);
    expect(events.filter((e) => e.event_type === 'table.bet.placed')).toHaveLength(11);
    expect(events.filter((e) => e.event_type === 'table.hand.dealt')).toHaveLength(5);
    expect(events.filter((e) => e.event_type === 'table.hand.settled')).toHaveLength(5);
    expect(events.filter((e) => e.event_type === 'table.round.result')).toHaveLength(1);
  });
});
