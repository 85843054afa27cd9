/**
 * The per-hand events a blackjack round produces, for the wiring that comes next (TableDO's outbox,
 * the WebSocket, the rewards). Plain data; not yet part of the edge's event schema.
 */
import type { SideBetKind } from './side-bets';
import type { StakeComponent } from './state';

/** Who a hand belongs to: the box (a seat, or one player's place at an Infinite table) and its hand. */
type HandRef = { box_id: string; player_id: string; seat: number | null; hand_index: number };

/** After the initial deal, one per box: its first two cards and the dealer's up card. */
export type HandDealtEvent = HandRef & {
  type: 'table.hand.dealt';
  cards: string[];
  total: number;
  soft: boolean;
  natural: boolean;
  dealer_up_card: string;
};

export type Decision = 'hit' | 'stand' | 'double' | 'split' | 'surrender' | 'insurance' | 'no_insurance' | 'timeout';

/** One per decision, timeouts included (a timeout stands the hand, or declines insurance). */
export type HandDecisionEvent = HandRef & {
  type: 'table.hand.decision';
  decision: Decision;
  /** The hand's cards when the decision was taken (a hit's card arrives after it). */
  cards: string[];
  total: number;
  dealer_up_card: string;
};

export type StakeResult = {
  stake_id: string;
  player_id: string;
  component: StakeComponent;
  stake_minor: number;
  returned_minor: number;
  result: 'win' | 'lose' | 'push';
  /** Why: 'blackjack', 'surrender', 'dealer_bust', 'higher', 'lower', 'equal', a side-bet outcome ... */
  reason: string;
};

/** One per hand at settlement, with every stake component riding on it (bets behind included). */
export type HandSettledEvent = HandRef & {
  type: 'table.hand.settled';
  cards: string[];
  total: number;
  natural: boolean;
  busted: boolean;
  surrendered: boolean;
  doubled: boolean;
  dealer_up_card: string;
  dealer_cards: string[];
  dealer_total: number;
  dealer_natural: boolean;
  /** Side bets of the box, on its first hand only: outcome per bet (null: lost), or null when none. */
  side_bet_result: Partial<Record<SideBetKind, string | null>> | null;
  stakes: StakeResult[];
  staked_minor: number;
  returned_minor: number;
};

export type BlackjackEvent = HandDealtEvent | HandDecisionEvent | HandSettledEvent;
