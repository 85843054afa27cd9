/**
 * What a table asks of a player's object, and nothing more: reserve a bet's hold (the player's
 * object checks the session, exclusions, limits and funds), settle it (post + credit once), or
 * give it up (void it; one never reserved is remembered and refused if it arrives later). Every call is idempotent on the hold id, so the table may retry any of them.
 */
import type { Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import type { TableBetContext } from '../player/rewards';

export type { TableBetContext };

export type ReserveAnswer = Result<{ hold: { hold_id: string; state: string }; jurisdiction: string; available_minor: number }>;
export type SettleAnswer = Result<{ state: 'posted' | 'voided' | 'expired'; returned_minor: number; available_minor: number }>;

export interface PlayerPort {
  /**
   * `bet`: what the table knows of the bet (table, game, spot, bet type, the hand's natural/busted),
   * for the player's rewards rules only: optional, and the money is decided by `input` alone. It is
   * the same on every retry of a hold id (built from the bet row and the round, never the clock).
   * `input.free_bet`: the bet is staked with that free bet (the player's object takes the token
   * instead of holding the player's money; docs/rewards.md "Cash-like rewards").
   */
  reserveTableBet(sessionId: string, input: { hold_id: string; currency: Currency; amount_minor: number; expires_at: number; ref: string; max_return_minor: number; free_bet?: { free_bet_id: string; table_id: string } }, offeredIn: string[], bet?: TableBetContext): Promise<ReserveAnswer>;
  settleTableBet(input: { hold_id: string; win_id: string; returned_minor: number }, bet?: TableBetContext): Promise<SettleAnswer>;
  abandonTableBet(holdId: string): Promise<Result<object>>;
  /** An empty call (bench E5's floor: what the fan-out costs before any work). */
  floorProbe(): Promise<number>;
}

export function playerPort(env: Env, playerId: string): PlayerPort {
  return env.PLAYER.getByName(playerId);
}
