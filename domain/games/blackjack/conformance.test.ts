/**
 * Blackjack against an INDEPENDENT oracle written here, not imported from the engine (as
 * domain/games/conformance.test.ts does for roulette and baccarat):
 *   - the shoe, re-derived with node:crypto from the algorithm as documented (docs/live-tables.md);
 *   - hand totals, by trying every value of every ace;
 *   - the side bets, classified here and counted over every combination of an N-deck shoe, the counts
 *     compared with the published analyses (wizardofodds.com/games/blackjack/side-bets/: Perfect Pairs
 *     pay table A, 21+3 combination counts, Hot 3) and every outcome compared with the engine's;
 *   - settlement of whole rounds, and the dealer's drawing, recomputed with BigInt from the final cards.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dealFromShoe } from './autoplay';
import { closeBetting, placeBet } from './betting';
import { handValue } from './cards';
import { closeInsurance, currentTurn, decide, insure, legalActions, timeout } from './decisions';
import { type BlackjackRules, CLASSIC_INFINITE, CLASSIC_SEATED, US_PEEK } from './rules';
import { settleRound } from './settlement';
import { verifyShoe } from './shoe';
import { SIDE_BET_TABLES, type SideBetKind, sideBetOutcome, sideBetPays } from './side-bets';
import { activeHandIndex, newRound, type RoundState } from './state';
import { basicStrategy } from './strategy';

// --- The oracle's own cards.

const O_RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'];
const O_SUITS = ['S', 'H', 'D', 'C'];
const KINDS = O_SUITS.flatMap((s) => O_RANKS.map((r) => `${r}${s}`)); // the deck's 52 kinds, suit-major
const oRank = (c: string) => c.slice(0, -1);
const oSuit = (c: string) => c.slice(-1);
const oPoints = (c: string) => (oRank(c) === 'A' ? 1 : ['10', 'J', 'Q', 'K'].includes(oRank(c)) ? 10 : Number(oRank(c)));

/** The best blackjack total: every way of counting each ace as 1 or 11, the highest at or under 21, else the lowest. */
function oracleTotal(cards: string[]): { total: number; soft: boolean } {
  let totals = [{ t: 0, eleven: false }];
  for (const c of cards) {
    totals = totals.flatMap(({ t, eleven }) => (oRank(c) === 'A' ? [{ t: t + 1, eleven }, { t: t + 11, eleven: true }] : [{ t: t + oPoints(c), eleven }]));
  }
  const ok = totals.filter((x) => x.t <= 21).sort((a, b) => b.t - a.t);
  if (ok[0]) return { total: ok[0].t, soft: ok[0].eleven };
  return { total: Math.min(...totals.map((x) => x.t)), soft: false };
}

// --- The shoe, from the documentation.

function oracleShoe(serverSeed: string, clientSeed: string, nonce: number, decks: number): string[] {
  const words: number[] = [];
  let counter = 0;
  const nextWord = () => {
    if (words.length === 0) {
      const block = createHmac('sha256', Buffer.from(serverSeed, 'hex')).update(`blackjack-shoe:${clientSeed}:${nonce}:${counter++}`).digest();
      for (let i = 0; i < 32; i += 4) words.push(block.readUInt32BE(i));
    }
    return words.shift() ?? 0;
  };
  const int = (n: number) => {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const u = nextWord();
      if (u < limit) return u % n;
    }
  };
  const shoe: string[] = [];
  for (let d = 0; d < decks; d++) shoe.push(...KINDS);
  for (let k = 0; k < shoe.length - 1; k++) {
    const j = k + int(shoe.length - k);
    [shoe[k], shoe[j]] = [shoe[j] ?? '', shoe[k] ?? ''];
  }
  return shoe;
}

describe('the shoe matches an independent implementation of the documented algorithm', () => {
  it.each([
    ['00'.repeat(32), 'a', 0, 1], ['ff'.repeat(32), 'player-42', 7, 6], [createHash('sha256').update('x').digest('hex'), 'Z_9-z', 123_456_789, 8],
  ])('seed %s client %s nonce %i, %i decks', (seed, client, nonce, decks) => {
    expect(verifyShoe(seed, client, nonce, decks)).toEqual(oracleShoe(seed, client, nonce, decks));
  });
});

describe('hand totals', () => {
  it('every hand of up to four ranks, plus long hands, totals as the oracle counts', () => {
    const ranks = O_RANKS.map((r) => `${r}S`);
    for (const a of ranks) for (const b of ranks) {
      expect(handValue([a, b])).toEqual(oracleTotal([a, b]));
      for (const c of ranks) {
        expect(handValue([a, b, c])).toEqual(oracleTotal([a, b, c]));
        for (const d of ranks) expect(handValue([a, b, c, d])).toEqual(oracleTotal([a, b, c, d]));
      }
    }
    for (const long of [['AS', 'AH', 'AD', 'AC', '2S', '3S', '2H'], ['AS', 'AH', 'AD', 'AC', 'AS', 'AH', '5D'], ['2S', '2H', '2D', '2C', '3S', '3H', '3D', '4C']]) {
      expect(handValue(long)).toEqual(oracleTotal(long));
    }
  });
});

// --- Side bets: the oracle's classification and pay tables, typed again from the published tables.

const O_PAYS: Record<SideBetKind, Record<string, number>> = {
  perfect_pairs: { perfect_pair: 25, coloured_pair: 12, mixed_pair: 6 },
  twenty_one_plus_three: { suited_trips: 100, straight_flush: 40, three_of_a_kind: 30, straight: 10, flush: 5 },
  hot_3: { seven_seven_seven: 100, suited_21: 20, twenty_one: 4, twenty: 2, nineteen: 1 },
};

const red = (c: string) => oSuit(c) === 'H' || oSuit(c) === 'D';

function oraclePerfectPairs(a: string, b: string): string | null {
  if (oRank(a) !== oRank(b)) return null;
  return a === b ? 'perfect_pair' : red(a) === red(b) ? 'coloured_pair' : 'mixed_pair';
}

function oracle21p3(cards: string[]): string | null {
  const low = cards.map((c) => O_RANKS.indexOf(oRank(c)) + 1).sort((x, y) => x - y); // A = 1
  const high = low.map((v) => (v === 1 ? 14 : v)).sort((x, y) => x - y); // A = 14
  const run = (v: number[]) => new Set(v).size === 3 && (v[2] ?? 0) - (v[0] ?? 0) === 2;
  const flush = new Set(cards.map(oSuit)).size === 1;
  const trips = new Set(cards.map(oRank)).size === 1;
  if (trips && flush) return 'suited_trips';
  if ((run(low) || run(high)) && flush) return 'straight_flush';
  if (trips) return 'three_of_a_kind';
  if (run(low) || run(high)) return 'straight';
  return flush ? 'flush' : null;
}

function oracleHot3(cards: string[]): string | null {
  if (cards.every((c) => oRank(c) === '7')) return 'seven_seven_seven';
  const { total } = oracleTotal(cards);
  if (total === 21) return new Set(cards.map(oSuit)).size === 1 ? 'suited_21' : 'twenty_one';
  return total === 20 ? 'twenty' : total === 19 ? 'nineteen' : null;
}

const choose = (n: number, k: number): number => (k < 0 || k > n ? 0 : k === 0 ? 1 : (choose(n - 1, k - 1) * n) / k);

/** Unordered combinations of `size` cards from an N-deck shoe, by outcome: each multiset of kinds weighted by C(decks, copies). */
function combinationCounts(size: 2 | 3, decks: number, classify: (cards: string[]) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  const visit = (start: number, picked: number[]) => {
    if (picked.length === size) {
      const copies = new Map<number, number>();
      for (const k of picked) copies.set(k, (copies.get(k) ?? 0) + 1);
      const weight = [...copies.values()].reduce((w, n) => w * choose(decks, n), 1);
      if (weight === 0) return;
      const outcome = classify(picked.map((k) => KINDS[k] ?? '')) ?? 'loss';
      counts[outcome] = (counts[outcome] ?? 0) + weight;
      return;
    }
    for (let k = start; k < KINDS.length; k++) visit(k, [...picked, k]);
  };
  visit(0, []);
  return counts;
}

describe('side bets', () => {
  it('the engine pays the oracle pay tables', () => {
    for (const kind of Object.keys(O_PAYS) as SideBetKind[]) {
      expect(Object.fromEntries(SIDE_BET_TABLES[kind].rows.map((r) => [r.outcome, r.pays]))).toEqual(O_PAYS[kind]);
      expect(SIDE_BET_TABLES[kind].source.length).toBeGreaterThan(0);
    }
  });

  it('every ordered two-card and three-card deal has the oracle outcome', () => {
    const mismatches: string[] = [];
    for (const a of KINDS) for (const b of KINDS) {
      if (sideBetOutcome('perfect_pairs', { player: [a, b], dealer_up: 'AS' }) !== oraclePerfectPairs(a, b)) mismatches.push(`pp ${a} ${b}`);
      for (const up of KINDS) {
        const cards = { player: [a, b] as [string, string], dealer_up: up };
        if (sideBetOutcome('twenty_one_plus_three', cards) !== oracle21p3([a, b, up])) mismatches.push(`21+3 ${a} ${b} ${up}`);
        if (sideBetOutcome('hot_3', cards) !== oracleHot3([a, b, up])) mismatches.push(`hot3 ${a} ${b} ${up}`);
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('the oracle counts the published combinations (wizardofodds.com side-bet analyses)', () => {
    // Perfect Pairs, 8 decks, pay table A (Evolution): 1456 / 1664 / 3328 of C(416, 2) = 86320; return -0.040964.
    const pp = combinationCounts(2, 8, ([a = '', b = '']) => oraclePerfectPairs(a, b));
    expect(pp).toEqual({ perfect_pair: 1456, coloured_pair: 1664, mixed_pair: 3328, loss: 79872 });
    // 21+3, 6 decks: suited trips 1040, straight flush 10368, trips 25272, straight 155520, flush (pair+flush included) 292896 of 5013320.
    const t = combinationCounts(3, 6, oracle21p3);
    expect(t).toEqual({ suited_trips: 1040, straight_flush: 10368, three_of_a_kind: 25272, straight: 155520, flush: 292896, loss: 4528224 });
    // Hot 3, 6 decks: 2024 / 27432 / 419256 / 377568 / 364320 of 5013320; house edge 5.49%.
    const h = combinationCounts(3, 6, oracleHot3);
    expect(h).toEqual({ seven_seven_seven: 2024, suited_21: 27432, twenty_one: 419256, twenty: 377568, nineteen: 364320, loss: 5013320 - 2024 - 27432 - 419256 - 377568 - 364320 });
    const rtp = (counts: Record<string, number>, pays: Record<string, number>) => {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return Object.entries(counts).reduce((r, [o, n]) => r + (n / total) * (o === 'loss' ? 0 : 1 + (pays[o] ?? NaN)), 0);
    };
    expect(rtp(pp, O_PAYS.perfect_pairs)).toBeCloseTo(1 - 0.040964, 6);
    expect(rtp(h, O_PAYS.hot_3)).toBeCloseTo(1 - 0.054894, 6);
    // 21+3 with Evolution's table at 8 decks: 96.30% (house edge 3.70%).
    expect(rtp(combinationCounts(3, 8, oracle21p3), O_PAYS.twenty_one_plus_three)).toBeCloseTo(0.96296, 5);
  });
});

// --- Whole rounds: settlement and the dealer's drawing recomputed from the final cards.

type OStake = { component: string; amount: bigint; hand: number | null; box: string };

function oracleReturn(state: RoundState, stake: OStake): bigint {
  const dealer = state.dealer;
  const dealerBj = dealer.length === 2 && oracleTotal(dealer).total === 21;
  const box = state.boxes.find((b) => b.box_id === stake.box);
  if (!box) throw new Error('box');
  const s = stake.amount;
  if (stake.component === 'insurance') return dealerBj ? s * 3n : 0n;
  if (stake.component in O_PAYS) {
    const [a = '', b = ''] = box.initial_cards;
    const up = dealer[0] ?? '';
    const outcome = stake.component === 'perfect_pairs' ? oraclePerfectPairs(a, b) : stake.component === 'hot_3' ? oracleHot3([a, b, up]) : oracle21p3([a, b, up]);
    const pays = outcome === null ? undefined : O_PAYS[stake.component as SideBetKind][outcome];
    return pays === undefined ? 0n : s * BigInt(1 + pays);
  }
  const hand = box.hands[stake.hand ?? -1];
  if (!hand) throw new Error('hand');
  const double = stake.component === 'double' || stake.component === 'behind_double';
  if (hand.status === 'surrendered') return double ? 0n : s / 2n;
  const p = oracleTotal(hand.cards).total;
  const natural = hand.cards.length === 2 && p === 21 && box.hands.length === 1;
  if (natural) {
    if (dealerBj) return s;
    return state.rules.blackjack_pays === '3:2' ? s + (s * 3n) / 2n : s + (s * 6n) / 5n;
  }
  if (p > 21 || dealerBj) return 0n;
  const d = oracleTotal(dealer).total;
  return d > 21 || p > d ? 2n * s : p === d ? s : 0n;
}

/** Whether the dealer drew exactly as the rule says: draw below 17 (and on soft 17 under H17), while a hand is live. */
function oracleDealerOk(state: RoundState): boolean {
  const live = state.boxes.some((b) => b.hands.some((h) => h.status === 'stood' || (h.status === 'playing' && state.rules.dealer_peek)));
  const d = state.dealer;
  if (d.length <= 2) {
    const t = oracleTotal(d);
    const mustDraw = d.length === 2 && live && (t.total < 17 || (t.total === 17 && t.soft && state.rules.dealer_soft_17 === 'hit'));
    return !mustDraw || (d.length === 2 && t.total === 21);
  }
  for (let n = 2; n <= d.length; n++) {
    const t = oracleTotal(d.slice(0, n));
    const draw = t.total < 17 || (t.total === 17 && t.soft && state.rules.dealer_soft_17 === 'hit');
    if (n < d.length && !draw) return false;
    if (n === d.length && draw) return false;
  }
  return true;
}

function playRound(rules: BlackjackRules, format: 'seated' | 'infinite', round: number): RoundState {
  const shoe = verifyShoe('c0'.repeat(32), 'conformance', round, rules.decks);
  let state = newRound(format, rules);
  const players = 1 + (round % 5);
  for (let p = 0; p < players; p++) {
    const side_bets = Object.fromEntries(rules.side_bets.map((k, i) => [k, 1 + ((round + p + i) % 7)]));
    const step = placeBet(state, { player_id: `p${p}`, ...(format === 'seated' ? { seat: p + 1 } : {}), main_minor: 1 + ((round * 7 + p * 13) % 50), side_bets });
    if (!step.ok) throw new Error(step.code);
    state = step.state;
  }
  const go = (step: ReturnType<typeof decide>) => {
    if (!step.ok) throw new Error(step.code);
    return step.state;
  };
  state = go(closeBetting(state));
  for (let i = 0; state.phase !== 'complete'; i++) {
    if (i > 500) throw new Error('round does not end');
    state = go(dealFromShoe(state, shoe));
    if (state.phase === 'insurance') {
      const pending = state.boxes.find((b) => b.insurance === 'pending');
      state = pending ? go(insure(state, { player_id: pending.player_id, box_id: pending.box_id, take: (round + i) % 3 === 0 })) : go(closeInsurance(state));
      continue;
    }
    if (state.phase !== 'decisions') continue;
    const box = format === 'seated' ? state.boxes.find((b) => b.box_id === currentTurn(state)?.box_id) : state.boxes.find((b) => activeHandIndex(b) !== null && b.hands[activeHandIndex(b) ?? 0]?.status === 'playing');
    const index = box ? activeHandIndex(box) : null;
    const hand = box && index !== null ? box.hands[index] : undefined;
    if (!box || index === null || !hand || hand.status !== 'playing') continue;
    if ((round + i) % 17 === 0) { state = go(timeout(state)); continue; }
    const legal = legalActions(state, box.player_id, box.box_id, index);
    // Basic strategy with a human mistake now and then (a random legal action).
    const action = (round * 31 + i) % 9 === 0 ? legal[(round + i) % legal.length] ?? 'stand' : basicStrategy(rules, hand.cards, state.dealer[0] ?? '', legal);
    state = go(decide(state, { player_id: box.player_id, box_id: box.box_id, hand_index: index, action }));
  }
  return state;
}

describe.each([
  ['Seated, classic (no hole card, S17)', CLASSIC_SEATED, 'seated'],
  ['Infinite (H17, Hot 3)', CLASSIC_INFINITE, 'infinite'],
  ['Seated, US peek, surrender, resplit', US_PEEK, 'seated'],
  ['Seated, 6:5, double 9-11, no DAS', { ...US_PEEK, blackjack_pays: '6:5', double_on: '9_11', double_after_split: false, dealer_soft_17: 'hit' }, 'seated'],
] as const)('%s: settlement as the oracle computes it', (_name, rules, format) => {
  it('over 1,500 rounds: every stake returns what the oracle returns, and the dealer drew by the rule', () => {
    const mismatches: string[] = [];
    for (let round = 0; round < 1_500; round++) {
      const state = playRound(rules, format, round);
      const result = settleRound(state);
      if ('ok' in result) throw new Error(result.code);
      if (!oracleDealerOk(state)) mismatches.push(`round ${round}: dealer ${state.dealer.join(',')}`);
      state.stakes.forEach((stake, i) => {
        const expected = oracleReturn(state, { component: stake.component, amount: BigInt(stake.amount_minor), hand: stake.hand_index, box: stake.box_id });
        const got = result.stakes[i]?.returned_minor;
        if (got === undefined || BigInt(got) !== expected) mismatches.push(`round ${round} ${stake.component} ${stake.amount_minor}: got ${got}, oracle ${expected}`);
      });
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

it('the side-bet pays used in settlement are the table rows', () => {
  expect(sideBetPays('hot_3', 'seven_seven_seven')).toBe(100);
  expect(sideBetPays('perfect_pairs', null)).toBe(0);
});
