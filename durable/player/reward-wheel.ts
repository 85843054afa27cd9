/**
 * Wheel spins (docs/rewards.md "Wheel (provably fair)"), the storage half; rewards.ts runs the spin.
 *
 * At the grant (a fresh `wheel_spin` grant, in its transaction): a row in `reward_wheel_spins` with
 * the prize table as that rule set version has it (a later publish cannot change an unspun spin's
 * odds), a fresh server seed and its commitment. The player sees the commitment, never the seed,
 * until they spin.
 *
 * The spin: the prize is drawn from the seed (domain/rewards/wheel.ts spinWheel), and its result is
 * one row of `reward_wheel_results` (primary key: the spin id). Only the call that inserted that row
 * delivers the prize, under a grant id of its own (`<spin id>:prize`) that the points ledger
 * (rewards_grants), the free bets (reward_free_bets) and the wallet ledger (kind 'reward', unique
 * ref) each accept once: a retried spin answers the same result and pays nothing again.
 */
import { commitSeed, newServerSeed } from '../../domain/fairness/provably-fair';
import type { Outcome, Wheel } from '../../domain/rewards';
import type { WheelPrize, WheelProof } from '../../domain/rewards/wheel';
import type { PlayerContext } from './context';

export type SpinRow = {
  spin_id: string; grant_id: string; wheel_id: string; wheel: Wheel; rule_id: string; rule_version: number;
  rule_set_id: string; rule_set_version: number; server_seed: string; commitment: string; expires_at: number | null; created_at: number;
};
export type SpinResultRow = { prize_id: string; reward: WheelPrize['reward']; prize_grant_id: string; delivered: boolean; at: number };
/** What the player sees of an unspun spin: the commitment, never the seed. */
export type SpinView = { spin_id: string; wheel_id: string; wheel: Wheel; commitment: string; expires_at: number | null; created_at: number; status: 'available' | 'expired' };
/** A spin's answer: the prize and everything verifyWheelSpin needs. */
export type SpinAnswer = {
  spin_id: string; wheel_id: string; prize_id: string; reward: WheelPrize['reward']; delivered: boolean; prize_grant_id: string; spun_at: number;
  rule_id: string; rule_version: number; proof: WheelProof;
};

/** The prize's own grant id: the key it is delivered under, once. */
export const prizeGrantId = (spinId: string) => `${spinId}:prize`;

type StoredSpin = Omit<SpinRow, 'wheel'> & { wheel: string };

export class RewardWheel {
  constructor(private readonly ctx: PlayerContext) {}

  /** Records each fresh wheel_spin grant's spin: the prize table of `wheels` (the granting rule set version), a new seed. */
  grant(outcomes: readonly Outcome[], fresh: ReadonlySet<string>, wheels: ReadonlyMap<string, Wheel>, ruleSet: { id: string; version: number }): void {
    for (const o of outcomes) {
      if (o.type !== 'grant' || o.grant.kind !== 'wheel_spin' || !fresh.has(o.grant_id)) continue;
      const wheel = wheels.get(o.grant.wheel_id);
      if (!wheel) continue; // the engine grants only wheels of the set it runs
      const seed = newServerSeed();
      // no rule gives a spin an expiry today (the wheel_spin action has none): expires_at stays null
      this.ctx.db.run`insert into reward_wheel_spins (spin_id, grant_id, wheel_id, wheel, rule_id, rule_version, rule_set_id, rule_set_version, server_seed, commitment, expires_at, created_at)
        values (${o.grant.spin_id}, ${o.grant_id}, ${wheel.id}, ${JSON.stringify(wheel)}, ${o.source.rule_id}, ${o.source.rule_version}, ${ruleSet.id}, ${ruleSet.version},
          ${seed}, ${commitSeed(seed)}, ${null}, ${this.ctx.now()})`;
    }
  }

  find(spinId: string): SpinRow | null {
    const row = this.ctx.db.first<StoredSpin>`select spin_id, grant_id, wheel_id, wheel, rule_id, rule_version, rule_set_id, rule_set_version, server_seed, commitment, expires_at, created_at
      from reward_wheel_spins where spin_id = ${spinId}`;
    return row ? { ...row, wheel: JSON.parse(row.wheel) as Wheel } : null;
  }

  resultOf(spinId: string): SpinResultRow | null {
    const row = this.ctx.db.first<{ prize_id: string; reward: string | null; prize_grant_id: string; delivered: number; at: number }>`
      select prize_id, reward, prize_grant_id, delivered, at from reward_wheel_results where spin_id = ${spinId}`;
    return row ? { ...row, reward: row.reward === null ? null : JSON.parse(row.reward) as WheelPrize['reward'], delivered: row.delivered === 1 } : null;
  }

  /** Records the result; false when the spin has one already (then nothing may be delivered). */
  record(spinId: string, prize: WheelPrize, delivered: boolean): boolean {
    return this.ctx.db.first<{ spin_id: string }>`insert into reward_wheel_results (spin_id, prize_id, reward, prize_grant_id, delivered, at)
      values (${spinId}, ${prize.id}, ${prize.reward === null ? null : JSON.stringify(prize.reward)}, ${prizeGrantId(spinId)}, ${delivered ? 1 : 0}, ${this.ctx.now()})
      on conflict (spin_id) do nothing returning spin_id` !== null;
  }

  /** The player's unspun spins, newest first, with their commitments. */
  unspun(limit = 20): SpinView[] {
    const now = this.ctx.now();
    return this.ctx.db.all<{ spin_id: string; wheel_id: string; wheel: string; commitment: string; expires_at: number | null; created_at: number }>`
      select s.spin_id, s.wheel_id, s.wheel, s.commitment, s.expires_at, s.created_at from reward_wheel_spins s
      where not exists (select 1 from reward_wheel_results r where r.spin_id = s.spin_id)
      order by s.created_at desc, s.spin_id desc limit ${limit}`
      .map((r) => ({ ...r, wheel: JSON.parse(r.wheel) as Wheel, status: r.expires_at !== null && r.expires_at <= now ? 'expired' : 'available' }));
  }

  answerOf(spin: SpinRow, result: SpinResultRow): SpinAnswer {
    return {
      spin_id: spin.spin_id, wheel_id: spin.wheel_id, prize_id: result.prize_id, reward: result.reward, delivered: result.delivered,
      prize_grant_id: result.prize_grant_id, spun_at: result.at, rule_id: spin.rule_id, rule_version: spin.rule_version,
      proof: { wheel: spin.wheel, spin_id: spin.spin_id, commitment: spin.commitment, server_seed: spin.server_seed, prize_id: result.prize_id },
    };
  }
}
