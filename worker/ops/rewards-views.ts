/**
 * Named answers of the back office's rewards publishing routes (/v1/ops/brands/{brand}/rewards;
 * docs/rewards.md "Publishing"). A rule set itself is described by the engine's own schema
 * (domain/rewards/rule-schema.ts), which validates it with each issue's path; here it is an object.
 */
import { z } from '@hono/zod-openapi';
import type { DryRunAnswer } from '../../durable/player/rewards-dry-run';
import type { RuleSetVersion } from '../../durable/brand-ops/rule-sets';
import { mirrors } from '../http/mirror';
import { RuleSet } from '../../domain/rewards/rule-schema';

/** What a draft is created from: checked by the engine's schema in the brand's object (422 with each issue's path), not here. */
const RuleSetBody = z.record(z.string(), z.unknown()).openapi({
  description: 'A rewards rule set as docs/rewards.md describes it (domain/rewards/rule-schema.ts). Its `version` is replaced by the version number the brand gives it.',
});
/**
 * A stored version's rule set: the engine's own fields, so the document says exactly what a set holds.
 * A new object over the engine schema's shape: that schema may be built before zod has its OpenAPI
 * extension (module order), and a stored set is valid already (no refinement to repeat).
 */
export const RewardsRuleSet = z.strictObject(RuleSet.shape).openapi('RewardsRuleSet');

export const RewardsRuleSetVersion = mirrors<RuleSetVersion>()(z.object({
  version: z.number().int().openapi({ example: 4 }),
  rule_set_id: z.string().openapi({ example: 'live-tables' }),
  state: z.enum(['draft', 'published', 'superseded', 'retired']),
  hash: z.string().openapi({ description: 'SHA-256 of the stored body, hex', example: '9f2c…' }),
  cash_like: z.boolean().openapi({ description: 'Has free bets or cashback (rules, missions, levels, wheel prizes): its author may not publish it' }),
  based_on: z.number().int().nullable(),
  rules: z.number().int(),
  active_rules: z.number().int(),
  created_by: z.string().openapi({ example: 'operator:0190…' }),
  created_at: z.number().int(),
  reason: z.string().nullable(),
  published_by: z.string().nullable(),
  published_at: z.number().int().nullable(),
  retired_by: z.string().nullable(),
  retired_at: z.number().int().nullable(),
})).openapi('RewardsRuleSetVersion');

export const RewardsRuleSetVersionList = z.object({
  active_version: z.number().int().nullable().openapi({ description: 'The published version; null: the deployed default (config/rewards.json) is live' }),
  versions: z.array(RewardsRuleSetVersion),
}).openapi('RewardsRuleSetVersionList');

export const RewardsRuleSetVersionAnswer = z.object({ version: RewardsRuleSetVersion, rule_set: RewardsRuleSet }).openapi('RewardsRuleSetVersionAnswer');

export const RewardsRuleSetPublished = z.object({
  version: RewardsRuleSetVersion,
  previous: z.number().int().nullable().openapi({ description: 'The version it replaced (null: the deployed default)' }),
}).openapi('RewardsRuleSetPublished');

export const RewardsRuleSetRetired = z.object({ version: RewardsRuleSetVersion }).openapi('RewardsRuleSetRetired');

export const RewardsDryRunOutcome = z.object({
  type: z.enum(['grant', 'suppressed', 'assignment', 'level_up', 'mission_expired', 'break_message']),
  rule_id: z.string().nullable(), rule_version: z.number().int().nullable(), variant: z.string().nullable(),
  kind: z.string().nullable(), amount: z.number().nullable(), value_minor: z.number().int().nullable(),
  reason: z.string().nullable(), detail: z.string().nullable(),
}).openapi('RewardsDryRunOutcome');

export const RewardsDryRun = mirrors<DryRunAnswer>()(z.object({
  events: z.number().int().openapi({ description: 'How many of the player\'s recent events were evaluated' }),
  from: z.number().int().nullable(), to: z.number().int().nullable(),
  missing_facts: z.array(z.string()).openapi({ description: 'Facts the player\'s object does not keep: a condition on them does not hold in a dry run' }),
  steps: z.array(z.object({ event_id: z.string(), event_type: z.string(), occurred_at: z.number().int(), skipped: z.string().nullable(), outcomes: z.array(RewardsDryRunOutcome) })),
  fired: z.object({
    grants: z.number().int(), suppressed: z.number().int(),
    by_rule: z.array(z.object({ rule_id: z.string(), rule_version: z.number().int(), grants: z.number().int(), suppressed: z.number().int() })),
  }),
})).openapi('RewardsDryRun');

export const RewardsDryRunAnswer = z.object({ version: z.number().int(), player_id: z.string(), dry_run: RewardsDryRun }).openapi('RewardsDryRunAnswer');

export { RuleSetBody };
