/**
 * Review of live blackjack at the tables (h-bj): each test is one finding, written to fail before
 * its fix. Automated tables are driven with a client seed chosen (by the engine itself, from the
 * round's server seed read inside the object) so that the deal is the one the finding needs.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  closeBetting, dealFromShoe, legalActions, newRound, openShoe, placeBet, type BlackjackRules, type Format, type RoundState,
} from '../../domain/games/blackjack';
import type { TableDO } from '../../durable/table/table-do';
import {
  AUTO_SEATED, available, bjBet, decide, DEALER_TABLE, funded, INFINITE, opts, outbox, publicRound, roundView, table,
} from './blackjack-helpers';
import { deposit, expectError, type Json } from './helpers';
import { bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';

type Internals = {
  c: { clockOffsetMs: number; table: { blackjack: { format: Format; rules: BlackjackRules } }; db: { first<T>(s: TemplateStringsArray, ...v: unknown[]): T | null } };
  rounds: { get(id: string): { round_no: number; server_seed: string | null; state: string } | null };
};

/** Resolves to 'hung' if `p` has not answered within `ms` (a deadlock would otherwise hang the test). */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'hung'> {
  return Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))]);
}

/**
 * Opens a round at an automated table and finds a client seed whose shoe deals what `want` asks
 * for, given the boxes `bets` (placed in this order by the caller, with the seed on the first).
 */
async function seededRound(tableId: string, bets: { player_id: string; seat?: number; main_minor: number }[], want: (s: RoundState) => boolean) {
  const opened = await table(tableId).openRound('rng');
  if (!opened.ok) throw new Error(JSON.stringify(opened));
  const roundId = opened.round.round_id;
  const { serverSeed, roundNo, format, rules } = await runInDurableObject(table(tableId), (o: TableDO) => {
    const t = o as unknown as Internals;
    const r = t.rounds.get(roundId)!;
    return { serverSeed: r.server_seed!, roundNo: r.round_no, format: t.c.table.blackjack.format, rules: t.c.table.blackjack.rules };
  });
  for (let i = 0; i < 5000; i++) {
    const seed = `review-${i}`;
    const clientSeed = bytesToHex(sha256(utf8ToBytes(seed))).slice(0, 32);
    let s = newRound(format, rules);
    for (const b of bets) {
      const step = placeBet(s, b);
      if (!step.ok) throw new Error(step.code);
      s = step.state;
    }
    const closed = closeBetting(s);
    if (!closed.ok) throw new Error(closed.code);
    const dealt = dealFromShoe(closed.state, openShoe(serverSeed, clientSeed, roundNo, rules.decks));
    if (dealt.ok && want(dealt.state)) return { roundId, seed };
  }
  throw new Error('no seed found');
}

let admin: Operator;
let dealer: Operator;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  dealer = await createOperator(admin, { roles: ['dealer'], brands: ['aurora'] });
});

describe('a money move that completes the round', () => {
  it('a double on the last hand at an automated table answers, and the round settles (no wait on itself)', async () => {
    const p = await funded();
    const { roundId, seed } = await seededRound(AUTO_SEATED, [{ player_id: p.playerId, seat: 1, main_minor: 1000 }],
      (s) => s.phase === 'decisions' && legalActions(s, p.playerId, 'seat-1', 0).includes('double'));
    expect((await bjBet(AUTO_SEATED, p, roundId, { seat: 1, main_minor: 1000, client_seed: seed })).status).toBe(201);
    const closed = await table(AUTO_SEATED).closeRound(roundId, 'rng');
    expect(closed.ok).toBe(true);
    expect((await roundView(AUTO_SEATED, roundId, p)).you.boxes[0].hands[0].actions).toContain('double');

    // the double deals its card, the dealer plays, the round is complete: settlement runs before the answer
    const doubled = await within(decide(AUTO_SEATED, p, roundId, 'seat-1', 'double'), 8_000);
    try {
      expect(doubled).not.toBe('hung');
      if (doubled === 'hung') return;
      expect(doubled.status, JSON.stringify(doubled.body)).toBe(201);
      expect((await publicRound(AUTO_SEATED, roundId)).state).toBe('settled');
      const settled = (await outbox(AUTO_SEATED, roundId)).filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => e.payload.bet_type).sort()).toEqual(['double', 'main']);
      expect(await available(p)).toBe(10_000 - 2_000 + settled.reduce((n, e) => n + (e.payload.returned_minor as number), 0));
    } finally {
      // a wedged object (the failure this test is about) is restarted so the other tests can use the table
      if (doubled === 'hung') await runInDurableObject(table(AUTO_SEATED), (o: TableDO) => (o as unknown as { ctx: DurableObjectState }).ctx.abort('test: unwedge')).catch(() => {});
    }
  });
});

/** A dealer-table round; `finish` voids it if it is still open (so the next test can open one). */
async function dealerRound(): Promise<{ roundId: string; card: (x: string) => Promise<{ status: number; body: Json }>; close: () => Promise<void>; finish: () => Promise<void> }> {
  const opened = await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds`, dealer);
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const roundId = opened.body.round.round_id as string;
  return {
    roundId,
    card: (x) => opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/cards`, dealer, { card: x }),
    close: async () => { expect((await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/close`, dealer)).status).toBe(200); },
    finish: async () => {
      const state = (await publicRound(DEALER_TABLE, roundId)).state;
      if (state === 'betting_open' || state === 'betting_closed') await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${roundId}/void`, admin, { reason: 'review test cleanup' });
    },
  };
}

function hand(view: Json, index = 0): Json {
  return view.you.boxes[0].hands[index];
}

describe('decisions are idempotent on decision_id', () => {
  it('a retried hit (same decision_id) is a replay: the hand does not take a second card', async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
      await r.close();
      for (const x of ['5H', '6D', '4C']) expect((await r.card(x)).status).toBe(200); // seat 1: 9 against a 6
      const hitId = crypto.randomUUID();
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'hit', 0, hitId)).status).toBe(201);
      expect((await r.card('2S')).status).toBe(200); // 11, the player decides again
      const before = await roundView(DEALER_TABLE, r.roundId, p);
      expect(hand(before)).toMatchObject({ cards: ['5H', '4C', '2S'], status: 'playing' });

      // the client never saw the answer of its hit and sends it again
      const retry = await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'hit', 0, hitId);
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(retry.body.replayed).toBe(true);
      expect(await roundView(DEALER_TABLE, r.roundId, p)).toEqual(before);
    } finally {
      await r.finish();
    }
  });

  it('a decision_id reused for another hand or another action is a conflict and changes nothing; a void mid-hand gives every stake back once', async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
      await r.close();
      for (const x of ['8S', '6D', '8D']) expect((await r.card(x)).status).toBe(200);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'split')).status).toBe(201);
      expect((await r.card('3C')).status).toBe(200); // hand 0: 8 3
      const doubleId = crypto.randomUUID();
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double', 0, doubleId)).status).toBe(201);
      expect((await r.card('9D')).status).toBe(200); // hand 0: 20, doubled
      expect((await r.card('2S')).status).toBe(200); // hand 1: 8 2, the player decides
      expect(await available(p)).toBe(7_000);
      const before = await roundView(DEALER_TABLE, r.roundId, p);
      expect(hand(before, 1)).toMatchObject({ cards: ['8D', '2S'], status: 'playing', doubled: false });

      // the double's id again, for the other hand: not a replay of the first double
      expectError(await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double', 1, doubleId), 409, 'idempotency_conflict');
      // ... nor for a hit
      expectError(await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'hit', 1, doubleId), 409, 'idempotency_conflict');
      expect(await roundView(DEALER_TABLE, r.roundId, p)).toEqual(before);
      expect(await available(p)).toBe(7_000);

      // voided mid-hand: main, split and double back, each once
      const voided = await opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${r.roundId}/void`, admin, { reason: 'studio fault mid-hand' });
      expect(voided.status, JSON.stringify(voided.body)).toBe(200);
      for (let i = 0; i < 5 && (await available(p)) !== 10_000; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      expect(await available(p)).toBe(10_000);
      const settled = (await outbox(DEALER_TABLE, r.roundId)).filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => [e.payload.bet_type, e.payload.result, e.payload.returned_minor]).sort()).toEqual([['double', 'void', 1000], ['main', 'void', 1000], ['split', 'void', 1000]]);
      expect(new Set(settled.map((e) => e.payload.bet_id)).size).toBe(3);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'hit', 1)).status).toBe(409);
    } finally {
      await r.finish();
    }
  });
});

describe('the currency of a stake added mid-hand', () => {
  it("a double is reserved in the currency of the hand's own main bet, not in another of the player's currencies", async () => {
    // a Curacao player holds USD and JPY (no minor unit: 1000 JPY is about 6 USD, 1000 USD cents are 10 USD)
    const p = await funded(10_000, 'USD', 'JP');
    const dep = await deposit(p.token, 10_000, 'JPY', undefined, { country: 'JP' });
    expect(dep.status, JSON.stringify(dep.body)).toBe(201);
    const r = await dealerRound();
    try {
      // seat 1 in JPY first, then seat 2 in USD
      const jpy = await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000, currency: 'JPY' });
      expect(jpy.status, JSON.stringify(jpy.body)).toBe(201);
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 2, main_minor: 1000, currency: 'USD' })).status).toBe(201);
      await r.close();
      for (const x of ['10H', '5C', '6D', '9S', '6S']) expect((await r.card(x)).status).toBe(200); // seat 1: 19, seat 2: 11
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'stand')).status).toBe(201);
      const doubled = await decide(DEALER_TABLE, p, r.roundId, 'seat-2', 'double');
      expect(doubled.status, JSON.stringify(doubled.body)).toBe(201);
      expect(doubled.body.bets).toMatchObject([{ spot: 'double', amount_minor: 1000, currency: 'USD' }]);
      expect(await available(p, 'USD')).toBe(8_000);
      expect(await available(p, 'JPY')).toBe(9_000);
    } finally {
      await r.finish();
    }
  });
});

describe("a studio feed's cards", () => {
  it('a card sent again with its position (the feed never saw the answer) is a replay, not a second card; a card at a taken or skipped position is refused', async () => {
    const p = await funded();
    const r = await dealerRound();
    const at = (card: string, position: number) => opCall('POST', `/v1/ops/tables/${DEALER_TABLE}/rounds/${r.roundId}/cards`, dealer, { card, position });
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
      await r.close();
      for (const [i, x] of ['5H', '6D', '4C'].entries()) expect((await at(x, i)).status).toBe(200);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'hit')).status).toBe(201);
      const first = await at('2S', 3);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const before = await roundView(DEALER_TABLE, r.roundId, p);
      expect(hand(before)).toMatchObject({ cards: ['5H', '4C', '2S'], status: 'playing' });
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'hit')).status).toBe(201);
      const afterHit = await roundView(DEALER_TABLE, r.roundId, p);

      // the feed retries its 2S: nothing is dealt (the hand waits for its next card)
      const retry = await at('2S', 3);
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(await roundView(DEALER_TABLE, r.roundId, p)).toEqual(afterHit);
      // another card at a position already dealt, or a card past the next position: refused, nothing changes
      expectError(await at('KD', 3), 409, 'card_out_of_order');
      expectError(await at('KD', 5), 409, 'card_out_of_order');
      expect(await roundView(DEALER_TABLE, r.roundId, p)).toEqual(afterHit);
      expect((await at('3H', 4)).status).toBe(200);
      expect(hand(await roundView(DEALER_TABLE, r.roundId, p))).toMatchObject({ cards: ['5H', '4C', '2S', '3H'], total: 14 });
    } finally {
      await r.finish();
    }
  });
});

type HostHooks = { bj: { host: { reserveHold: (b: { spot: string }, offeredIn: string[]) => Promise<unknown> } } };

describe('a reservation whose answer is lost', () => {
  it("a stake reserved in the player's object whose answer never came back is given back when the move is refused, not held until the hold expires", async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      // the Perfect Pairs hold reaches the player's object, its answer is lost on the way back
      await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => {
        const host = (o as unknown as HostHooks).bj.host;
        const real = host.reserveHold;
        host.reserveHold = async (b, offeredIn) => {
          const answer = await real(b, offeredIn);
          if (b.spot === 'perfect_pairs') throw new Error('test: answer lost');
          return answer;
        };
        (o as unknown as { restoreHold?: () => void }).restoreHold = () => { host.reserveHold = real; };
      });
      const betId = crypto.randomUUID();
      const res = await bjBet(DEALER_TABLE, p, r.roundId, { bet_id: betId, seat: 1, main_minor: 1000, side_bets: { perfect_pairs: 100 } });
      await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => (o as unknown as { restoreHold: () => void }).restoreHold());
      expect(res.status).toBeGreaterThanOrEqual(400);
      for (let i = 0; i < 3; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      // nothing is taken: both holds are given back (the main one reserved, the side bet's reserved but unanswered)
      expect(await available(p)).toBe(10_000);
    } finally {
      await r.finish();
    }
  });
});

describe('an Infinite table: the shared hit cards', () => {
  it("no player sees the card their hit would take before deciding (another player's hit does not reveal it on the round's view)", async () => {
    const [a, b] = [await funded(), await funded()];
    const { roundId, seed } = await seededRound(INFINITE, [{ player_id: a.playerId, main_minor: 1000 }, { player_id: b.playerId, main_minor: 1000 }],
      (s) => s.phase === 'decisions' && legalActions(s, a.playerId, `player-${a.playerId}`, 0).includes('hit'));
    expect((await bjBet(INFINITE, a, roundId, { main_minor: 1000, client_seed: seed })).status).toBe(201);
    expect((await bjBet(INFINITE, b, roundId, { main_minor: 1000 })).status).toBe(201);
    expect((await table(INFINITE).closeRound(roundId, 'rng')).ok).toBe(true);
    const initial = hand(await roundView(INFINITE, roundId, b)).cards as string[];
    expect(initial).toHaveLength(2);

    // A hits first: the card waits for the window to close (B is still deciding); nobody sees it, A included
    expect((await decide(INFINITE, a, roundId, `player-${a.playerId}`, 'hit')).status).toBe(201);
    const seenByA = await roundView(INFINITE, roundId, a);
    expect(hand(seenByA)).toMatchObject({ cards: initial, status: 'awaiting_card' });
    const seenByB = await roundView(INFINITE, roundId, b);
    const seenByAll = await roundView(INFINITE, roundId);
    expect(seenByB.phase).toBe('decisions');
    expect(hand(seenByB).cards).toEqual(initial);
    expect([seenByA.common_cards, seenByB.common_cards, seenByAll.common_cards]).toEqual([[], [], []]);
    // B hits too: nobody is deciding, so the card comes out for both at once
    expect((await decide(INFINITE, b, roundId, `player-${b.playerId}`, 'hit')).status).toBe(201);
    const aCards = hand(await roundView(INFINITE, roundId, a)).cards as string[];
    const bCards = hand(await roundView(INFINITE, roundId, b)).cards as string[];
    expect(aCards).toHaveLength(3);
    expect(bCards).toEqual(aCards);
    expect((await roundView(INFINITE, roundId, a)).common_cards).toEqual([aCards[2]]);
    await table(INFINITE).voidRound(roundId, 'operator:review', 'review test cleanup');
  });
});

describe('R3: a restart between a double\'s reservation and its apply', () => {
  async function dieAfterReserving(spot: string): Promise<void> {
    await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => {
      const host = (o as unknown as HostHooks).bj.host;
      const real = host.reserveHold;
      const ctx = (o as unknown as { ctx: DurableObjectState }).ctx;
      host.reserveHold = async (b, offeredIn) => {
        const answer = await real(b, offeredIn);
        if (b.spot === spot) {
          await ctx.storage.sync();
          ctx.abort('test: restart between the reservation and the apply');
          throw new Error('aborted');
        }
        return answer;
      };
    });
  }

  it('the retry with the same decision_id applies it once; settlement posts each hold once', async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
      await r.close();
      for (const x of ['5H', '6D', '6C']) expect((await r.card(x)).status).toBe(200); // 11 against a 6
      await dieAfterReserving('double');
      const doubleId = crypto.randomUUID();
      const died = await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double', 0, doubleId);
      expect(died.status).toBeGreaterThanOrEqual(500);
      expect(await available(p)).toBe(8_000); // held in the player's object, not yet applied at the table
      expect(hand(await roundView(DEALER_TABLE, r.roundId, p))).toMatchObject({ doubled: false, status: 'playing' });

      const retry = await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double', 0, doubleId);
      expect(retry.status, JSON.stringify(retry.body)).toBeLessThan(300);
      expect(retry.body.bets).toMatchObject([{ spot: 'double', state: 'accepted', amount_minor: 1000 }]);
      expect(hand(await roundView(DEALER_TABLE, r.roundId, p))).toMatchObject({ doubled: true, status: 'awaiting_card' });
      expect(await available(p)).toBe(8_000);
      for (const x of ['10H', '10S', '9C']) expect((await r.card(x)).status).toBe(200); // 21; dealer 6 10 9: bust
      expect((await publicRound(DEALER_TABLE, r.roundId)).state).toBe('settled');
      const settled = (await outbox(DEALER_TABLE, r.roundId)).filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => [e.payload.bet_type, e.payload.returned_minor]).sort()).toEqual([['double', 2000], ['main', 2000]]);
      expect(await available(p)).toBe(12_000);
    } finally {
      await r.finish();
    }
  });

  it('without a retry the timer stands the hand and the reserved double is given back at settlement', async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
      await r.close();
      for (const x of ['5H', '6D', '6C']) expect((await r.card(x)).status).toBe(200);
      await dieAfterReserving('double');
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double')).status).toBeGreaterThanOrEqual(500);
      // the decision timer runs out: the hand stands on 11
      await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => { (o as unknown as Internals).c.clockOffsetMs += 16_000; });
      for (let i = 0; i < 3; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      expect(hand(await roundView(DEALER_TABLE, r.roundId, p))).toMatchObject({ doubled: false, status: 'stood' });
      for (const x of ['10S', '9C']) expect((await r.card(x)).status).toBe(200);
      for (let i = 0; i < 3 && (await publicRound(DEALER_TABLE, r.roundId)).state !== 'settled'; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      expect((await publicRound(DEALER_TABLE, r.roundId)).state).toBe('settled');
      const settled = (await outbox(DEALER_TABLE, r.roundId)).filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => [e.payload.bet_type, e.payload.returned_minor])).toEqual([['main', 2000]]);
      expect(await available(p)).toBe(11_000);
    } finally {
      await r.finish();
    }
  });
});

describe('audit: hand events against bets', () => {
  it("the hand events' staked and returned add up to the player's settled bets, each stake once (insurance, side bets, a split and a double after it)", async () => {
    const p = await funded(20_000);
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000, side_bets: { perfect_pairs: 100, twenty_one_plus_three: 100 } })).status).toBe(201);
      await r.close();
      for (const x of ['8S', 'AH', '8D']) expect((await r.card(x)).status).toBe(200);
      expect((await roundView(DEALER_TABLE, r.roundId, p)).phase).toBe('insurance');
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'insurance')).status).toBe(201);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'split')).status).toBe(201);
      expect((await r.card('3C')).status).toBe(200);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double', 0)).status).toBe(201);
      expect((await r.card('10H')).status).toBe(200);
      expect((await r.card('9D')).status).toBe(200);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'stand', 1)).status).toBe(201);
      const last = await r.card('5S'); // dealer A 5, draws on
      expect(last.status, JSON.stringify(last.body)).toBe(200);
      for (const x of ['2C', '10C']) if ((await roundView(DEALER_TABLE, r.roundId)).phase !== 'complete') expect((await r.card(x)).status).toBe(200);
      expect((await publicRound(DEALER_TABLE, r.roundId)).state).toBe('settled');

      const events = await outbox(DEALER_TABLE, r.roundId);
      const bets = events.filter((e) => e.event_type === 'table.bet.settled');
      const placed = events.filter((e) => e.event_type === 'table.bet.placed');
      expect(bets.map((e) => e.payload.bet_type).sort()).toEqual(['double', 'insurance', 'main', 'perfect_pairs', 'split', 'twenty_one_plus_three']);
      expect(new Set(bets.map((e) => e.payload.bet_id)).size).toBe(6);
      expect(placed.map((e) => e.payload.bet_id).sort()).toEqual(bets.map((e) => e.payload.bet_id).sort());
      const hands = events.filter((e) => e.event_type === 'table.hand.settled');
      const sum = (list: Json[], k: string) => list.reduce((n, e) => n + (e.payload[k] as number), 0);
      expect(sum(hands, 'staked_minor')).toBe(sum(bets, 'amount_minor'));
      expect(sum(hands, 'returned_minor')).toBe(sum(bets, 'returned_minor'));
      expect(await available(p)).toBe(20_000 - sum(bets, 'amount_minor') + sum(bets, 'returned_minor'));
    } finally {
      await r.finish();
    }
  });
});

describe('concurrent moves on one hand', () => {
  it('a stand that lands while a double is being reserved wins; the double is refused and its hold given back', async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
      await r.close();
      for (const x of ['5H', '6D', '6C']) expect((await r.card(x)).status).toBe(200);
      await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => {
        const host = (o as unknown as HostHooks).bj.host;
        const real = host.reserveHold;
        host.reserveHold = async (b, offeredIn) => {
          const answer = await real(b, offeredIn);
          await new Promise((res) => setTimeout(res, 300)); // the answer is slow to come back
          host.reserveHold = real;
          return answer;
        };
      });
      const [doubled, stood] = await Promise.all([
        decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double'),
        new Promise((res) => setTimeout(res, 100)).then(() => decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'stand')),
      ]);
      expect(stood.status, JSON.stringify(stood.body)).toBe(201);
      expect(doubled.status, JSON.stringify(doubled.body)).toBe(409);
      for (let i = 0; i < 3; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      expect(await available(p)).toBe(9_000);
      expect(hand(await roundView(DEALER_TABLE, r.roundId, p))).toMatchObject({ doubled: false, status: 'stood', cards: ['5H', '6C'] });
      for (const x of ['10S', '9C']) expect((await r.card(x)).status).toBe(200);
      const settled = (await outbox(DEALER_TABLE, r.roundId)).filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => [e.payload.bet_type, e.payload.returned_minor])).toEqual([['main', 2000]]);
      expect(await available(p)).toBe(11_000);
    } finally {
      await r.finish();
    }
  });
});

describe('a round left incomplete', () => {
  it('past its 1 h deadline mid-hand it is voided: every stake (a double too) back once; a late card or decision changes nothing', async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000 })).status).toBe(201);
      await r.close();
      for (const x of ['5H', '6D', '6C']) expect((await r.card(x)).status).toBe(200);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double')).status).toBe(201);
      expect(await available(p)).toBe(8_000);
      // the studio goes dark with the double waiting for its card
      await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => { (o as unknown as Internals).c.clockOffsetMs += 3_601_000; });
      for (let i = 0; i < 5 && (await publicRound(DEALER_TABLE, r.roundId)).state !== 'voided'; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      for (let i = 0; i < 3 && (await available(p)) !== 10_000; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      expect((await publicRound(DEALER_TABLE, r.roundId)).state).toBe('voided');
      expect(await available(p)).toBe(10_000);
      expectError(await r.card('10H'), 409, 'wrong_phase');
      expectError(await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'stand'), 409, 'wrong_phase');
      const settled = (await outbox(DEALER_TABLE, r.roundId)).filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => [e.payload.bet_type, e.payload.result]).sort()).toEqual([['double', 'void'], ['main', 'void']]);
      expect(await available(p)).toBe(10_000);
    } finally {
      await r.finish();
    }
  });
});

describe('R3: a restart in the middle of a blackjack settlement', () => {
  it('the alarm finishes it: every stake settled once, priced from the stored hand', async () => {
    const p = await funded();
    const r = await dealerRound();
    try {
      expect((await bjBet(DEALER_TABLE, p, r.roundId, { seat: 1, main_minor: 1000, side_bets: { perfect_pairs: 100 } })).status).toBe(201);
      await r.close();
      for (const x of ['5H', '6D', '6C']) expect((await r.card(x)).status).toBe(200);
      expect((await decide(DEALER_TABLE, p, r.roundId, 'seat-1', 'double')).status).toBe(201);
      for (const x of ['10H', '10S']) expect((await r.card(x)).status).toBe(200);
      // the object dies after the first of the three settle calls (what it wrote is durable first)
      await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => {
        const t = o as unknown as { ctx: DurableObjectState; settlement: { wave: number; port: (id: string) => Record<string, (...a: never[]) => Promise<unknown>> } };
        t.settlement.wave = 1;
        const real = t.settlement.port;
        let calls = 0;
        t.settlement.port = (id) => {
          const port = real(id);
          return {
            ...port,
            reserveTableBet: (...a) => port.reserveTableBet!(...a), abandonTableBet: (...a) => port.abandonTableBet!(...a), floorProbe: (...a) => port.floorProbe!(...a),
            settleTableBet: async (...a) => {
              if (++calls > 1) {
                await t.ctx.storage.sync();
                t.ctx.abort('test: restart in the middle of a blackjack settlement');
                throw new Error('aborted');
              }
              return port.settleTableBet!(...a);
            },
          };
        };
      });
      expect((await r.card('9C')).status).toBeGreaterThanOrEqual(500); // dealer 6 10 9: bust; the settlement dies
      expect((await publicRound(DEALER_TABLE, r.roundId)).state).toBe('result');
      await runInDurableObject(table(DEALER_TABLE), (o: TableDO) => { (o as unknown as Internals).c.clockOffsetMs += 61_000; });
      for (let i = 0; i < 5 && (await publicRound(DEALER_TABLE, r.roundId)).state !== 'settled'; i++) await runDurableObjectAlarm(table(DEALER_TABLE));
      expect((await publicRound(DEALER_TABLE, r.roundId)).state).toBe('settled');
      const settled = (await outbox(DEALER_TABLE, r.roundId)).filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => [e.payload.bet_type, e.payload.result, e.payload.returned_minor]).sort()).toEqual([['double', 'win', 2000], ['main', 'win', 2000], ['perfect_pairs', 'lose', 0]]);
      expect(await available(p)).toBe(10_000 - 2_100 + 4_000);
    } finally {
      await r.finish();
    }
  });
});
