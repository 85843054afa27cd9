/**
 * The live rewards configuration (config/rewards.json): the rule set, validated and compiled once at
 * load (domain/rewards loadRuleSet: a bad file fails the object's start with the issues' paths, not
 * a bet), and the thresholds the player's object uses to say a player is at risk. The rule set is the
 * default: a brand that published a version through the back office evaluates that one instead
 * (rule-source.ts, docs/rewards.md "Publishing").
 */
import { z } from 'zod';
import raw from '../../config/rewards.json';
import { currency } from '../../domain/event-fields';
import { loadRuleSet, type CompiledRuleSet } from '../../domain/rewards';

const RiskConfig = z.strictObject({
  /** Net losses (stakes minus returns of settled table bets) over this window, at or above the amount, mark a player at risk. */
  rapid_losses: z.strictObject({ window_minutes: z.number().int().min(5).max(1_440), net_loss_minor: z.partialRecord(currency, z.number().int().positive()) }),
  /** A limit refusal (rg.limit.breach_refused) marks the player at risk for this long. */
  limit_hit_minutes: z.number().int().min(1).max(10_080),
  /** The end of a cool-off marks the player at risk for this long. */
  cool_off_ended_minutes: z.number().int().min(1).max(43_200),
});
export type RiskConfig = z.infer<typeof RiskConfig>;

export type RewardsConfig = { compiled: CompiledRuleSet; risk: RiskConfig };

/** Validates a whole configuration; throws with every issue's path (a start-up error, never a player's). */
export function loadRewardsConfig(input: unknown): RewardsConfig {
  const top = z.looseObject({ rule_set: z.unknown(), risk: RiskConfig }).safeParse(input);
  if (!top.success) throw new Error(`config/rewards.json: ${z.prettifyError(top.error)}`);
  const loaded = loadRuleSet(top.data.rule_set);
  if (!loaded.ok) throw new Error(`config/rewards.json: ${loaded.issues.map((i) => `rule_set.${i.path}: ${i.message}`).join('; ')}`);
  return { compiled: loaded.compiled, risk: top.data.risk };
}

let live: RewardsConfig | null = null;
/** The deployed configuration, loaded on first use. */
export function liveRewardsConfig(): RewardsConfig {
  live ??= loadRewardsConfig(raw);
  return live;
}
