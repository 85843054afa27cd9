/**
 * Theoretical return to player of every bet type, exact: the payout table applied to the exact
 * outcome probabilities (no simulation). Roulette: 37 equally likely numbers. Baccarat: the exact
 * probabilities of every (winner, pair, pair) result of an 8-deck shoe.
 *
 * Also the variance of the return per unit stake, which the RTP monitor needs for a z-score. These
 * are statistics, so plain floats; money never passes through here. Baccarat's outcome counts are
 * a constant table, derived by baccarat-enumeration.ts and checked against it in the tests.
 */
import { BACCARAT_BETS, type BaccaratFacts, type BaccaratWinner } from '../games/baccarat';
import { unitReturn } from '../games/payout';
import { ROULETTE_BET_TYPES, ROULETTE_POCKETS, roulette, rouletteSpots } from '../games/roulette';
import type { BetTypeDef, GameKind, Settlement } from '../games/types';

/** Return per unit stake of one bet: its mean (the RTP) and variance. */
export type BetMoments = { rtp: number; variance: number };

export type Distribution<F> = ReadonlyArray<{ p: number; facts: F }>;

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
  const layout = rouletteSpots();
  for (const def of ROULETTE_BET_TYPES) {
    const spots = layout.filter((s) => betType(s) === def.bet_type);
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

/**
 * The exact 8-deck counts: of the 416 x 415 x 414 x 413 x 412 x 411 ordered sequences of the shoe's
 * first six cards, how many give each (winner, player pair, banker pair). A constant so that a table
 * object does not spend ~0.3 s of CPU enumerating the shoe; baccarat-enumeration.ts derives it and
 * its test checks this table against the enumeration.
 */
export const BACCARAT_SEQUENCES = 4_998_398_275_503_360;
export const BACCARAT_COUNTS: ReadonlyArray<readonly [winner: BaccaratWinner, player_pair: boolean, banker_pair: boolean, sequences: number]> = [
  ['player', false, false, 1_906_634_336_174_080],
  ['player', true, false, 134_327_962_841_088],
  ['player', false, true, 177_294_219_300_864],
  ['player', true, true, 12_261_764_276_224],
  ['banker', false, false, 1_961_806_209_310_720],
  ['banker', true, false, 181_199_148_797_952],
  ['banker', false, true, 136_819_378_110_464],
  ['banker', true, true, 12_427_830_218_752],
  ['tie', false, false, 411_103_725_690_880],
  ['tie', true, false, 29_952_563_675_136],
  ['tie', false, true, 31_366_077_902_848],
  ['tie', true, true, 3_205_059_204_352],
];

/** Exact joint distribution of (winner, player pair, banker pair) for one round from a full shoe. */
export function baccaratFactsDistribution(): Distribution<BaccaratFacts> {
  return BACCARAT_COUNTS.map(([winner, player_pair, banker_pair, n]) => ({
    p: n / BACCARAT_SEQUENCES,
    facts: { winner, player_pair, banker_pair },
  }));
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
