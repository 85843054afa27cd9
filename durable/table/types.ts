/** Shapes of TableDO's RPC answers (plain JSON: they cross RPC and WebSockets unchanged). */
import type { TableGame } from './config';
import type { Currency } from '../../domain/money';

/** Outcomes as stored and sent: roulette { number }, baccarat { player: cards, banker: cards }. */
export type OutcomeJson = { [key: string]: number | string | string[] };

export type RoundState = 'betting_open' | 'betting_closed' | 'result' | 'settled' | 'voided';
export type BetState = 'reserving' | 'accepted' | 'refused' | 'settled' | 'voided' | 'expired';

export type RoundRow = {
  round_id: string; round_no: number; state: RoundState; opened_at: number; closes_at: number; closed_at: number | null;
  result_at: number | null; settled_at: number | null; voided_at: number | null; opened_by: string; offered_in: string;
  commitment: string | null; server_seed: string | null; outcome: string | null; summary: string | null;
  result_source: 'rng' | 'dealer' | null; result_by: string | null; void_reason: string | null; voided_by: string | null; settle_ms: number | null;
  /** Settlement (or refund) attempts that left bets open; parked_at: when the round stopped blocking the next one (see Rounds.failedAttempt). */
  settle_attempts: number; parked_at: number | null;
};

export type BetRow = {
  bet_id: string; round_id: string; player_id: string; session_id: string; jurisdiction: string | null; currency: Currency;
  spot: string; bet_type: string; amount_minor: number; max_return_minor: number; hold_id: string; state: BetState;
  refusal: string | null; result: 'win' | 'lose' | 'push' | 'void' | 'expired' | null; returned_minor: number | null;
  created_at: number; settled_at: number | null;
  /** Blackjack: the engine's stake this row holds the money of (null until its step applied; null for other games). */
  stake_id: string | null;
  /** The free bet (its grant id) that stakes this bet: the operator's money, not the player's (docs/rewards.md "Cash-like rewards"). */
  free_bet_id: string | null;
};

/** What anyone may see of a round: the seed only once the result is in (before that, only its commitment). */
export type PublicRound = {
  table_id: string; round_id: string; round_no: number; state: RoundState; game: string; opened_at: number; closes_at: number;
  closed_at: number | null; result_at: number | null; settled_at: number | null; voided_at: number | null;
  commitment: string | null; server_seed: string | null; outcome: OutcomeJson | null; summary: Record<string, string | number | boolean | null> | null;
  result_source: 'rng' | 'dealer' | null; void_reason: string | null; settle_ms: number | null;
  /** A round whose result is in but some bets could not be settled yet: when it stopped blocking the next round (retried meanwhile). */
  parked_at: number | null;
};

export type BetView = Pick<BetRow, 'bet_id' | 'round_id' | 'currency' | 'spot' | 'bet_type' | 'amount_minor' | 'state' | 'refusal' | 'result' | 'returned_minor' | 'created_at' | 'settled_at' | 'free_bet_id'>;

export type TableView = {
  table_id: string; name: string; game: TableGame; game_id: string; brand: string; mode: 'dealer' | 'auto';
  betting_seconds: number; currencies: Currency[]; watchers: number; round: PublicRound | null;
};

/** `free_bet_id`: stake the bet with this free bet of the player's (its amount must be the token's value). */
export type PlaceBetInput = { player_id: string; session_id: string; round_id: string; bet_id: string; spot: string; currency: Currency; amount_minor: number; free_bet_id?: string };

export type RoundDetail = { round: PublicRound; totals: { currency: Currency; bets: number; wagered_minor: number; returned_minor: number }[]; bets: (BetView & { player_id: string })[] };
