/**
 * Payload schemas of the rewards engine's outcomes as PlayerDO emits them (durable/player/rewards.ts),
 * merged into EVENT_PAYLOADS (domain/events.ts). Flat scalars, like every payload: one event per
 * outcome, each naming the player event it came from (`source_event_id`: the engine's event id, e.g.
 * `bet-settled:<hold id>`, not an outbox event id), so the warehouse can join a grant to the bet.
 */
import { z } from 'zod';
import { amount, id } from '../event-fields';

const ruleRef = { rule_id: z.string().max(128), rule_version: z.number().int().positive(), variant: z.string().max(64).nullable(), source_event_id: id };

export const REWARD_EVENTS = {
  /**
   * One per grant. Only the fields of its `kind` are set. `cash_like` grants (free_bet, cashback)
   * carry their `value_minor` and `cost_minor` in the envelope's currency; `paid` is true for a
   * cashback (credited to the wallet in the same transaction: `wallet.reward.credited`), false for a
   * free bet (a token the player holds until it is used or expires) (docs/rewards.md "Cash-like rewards").
   */
  'rewards.granted': z.object({
    grant_id: z.string().min(1).max(256), ...ruleRef, via: z.string().max(128).nullable(), kind: z.string().max(32),
    amount: amount.nullable(), badge_id: z.string().max(64).nullable(), mission_id: z.string().max(64).nullable(),
    step_index: z.number().int().nullable(), progress: z.number().int().nullable(), target: z.number().int().nullable(),
    wheel_id: z.string().max(64).nullable(), value_minor: amount.nullable(), expires_at: z.number().int().nullable(),
    template: z.string().max(500).nullable(), cost_minor: amount, cash_like: z.boolean(), paid: z.boolean(),
  }),
  /**
   * A cashback grant paid into the wallet (real money, ledger kind 'reward', under the grant id):
   * the wallet's own record of the movement, beside the grant's `rewards.granted` (paid: true).
   */
  'wallet.reward.credited': z.object({ grant_id: z.string().min(1).max(256), bucket: z.enum(['real', 'bonus']), amount_minor: amount, balance_after_minor: amount }),
  /**
   * A granted wheel spin spun by the player (durable/player/rewards.ts spin; docs/rewards.md "Wheel
   * (provably fair)"): the prize drawn, the seed revealed (with its commitment, shown at the grant:
   * anyone can re-draw the prize with verifyWheelSpin), and whether something was delivered under
   * `prize_grant_id`. Its cost was charged at the grant (`rewards.granted` kind wheel_spin: the
   * wheel's largest cash-like prize); `value_minor` is what this prize is worth, in the envelope's currency.
   */
  'rewards.wheel_spun': z.object({
    spin_id: z.string().min(1).max(256), grant_id: z.string().min(1).max(256), wheel_id: z.string().max(64), prize_id: z.string().max(64),
    prize_grant_id: z.string().min(1).max(300), prize_kind: z.string().max(32).nullable(), amount: amount.nullable(), value_minor: amount.nullable(),
    delivered: z.boolean(), commitment: z.string().max(64), server_seed: z.string().max(64),
    rule_id: z.string().max(128), rule_version: z.number().int().positive(), rule_set_id: z.string().max(128), rule_set_version: z.number().int(),
  }),
  /** A rule that applied but gave nothing, and why (player_at_risk, rule_cap, holdout, budget_exhausted, ...). */
  'rewards.suppressed': z.object({ ...ruleRef, reason: z.string().max(32), action: z.string().max(32).nullable(), detail: z.string().max(200).nullable() }),
  /** A player's first (sticky) A/B assignment to a rule's variant or its holdout. */
  'rewards.assigned': z.object({ ...ruleRef, variant: z.string().max(64) }),
  'rewards.level_up': z.object({ from_level: z.number().int().nullable(), to_level: z.number().int(), name: z.string().max(64), tier: z.string().max(32), source_event_id: id }),
  'rewards.mission_expired': z.object({ mission_id: z.string().max(64), step_index: z.number().int(), progress: z.number().int(), source_event_id: id }),
  /** A player at risk: promotions were withheld and this message suggested a break (`reasons` comma-joined). */
  'rewards.break_suggested': z.object({ template: z.string().max(500), reasons: z.string().max(200), source_event_id: id }),
} as const satisfies Record<string, z.ZodObject>;
