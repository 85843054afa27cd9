/**
 * How a simulated player plays (the simulator's blackjack traffic): basic strategy (strategy.ts, the
 * chart derived for the table's rules) with the mistakes real players make, insurance now and then,
 * and side bets sized against the main bet. Pure and deterministic: every random choice comes from
 * the `random` source the caller passes (seeded by the simulator), so a seed replays the same play.
 *
 * The mistakes, each a chance per decision where it applies (the chart's play differs):
 *   - stand_on_stiff: stands on a hard 12-16 against a 7..A where the chart hits (or surrenders);
 *   - skip_soft_double: does not double a soft hand, playing the cell's fallback (hit, or stand);
 *   - hit_hard_17: hits a hard 17 the chart stands on (or surrenders);
 *   - slip: any other decision, the cell's second-best legal play.
 * Every decision draws exactly one number (and an insurance decision one), whatever the hand, so a
 * seeded stream stays aligned however the hands fall. A proposed action is always one of legalActions.
 */
import { handValue, pointValue } from './cards';
import { type Action, insuranceOffered, legalActions } from './decisions';
import type { BlackjackRules } from './rules';
import type { SideBetKind } from './side-bets';
import { dealerUpCard, findBox, type RoundState } from './state';
import { basicStrategy } from './strategy';

/** A random source: uniform in [0, 1), seeded by the caller. */
export type Random = () => number;

export type Mistake = 'stand_on_stiff' | 'skip_soft_double' | 'hit_hard_17' | 'slip';
export const MISTAKES: readonly Mistake[] = ['stand_on_stiff', 'skip_soft_double', 'hit_hard_17', 'slip'];

export type PlayerProfile = {
  /** The chance of each mistake, per decision where it applies (0..1). */
  mistakes: Readonly<Record<Mistake, number>>;
  /** The chance of taking insurance when it is offered (basic strategy never does). */
  insurance: number;
  side_bets: {
    /** The chance, per round and per side bet the table offers, of placing it. */
    chance: number;
    /** Side bet sizes as fractions of the main bet; one is picked at random for each side bet placed. */
    fractions: readonly number[];
  };
};

/**
 * A typical casual player: about 4 % of decisions deviate from basic strategy (4.0-4.2 % measured
 * over 15,000+ decisions per table in player-policy.test.ts), two thirds of them standing on a stiff
 * against a high card; insurance one time in ten; each offered side bet one round in seven (a side
 * bet on 28 % of the rounds at a two-side-bet table), a tenth to a half of the main bet.
 */
export const TYPICAL_PLAYER: PlayerProfile = {
  mistakes: { stand_on_stiff: 0.1, skip_soft_double: 0.3, hit_hard_17: 0.05, slip: 0.01 },
  insurance: 0.1,
  side_bets: { chance: 0.15, fractions: [0.1, 0.2, 0.25, 0.5] },
};

/** Plays the chart: no mistakes, no insurance, no side bets. */
export const BASIC_STRATEGY_PLAYER: PlayerProfile = {
  mistakes: { stand_on_stiff: 0, skip_soft_double: 0, hit_hard_17: 0, slip: 0 },
  insurance: 0,
  side_bets: { chance: 0, fractions: [] },
};

/**
 * A player of their own: the typical rates scaled by a skill factor (0.25x to 2x), one player in four
 * never doubling a soft hand, one in three fond of side bets. Draws five numbers.
 */
export function randomPlayerProfile(random: Random): PlayerProfile {
  const scale = 0.25 + 1.75 * random();
  const neverSoftDouble = random() < 0.25;
  const sideBetFan = random() < 1 / 3;
  const insurance = Math.min(1, TYPICAL_PLAYER.insurance * (0.25 + 1.75 * random()));
  const bigSideBets = random() < 0.5;
  const m = TYPICAL_PLAYER.mistakes;
  const capped = (x: number) => Math.min(1, x * scale);
  return {
    mistakes: {
      stand_on_stiff: capped(m.stand_on_stiff),
      skip_soft_double: neverSoftDouble ? 1 : capped(m.skip_soft_double),
      hit_hard_17: capped(m.hit_hard_17),
      slip: capped(m.slip),
    },
    insurance,
    side_bets: {
      chance: sideBetFan ? 0.6 : TYPICAL_PLAYER.side_bets.chance / 2,
      fractions: bigSideBets ? [0.25, 0.5, 1] : TYPICAL_PLAYER.side_bets.fractions,
    },
  };
}

export type PolicyDecision = {
  action: Action;
  /** What basic strategy plays here (action differs from it exactly when `mistake` is set). */
  basic: Action;
  mistake: Mistake | null;
};

/** Which mistake a hand is open to, and the action it would take instead (null: none applies). */
function mistakeFor(rules: BlackjackRules, cards: readonly string[], up: string, legal: readonly Action[], basic: Action): [Mistake, Action] | null {
  const { total, soft } = handValue(cards);
  const upValue = pointValue(up);
  const highUp = upValue === 1 || upValue >= 7;
  const can = (a: Action) => legal.includes(a);
  if (!soft && total >= 12 && total <= 16 && highUp && (basic === 'hit' || basic === 'surrender') && can('stand')) return ['stand_on_stiff', 'stand'];
  if (soft && basic === 'double') return ['skip_soft_double', basicStrategy(rules, cards, up, legal.filter((a) => a !== 'double'))];
  if (!soft && total === 17 && (basic === 'stand' || basic === 'surrender') && can('hit')) return ['hit_hard_17', 'hit'];
  const others = legal.filter((a) => a !== basic);
  return others.length > 0 ? ['slip', basicStrategy(rules, cards, up, others)] : null;
}

/**
 * The decision a simulated player takes on one hand, or null when that hand has nothing to decide
 * now (not its turn, waiting for a card, finished). The rules are the round's own (state.rules).
 */
export function playerDecision(state: RoundState, boxId: string, handIndex: number, random: Random, profile: PlayerProfile = TYPICAL_PLAYER): PolicyDecision | null {
  const box = findBox(state, boxId);
  const hand = box?.hands[handIndex];
  if (!box || !hand) return null;
  return handDecision(state.rules, hand.cards, dealerUpCard(state), legalActions(state, box.player_id, boxId, handIndex), random, profile);
}

/**
 * The same decision from what a player sees (the API's round view: the rules, the hand's cards, the
 * dealer's up card and the hand's legal actions), for a player outside the engine (the simulator's
 * API mode). Null when `legal` is empty; otherwise draws exactly one number, as playerDecision.
 */
export function handDecision(rules: BlackjackRules, cards: readonly string[], up: string, legal: readonly Action[], random: Random, profile: PlayerProfile = TYPICAL_PLAYER): PolicyDecision | null {
  if (legal.length === 0) return null;
  const basic = basicStrategy(rules, cards, up, legal);
  const roll = random();
  const open = mistakeFor(rules, cards, up, legal, basic);
  if (open && open[1] !== basic && roll < profile.mistakes[open[0]]) return { action: open[1], basic, mistake: open[0] };
  return { action: basic, basic, mistake: null };
}

/** Whether a simulated player takes the insurance offered on a box; null when none is offered to them. */
export function playerInsurance(state: RoundState, boxId: string, random: Random, profile: PlayerProfile = TYPICAL_PLAYER): boolean | null {
  const box = findBox(state, boxId);
  if (!box || !insuranceOffered(state, box.player_id, boxId)) return null;
  return takesInsurance(random, profile);
}

/** Whether a player offered insurance takes it (from the API's view: `insurance_offered`); draws one number. */
export function takesInsurance(random: Random, profile: PlayerProfile = TYPICAL_PLAYER): boolean {
  return random() < profile.insurance;
}

/**
 * The side bets a simulated player places beside a main bet, for the side bets the table offers:
 * whole minor units, at least 1, at most the main bet. Ready for placeBet's `side_bets`.
 */
export function playerSideBets(rules: BlackjackRules, mainMinor: number, random: Random, profile: PlayerProfile = TYPICAL_PLAYER): Partial<Record<SideBetKind, number>> {
  const bets: Partial<Record<SideBetKind, number>> = {};
  const { chance, fractions } = profile.side_bets;
  for (const kind of rules.side_bets) {
    if (fractions.length === 0 || random() >= chance) continue;
    const fraction = fractions[Math.min(fractions.length - 1, Math.floor(random() * fractions.length))] ?? 0;
    bets[kind] = Math.min(mainMinor, Math.max(1, Math.round(mainMinor * fraction)));
  }
  return bets;
}
