/**
 * Cash-like rewards delivered (docs/rewards.md "Cash-like rewards"), in the transaction that records
 * their grants (rewards.ts), for grant rows that were new there (a replayed grant delivers nothing):
 *
 * - a **cashback** is paid into the wallet at once: real money (cashback is wager-free by the
 *   industry's norm, and this wallet has no wagering requirements to attach to a bonus balance:
 *   money in the bonus bucket could only be played, never withdrawn, without rules saying when it
 *   turns real), ledger kind 'reward' under the grant id (wallet.ts creditReward);
 * - a **free bet** becomes a token the player holds: value, currency, expiry (`valid_hours`) and,
 *   optionally, the one table it is for. It is staked at a table (PlayerDO.reserveTableBet: `take`
 *   here, a hold of none of the player's money in the wallet); it is in play with one bet at a time
 *   (reward_free_bet_uses, numbered per token), and a bet that was not played (voided, expired)
 *   gives it back (`giveBack`, reward_free_bet_returns). The stake of a free bet is the operator's:
 *   on a win, the player gets the return without the stake ("stake not returned", the industry's
 *   norm; PlayerDO.settleTableBet), on a loss or a push nothing.
 */
import { fail, type Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import type { Outcome } from '../../domain/rewards';
import type { PlayerContext } from './context';
import type { Wallet } from './wallet';

export type FreeBetStatus = 'available' | 'used' | 'expired';
export type FreeBetView = { grant_id: string; currency: string; value_minor: number; table_id: string | null; expires_at: number; created_at: number; status: FreeBetStatus; used_at: number | null; hold_id: string | null };
type FreeBetRow = Omit<FreeBetView, 'status'>;
/** A hold's free bet: the token and what it stakes. */
export type FreeBetUse = { grant_id: string; currency: Currency; value_minor: number };

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

  /** The player's free bets, newest first, with their status now (a token given back is available again until it expires). */
  freeBets(limit = 20): FreeBetView[] {
    const now = this.ctx.now();
    return this.ctx.db.all<FreeBetRow>`select f.grant_id, f.currency, f.value_minor, f.table_id, f.expires_at, f.created_at, u.at as used_at, u.hold_id
      from reward_free_bets f left join reward_free_bet_uses u on u.grant_id = f.grant_id
        and not exists (select 1 from reward_free_bet_returns r where r.hold_id = u.hold_id)
      order by f.created_at desc, f.grant_id desc limit ${limit}`
      .map((r) => ({ ...r, status: r.used_at !== null ? 'used' : r.expires_at <= now ? 'expired' : 'available' }));
  }

  /**
   * Takes a free bet for one table bet (its hold id): refused, with nothing changed, when the token
   * is unknown, in play with another bet, expired, in another currency, for another table, or not
   * worth exactly the stake. The same bet again (its hold id) is a replay: it answers the use it
   * made, even if that use was given back since (its hold was voided: the wallet answers that too);
   * the hold id of another token's use is a conflict. A token given back is taken again as its next
   * use (use_no), so its history stays append-only.
   */
  take(input: { grant_id: string; hold_id: string; table_id: string; currency: Currency; amount_minor: number }): Result<{ free_bet: FreeBetView; replayed: boolean }> {
    const row = this.ctx.db.first<FreeBetRow & { uses: number }>`select f.grant_id, f.currency, f.value_minor, f.table_id, f.expires_at, f.created_at, u.at as used_at, u.hold_id,
        (select count(*) from reward_free_bet_uses a where a.grant_id = f.grant_id) as uses
      from reward_free_bets f left join reward_free_bet_uses u on u.grant_id = f.grant_id
        and not exists (select 1 from reward_free_bet_returns r where r.hold_id = u.hold_id)
      where f.grant_id = ${input.grant_id}`;
    if (!row) return fail('free_bet_not_found', 'no such free bet', { grant_id: input.grant_id });
    const { uses, ...token } = row;
    const same = this.useOf(input.hold_id);
    if (same) {
      if (same.grant_id !== input.grant_id) return fail('idempotency_conflict', 'this bet was placed with another free bet', { hold_id: input.hold_id });
      return { ok: true, free_bet: { ...token, status: token.hold_id !== null ? 'used' : token.expires_at <= this.ctx.now() ? 'expired' : 'available' }, replayed: true };
    }
    if (token.hold_id !== null) return fail('free_bet_used', 'this free bet was used already', { grant_id: token.grant_id, used_at: token.used_at });
    const now = this.ctx.now();
    if (token.expires_at <= now) return fail('free_bet_expired', 'this free bet has expired', { grant_id: token.grant_id, expires_at: token.expires_at });
    if (token.currency !== input.currency) return fail('free_bet_wrong_currency', `this free bet is in ${token.currency}`, { grant_id: token.grant_id, currency: token.currency });
    if (token.table_id !== null && token.table_id !== input.table_id) return fail('free_bet_wrong_table', `this free bet is for table ${token.table_id}`, { grant_id: token.grant_id, table_id: token.table_id });
    if (input.amount_minor !== token.value_minor) return fail('free_bet_wrong_amount', `this free bet stakes exactly ${token.value_minor}`, { grant_id: token.grant_id, value_minor: token.value_minor });
    this.ctx.db.run`insert into reward_free_bet_uses (grant_id, use_no, hold_id, at) values (${token.grant_id}, ${uses}, ${input.hold_id}, ${now})`;
    return { ok: true, free_bet: { ...token, used_at: now, hold_id: input.hold_id, status: 'used' }, replayed: false };
  }

  /** The free bet a hold stakes (null: the hold stakes the player's money). */
  useOf(holdId: string): FreeBetUse | null {
    return this.ctx.db.first<FreeBetUse>`select u.grant_id, f.currency, f.value_minor from reward_free_bet_uses u join reward_free_bets f using (grant_id)
      where u.hold_id = ${holdId}`;
  }

  /**
   * A free bet's hold was voided (a voided round, a bet the table gave up) or expired, or its
   * settled bet was voided by a dispute (disputes.ts): the bet was not played, so its token comes
   * back (available again until its own expiry). Once per hold: a
   * second call (a retried void) returns nothing. Returns the token given back now, or null.
   */
  giveBack(holdId: string, reason: 'voided' | 'expired' | 'disputed'): string | null {
    return this.ctx.db.first<{ grant_id: string }>`insert into reward_free_bet_returns (hold_id, grant_id, reason, at)
      select hold_id, grant_id, ${reason}, ${this.ctx.now()} from reward_free_bet_uses where hold_id = ${holdId}
      on conflict (hold_id) do nothing returning grant_id`?.grant_id ?? null;
  }
}
