/**
 * Punto banco baccarat from an 8-deck shoe.
 *
 * Spots: `player` 1:1, `banker` 1:1 less 5% commission on the winnings (rounded down to the minor
 * unit), `tie` 8:1, `player_pair` 11:1, `banker_pair` 11:1. On a tie, player and banker bets push.
 * A pair is the first two cards of that hand having the same rank (K-K is a pair, K-Q is not).
 *
 * Cards are rank + suit: ranks A 2 3 4 5 6 7 8 9 10 J Q K, suits S H D C ('AS', '10H', 'KD').
 * Values: A = 1, 2..9 face value, 10 J Q K = 0; a hand's total is the sum modulo 10.
 *
 * Drawing rules (the tableau), applied by both `draw` and `parseOutcome`:
 *   - either hand has 8 or 9 on its first two cards (a natural): both stand;
 *   - otherwise the player draws on 0-5 and stands on 6-7;
 *   - if the player stood, the banker draws on 0-5 and stands on 6-7;
 *   - if the player drew, the banker draws by its total and the player's third card's value:
 *     0-2 always; 3 unless it is 8; 4 on 2-7; 5 on 4-7; 6 on 6-7; 7 never.
 *
 * Deal order from the shoe: player, banker, player, banker, then the player's third card (if any),
 * then the banker's third card (if any).
 */
import { settlementFor } from './payout';
import type { BetTypeDef, GameRules, Scalar, Settlement, SpotParse, UniformSource } from './types';

export type BaccaratOutcome = { player: string[]; banker: string[] };
export type BaccaratWinner = 'player' | 'banker' | 'tie';

/** What every baccarat bet is decided on. */
export type BaccaratFacts = { winner: BaccaratWinner; player_pair: boolean; banker_pair: boolean };

export const RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'] as const;
export const SUITS = ['S', 'H', 'D', 'C'] as const;
export const DECKS = 8;
export const SHOE_SIZE = DECKS * SUITS.length * RANKS.length; // 416

/** Point value of each rank, index-aligned with RANKS. */
export const RANK_VALUES: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0];

/**
 * Banker's drawing rule after the player drew a third card: for a banker total t (0..7), the
 * player's third-card values on which the banker draws. Totals 8-9 are naturals and never get here.
 */
export const BANKER_DRAWS_ON: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], // 0
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], // 1
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], // 2
  [0, 1, 2, 3, 4, 5, 6, 7, 9], // 3: not on 8
  [2, 3, 4, 5, 6, 7], // 4
  [4, 5, 6, 7], // 5
  [6, 7], // 6
  [], // 7
];

/** A payout-table row plus when its bet wins, pushes or loses. Settlement reads `def` only for money. */
type BaccaratBet = { def: BetTypeDef; decide(facts: BaccaratFacts): Settlement['result'] };

const onWinner = (side: 'player' | 'banker') => (f: BaccaratFacts): Settlement['result'] =>
  f.winner === side ? 'win' : f.winner === 'tie' ? 'push' : 'lose';

export const BACCARAT_BETS: readonly BaccaratBet[] = [
  { def: row('player', 'Player hand wins; pushes on a tie', 1, 0, ['player']), decide: onWinner('player') },
  { def: row('banker', 'Banker hand wins, 5% commission on winnings; pushes on a tie', 1, 500, ['banker']), decide: onWinner('banker') },
  { def: row('tie', 'Both hands have the same total', 8, 0, ['tie']), decide: (f) => (f.winner === 'tie' ? 'win' : 'lose') },
  { def: row('player_pair', "Player's first two cards have the same rank", 11, 0, ['player_pair']), decide: (f) => (f.player_pair ? 'win' : 'lose') },
  { def: row('banker_pair', "Banker's first two cards have the same rank", 11, 0, ['banker_pair']), decide: (f) => (f.banker_pair ? 'win' : 'lose') },
];

export const BACCARAT_BET_TYPES: readonly BetTypeDef[] = BACCARAT_BETS.map((b) => b.def);

function row(bet_type: string, description: string, pays: number, commission_bp: number, examples: string[]): BetTypeDef {
  return { bet_type, description, pays, commission_bp, covers: null, examples };
}

const BETS_BY_SPOT: ReadonlyMap<string, BaccaratBet> = new Map(BACCARAT_BETS.map((b) => [b.def.bet_type, b]));

export function parseBaccaratSpot(input: string): SpotParse {
  if (typeof input !== 'string' || input.length > 20) return { ok: false, reason: 'a spot is a short string' };
  const spot = input.trim().toLowerCase();
  if (!BETS_BY_SPOT.has(spot)) return { ok: false, reason: `unknown baccarat bet '${spot}': one of ${[...BETS_BY_SPOT.keys()].join(', ')}` };
  return { ok: true, spot, bet_type: spot };
}

function betOf(spot: string): BaccaratBet {
  const bet = BETS_BY_SPOT.get(spot);
  if (!bet) throw new Error(`not a baccarat spot: '${spot}'`);
  return bet;
}

export function settleBaccarat(spot: string, stakeMinor: number, outcome: BaccaratOutcome): Settlement {
  const bet = betOf(spot);
  return settlementFor(bet.def, stakeMinor, bet.decide(baccaratFacts(outcome)));
}

export function baccaratMaxReturn(spot: string, stakeMinor: number): number {
  return settlementFor(betOf(spot).def, stakeMinor, 'win').returned_minor;
}

// --- Cards and hands.

const RANK_INDEX: ReadonlyMap<string, number> = new Map(RANKS.map((r, i) => [r, i]));

/** Rank index (0 = A .. 12 = K) of a card string, or null when it is not a card. */
export function rankOf(card: string): number | null {
  if (typeof card !== 'string' || card.length < 2 || card.length > 3) return null;
  const suit = card.slice(-1);
  if (!(SUITS as readonly string[]).includes(suit)) return null;
  return RANK_INDEX.get(card.slice(0, -1)) ?? null;
}

function valueOf(card: string): number {
  const rank = rankOf(card);
  if (rank === null) throw new Error(`not a card: '${card}'`);
  return RANK_VALUES[rank] ?? 0;
}

export function handTotal(cards: readonly string[]): number {
  return cards.reduce((sum, c) => sum + valueOf(c), 0) % 10;
}

function isPair(cards: readonly string[]): boolean {
  const [a, b] = cards;
  return a !== undefined && b !== undefined && rankOf(a) === rankOf(b);
}

export function baccaratFacts(outcome: BaccaratOutcome): BaccaratFacts {
  const p = handTotal(outcome.player);
  const b = handTotal(outcome.banker);
  return {
    winner: p > b ? 'player' : b > p ? 'banker' : 'tie',
    player_pair: isPair(outcome.player),
    banker_pair: isPair(outcome.banker),
  };
}

// --- The tableau, on values: shared by the deal and the validation of an entered result.

/** Whether the player takes a third card, given both two-card totals. */
export function playerDraws(playerTotal: number, bankerTotal: number): boolean {
  if (isNatural(playerTotal) || isNatural(bankerTotal)) return false;
  return playerTotal <= 5;
}

/** Whether the banker takes a third card, given both two-card totals and the player's third card value (null: none). */
export function bankerDraws(playerTotal: number, bankerTotal: number, playerThirdValue: number | null): boolean {
  if (isNatural(playerTotal) || isNatural(bankerTotal)) return false;
  if (playerThirdValue === null) return bankerTotal <= 5;
  return BANKER_DRAWS_ON[bankerTotal]?.includes(playerThirdValue) ?? false;
}

function isNatural(twoCardTotal: number): boolean {
  return twoCardTotal >= 8;
}

/** Plays a round from a card source (the shoe, in deal order). */
function deal(next: () => string): BaccaratOutcome {
  const p1 = next(), b1 = next(), p2 = next(), b2 = next();
  const player = [p1, p2];
  const banker = [b1, b2];
  const pTotal = handTotal(player);
  const bTotal = handTotal(banker);
  let playerThird: number | null = null;
  if (playerDraws(pTotal, bTotal)) {
    const card = next();
    player.push(card);
    playerThird = valueOf(card);
  }
  if (bankerDraws(pTotal, bTotal, playerThird)) banker.push(next());
  return { player, banker };
}

/**
 * Card at position `index` of the unshuffled shoe: deck-major, then suit (S H D C), then rank
 * (A 2 .. 10 J Q K). Index 0 is 'AS', 12 is 'KS', 13 is 'AH', 52 is the second deck's 'AS'.
 */
export function shoeCard(index: number): string {
  const inDeck = index % (SUITS.length * RANKS.length);
  return `${RANKS[inDeck % RANKS.length]}${SUITS[Math.floor(inDeck / RANKS.length)]}`;
}

/**
 * Deals from a freshly shuffled shoe: a Fisher-Yates shuffle run only as far as cards are needed.
 * The k-th card dealt (k = 0, 1, ..) swaps position k with position k + rng.int(416 - k) and takes
 * what lands at k. The shoe is virtual: only swapped positions are remembered.
 */
export function drawBaccarat(rng: UniformSource): BaccaratOutcome {
  const moved = new Map<number, number>();
  const at = (i: number) => moved.get(i) ?? i;
  let k = 0;
  return deal(() => {
    const j = k + rng.int(SHOE_SIZE - k);
    const card = at(j);
    moved.set(j, at(k));
    moved.set(k, card);
    k++;
    return shoeCard(card);
  });
}

export function parseBaccaratOutcome(input: unknown): { ok: true; outcome: BaccaratOutcome } | { ok: false; reason: string } {
  if (typeof input !== 'object' || input === null) return { ok: false, reason: 'an outcome is an object { player, banker } of card lists' };
  const { player, banker } = input as { player?: unknown; banker?: unknown };
  const hands = { player: cardList(player), banker: cardList(banker) };
  if (typeof hands.player === 'string') return { ok: false, reason: `player: ${hands.player}` };
  if (typeof hands.banker === 'string') return { ok: false, reason: `banker: ${hands.banker}` };
  const outcome = { player: hands.player, banker: hands.banker };
  // Replaying the tableau on the entered cards must consume exactly those cards.
  const order = [outcome.player[0], outcome.banker[0], outcome.player[1], outcome.banker[1], ...outcome.player.slice(2), ...outcome.banker.slice(2)];
  let i = 0;
  const replay = deal(() => order[i++] ?? 'AS');
  if (replay.player.length !== outcome.player.length) {
    return { ok: false, reason: `the player ${replay.player.length === 3 ? 'must draw' : 'must stand'}: ${outcome.player.length} cards break the drawing rules` };
  }
  if (replay.banker.length !== outcome.banker.length) {
    return { ok: false, reason: `the banker ${replay.banker.length === 3 ? 'must draw' : 'must stand'}: ${outcome.banker.length} cards break the drawing rules` };
  }
  return { ok: true, outcome };
}

function cardList(input: unknown): string[] | string {
  if (!Array.isArray(input) || input.length < 2 || input.length > 3) return 'a hand is 2 or 3 cards';
  const cards: string[] = [];
  for (const c of input) {
    if (typeof c !== 'string' || rankOf(c) === null) return `'${String(c).slice(0, 8)}' is not a card (rank A,2..10,J,Q,K + suit S,H,D,C)`;
    cards.push(c);
  }
  return cards;
}

export function summarizeBaccarat(outcome: BaccaratOutcome): Record<string, Scalar> {
  const facts = baccaratFacts(outcome);
  return {
    winner: facts.winner,
    player_total: handTotal(outcome.player),
    banker_total: handTotal(outcome.banker),
    player_pair: facts.player_pair,
    banker_pair: facts.banker_pair,
    natural: isNatural(handTotal(outcome.player.slice(0, 2))) || isNatural(handTotal(outcome.banker.slice(0, 2))),
    cards: `P:${outcome.player.join(',')} B:${outcome.banker.join(',')}`,
  };
}

export const baccarat: GameRules<BaccaratOutcome> = {
  kind: 'baccarat',
  betTypes: BACCARAT_BET_TYPES,
  parseSpot: parseBaccaratSpot,
  draw: drawBaccarat,
  parseOutcome: parseBaccaratOutcome,
  settle: settleBaccarat,
  maxReturn: baccaratMaxReturn,
  summarize: summarizeBaccarat,
};
