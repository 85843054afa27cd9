/**
 * The rule set of a blackjack table as plain data, for the theoretical RTP calculation. The game
 * engine (domain/games/blackjack/) validates the same fields with its own schema; the names are kept
 * simple so the two can be reconciled field by field.
 *
 * Fixed for every rule set (not fields): dealer blackjack beats everything but a player blackjack;
 * a split hand's A+10 is 21, not a blackjack; doubling is on the first two cards of a hand only;
 * any two ten-valued cards are a pair (basic strategy never splits tens, so whether 10-J may be
 * split does not change the RTP); insurance is offered but basic strategy never takes it
 * (its return is 3 x P(ten) - 1 < 0 off the top of any shoe), so it does not enter the RTP.
 */
export type BlackjackRules = {
  /** 52-card decks in the shoe (the calculation can also treat the shoe as infinite). */
  decks: number;
  /** H17: the dealer hits soft 17; S17 when false. */
  dealerHitsSoft17: boolean;
  blackjackPays: '3:2' | '6:5';
  /** Double on any first two cards, or only on a hard total of 9, 10 or 11. */
  doubleOn: 'any' | '9-11';
  doubleAfterSplit: boolean;
  /** Split aces receive one card each and stand; when false they are played like any split hand. */
  splitAcesOneCard: boolean;
  /** Most hands a player can end with by splitting and resplitting: 1 = no split, 2 = split once, 4 = resplit to four. */
  maxSplitHands: number;
  /** Split aces may be split again (up to maxSplitHands) when they pair. */
  resplitAces: boolean;
  /** Late surrender: give up half the bet on the first two cards (after the dealer checks for blackjack). */
  surrender: boolean;
  /**
   * The dealer checks for blackjack under an ace or ten up card before the players act, so a dealer
   * blackjack takes only the original bet (equivalent: "original bets only" no-hole-card games).
   * False: European no hole card, where a dealer blackjack also takes doubles and splits.
   */
  peek: boolean;
};

/** The usual six-deck shoe game: S17, 3:2, double any two, DAS, resplit to four, no surrender, peek. */
export const SIX_DECK_S17: BlackjackRules = {
  decks: 6,
  dealerHitsSoft17: false,
  blackjackPays: '3:2',
  doubleOn: 'any',
  doubleAfterSplit: true,
  splitAcesOneCard: true,
  maxSplitHands: 4,
  resplitAces: false,
  surrender: false,
  peek: true,
};

/** Profit per unit stake of a player blackjack. */
export function blackjackPayout(rules: BlackjackRules): number {
  return rules.blackjackPays === '3:2' ? 1.5 : 1.2;
}

/** Checks a rule set can be analysed; throws with the reason otherwise. */
export function assertValidRules(rules: BlackjackRules): void {
  if (!Number.isSafeInteger(rules.decks) || rules.decks < 1 || rules.decks > 16) throw new Error(`decks must be an integer 1..16, got ${rules.decks}`);
  if (!Number.isSafeInteger(rules.maxSplitHands) || rules.maxSplitHands < 1 || rules.maxSplitHands > 8) {
    throw new Error(`maxSplitHands must be an integer 1..8, got ${rules.maxSplitHands}`);
  }
}

/**
 * The engine's table rules (domain/games/blackjack/rules.ts, snake_case), declared structurally here
 * so this oracle does not import the engine it checks. Fields that cannot change the basic-strategy
 * RTP (seats, side bets, insurance, split_unequal_tens) are not read.
 */
export type TableBlackjackRules = {
  decks: number;
  dealer_soft_17: 'hit' | 'stand';
  dealer_peek: boolean;
  blackjack_pays: '3:2' | '6:5';
  double_on: 'any_two' | '9_11';
  double_after_split: boolean;
  max_hands: number;
  split_aces_one_card: boolean;
  resplit_aces: boolean;
  late_surrender: boolean;
};

export function fromTableRules(r: TableBlackjackRules): BlackjackRules {
  return {
    decks: r.decks,
    dealerHitsSoft17: r.dealer_soft_17 === 'hit',
    blackjackPays: r.blackjack_pays,
    doubleOn: r.double_on === 'any_two' ? 'any' : '9-11',
    doubleAfterSplit: r.double_after_split,
    splitAcesOneCard: r.split_aces_one_card,
    maxSplitHands: r.max_hands,
    resplitAces: r.resplit_aces,
    surrender: r.late_surrender,
    peek: r.dealer_peek,
  };
}
