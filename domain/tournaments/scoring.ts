/**
 * The scoring formula of a tournament: a weighted sum of a small set of terms over one settled bet,
 * read through the same facts the rewards engine reads (domain/rewards/facts.ts), so "stake", "net"
 * and "natural" mean the same thing in a mission and in a tournament. Integers only: a score is a
 * count of points, never a float.
 */
import type { Facts } from '../rewards/facts';

export const SCORING_TERMS = ['bets', 'stake', 'net_win', 'wins', 'naturals'] as const;
export type ScoringTermName = (typeof SCORING_TERMS)[number];

/** What one settled bet is worth in one term (before its weight). */
const TERM_VALUE: Record<ScoringTermName, (facts: Facts) => number> = {
  /** 1 per settled bet. */
  bets: () => 1,
  /** The stake, in minor units. */
  stake: (f) => nonNegative(f('stake_minor')),
  /** What the bet won beyond its stake (0 for a loss or a push), in minor units. */
  net_win: (f) => nonNegative(f('net_minor')),
  /** 1 per winning bet. */
  wins: (f) => (f('result') === 'win' ? 1 : 0),
  /** 1 per blackjack hand dealt a natural. */
  naturals: (f) => (f('natural') === true ? 1 : 0),
};

function nonNegative(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0;
}

export type Formula = readonly { term: ScoringTermName; weight: number }[];

/** Points of one event under the formula (0 when nothing in it scores). */
export function scoreOf(formula: Formula, facts: Facts): number {
  let points = 0;
  for (const { term, weight } of formula) points += weight * TERM_VALUE[term](facts);
  if (!Number.isSafeInteger(points)) throw new Error(`invariant: score ${points} is not a safe integer`);
  return points;
}
