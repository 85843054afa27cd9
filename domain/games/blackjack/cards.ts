/**
 * Blackjack cards and hand values. A card is rank + suit, as in baccarat: ranks A 2 .. 10 J Q K,
 * suits S H D C ('AS', '10H', 'KD'). Values: A = 1 or 11, 2..9 face value, 10 J Q K = 10.
 *
 * A hand's total counts every ace as 1, then one ace as 11 when that stays at or under 21; the
 * hand is *soft* when such an ace is counted as 11 (A-6 is soft 17, A-6-10 is hard 17).
 */

export const RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'] as const;
export const SUITS = ['S', 'H', 'D', 'C'] as const;
export const CARDS_PER_DECK = RANKS.length * SUITS.length;

export type Rank = (typeof RANKS)[number];
export type Suit = (typeof SUITS)[number];


/** Every card string with its rank index: one lookup per card on the hot path (hand totals, dealing). */
const CARD_RANK: ReadonlyMap<string, number> = new Map(SUITS.flatMap((suit) => RANKS.map((rank, i) => [`${rank}${suit}`, i] as const)));

/** Rank index (0 = A .. 12 = K) of a card string, or null when it is not a card. */
export function rankIndex(card: unknown): number | null {
  return typeof card === 'string' ? (CARD_RANK.get(card) ?? null) : null;
}

export function isCard(value: unknown): value is string {
  return rankIndex(value) !== null;
}

function rankIndexOf(card: string): number {
  const rank = rankIndex(card);
  if (rank === null) throw new Error(`not a card: '${card}'`);
  return rank;
}

export function rankOf(card: string): Rank {
  return RANKS[rankIndexOf(card)] ?? 'A';
}

export function suitOf(card: string): Suit {
  const suit = card.slice(-1);
  const found = SUITS.find((s) => s === suit);
  if (!found) throw new Error(`not a card: '${card}'`);
  return found;
}

/** Red suits, for Perfect Pairs' coloured pair. */
export function isRed(card: string): boolean {
  const suit = suitOf(card);
  return suit === 'H' || suit === 'D';
}

/** Point value with an ace as 1 (hand totals add 10 for a soft ace). */
export function pointValue(card: string): number {
  const rank = rankIndexOf(card);
  return rank === 0 ? 1 : Math.min(rank + 1, 10);
}

export type HandValue = { total: number; soft: boolean };

export function handValue(cards: readonly string[]): HandValue {
  let hard = 0;
  let aces = 0;
  for (const card of cards) {
    const v = pointValue(card);
    hard += v;
    if (v === 1) aces++;
  }
  if (aces > 0 && hard + 10 <= 21) return { total: hard + 10, soft: true };
  return { total: hard, soft: false };
}

export function isBust(cards: readonly string[]): boolean {
  return handValue(cards).total > 21;
}

/** Two cards totalling 21. A split hand reaching 21 in two cards is not a blackjack (callers decide). */
export function isTwoCardTwentyOne(cards: readonly string[]): boolean {
  return cards.length === 2 && handValue(cards).total === 21;
}

/** A ten-value card (10 J Q K): with an ace up, a ten hole card is a dealer blackjack. */
export function isTenValue(card: string): boolean {
  return pointValue(card) === 10;
}

export function isAce(card: string): boolean {
  return rankIndexOf(card) === 0;
}

/** Card at position `index` of an unshuffled shoe: deck-major, then suit (S H D C), then rank (A .. K). */
export function orderedCard(index: number): string {
  const inDeck = index % CARDS_PER_DECK;
  return `${RANKS[inDeck % RANKS.length]}${SUITS[Math.floor(inDeck / RANKS.length)]}`;
}
