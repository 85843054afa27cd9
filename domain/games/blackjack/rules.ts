/**
 * A blackjack table's rules as data (config/tables.json will carry one object per table). Every
 * rule the engine applies is a field here; nothing is a per-table code branch.
 *
 * Stated conventions, whatever the rules:
 *   - a blackjack is an ace and a ten-value card as a hand's first two cards, never after a split;
 *   - late surrender only: on the first two cards of an unsplit hand, after the dealer's peek (with
 *     no hole card, a surrendered hand keeps its half even if the dealer then makes a blackjack);
 *   - without a peek (European no-hole-card), the dealer's second card comes after the players, and
 *     a dealer blackjack takes every stake of a hand, doubles and splits included;
 *   - insurance costs half the hand's main stake, rounded down (1 minor unit cannot be insured).
 */
import { z } from 'zod';
import { MAX_DECKS } from './shoe';

/** "to 1" as an exact ratio: 3:2 is { num: 3, den: 2 }. */
const ratio = z.object({ num: z.number().int().positive(), den: z.number().int().positive() }).strict();

export const blackjackRulesSchema = z.object({
  decks: z.number().int().min(1).max(MAX_DECKS),
  /** 'H17': the dealer hits a soft 17; 'S17': stands on all 17s. */
  dealer_soft_17: z.enum(['hit', 'stand']),
  /** Dealer takes a hole card and checks for blackjack under an ace or ten (US); false: European no hole card. */
  dealer_peek: z.boolean(),
  blackjack_pays: z.enum(['3:2', '6:5']),
  /** 'any_two': double any first two cards; '9_11': only on a two-card total of 9, 10 or 11. */
  double_on: z.enum(['any_two', '9_11']),
  double_after_split: z.boolean(),
  /** Most hands one box may have after splits (4: resplit up to three times). 1 disables splitting. */
  max_hands: z.number().int().min(1).max(4),
  /** Split 10-J or Q-K (any two ten-value cards), not only equal ranks. */
  split_unequal_tens: z.boolean(),
  /** Split aces take one card each and stand. */
  split_aces_one_card: z.boolean(),
  resplit_aces: z.boolean(),
  late_surrender: z.boolean(),
  insurance: z.boolean(),
  /** Seats of a Seated table (Infinite tables have one box per player, no seats). */
  seats: z.number().int().min(1).max(7),
  /** Side bets offered, each with the pay table named (side-bets.ts). */
  side_bets: z.array(z.enum(['perfect_pairs', 'twenty_one_plus_three', 'hot_3'])).max(3),
}).strict();

export type BlackjackRules = z.infer<typeof blackjackRulesSchema>;

export const BLACKJACK_RATIOS: Record<BlackjackRules['blackjack_pays'], z.infer<typeof ratio>> = {
  '3:2': { num: 3, den: 2 },
  '6:5': { num: 6, den: 5 },
};

/** A classic 7-seat table: 8 decks, S17, 3:2, double any two, DAS, no resplit of aces, no surrender. */
export const CLASSIC_SEATED: BlackjackRules = {
  decks: 8,
  dealer_soft_17: 'stand',
  dealer_peek: false,
  blackjack_pays: '3:2',
  double_on: 'any_two',
  double_after_split: true,
  max_hands: 2,
  split_unequal_tens: true,
  split_aces_one_card: true,
  resplit_aces: false,
  late_surrender: false,
  insurance: true,
  seats: 7,
  side_bets: ['perfect_pairs', 'twenty_one_plus_three'],
};

/** An Infinite table: 8 decks, H17, 3:2, double any two, DAS, one split, Hot 3 alongside the classics. */
export const CLASSIC_INFINITE: BlackjackRules = {
  ...CLASSIC_SEATED,
  dealer_soft_17: 'hit',
  side_bets: ['perfect_pairs', 'twenty_one_plus_three', 'hot_3'],
};

/** US-style rules for the rule-variation tests: peek, surrender, resplit to four. */
export const US_PEEK: BlackjackRules = {
  ...CLASSIC_SEATED,
  decks: 6,
  dealer_peek: true,
  max_hands: 4,
  resplit_aces: true,
  late_surrender: true,
  split_unequal_tens: false,
};

export type RulesParse = { ok: true; rules: BlackjackRules } | { ok: false; reason: string };

export function parseBlackjackRules(input: unknown): RulesParse {
  const parsed = blackjackRulesSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(rules)'}: ${i.message}`).join('; ') };
  return { ok: true, rules: parsed.data };
}
