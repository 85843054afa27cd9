/**
 * The rule set the theoretical RTP calculation reads is the engine's own table rules
 * (domain/games/blackjack/rules.ts, `BlackjackRules`, snake_case, validated by its zod schema): one
 * shape for the table, the engine and the oracle. Only the type is imported, so this oracle still
 * runs none of the engine's code.
 *
 * Fields the calculation reads: decks, dealer_soft_17, dealer_peek, blackjack_pays, double_on,
 * double_after_split, max_hands, split_aces_one_card, resplit_aces, late_surrender. Fields that
 * cannot change the basic-strategy RTP are not read: seats and side_bets; insurance (offered, but
 * basic strategy never takes it: its return is 3 x P(ten) - 1 < 0 off the top of any shoe); and
 * split_unequal_tens (any two ten-valued cards are a pair here, and basic strategy never splits tens).
 *
 * Fixed for every rule set (not fields): dealer blackjack beats everything but a player blackjack;
 * a split hand's A+10 is 21, not a blackjack; doubling is on the first two cards of a hand only.
 */
import type { BlackjackRules } from '../games/blackjack/rules';

export type { BlackjackRules };

/** The usual six-deck shoe game: S17, 3:2, double any two, DAS, resplit to four, no surrender, peek. */
export const SIX_DECK_S17: BlackjackRules = {
  decks: 6,
  dealer_soft_17: 'stand',
  dealer_peek: true,
  blackjack_pays: '3:2',
  double_on: 'any_two',
  double_after_split: true,
  max_hands: 4,
  split_unequal_tens: false,
  split_aces_one_card: true,
  resplit_aces: false,
  late_surrender: false,
  insurance: true,
  seats: 7,
  side_bets: [],
};

/** The fields the RTP and the derived chart depend on, as a cache key (seats or side bets do not split a cache). */
export function rtpRulesKey(rules: BlackjackRules): string {
  return [
    rules.decks, rules.dealer_soft_17, rules.dealer_peek, rules.blackjack_pays, rules.double_on, rules.double_after_split,
    rules.max_hands, rules.split_aces_one_card, rules.resplit_aces, rules.late_surrender,
  ].join('|');
}

export function dealerHitsSoft17(rules: BlackjackRules): boolean {
  return rules.dealer_soft_17 === 'hit';
}

/** Profit per unit stake of a player blackjack. */
export function blackjackPayout(rules: BlackjackRules): number {
  return rules.blackjack_pays === '3:2' ? 1.5 : 1.2;
}

/**
 * Checks a rule set can be analysed; throws with the reason otherwise. Wider than the engine's schema
 * (up to 16 decks, 8 split hands) so the calculator can price rule sets no table offers.
 */
export function assertValidRules(rules: BlackjackRules): void {
  if (!Number.isSafeInteger(rules.decks) || rules.decks < 1 || rules.decks > 16) throw new Error(`decks must be an integer 1..16, got ${rules.decks}`);
  if (!Number.isSafeInteger(rules.max_hands) || rules.max_hands < 1 || rules.max_hands > 8) {
    throw new Error(`max_hands must be an integer 1..8, got ${rules.max_hands}`);
  }
}
