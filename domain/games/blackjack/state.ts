/**
 * The state of one blackjack round: plain, immutable JSON (it is stored by TableDO and replayed
 * after a restart). Transitions (betting.ts, dealing.ts, decisions.ts) return a new state and never
 * change the one they are given.
 *
 * A *box* is what a player plays: a seat of a Seated table, or one player's place at an Infinite
 * table. A box starts with one hand; splits add hands. Every amount of money the round takes is a
 * *stake* in `stakes` (main bet, each split hand, each double, insurance, each side bet, each bet
 * behind): the wiring reserves one hold per stake, and settlement returns exactly one result per stake.
 */
import type { BlackjackEvent } from './events';
import type { BlackjackRules } from './rules';
import type { SideBetKind } from './side-bets';

export type Format = 'seated' | 'infinite';

/** betting -> dealing -> (insurance) -> decisions -> dealer -> complete (then settleRound). */
export type Phase = 'betting' | 'dealing' | 'insurance' | 'decisions' | 'dealer' | 'complete';

export type StakeComponent =
  | 'main' | 'split' | 'double' | 'insurance'
  | SideBetKind
  | 'behind' | 'behind_split' | 'behind_double';

export type Stake = {
  stake_id: string;
  player_id: string;
  box_id: string;
  /** The hand the stake rides on; null for side bets and insurance (decided on the box's initial cards). */
  hand_index: number | null;
  component: StakeComponent;
  amount_minor: number;
};

/**
 * playing: awaits a decision; awaiting_card: a hit, double or split asked for a card; waiting: a split
 * hand not reached yet (one card); then a final status.
 */
export type HandStatus = 'playing' | 'awaiting_card' | 'waiting' | 'stood' | 'busted' | 'surrendered' | 'blackjack';

export type Hand = {
  cards: string[];
  status: HandStatus;
  /** The hand's own stake (the main bet, or the split stake): a double adds as much again. */
  stake_minor: number;
  doubled: boolean;
  from_split: boolean;
  split_aces: boolean;
};

export type InsuranceState = 'pending' | 'taken' | 'declined' | null;

export type Box = {
  box_id: string;
  player_id: string;
  /** 1..7 at a Seated table; null at an Infinite table. */
  seat: number | null;
  hands: Hand[];
  insurance: InsuranceState;
  /** The box's first two cards, kept when a split moves them apart (side bets are decided on them). */
  initial_cards: string[];
  /** Infinite tables: how many of the shared hit cards this box has taken. */
  cursor: number;
};

/** A bet behind a seat: it follows the seated player's decisions; `follow` also doubles and splits it. */
export type BehindBet = { player_id: string; box_id: string; amount_minor: number; follow: boolean };

/** Who the next card goes to. */
export type CardTarget =
  | { to: 'box'; box_id: string; hand_index: number }
  | { to: 'initial' }
  | { to: 'common' }
  | { to: 'dealer' };

export type RoundState = {
  format: Format;
  rules: BlackjackRules;
  phase: Phase;
  boxes: Box[];
  behind: BehindBet[];
  stakes: Stake[];
  /** Stakes ever added this round: stake ids stay unique when a player leaves before the deal. */
  stake_seq: number;
  dealer: string[];
  /** Infinite: the two initial cards every box shares. */
  initial: string[];
  /** Infinite: the shared sequence of hit cards; a box's k-th card after the deal is common[k]. */
  common: string[];
  /** The initial deal, in order; `deal_pos` cards of it are done. */
  deal_plan: CardTarget[];
  deal_pos: number;
  /** Every card, in the order it came out of the shoe (what the fairness proof checks). */
  dealt: string[];
};

/** Stable refusal codes; the wiring maps each to one HTTP status (all are 4xx: the state did not change). */
export type BlackjackErrorCode =
  | 'invalid_request' | 'wrong_phase' | 'invalid_amount' | 'no_such_seat' | 'seat_taken' | 'table_full' | 'already_bet'
  | 'side_bet_not_offered' | 'seat_not_offered' | 'seat_empty' | 'own_seat' | 'no_bets'
  | 'box_not_found' | 'not_your_box' | 'hand_not_found' | 'not_your_turn' | 'card_pending' | 'hand_finished'
  | 'double_needs_two_cards' | 'double_not_allowed' | 'double_after_split_not_allowed'
  | 'split_needs_two_cards' | 'split_unequal_cards' | 'split_aces_one_card' | 'split_limit' | 'resplit_aces_not_allowed'
  | 'surrender_not_offered' | 'surrender_not_allowed' | 'insurance_not_offered' | 'insurance_too_small'
  | 'not_a_card' | 'card_not_in_shoe' | 'no_card_needed';

export type Refusal = { ok: false; code: BlackjackErrorCode; message: string };
export type Step = { ok: true; state: RoundState; events: BlackjackEvent[] } | Refusal;

export function refuse(code: BlackjackErrorCode, message: string): Refusal {
  return { ok: false, code, message };
}

/** Most boxes at an Infinite table: a bound on one round's state (tigerbeetle: a limit on everything). */
export const MAX_INFINITE_BOXES = 10_000;

export function newRound(format: Format, rules: BlackjackRules): RoundState {
  return { format, rules, phase: 'betting', boxes: [], behind: [], stakes: [], stake_seq: 0, dealer: [], initial: [], common: [], deal_plan: [], deal_pos: 0, dealt: [] };
}

export function findBox(state: RoundState, boxId: string): Box | undefined {
  return state.boxes.find((b) => b.box_id === boxId);
}

/** A copy of the state with one box replaced (boxes are the only per-player part: copy one, share the rest). */
export function withBox(state: RoundState, box: Box): RoundState {
  return { ...state, boxes: state.boxes.map((b) => (b.box_id === box.box_id ? box : b)) };
}

export function withHand(box: Box, index: number, hand: Hand): Box {
  return { ...box, hands: box.hands.map((h, i) => (i === index ? hand : h)) };
}

export function addStake(state: RoundState, stake: Omit<Stake, 'stake_id'>): RoundState {
  return { ...state, stake_seq: state.stake_seq + 1, stakes: [...state.stakes, { stake_id: `k${state.stake_seq}`, ...stake }] };
}

export function dealerUpCard(state: RoundState): string {
  return state.dealer[0] ?? '';
}

export const FINAL: ReadonlySet<HandStatus> = new Set(['stood', 'busted', 'surrendered', 'blackjack']);

/** The hand of a box that acts next: the first one not final (split hands are played in order). */
export function activeHandIndex(box: Box): number | null {
  const i = box.hands.findIndex((h) => !FINAL.has(h.status));
  return i < 0 ? null : i;
}
