/**
 * The blackjack half of the fairness check: the engine (domain/games/blackjack/) plays hands from
 * the provably-fair shoe, and two things are measured.
 *
 * - Cards: the first CARD_POSITIONS cards of each round's shoe (openShoe, the lazily shuffled shoe a
 *   table deals from; a round always deals at least its first four). Card k of a uniformly shuffled
 *   N-deck shoe is each of the 52 cards with probability exactly 1/52, so each position gets its own
 *   chi-square over the 52 cards (51 dof); the first two cards together get one over the 52 x 52
 *   ordered pairs, P(a, b) = (N / 52N) x (N - [a = b]) / (52N - 1) (2,703 dof). Positions of one
 *   round are not independent of each other, so they are separate tests (not summed).
 * - Return: one box at a Seated table (Infinite, for Infinite rule sets: the same game for one
 *   player), a fresh shoe every round (off the top, as the theoretical figure assumes), insurance
 *   declined, every decision the engine's basicStrategy, which plays the chart analyseBlackjack derives
 *   and prices for the same rules (blackjack-strategy.ts, basicStrategyChart). The observed return
 *   per initial bet is compared with analyseBlackjack's rtp by z = (observed - theoretical) /
 *   (s / sqrt(n)), s the sample standard deviation of the hands' net returns (a hand = a round:
 *   its splits and doubles are part of its return).
 */
import {
  activeHandIndex, basicStrategy, type BlackjackRules, closeBetting, closeInsurance, decide, dealFromShoe, legalActions, newRound, openShoe, placeBet,
  settleRound, CARDS_PER_DECK, type Format, orderedCard, type RoundState, type ShoeCards, type Step,
} from '../games/blackjack';
import { analyseBlackjack } from './blackjack-strategy';
import { type ChiSquare, chiSquareTest } from './chi-square';

/** Shoe positions tested one by one (a one-box round deals at least four cards). */
export const CARD_POSITIONS = 6;
/** The main bet of a simulated hand: even, and a multiple of 5, so 3:2, 6:5 and surrender pay exactly. */
const STAKE_MINOR = 10;
/** Client seed of the simulated rounds (the table's own, as at an Infinite table's shared round). */
const CLIENT_SEED = 'fairness';

export type CardTest = ChiSquare & { name: string; categories: number };

export type CardCheck = { rounds: number; rounds_per_seed: number; decks: number; tests: CardTest[] };

/** The card chi-squares over `rounds` shoes, a new server seed (seedForBlock(b)) every `roundsPerSeed` rounds. */
export function blackjackCardCheck(rounds: number, seedForBlock: (block: number) => string, decks: number, roundsPerSeed = 1_000): CardCheck {
  const size = CARDS_PER_DECK * decks;
  const identity = new Map(Array.from({ length: CARDS_PER_DECK }, (_, i) => [orderedCard(i), i]));
  const positions = Array.from({ length: CARD_POSITIONS }, () => new Array<number>(CARDS_PER_DECK).fill(0));
  const pairs = new Array<number>(CARDS_PER_DECK * CARDS_PER_DECK).fill(0);
  let seed = '';
  for (let r = 0; r < rounds; r++) {
    if (r % roundsPerSeed === 0) seed = seedForBlock(r / roundsPerSeed);
    const shoe = openShoe(seed, CLIENT_SEED, r, decks);
    const first: number[] = [];
    for (let k = 0; k < CARD_POSITIONS; k++) {
      const card = identity.get(shoe.cardAt(k) ?? '');
      if (card === undefined) throw new Error(`shoe position ${k} is not a card`);
      first.push(card);
      const counts = positions[k];
      if (counts) counts[card] = (counts[card] ?? 0) + 1;
    }
    const pair = (first[0] ?? 0) * CARDS_PER_DECK + (first[1] ?? 0);
    pairs[pair] = (pairs[pair] ?? 0) + 1;
  }
  const uniform = new Array<number>(CARDS_PER_DECK).fill(1 / CARDS_PER_DECK);
  const pairP = Array.from({ length: CARDS_PER_DECK * CARDS_PER_DECK }, (_, i) => {
    const same = Math.floor(i / CARDS_PER_DECK) === i % CARDS_PER_DECK;
    return (decks / size) * ((same ? decks - 1 : decks) / (size - 1));
  });
  const tests: CardTest[] = positions.map((counts, k) => ({ name: `card ${k + 1}`, categories: CARDS_PER_DECK, ...chiSquareTest(counts, uniform) }));
  tests.push({ name: 'cards 1 and 2 (ordered pair)', categories: pairs.length, ...chiSquareTest(pairs, normalised(pairP)) });
  return { rounds, rounds_per_seed: roundsPerSeed, decks, tests };
}

/** Exact up to float rounding; chiSquareTest wants a sum within 1e-9 of 1. */
function normalised(p: number[]): number[] {
  const total = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / total);
}

function must(step: Step): RoundState {
  if (!step.ok) throw new Error(`the engine refused a basic-strategy round: ${step.code} (${step.message})`);
  return step.state;
}

/** One hand of one box, played to the end with the engine's basic strategy; returns the completed round. */
export function playBasicStrategyRound(rules: BlackjackRules, format: Format, shoe: readonly string[] | ShoeCards): RoundState {
  let state = must(placeBet(newRound(format, rules), { player_id: 'p', ...(format === 'seated' ? { seat: 1 } : {}), main_minor: STAKE_MINOR }));
  state = must(closeBetting(state));
  // Bounded: every pass deals a card, takes a decision or closes insurance, and a round has few of each.
  for (let pass = 0; state.phase !== 'complete'; pass++) {
    if (pass > 100) throw new Error('a simulated round did not end');
    state = must(dealFromShoe(state, shoe));
    if (state.phase === 'insurance') {
      state = must(closeInsurance(state));
      continue;
    }
    if (state.phase !== 'decisions') continue;
    const box = state.boxes[0];
    const index = box ? activeHandIndex(box) : null;
    const hand = box && index !== null ? box.hands[index] : undefined;
    if (!box || index === null || !hand || hand.status !== 'playing') continue;
    const legal = legalActions(state, box.player_id, box.box_id, index);
    const action = basicStrategy(state.rules, hand.cards, state.dealer[0] ?? '', legal);
    state = must(decide(state, { player_id: box.player_id, box_id: box.box_id, hand_index: index, action }));
  }
  return state;
}

/** What a run of hands adds up to, in minor units of a 10-unit main bet: runs over disjoint hands add. */
export type HandTotals = { hands: number; net_minor: number; net_squares_minor: number };

/**
 * Plays hands first_hand .. first_hand + hands - 1 (hand h: nonce h, server seed seedForBlock(floor(h /
 * roundsPerSeed))), each with a fresh shoe, and adds up their net returns. Sums of integers stay exact
 * (10M hands x at most 80^2 is far below 2^53).
 */
export function playHands(rules: BlackjackRules, format: Format, firstHand: number, hands: number, seedForBlock: (block: number) => string, roundsPerSeed = 1_000): HandTotals {
  let net = 0;
  let squares = 0;
  let seed = '';
  let block = -1;
  for (let h = firstHand; h < firstHand + hands; h++) {
    const b = Math.floor(h / roundsPerSeed);
    if (b !== block) {
      block = b;
      seed = seedForBlock(b);
    }
    const round = playBasicStrategyRound(rules, format, openShoe(seed, CLIENT_SEED, h, rules.decks));
    const settled = settleRound(round);
    if ('ok' in settled) throw new Error(`settlement refused: ${settled.code}`);
    const x = settled.returned_minor - settled.staked_minor;
    net += x;
    squares += x * x;
  }
  return { hands, net_minor: net, net_squares_minor: squares };
}

export function addTotals(a: HandTotals, b: HandTotals): HandTotals {
  return { hands: a.hands + b.hands, net_minor: a.net_minor + b.net_minor, net_squares_minor: a.net_squares_minor + b.net_squares_minor };
}

export type RtpCheck = {
  rules: BlackjackRules;
  format: Format;
  hands: number;
  /** Returned / initial bets. */
  observed_rtp: number;
  /** analyseBlackjack(rules).rtp: basic strategy, off the top of a full shoe. */
  theoretical_rtp: number;
  /** Sample variance of a hand's net return, per unit initial bet squared. */
  variance: number;
  standard_error: number;
  z: number;
};

/** The observed return of the hands against the theoretical RTP, as a z-score. */
export function rtpCheck(rules: BlackjackRules, format: Format, totals: HandTotals): RtpCheck {
  const n = totals.hands;
  if (n < 2) throw new RangeError('an RTP check needs at least two hands');
  const mean = totals.net_minor / n / STAKE_MINOR;
  const variance = (totals.net_squares_minor / STAKE_MINOR ** 2 - n * mean * mean) / (n - 1);
  const standardError = Math.sqrt(variance / n);
  const observed = 1 + mean;
  const theoretical = analyseBlackjack(rules).rtp;
  return {
    rules, format, hands: n, observed_rtp: observed, theoretical_rtp: theoretical, variance, standard_error: standardError,
    z: standardError > 0 ? (observed - theoretical) / standardError : 0,
  };
}

/** Plays `hands` basic-strategy hands in this thread and compares their return with the theoretical RTP. */
export function blackjackRtpCheck(rules: BlackjackRules, format: Format, hands: number, seedForBlock: (block: number) => string, roundsPerSeed = 1_000): RtpCheck {
  return rtpCheck(rules, format, playHands(rules, format, 0, hands, seedForBlock, roundsPerSeed));
}
