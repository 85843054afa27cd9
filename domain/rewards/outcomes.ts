/**
 * What an evaluation produces: each outcome becomes one event of the player's object (written in the
 * same transaction as the new state), so the back-office timeline and the warehouse see every grant,
 * every suppression with its reason, and every A/B assignment.
 */
import type { Currency } from '../money';

/** Where a grant comes from: the rule and version that fired (and its variant), and the mission or level it went through. */
export type GrantSource = { rule_id: string; rule_version: number; variant: string | null; via: string | null };

export type Grant =
  | { kind: 'xp'; amount: number }
  /** `requested` > `amount` when the daily points cap cut the grant. */
  | { kind: 'points'; amount: number; requested: number }
  | { kind: 'badge'; badge_id: string }
  | { kind: 'mission_progress'; mission_id: string; step_id: string; step_index: number; progress: number; target: number }
  | { kind: 'mission_completed'; mission_id: string; completions: number }
  /** The spin's prize is drawn later (wheel.ts), from a seed whose commitment the player sees first; its largest cash-like prize is charged now. */
  | { kind: 'wheel_spin'; wheel_id: string; spin_id: string }
  | { kind: 'free_bet' | 'cashback'; value_minor: number; currency: Currency; expires_at: number; table_id: string | null }
  | { kind: 'shout_out'; template: string; table_id: string }
  | { kind: 'message'; template: string };

export type SuppressionReason =
  | 'player_at_risk' | 'rule_cap' | 'cooldown' | 'pacing' | 'holdout'
  | 'daily_points_cap' | 'daily_xp_cap' | 'daily_cash_cap' | 'budget_exhausted' | 'no_value_in_currency'
  | 'badge_limit' | 'no_table';

export type RiskReason = 'rapid_losses' | 'limit_hit' | 'cool_off_ended' | 'rg_risk_segment';

export type Outcome =
  /** `cost_minor` (cash-like value, in the player's currency) is charged to `budget_key`: the rule id, `mission:<id>` or `level:<n>`. */
  | { type: 'grant'; grant_id: string; source: GrantSource; grant: Grant; cost_minor: number; budget_key: string | null }
  | { type: 'suppressed'; source: GrantSource; reason: SuppressionReason; action: string | null; detail: string | null }
  | { type: 'assignment'; rule_id: string; rule_version: number; variant: string }
  | { type: 'level_up'; from_level: number | null; to_level: number; name: string; tier: string }
  | { type: 'mission_expired'; mission_id: string; step_index: number; progress: number }
  | { type: 'break_message'; template: string; reasons: RiskReason[] };

/** Outcomes that promote play: none may reach a player at risk. */
export function isPromotional(o: Outcome): boolean {
  if (o.type === 'level_up') return true;
  return o.type === 'grant' && o.grant.kind !== 'message';
}
