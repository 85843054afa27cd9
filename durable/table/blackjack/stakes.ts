/**
 * A blackjack stake's money at the table: its limit, the most it can return (for the player's
 * exposure and the hold's bound on later corrections), and its bet row. Every stake the engine adds
 * (main, side bets, bet behind, and mid-round a double, a split or insurance) is one bet row with
 * its own hold in the player's object; the row's `spot` and `bet_type` are the stake's component.
 */
import { BLACKJACK_RATIOS, SIDE_BET_TABLES, isSideBetKind, type BlackjackRules, type StakeComponent } from '../../../domain/games/blackjack';
import { fail, type Result } from '../../../domain/errors';
import type { Currency } from '../../../domain/money';
import { holdIdOf } from '../bets';
import { betLimit } from '../config';
import type { TableContext } from '../context';
import type { BetRow } from '../types';

/** The most a stake of `amount` can return, stake included. */
export function stakeMaxReturn(component: StakeComponent, amount: number, rules: BlackjackRules): number {
  if (isSideBetKind(component)) {
    const best = Math.max(...SIDE_BET_TABLES[component].rows.map((r) => r.pays));
    return amount * (1 + best);
  }
  switch (component) {
    case 'insurance': return amount * 3;
    case 'double': case 'behind_double': case 'split': case 'behind_split': return amount * 2;
    case 'main': case 'behind': {
      // a natural pays the blackjack ratio; any other win pays 1:1
      const { num, den } = BLACKJACK_RATIOS[rules.blackjack_pays];
      return Math.max(amount * 2, amount + Math.floor((amount * num) / den));
    }
  }
}

/** A stake the player chooses the size of (main, behind, side bets) is within the table's limit for its component. */
export function checkLimit(c: TableContext, currency: Currency, component: StakeComponent, amount: number): Result<object> {
  const limit = betLimit(c.table, currency, component);
  if (!limit) return fail('unsupported_currency', `table ${c.table.table_id} does not take ${currency}`, { currencies: Object.keys(c.table.limits) });
  if (amount < limit.min_minor || amount > limit.max_minor) {
    return fail('bet_out_of_limits', `a ${component} stake must be between ${limit.min_minor} and ${limit.max_minor}`, { bet_type: component, currency, ...limit });
  }
  return { ok: true };
}

/** What the player's stakes of the round could return, with `adding` more, stays under the table's cap. */
export function checkExposure(c: TableContext, roundId: string, playerId: string, currency: Currency, adding: number): Result<object> {
  const cap = c.table.max_exposure_minor[currency];
  const current = c.db.first<{ e: number | null }>`select sum(max_return_minor) as e from bets
    where round_id = ${roundId} and player_id = ${playerId} and currency = ${currency} and state in ('reserving', 'accepted')`!.e ?? 0;
  if (cap !== undefined && current + adding > cap) {
    return fail('exposure_exceeded', 'these stakes could return more than the table allows one player per round', { currency, max_exposure_minor: cap, current_exposure_minor: current, bet_max_return_minor: adding });
  }
  return { ok: true };
}

export type NewStake = { bet_id: string; component: StakeComponent; amount_minor: number; max_return_minor: number };

/** Records stakes as 'reserving' (their holds are asked for next); the engine's stake id is linked when the step applies. */
export function insertStakes(c: TableContext, roundId: string, who: { player_id: string; session_id: string; currency: Currency }, stakes: readonly NewStake[]): BetRow[] {
  const now = c.now();
  const rows = stakes.map((s) => [s.bet_id, s.component, s.amount_minor, s.max_return_minor, holdIdOf(c.table.table_id, s.bet_id)]);
  c.db.run`insert into bets (bet_id, round_id, player_id, session_id, currency, spot, bet_type, amount_minor, max_return_minor, hold_id, state, created_at)
    select json_extract(value, '$[0]'), ${roundId}, ${who.player_id}, ${who.session_id}, ${who.currency}, json_extract(value, '$[1]'), json_extract(value, '$[1]'),
      json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), 'reserving', ${now}
    from json_each(${JSON.stringify(rows)})`;
  return stakes.map((s) => c.db.first<BetRow>`select * from bets where bet_id = ${s.bet_id}`!);
}

export function linkStake(c: TableContext, betId: string, stakeId: string): void {
  c.db.run`update bets set stake_id = ${stakeId} where bet_id = ${betId}`;
}
