/**
 * Cash-like rewards delivered (docs/rewards.md "Cash-like rewards"), in the transaction that records
 * their grants (rewards.ts), for grant rows that were new there (a replayed grant delivers nothing):
 *
 * - a **cashback** is paid into the wallet at once: real money (cashback is wager-free by the
 *   industry's norm, and this wallet has no wagering requirements to attach to a bonus balance:
 *   money in the bonus bucket could only be played, never withdrawn, without rules saying when it
 *   turns real), ledger kind 'reward' under the grant id (wallet.ts creditReward);
 * - a **free bet** becomes a token the player holds: value, currency, expiry (`valid_hours`) and,
 *   optionally, the one table it is for. A token is usable once (reward_free_bet_uses, its
 *   primary key). The stake of a free bet is the operator's: on a win, the player gets the return
 *   without the stake ("stake not returned", the industry's norm), on a loss nothing.
 */
import { fail, type Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import type { Outcome } from '../../domain/rewards';
import type { PlayerContext } from './context';
import type { Wallet } from './wallet';

export type FreeBetStatus = 'available' | 'used' | 'expired';
export type FreeBetView = { grant_id: string; currency: string; value_minor: number; table_id: string | null; expires_at: number; created_at: number; status: FreeBetStatus; used_at: number | null; hold_id: string | null };
type FreeBetRow = Omit<FreeBetView, 'status'>;

export class RewardOffers {
  constructor(private readonly ctx: PlayerContext, private readonly wallet: Wallet) {}

  /** Pays each new cashback and records each new free bet. `fresh`: the grant ids inserted by this transaction. */
  deliver(outcomes: readonly Outcome[], fresh: ReadonlySet<string>): void {
    for (const o of outcomes) {
      if (o.type !== 'grant' || !fresh.has(o.grant_id)) continue;
      const g = o.grant;
      if (g.kind === 'cashback') this.wallet.creditReward({ grant_id: o.grant_id, currency: g.currency, amount_minor: g.value_minor });
      else if (g.kind === 'free_bet') {
        this.ctx.db.run`insert into reward_free_bets (grant_id, currency, value_minor, table_id, expires_at, created_at)
          values (${o.grant_id}, ${g.currency}, ${g.value_minor}, ${g.table_id}, ${g.expires_at}, ${this.ctx.now()})`;
      }
    }
  }

  /** The player's free bets, newest first, with their status now. */
  freeBets(limit = 20): FreeBetView[] {
    const now = this.ctx.now();
    return this.ctx.db.all<FreeBetRow>`select f.grant_id, f.currency, f.value_minor, f.table_id, f.expires_at, f.created_at, u.at as used_at, u.hold_id
      from reward_free_bets f left join reward_free_bet_uses u using (grant_id) order by f.created_at desc, f.grant_id desc limit ${limit}`
      .map((r) => ({ ...r, status: r.used_at !== null ? 'used' : r.expires_at <= now ? 'expired' : 'available' }));
  }

  /**
   * Takes a free bet for one table bet (its hold id): refused, with nothing changed, when the token
   * is unknown, used (by another bet: a retry for the same bet answers the same use), expired, in
   * another currency, for another table, or worth less than the stake.
   */
  take(input: { grant_id: string; hold_id: string; table_id: string; currency: Currency; amount_minor: number }): Result<{ free_bet: FreeBetView; replayed: boolean }> {
    const row = this.ctx.db.first<FreeBetRow>`select f.grant_id, f.currency, f.value_minor, f.table_id, f.expires_at, f.created_at, u.at as used_at, u.hold_id
      from reward_free_bets f left join reward_free_bet_uses u using (grant_id) where f.grant_id = ${input.grant_id}`;
    if (!row) return fail('free_bet_not_found', 'no such free bet', { grant_id: input.grant_id });
    if (row.hold_id !== null) {
      if (row.hold_id === input.hold_id) return { ok: true, free_bet: { ...row, status: 'used' }, replayed: true };
      return fail('free_bet_used', 'this free bet was used already', { grant_id: row.grant_id, used_at: row.used_at });
    }
    const now = this.ctx.now();
    if (row.expires_at <= now) return fail('free_bet_expired', 'this free bet has expired', { grant_id: row.grant_id, expires_at: row.expires_at });
    if (row.currency !== input.currency) return fail('free_bet_wrong_currency', `this free bet is in ${row.currency}`, { grant_id: row.grant_id, currency: row.currency });
    if (row.table_id !== null && row.table_id !== input.table_id) return fail('free_bet_wrong_table', `this free bet is for table ${row.table_id}`, { grant_id: row.grant_id, table_id: row.table_id });
    if (input.amount_minor !== row.value_minor) return fail('free_bet_wrong_amount', `this free bet stakes exactly ${row.value_minor}`, { grant_id: row.grant_id, value_minor: row.value_minor });
    this.ctx.db.run`insert into reward_free_bet_uses (grant_id, hold_id, at) values (${row.grant_id}, ${input.hold_id}, ${now})`;
    return { ok: true, free_bet: { ...row, used_at: now, hold_id: input.hold_id, status: 'used' }, replayed: false };
  }
}
