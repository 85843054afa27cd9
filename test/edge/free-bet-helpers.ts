/**
 * Shared by the free-bet edge tests (free-bets-tables, review-free-bets): a token given as the rules
 * engine delivers one, and everything a free bet could touch in the player's object, to assert that
 * a refusal changed nothing.
 */
import { runInDurableObject } from 'cloudflare:test';
import type { Currency } from '../../domain/money';
import type { PlayerDO } from '../../durable/player/player-do';
import type { PlayerRewards } from '../../durable/player/rewards';
import { internals, player, type Json, type Registered } from './helpers';

export const rewardsOf = (o: PlayerDO) => (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;

export type TokenSpec = { value_minor?: number; currency?: Currency; table_id?: string | null; expires_in_ms?: number };

/** Gives the player a free bet, as a free_bet grant of the rules engine delivers it (reward-offers.ts deliver). */
export async function giveFreeBet(p: Registered, spec: TokenSpec = {}): Promise<string> {
  const grantId = `test-grant:${crypto.randomUUID()}`;
  await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
    const { c } = internals(o);
    c.tx(() => rewardsOf(o).offers.deliver([{
      type: 'grant', grant_id: grantId, cost_minor: spec.value_minor ?? 500, budget_key: null,
      source: { rule_id: 'test', rule_version: 1, variant: null, via: null },
      grant: { kind: 'free_bet', value_minor: spec.value_minor ?? 500, currency: spec.currency ?? 'EUR', expires_at: c.now() + (spec.expires_in_ms ?? 24 * 3_600_000), table_id: spec.table_id ?? null },
    }], new Set([grantId])));
  });
  return grantId;
}

/**
 * Everything a free bet could touch in the player's object: balances, ledger, holds, tokens, their
 * uses and returns, and what the loss and wager limits count (deposits count towards the deposit
 * limit only). `usage`: 'rows', every usage row by hour (nothing written at all); 'net', summed per
 * metric and currency (a dispute may write offsetting rows that leave the limits where they were).
 */
export async function playerState(p: Registered, usage: 'rows' | 'net' = 'rows'): Promise<Json> {
  return runInDurableObject(player(p.playerId), (o: PlayerDO) => {
    const { c } = internals(o);
    return {
      balances: c.db.all`select * from balances order by currency, bucket`,
      ledger: c.db.all`select entry_id, kind, amount_minor, ref from ledger order by entry_id`,
      holds: c.db.all`select hold_id, state, real_minor, bonus_minor from holds order by hold_id`,
      uses: c.db.all`select * from reward_free_bet_uses order by grant_id, use_no`,
      returns: c.db.all`select * from reward_free_bet_returns order by hold_id`,
      tokens: rewardsOf(o).offers.freeBets(),
      play_usage: usage === 'rows'
        ? c.db.all`select metric, currency, amount_minor from rg_usage where metric != 'deposit' order by metric, currency, hour`
        : c.db.all`select metric, currency, sum(amount_minor) as amount_minor from rg_usage where metric != 'deposit' group by metric, currency having sum(amount_minor) != 0 order by metric, currency`,
    };
  });
}
