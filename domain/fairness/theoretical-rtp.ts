/**
 * Theoretical return to player of every bet type, exact: the payout table applied to the exact
 * outcome probabilities (no simulation). Roulette: 37 equally likely numbers. Baccarat: every deal
 * of an 8-deck shoe enumerated by card rank without replacement (first four cards) and by point
 * value (third cards, whose rank no bet looks at), weighted by its probability.
 *
 * Also the variance of the return per unit stake, which the RTP monitor needs for a z-score. These
 * are statistics, so plain floats; money never passes through here.
 */
import {
  BACCARAT_BETS,
  DECKS,
  RANK_VALUES,
  RANKS,
  SHOE_SIZE,
  SUITS,
  bankerDraws,
  playerDraws,
  type BaccaratFacts,
  type BaccaratWinner,
} from '../games/baccarat';
import { unitReturn } from '../games/payout';
import { ROULETTE_BET_TYPES, ROULETTE_POCKETS, roulette, rouletteSpots } from '../games/roulette';
import type { BetTypeDef, GameKind, Settlement } from '../games/types';

/** Return per unit stake of one bet: its mean (the RTP) and variance. */
export type BetMoments = { rtp: number; variance: number };

type Distribution<F> = ReadonlyArray<{ p: number; facts: F }>;

/** Mean and variance of a bet's return per unit stake over an outcome distribution. */
function momentsOf<F>(def: BetTypeDef, dist: Distribution<F>, resultOf: (facts: F) => Settlement['result']): BetMoments {
  let mean = 0;
  let square = 0;
  for (const { p, facts } of dist) {
    const x = unitReturn(def, resultOf(facts));
    mean += p * x;
    square += p * x * x;
  }
  return { rtp: mean, variance: square - mean * mean };
}

// --- Roulette.

const ROULETTE_NUMBERS: Distribution<{ number: number }> = Array.from({ length: ROULETTE_POCKETS }, (_, n) => ({
  p: 1 / ROULETTE_POCKETS,
  facts: { number: n },
}));

/** Per bet type; every spot of the layout is computed and all spots of a type must agree. */
function rouletteRtp(): Record<string, BetMoments> {
  const out: Record<string, BetMoments> = {};
  for (const def of ROULETTE_BET_TYPES) {
    const spots = rouletteSpots().filter((s) => roulette.parseSpot(s).ok && betType(s) === def.bet_type);
    for (const spot of spots) {
      const m = momentsOf(def, ROULETTE_NUMBERS, (o) => roulette.settle(spot, 1, o).result);
      const first = out[def.bet_type];
      if (first && Math.abs(first.rtp - m.rtp) > 1e-12) throw new Error(`roulette spots of ${def.bet_type} disagree: ${spot}`);
      out[def.bet_type] ??= m;
    }
  }
  return out;
}

function betType(spot: string): string {
  return spot.split(':')[0] ?? spot;
}

// --- Baccarat.

let baccaratDistribution: Distribution<BaccaratFacts> | null = null;

/** Exact joint distribution of (winner, player pair, banker pair) for one round from a full shoe (computed once). */
export function baccaratFactsDistribution(): Distribution<BaccaratFacts> {
  baccaratDistribution ??= enumerateBaccarat();
  return baccaratDistribution;
}

/**
 * Counts, in exact integers, the ordered sequences of the shoe's first six cards that lead to each
 * (winner, pair, pair) result: a round that uses fewer than six cards counts every possible
 * continuation. The total is 416 x 415 x 414 x 413 x 412 x 411 (about 5.0e15 < 2^53), so every
 * count and sum is exact and the probabilities are exact up to one final division.
 */
function enumerateBaccarat(): Distribution<BaccaratFacts> {
  const TOTAL = [0, 1, 2, 3, 4, 5].reduce((t, k) => t * (SHOE_SIZE - k), 1);
  const counts = new Map<string, { n: number; facts: BaccaratFacts }>();
  const add = (n: number, playerTotal: number, bankerTotal: number, playerPair: boolean, bankerPair: boolean) => {
    const winner: BaccaratWinner = playerTotal > bankerTotal ? 'player' : bankerTotal > playerTotal ? 'banker' : 'tie';
    const key = `${winner}:${playerPair}:${bankerPair}`;
    const entry = counts.get(key) ?? { n: 0, facts: { winner, player_pair: playerPair, banker_pair: bankerPair } };
    entry.n += n;
    counts.set(key, entry);
  };

  const ranks = RANKS.map(() => DECKS * SUITS.length);
  const value = (r: number) => RANK_VALUES[r] ?? 0;
  // Deal order: player, banker, player, banker, then third cards (see domain/games/baccarat.ts).
  const firstFour = (depth: number, cards: number[], n: number) => {
    if (depth === 4) return thirdCards(cards, n);
    for (let r = 0; r < RANKS.length; r++) {
      const left = ranks[r] ?? 0;
      if (left === 0) continue;
      ranks[r] = left - 1;
      firstFour(depth + 1, [...cards, r], n * left);
      ranks[r] = left;
    }
  };
  const thirdCards = ([p1 = 0, b1 = 0, p2 = 0, b2 = 0]: number[], n: number) => {
    const byValue = Array.from({ length: 10 }, () => 0);
    ranks.forEach((left, r) => { byValue[value(r)] = (byValue[value(r)] ?? 0) + left; });
    const pTotal = (value(p1) + value(p2)) % 10;
    const bTotal = (value(b1) + value(b2)) % 10;
    const pairs = [p1 === p2, b1 === b2] as const;
    const fifth = SHOE_SIZE - 4; // cards left for the 5th position
    const sixth = SHOE_SIZE - 5;
    // The banker's decision; `nSoFar` counts sequences through the 5th card when the player drew, or 4th when not.
    const bankerThird = (pFinal: number, playerThird: number | null, nSoFar: number) => {
      const unused = playerThird === null ? fifth * sixth : sixth;
      if (!bankerDraws(pTotal, bTotal, playerThird)) return add(nSoFar * unused, pFinal, bTotal, ...pairs);
      for (let v = 0; v < 10; v++) {
        const left = (byValue[v] ?? 0) - (v === playerThird ? 1 : 0);
        if (left > 0) add(nSoFar * left * (playerThird === null ? sixth : 1), pFinal, (bTotal + v) % 10, ...pairs);
      }
    };
    if (!playerDraws(pTotal, bTotal)) return bankerThird(pTotal, null, n);
    for (let v = 0; v < 10; v++) {
      const left = byValue[v] ?? 0;
      if (left > 0) bankerThird((pTotal + v) % 10, v, n * left);
    }
  };
  firstFour(0, [], 1);

  const sum = [...counts.values()].reduce((t, e) => t + e.n, 0);
  if (!Number.isSafeInteger(sum) || sum !== TOTAL) throw new Error(`baccarat enumeration counted ${sum} of ${TOTAL} sequences`);
  return [...counts.values()].map(({ n, facts }) => ({ p: n / TOTAL, facts }));
}

function baccaratRtp(): Record<string, BetMoments> {
  const dist = baccaratFactsDistribution();
  const out: Record<string, BetMoments> = {};
  for (const bet of BACCARAT_BETS) out[bet.def.bet_type] = momentsOf(bet.def, dist, bet.decide);
  return out;
}

/** P(player), P(banker), P(tie) for one round: the expected frequencies of the chi-square test. */
export function baccaratWinnerProbabilities(): Record<BaccaratWinner, number> {
  const out: Record<BaccaratWinner, number> = { player: 0, banker: 0, tie: 0 };
  for (const { p, facts } of baccaratFactsDistribution()) out[facts.winner] += p;
  return out;
}

// --- Per game.

const CACHE = new Map<GameKind, Readonly<Record<string, BetMoments>>>();

/** RTP and variance per bet type of a game's payout table (computed once, then cached). */
export function theoreticalRtp(kind: GameKind): Readonly<Record<string, BetMoments>> {
  const cached = CACHE.get(kind);
  if (cached) return cached;
  const computed = Object.freeze(kind === 'roulette' ? rouletteRtp() : baccaratRtp());
  CACHE.set(kind, computed);
  return computed;
}

/**
 * A game's RTP range across its bets. `rtp_bp` is the best bet's RTP rounded to a basis point: the
 * figure a catalog entry declares for a table (roulette 9730, baccarat 9894 on banker).
 */
export function rtpRange(kind: GameKind): { min_rtp: number; max_rtp: number; rtp_bp: number } {
  const rtps = Object.values(theoreticalRtp(kind)).map((m) => m.rtp);
  const max = Math.max(...rtps);
  return { min_rtp: Math.min(...rtps), max_rtp: max, rtp_bp: Math.round(max * 10_000) };
}
