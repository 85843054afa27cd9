/**
 * The table's context of a bet (durable/table/player-port.ts), made safe for the rewards rules
 * before the player's object evaluates it: the facts this object knows are its own, and the rest is
 * bounded. The context is the caller's word; the money never depends on it, and neither may the
 * object's health.
 *
 * - The stake and its currency are the hold's (a context cannot shrink the loss the rapid-losses
 *   mark counts, or inflate a stake a rule reads).
 * - The event's time is never later than this object's clock: a future `at` would move the player's
 *   rewards day forward and hold the daily caps (and, past the memory's horizon, every later event) there.
 * - A string longer than CONTEXT_STRING_MAX is refused whole (the bet is not evaluated): counters keep
 *   up to 64 group values and 256 distinct values for a lifetime, so one long id per bet would grow the
 *   state row, rewritten on every evaluated event, past a Durable Object row's 2 MB, and every later
 *   evaluated event (bets, deposits, logins) would then fail with it.
 */
import type { Currency } from '../../domain/money';
import type { TableBetContext } from './rewards';

/** Ids and names are far shorter (a player's spot is at most 40 characters, a provider's ids 64). */
export const CONTEXT_STRING_MAX = 128;

export function rewardsContextOf(holdId: string, bet: TableBetContext | undefined, hold: { amount_minor: number; currency: Currency }, now: number): TableBetContext | null {
  if (!bet || holdId.length > CONTEXT_STRING_MAX) return null;
  for (const v of [bet.table_id, bet.round_id, bet.game, bet.game_id, bet.spot, bet.bet_type, bet.session_id, bet.dealer_id]) {
    if (typeof v === 'string' && v.length > CONTEXT_STRING_MAX) return null;
  }
  return { ...bet, amount_minor: hold.amount_minor, currency: hold.currency, at: Math.min(bet.at, now) };
}
