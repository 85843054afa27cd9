/**
 * Side bets as data: each a pay table (outcome -> "to 1") with its published source, and one
 * function naming the hand's outcome (the best row it qualifies for, or null: the bet loses).
 * All three are decided on the initial cards alone, so they settle right after the deal.
 *
 * Pay tables are Evolution's live tables (game rules pages of Evolution "Blackjack" and "Infinite
 * Blackjack"; the same tables are analysed at wizardofodds.com/games/blackjack/side-bets/):
 *   - Perfect Pairs on the player's first two cards: perfect pair (same rank and suit) 25:1,
 *     coloured pair (same rank and colour) 12:1, mixed pair (same rank, other colour) 6:1;
 *   - 21+3 on the player's first two cards and the dealer's up card, as a three-card poker hand:
 *     suited trips 100:1, straight flush 40:1, three of a kind 30:1, straight 10:1, flush 5:1;
 *     an ace is high or low in a straight (A-2-3, Q-K-A) but does not wrap (K-A-2 is no straight);
 *   - Hot 3 on the same three cards, by blackjack total (an ace 1 or 11, as hands count): 7-7-7
 *     100:1, suited 21 20:1, 21 4:1, 20 2:1, 19 1:1.
 */
import { handValue, isRed, rankIndex, rankOf, suitOf } from './cards';

export type SideBetKind = 'perfect_pairs' | 'twenty_one_plus_three' | 'hot_3';

export type PayRow = { outcome: string; pays: number };

export type SideBetTable = {
  bet: SideBetKind;
  description: string;
  source: string;
  /** Best outcome first; a hand takes the first row it qualifies for. */
  rows: readonly PayRow[];
};

const EVOLUTION = 'Evolution live blackjack game rules';

export const SIDE_BET_TABLES: Readonly<Record<SideBetKind, SideBetTable>> = {
  perfect_pairs: {
    bet: 'perfect_pairs',
    description: "The player's first two cards are a pair",
    source: `${EVOLUTION}; wizardofodds.com/games/blackjack/side-bets/perfect-pairs/ (pay table A)`,
    rows: [
      { outcome: 'perfect_pair', pays: 25 },
      { outcome: 'coloured_pair', pays: 12 },
      { outcome: 'mixed_pair', pays: 6 },
    ],
  },
  twenty_one_plus_three: {
    bet: 'twenty_one_plus_three',
    description: "The player's first two cards and the dealer's up card as a three-card poker hand",
    source: `${EVOLUTION}; combination counts at wizardofodds.com/games/blackjack/side-bets/21plus3/`,
    rows: [
      { outcome: 'suited_trips', pays: 100 },
      { outcome: 'straight_flush', pays: 40 },
      { outcome: 'three_of_a_kind', pays: 30 },
      { outcome: 'straight', pays: 10 },
      { outcome: 'flush', pays: 5 },
    ],
  },
  hot_3: {
    bet: 'hot_3',
    description: "The blackjack total of the player's first two cards and the dealer's up card",
    source: `${EVOLUTION} (Infinite Blackjack); wizardofodds.com/games/blackjack/side-bets/hot3/`,
    rows: [
      { outcome: 'seven_seven_seven', pays: 100 },
      { outcome: 'suited_21', pays: 20 },
      { outcome: 'twenty_one', pays: 4 },
      { outcome: 'twenty', pays: 2 },
      { outcome: 'nineteen', pays: 1 },
    ],
  },
};

export const SIDE_BET_KINDS: readonly SideBetKind[] = ['perfect_pairs', 'twenty_one_plus_three', 'hot_3'];

export function isSideBetKind(value: unknown): value is SideBetKind {
  return typeof value === 'string' && Object.hasOwn(SIDE_BET_TABLES, value);
}

/** The cards a side bet looks at: the player's first two and the dealer's up card. */
export type SideBetCards = { player: readonly [string, string]; dealer_up: string };

export function perfectPairsOutcome(player: readonly [string, string]): string | null {
  const [a, b] = player;
  if (rankOf(a) !== rankOf(b)) return null;
  if (suitOf(a) === suitOf(b)) return 'perfect_pair';
  return isRed(a) === isRed(b) ? 'coloured_pair' : 'mixed_pair';
}

export function twentyOnePlusThreeOutcome(cards: readonly [string, string, string]): string | null {
  const ranks = cards.map((c) => rankIndex(c) ?? -1).sort((x, y) => x - y);
  const suited = cards.every((c) => suitOf(c) === suitOf(cards[0]));
  const trips = ranks[0] === ranks[2];
  if (trips) return suited ? 'suited_trips' : 'three_of_a_kind';
  const straight = isThreeCardStraight(ranks);
  if (straight && suited) return 'straight_flush';
  if (straight) return 'straight';
  return suited ? 'flush' : null;
}

/** Sorted rank indexes (0 = A .. 12 = K) in a run; the ace also plays high after the king (Q-K-A). */
function isThreeCardStraight(sorted: readonly number[]): boolean {
  const [a = -1, b = -1, c = -1] = sorted;
  if (b === a + 1 && c === b + 1) return true;
  return a === 0 && b === 11 && c === 12;
}

export function hot3Outcome(cards: readonly [string, string, string]): string | null {
  if (cards.every((c) => rankOf(c) === '7')) return 'seven_seven_seven';
  const { total } = handValue(cards);
  if (total === 21) return cards.every((c) => suitOf(c) === suitOf(cards[0])) ? 'suited_21' : 'twenty_one';
  if (total === 20) return 'twenty';
  return total === 19 ? 'nineteen' : null;
}

export function sideBetOutcome(bet: SideBetKind, cards: SideBetCards): string | null {
  const three: [string, string, string] = [cards.player[0], cards.player[1], cards.dealer_up];
  switch (bet) {
    case 'perfect_pairs': return perfectPairsOutcome(cards.player);
    case 'twenty_one_plus_three': return twentyOnePlusThreeOutcome(three);
    case 'hot_3': return hot3Outcome(three);
  }
}

/** "to 1" of an outcome of a side bet (0 when the outcome is not in its table). */
export function sideBetPays(bet: SideBetKind, outcome: string | null): number {
  if (outcome === null) return 0;
  return SIDE_BET_TABLES[bet].rows.find((r) => r.outcome === outcome)?.pays ?? 0;
}
