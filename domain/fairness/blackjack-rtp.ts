/**
 * Theoretical return of blackjack for a rule set, by exact recursion over card probabilities (no
 * simulation). Independent of the game engine on purpose: it is the oracle the engine's simulated
 * RTP is checked against. Method and approximations (docs/fairness.md, "Blackjack"):
 *
 * - Cards are values 1..10 (1 = ace, 10 = any ten-valued card). The shoe is either finite (`decks`
 *   x 52 cards, every card dealt is removed) or infinite (every draw has the full-shoe probabilities).
 * - The dealer's final total (17..21, bust, blackjack) is computed exactly for the shoe that is left
 *   once the up card and the player's cards are removed, conditioned on no dealer blackjack when
 *   the dealer peeks. "The player's cards": all of them with `exact` removal; the hand's first two
 *   with `initial` (the default, see DealerRemoval), after which the hand is played by total.
 * - Stand / hit / double / surrender / split values are computed for every (up card, two cards);
 *   the best is the optimal play, and any other Chooser (the basic strategy chart) can be priced.
 * - Splits: the k-th split hand is played from the shoe less the up card and the k paired cards, not
 *   less the cards drawn to the other split hands (the usual approximation, as in the Wizard of
 *   Odds' appendix 9). Resplitting is always taken when allowed.
 * - Peek games: the player's draws are conditioned on the hole card not completing a blackjack
 *   (drawProbability), as the dealer's distribution is.
 *
 * Probabilities and returns are floats: statistics, not money.
 */
import { assertValidRules, blackjackPayout, type BlackjackRules, dealerHitsSoft17 } from './blackjack-rules';

export type BlackjackAction = 'stand' | 'hit' | 'double' | 'split' | 'surrender';
export const BLACKJACK_ACTIONS: readonly BlackjackAction[] = ['stand', 'hit', 'double', 'split', 'surrender'];

/** A card value: 1 = ace, 2..9, 10 = ten, jack, queen or king. */
export type CardValue = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export const CARD_VALUES: readonly CardValue[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export type ShoeKind = 'finite' | 'infinite';

/**
 * How far a finite shoe is depleted once a hand has its first two cards. `initial`: the dealer's
 * distribution and the player's further draws both come from the shoe less the up card and the
 * hand's first two cards (a split hand: the paired cards and its second card), so a hand is played
 * by its two-card composition, then by total. `exact`: every card drawn to the hand is removed for
 * both (composition-dependent throughout; the single-deck action values are then the published
 * ones to six decimals); about 15x slower (30-50 s a rule set), so the tests use `initial`. The two
 * differ by at most about 0.005 % of RTP (docs/fairness.md).
 */
export type DealerRemoval = 'exact' | 'initial';

/** Probabilities of the dealer's final hand: totals 17..21, bust, and (when not conditioned away) blackjack. */
export type DealerOutcome = { 17: number; 18: number; 19: number; 20: number; 21: number; bust: number; blackjack: number };

// --- The shoe.

/** Remaining cards per value (index 1..10), their sum, and a numeric key of what was removed. */
type Shoe = { readonly counts: readonly number[]; readonly remaining: number; readonly key: number; readonly infinite: boolean };

function fullShoe(decks: number, kind: ShoeKind): Shoe {
  // The infinite shoe is one deck's proportions that never deplete.
  const perDeck = kind === 'infinite' ? 1 : decks;
  const counts = [0, ...CARD_VALUES.map((v) => (v === 10 ? 16 : 4) * perDeck)];
  return { counts, remaining: 52 * perDeck, key: 0, infinite: kind === 'infinite' };
}

/** Base 32 per value: at most 31 cards of a value are ever removed, so the key stays below 2^50. */
const KEY_WEIGHT = CARD_VALUES.map((v) => 32 ** (v - 1));

function without(shoe: Shoe, v: number): Shoe {
  if (shoe.infinite) return shoe;
  const counts = shoe.counts.slice();
  const left = counts[v] ?? 0;
  if (left <= 0) throw new Error(`no ${v} left in the shoe`);
  counts[v] = left - 1;
  return { counts, remaining: shoe.remaining - 1, key: shoe.key + (KEY_WEIGHT[v - 1] ?? 0), infinite: false };
}

function probability(shoe: Shoe, v: number): number {
  return (shoe.counts[v] ?? 0) / shoe.remaining;
}

function bestTotal(hard: number, ace: boolean): number {
  return ace && hard + 10 <= 21 ? hard + 10 : hard;
}

function isSoft(hard: number, ace: boolean): boolean {
  return ace && hard + 10 <= 21;
}

/** The card value that would give the dealer a blackjack under this up card (0: none can). */
function blackjackHole(up: number): number {
  return up === 1 ? 10 : up === 10 ? 1 : 0;
}

// --- The dealer.

/** Indices of the dealer outcome vector: 0..4 = 17..21, 5 = bust, 6 = blackjack. */
const BUST = 5;
const DEALER_BJ = 6;

/**
 * Exact distribution of the dealer's final hand from an up card and a shoe (the up card already
 * removed). `exclude` is the hole card value conditioned away (peek: the dealer has no blackjack).
 */
function dealerDistribution(shoe: Shoe, up: number, hitsSoft17: boolean, exclude: number): Float64Array {
  const out = new Float64Array(7);
  const counts = shoe.counts.slice();
  // Plain recursion over ordered draws (memoising by the dealer's multiset measured slower).
  const draw = (hard: number, ace: boolean, cards: number, p: number, remaining: number): void => {
    const soft = isSoft(hard, ace);
    const best = soft ? hard + 10 : hard;
    if (cards === 2 && best === 21) { out[DEALER_BJ] = (out[DEALER_BJ] ?? 0) + p; return; }
    if (best > 21) { out[BUST] = (out[BUST] ?? 0) + p; return; }
    if (cards >= 2 && (best > 17 || (best === 17 && !(soft && hitsSoft17)))) { out[best - 17] = (out[best - 17] ?? 0) + p; return; }
    const denominator = cards === 1 && exclude ? remaining - (counts[exclude] ?? 0) : remaining;
    for (let v = 1; v <= 10; v++) {
      if (cards === 1 && v === exclude) continue;
      const left = counts[v] ?? 0;
      if (left <= 0) continue;
      const q = (p * left) / denominator;
      if (shoe.infinite) { draw(hard + v, ace || v === 1, cards + 1, q, remaining); continue; }
      counts[v] = left - 1;
      draw(hard + v, ace || v === 1, cards + 1, q, remaining - 1);
      counts[v] = left;
    }
  };
  draw(up, up === 1, 1, 1, shoe.remaining);
  return out;
}

/** Dealer distributions per (shoe size, H17, up card, exclusion) and removed cards: shared by every rule set. */
const DEALER_CACHE = new Map<string, Map<number, Float64Array>>();

function cachedDealer(tag: string, shoe: Shoe, up: number, hitsSoft17: boolean, exclude: number): Float64Array {
  const outer = `${tag}:${hitsSoft17}:${up}:${exclude}`;
  let inner = DEALER_CACHE.get(outer);
  if (!inner) DEALER_CACHE.set(outer, (inner = new Map()));
  const hit = inner.get(shoe.key);
  if (hit) return hit;
  const computed = dealerDistribution(shoe, up, hitsSoft17, exclude);
  inner.set(shoe.key, computed);
  return computed;
}

function toOutcome(d: Float64Array): DealerOutcome {
  return { 17: d[0] ?? 0, 18: d[1] ?? 0, 19: d[2] ?? 0, 20: d[3] ?? 0, 21: d[4] ?? 0, bust: d[BUST] ?? 0, blackjack: d[DEALER_BJ] ?? 0 };
}

// --- The player.

/** What a decision is about: the hand's best total, softness, the pair's value if it is one, its card count. */
export type HandShape = { total: number; soft: boolean; pair: CardValue | null; cards: number };

/** Picks the action among the allowed ones; `optimal` takes the one with the best expected value. */
export type Chooser = 'optimal' | ((shape: HandShape, up: CardValue, allowed: readonly BlackjackAction[]) => BlackjackAction);

type Context = {
  rules: BlackjackRules;
  tag: string;
  up: CardValue;
  /** The shoe less the up card. */
  base: Shoe;
  exclude: number;
  chooser: Chooser;
  removal: DealerRemoval;
  /** Hit values per hand start (shoe key) and per cards drawn since + total. */
  hitMemo: Map<number, Map<number, number>>;
  splitMemo: Map<number, number>;
};

/**
 * Probability that the player's next card is `v`. In a peek game under an ace or ten the hole card
 * is known not to complete a blackjack, and it is one of the unseen cards: averaged over its
 * posterior (drawn from this shoe less the excluded value), the next card is v with probability
 * (count(v) - P(hole = v)) / (remaining - 1). By induction the hole card's posterior after each
 * player card is again "drawn from the current shoe less the excluded value", which is what the
 * dealer's distribution assumes, so the peek is exact. An infinite shoe is unaffected.
 */
function drawProbability(ctx: Context, shoe: Shoe, v: number): number {
  if (!ctx.exclude || shoe.infinite) return probability(shoe, v);
  const count = shoe.counts[v] ?? 0;
  const pHole = v === ctx.exclude ? 0 : count / (shoe.remaining - (shoe.counts[ctx.exclude] ?? 0));
  return (count - pHole) / (shoe.remaining - 1);
}

/**
 * Return per unit stake of standing on `best`. The dealer draws from `shoe` (every card of the hand
 * removed) in `exact` removal, from `start` (the shoe when the hand had two cards) in `initial`.
 */
function standValue(ctx: Context, shoe: Shoe, start: Shoe, best: number): number {
  if (best > 21) return -1;
  const d = cachedDealer(ctx.tag, ctx.removal === 'exact' ? shoe : start, ctx.up, dealerHitsSoft17(ctx.rules), ctx.exclude);
  let value = (d[BUST] ?? 0) - (d[DEALER_BJ] ?? 0);
  for (let t = 17; t <= 21; t++) {
    const p = d[t - 17] ?? 0;
    if (best > t) value += p;
    else if (best < t) value -= p;
  }
  return value;
}

function pick(ctx: Context, shape: HandShape, options: ReadonlyArray<readonly [BlackjackAction, () => number]>): number {
  if (ctx.chooser === 'optimal') return Math.max(...options.map(([, value]) => value()));
  const action = ctx.chooser(shape, ctx.up, options.map(([a]) => a));
  const chosen = options.find(([a]) => a === action);
  if (!chosen) throw new Error(`strategy chose ${action}, not one of ${options.map(([a]) => a).join(', ')}`);
  return chosen[1]();
}

/** A hand that has just taken a card and may only hit or stand. */
function afterCard(ctx: Context, shoe: Shoe, start: Shoe, hard: number, ace: boolean, cards: number): number {
  const best = bestTotal(hard, ace);
  if (best > 21) return -1;
  if (best === 21) return standValue(ctx, shoe, start, 21);
  return pick(ctx, { total: best, soft: isSoft(hard, ace), pair: null, cards }, [
    ['stand', () => standValue(ctx, shoe, start, best)],
    ['hit', () => hitValue(ctx, shoe, start, hard, ace, cards)],
  ]);
}

function hitValue(ctx: Context, shoe: Shoe, start: Shoe, hard: number, ace: boolean, cards: number): number {
  // The cards drawn since the hand's start are the difference of the two shoe keys (in an infinite
  // shoe both are 0 and the total alone is the state). Drawn cards sum to at most 19, so the key is
  // below 3 x 32^9 x 64 < 2^53. The card count only matters to a chooser at two cards.
  let perStart = ctx.hitMemo.get(start.key);
  if (!perStart) ctx.hitMemo.set(start.key, (perStart = new Map()));
  const key = (shoe.key - start.key) * 64 + hard * 2 + (ace ? 1 : 0);
  const memo = perStart.get(key);
  if (memo !== undefined) return memo;
  let value = 0;
  for (const v of CARD_VALUES) {
    const p = drawProbability(ctx, shoe, v);
    if (p > 0) value += p * afterCard(ctx, ctx.removal === 'exact' ? without(shoe, v) : shoe, start, hard + v, ace || v === 1, Math.max(cards, 2) + 1);
  }
  perStart.set(key, value);
  return value;
}

function doubleValue(ctx: Context, shoe: Shoe, hard: number, ace: boolean): number {
  let value = 0;
  for (const v of CARD_VALUES) {
    const p = drawProbability(ctx, shoe, v);
    if (p > 0) value += p * standValue(ctx, without(shoe, v), shoe, bestTotal(hard + v, ace || v === 1));
  }
  return 2 * value;
}

function mayDouble(rules: BlackjackRules, hard: number, ace: boolean): boolean {
  const best = bestTotal(hard, ace);
  return rules.double_on === 'any_two' || (!isSoft(hard, ace) && best >= 9 && best <= 11);
}

/** Surrender's return: half the bet; without a peek a dealer blackjack still takes the whole bet. */
function surrenderValue(ctx: Context, shoe: Shoe): number {
  if (ctx.rules.dealer_peek) return -0.5;
  const pBj = probability(shoe, blackjackHole(ctx.up));
  return -pBj - 0.5 * (1 - pBj);
}

/** One split hand: the paired card plus `second`, played from `shoe` (both already removed). */
function splitHandValue(ctx: Context, shoe: Shoe, paired: CardValue, second: CardValue): number {
  const hard = paired + second;
  const ace = paired === 1 || second === 1;
  if (paired === 1 && ctx.rules.split_aces_one_card) return standValue(ctx, shoe, shoe, bestTotal(hard, ace));
  const best = bestTotal(hard, ace);
  if (best === 21) return standValue(ctx, shoe, shoe, 21); // 21, not a blackjack
  const options: Array<readonly [BlackjackAction, () => number]> = [
    ['stand', () => standValue(ctx, shoe, shoe, best)],
    ['hit', () => hitValue(ctx, shoe, shoe, hard, ace, 2)],
  ];
  if (ctx.rules.double_after_split && mayDouble(ctx.rules, hard, ace)) options.push(['double', () => doubleValue(ctx, shoe, hard, ace)]);
  return pick(ctx, { total: best, soft: isSoft(hard, ace), pair: paired === second ? paired : null, cards: 2 }, options);
}

/**
 * Return of splitting a pair, per unit of the original bet (so up to max_hands units at risk).
 * f(n, k): expected return of the k hands still waiting for their second card when n hands exist;
 * with n hands the shoe is short of the up card and n paired cards.
 */
function splitValue(ctx: Context, paired: CardValue): number {
  const memo = ctx.splitMemo.get(paired);
  if (memo !== undefined) return memo;
  const maxHands = paired === 1 && !ctx.rules.resplit_aces ? 2 : ctx.rules.max_hands;
  const stage = new Map<number, { pPair: number; others: number; pairedEnd: number }>();
  const stageOf = (n: number) => {
    const known = stage.get(n);
    if (known) return known;
    let shoe = ctx.base;
    for (let i = 0; i < n; i++) shoe = without(shoe, paired);
    let others = 0;
    for (const v of CARD_VALUES) {
      const p = drawProbability(ctx, shoe, v);
      if (v !== paired && p > 0) others += p * splitHandValue(ctx, without(shoe, v), paired, v);
    }
    const pPair = drawProbability(ctx, shoe, paired);
    const pairedEnd = pPair > 0 ? pPair * splitHandValue(ctx, without(shoe, paired), paired, paired) : 0;
    const s = { pPair, others, pairedEnd };
    stage.set(n, s);
    return s;
  };
  const f = (n: number, k: number): number => {
    if (k === 0) return 0;
    const s = stageOf(n);
    if (n < maxHands && s.pPair > 0) return s.others + (1 - s.pPair) * f(n, k - 1) + s.pPair * f(n + 1, k + 1);
    return s.others + s.pairedEnd + f(n, k - 1);
  };
  const value = f(2, 2);
  ctx.splitMemo.set(paired, value);
  return value;
}

/**
 * Return of every allowed action on a two-card hand (the shoe already short of both cards and the
 * up card). In a peek game these are conditioned on the dealer not having blackjack.
 */
function twoCardValues(ctx: Context, shoe: Shoe, a: CardValue, b: CardValue): Partial<Record<BlackjackAction, number>> {
  const hard = a + b;
  const ace = a === 1 || b === 1;
  const best = bestTotal(hard, ace);
  const out: Partial<Record<BlackjackAction, number>> = { stand: standValue(ctx, shoe, shoe, best) };
  if (best < 21) out.hit = hitValue(ctx, shoe, shoe, hard, ace, 2);
  if (mayDouble(ctx.rules, hard, ace)) out.double = doubleValue(ctx, shoe, hard, ace);
  if (a === b && ctx.rules.max_hands >= 2) out.split = splitValue(ctx, a);
  if (ctx.rules.late_surrender) out.surrender = surrenderValue(ctx, shoe);
  return out;
}

function twoCardShape(a: CardValue, b: CardValue): HandShape {
  const hard = a + b;
  const ace = a === 1 || b === 1;
  return { total: bestTotal(hard, ace), soft: isSoft(hard, ace), pair: a === b ? a : null, cards: 2 };
}

// --- The game.

/** Per initial situation: the dealer's up card, the player's two cards, its probability and action values. */
export type InitialHand = {
  up: CardValue;
  cards: readonly [CardValue, CardValue];
  /** Probability of this up card and this unordered pair of player cards off the top of the shoe. */
  p: number;
  /** P(dealer blackjack) given the three known cards (0 when the up card cannot make one). */
  pDealerBlackjack: number;
  /** Action values; in a peek game conditioned on no dealer blackjack. Absent for a player blackjack. */
  values: Partial<Record<BlackjackAction, number>>;
};

export type GameValue = { ev: number; hands: InitialHand[] };

function shoeTag(rules: BlackjackRules, kind: ShoeKind): string {
  return kind === 'infinite' ? 'inf' : `${rules.decks}d`;
}

function contextFor(rules: BlackjackRules, kind: ShoeKind, full: Shoe, up: CardValue, chooser: Chooser, removal: DealerRemoval): Context {
  return {
    rules, tag: shoeTag(rules, kind), up, base: without(full, up), chooser, removal,
    exclude: rules.dealer_peek ? blackjackHole(up) : 0,
    hitMemo: new Map(), splitMemo: new Map(),
  };
}

/**
 * The optimal values of the actions on one initial hand (not a natural), without computing the
 * whole game: what a check of single published values needs, even under `exact` removal.
 */
export function handValues(rules: BlackjackRules, kind: ShoeKind, up: CardValue, cards: readonly [CardValue, CardValue], removal: DealerRemoval = 'initial'): Partial<Record<BlackjackAction, number>> {
  assertValidRules(rules);
  const [a, b] = cards;
  if (a + b === 11 && (a === 1 || b === 1)) throw new Error('a natural has no decision');
  const full = fullShoe(rules.decks, kind);
  const ctx = contextFor(rules, kind, full, up, 'optimal', removal);
  return twoCardValues(ctx, without(without(ctx.base, a), b), a, b);
}

/** Expected return per unit initial bet of the whole game, playing each hand with `chooser`. */
export function gameValue(rules: BlackjackRules, kind: ShoeKind, chooser: Chooser, removal: DealerRemoval = 'initial'): GameValue {
  assertValidRules(rules);
  const full = fullShoe(rules.decks, kind);
  const pay = blackjackPayout(rules);
  const hands: InitialHand[] = [];
  let ev = 0;
  for (const up of CARD_VALUES) {
    const ctx = contextFor(rules, kind, full, up, chooser, removal);
    const base = ctx.base;
    for (const a of CARD_VALUES) {
      for (const b of CARD_VALUES) {
        if (b < a) continue;
        const afterA = without(base, a);
        // Both orders of a != b; the probability of the unordered pair is symmetric.
        const p = probability(full, up) * probability(base, a) * probability(afterA, b) * (a === b ? 1 : 2);
        if (p === 0) continue;
        const shoe = without(afterA, b);
        const hole = blackjackHole(up);
        const pBj = hole ? probability(shoe, hole) : 0;
        const natural = a + b === 11 && (a === 1 || b === 1);
        if (natural) {
          hands.push({ up, cards: [a, b], p, pDealerBlackjack: pBj, values: {} });
          ev += p * (1 - pBj) * pay;
          continue;
        }
        const values = twoCardValues(ctx, shoe, a, b);
        hands.push({ up, cards: [a, b], p, pDealerBlackjack: pBj, values });
        const options = BLACKJACK_ACTIONS.flatMap((action) => {
          const v = values[action];
          return v === undefined ? [] : [[action, () => v] as const];
        });
        const played = pick(ctx, twoCardShape(a, b), options);
        // Peek: a dealer blackjack takes the original bet before anyone acts; otherwise the values
        // already include it (each hand's stand value counts the dealer's blackjack as a loss).
        ev += p * (rules.dealer_peek ? -pBj + (1 - pBj) * played : played);
      }
    }
  }
  return { ev, hands };
}

/**
 * The dealer's final-hand distribution for each up card, from the full shoe less the up card:
 * `unconditioned` includes the dealer's blackjack, `noBlackjack` is conditioned on the hole card not
 * completing one (what a peek game's players face once play starts).
 */
export function dealerOutcomes(rules: BlackjackRules, kind: ShoeKind): Array<{ up: CardValue; unconditioned: DealerOutcome; noBlackjack: DealerOutcome }> {
  const full = fullShoe(rules.decks, kind);
  const tag = shoeTag(rules, kind);
  return CARD_VALUES.map((up) => {
    const shoe = without(full, up);
    return {
      up,
      unconditioned: toOutcome(cachedDealer(tag, shoe, up, dealerHitsSoft17(rules), 0)),
      noBlackjack: toOutcome(cachedDealer(tag, shoe, up, dealerHitsSoft17(rules), blackjackHole(up))),
    };
  });
}
