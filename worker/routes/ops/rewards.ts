/**
 * Publishing rewards rule sets through the back office (docs/rewards.md "Publishing"), per brand:
 * list the versions, create a draft (validated by the engine's schema: 422 with each issue's path),
 * dry-run a draft (or some of its rules) against a player's recent events, publish it (four eyes for
 * a version with cash-like rewards: its author may not publish it), pause or retire a live rule,
 * retire a version. rewards.read / rewards.write / rewards.publish, brand-scoped (config/policies.json).
 *
 * The versions live in the brand's back-office object (durable/brand-ops/rule-sets.ts); the player
 * objects pick the live one up within seconds, off the bet's path (durable/player/rule-source.ts).
 * Every change is in the audit log; a publication names the version and its hash.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Permission } from '../../../domain/authz';
import { isBrand } from '../../../domain/brands';
import { ensureOperator } from '../../catalog/ops-auth';
import type { AppEnv } from '../../http/app-env';
import { ApiError, settled, unwrap } from '../../http/errors';
import { playerStub } from '../../http/stubs';
import { validationHook } from '../../http/validation';
import { guardBrand, recordAudit } from '../../ops/guard';
import {
  RewardsDryRunAnswer, RuleSetBody, RewardsRuleSetPublished, RewardsRuleSetRetired, RewardsRuleSetVersionAnswer, RewardsRuleSetVersionList,
} from '../../ops/rewards-views';
import { BrandParam, Reason } from '../../ops/schemas';
import { brandOpsStub } from '../../ops/stubs';
import { body, errors, json } from '../../schemas';

export const opsRewards = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Back office: rewards rule sets';
const security = [{ bearer: [] }];

/** A whole rule set is bigger than the app's 16 KiB default (up to 500 rules): this route has its own limit. */
export const RULE_SET_BODY_LIMIT_BYTES = 512 * 1024;
export const RULE_SET_UPLOAD_PATH = /^\/v1\/ops\/brands\/[^/]+\/rewards\/versions$/;
const ruleSetBodyLimit = bodyLimit({ maxSize: RULE_SET_BODY_LIMIT_BYTES, onError: () => { throw new ApiError('payload_too_large', `rule sets are limited to ${RULE_SET_BODY_LIMIT_BYTES} bytes`); } });

type Ctx = Context<AppEnv>;

const VersionParam = BrandParam.extend({ version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' }, example: 4 }) });
const RuleParam = BrandParam.extend({ rule_id: z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/).openapi({ param: { name: 'rule_id', in: 'path' }, example: 'settled-table-bet' }) });

async function guard(c: Ctx, permission: Permission, brand: string, action: string): Promise<void> {
  if (!isBrand(brand)) throw new ApiError('not_found', `no brand ${brand}`);
  await guardBrand(c, permission, brand, action);
}

const actor = (c: Ctx) => `operator:${c.get('operator').operator_id}`;

opsRewards.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/rewards/versions', tags: [TAG], summary: 'The brand\'s rule set versions, newest first, and the live one', security,
  middleware: [ensureOperator] as const,
  request: { params: BrandParam },
  responses: { 200: json(RewardsRuleSetVersionList, 'Versions (without their bodies)'), ...errors(401, 403, 404) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  await guard(c, 'rewards.read', brand, 'rewards.list');
  return c.json(await brandOpsStub(c.env, brand).ruleSetVersions(), 200);
});

opsRewards.openapi(createRoute({
  method: 'post', path: '/brands/{brand}/rewards/versions', tags: [TAG], security,
  summary: 'Create a draft version from a full rule set (validated: 422 `invalid_rule_set` with each issue\'s path)',
  description: 'The set\'s `version` is replaced by the next version number. A rule whose (id, version) was published before must keep its content (`status` aside): a grant names that pair. Bodies up to 512 KiB.',
  middleware: [ensureOperator, ruleSetBodyLimit] as const,
  request: { params: BrandParam, body: body(z.strictObject({ rule_set: RuleSetBody, reason: Reason.optional(), based_on: z.number().int().min(1).optional() })) },
  responses: { 201: json(RewardsRuleSetVersionAnswer, 'The draft'), ...errors(400, 401, 403, 404, 413, 422) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  const input = c.req.valid('json');
  await guard(c, 'rewards.write', brand, 'rewards.draft.create');
  const r = unwrap(await brandOpsStub(c.env, brand).createRuleSetDraft(input.rule_set, actor(c), input.reason ?? null, input.based_on ?? null));
  await recordAudit(c, { action: 'rewards.draft.create', target_type: 'rule_set_version', target_id: String(r.version.version), brand, reason: input.reason ?? null,
    after: { version: r.version.version, hash: r.version.hash, rule_set_id: r.version.rule_set_id, cash_like: r.version.cash_like, rules: r.version.rules } });
  return c.json({ version: r.version, rule_set: r.rule_set }, 201);
});

opsRewards.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/rewards/versions/{version}', tags: [TAG], summary: 'One version with its rule set', security,
  middleware: [ensureOperator] as const,
  request: { params: VersionParam },
  responses: { 200: json(RewardsRuleSetVersionAnswer, 'The version'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { brand, version } = c.req.valid('param');
  await guard(c, 'rewards.read', brand, 'rewards.read');
  const r = unwrap(await brandOpsStub(c.env, brand).ruleSetVersion(version));
  return c.json({ version: r.version, rule_set: r.rule_set }, 200);
});

opsRewards.openapi(createRoute({
  method: 'post', path: '/brands/{brand}/rewards/versions/{version}/dry-run', tags: [TAG], security,
  summary: 'What a version (drafts and paused rules included), or some of its rules, would have done over a player\'s recent events',
  description: 'Nothing is written. The events are rebuilt from the player\'s own records (table bets, deposits, logins); facts the object does not keep (game, bet type, dealer...) are listed in `missing_facts`. Starts from a fresh rewards state.',
  middleware: [ensureOperator] as const,
  request: { params: VersionParam, body: body(z.strictObject({ player_id: z.uuid(), rule_ids: z.array(z.string().max(64)).min(1).max(100).optional(), limit: z.number().int().min(1).max(200).default(100) })) },
  responses: { 200: json(RewardsDryRunAnswer, 'What would have fired'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { brand, version } = c.req.valid('param');
  const input = c.req.valid('json');
  await guard(c, 'rewards.read', brand, 'rewards.dry_run');
  const set = unwrap(await brandOpsStub(c.env, brand).ruleSetVersion(version));
  const stub = playerStub(c.env, input.player_id);
  const found = settled(await stub.inspect());
  // another brand's player is not found here, as for any brand-scoped read
  if (!found.ok || found.player.brand !== brand) throw new ApiError('player_not_found', `no player ${input.player_id} in ${brand}`);
  const dry = await stub.rewardsDryRun(set.rule_set, { rule_ids: input.rule_ids, limit: input.limit });
  if (!dry) throw new ApiError('player_not_found', `no player ${input.player_id}`);
  return c.json({ version, player_id: input.player_id, dry_run: dry }, 200);
});

opsRewards.openapi(createRoute({
  method: 'post', path: '/brands/{brand}/rewards/versions/{version}/publish', tags: [TAG], security,
  summary: 'Publish a draft: it replaces the live version (four eyes for cash-like rewards: not by its author)',
  description: 'Player objects pick it up within `REWARDS_REFRESH_MS` (5 s) and one call. The audit entry names the version and its hash. 403 `four_eyes_violation` when the author publishes a version with cash-like rewards. 409 `stale_draft` (`details.issues`, each with its path) when something published since the draft was made conflicts with it: a rule (id, version) published with other content, a rule it has active that the live version paused or retired, or a rule the live version has at a newer version (make a new draft from the live version).',
  middleware: [ensureOperator] as const,
  request: { params: VersionParam, body: body(z.strictObject({ reason: Reason })) },
  responses: { 200: json(RewardsRuleSetPublished, 'Published'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { brand, version } = c.req.valid('param');
  const { reason } = c.req.valid('json');
  await guard(c, 'rewards.publish', brand, 'rewards.publish');
  const r = settled(await brandOpsStub(c.env, brand).publishRuleSet(version, actor(c)));
  if (!r.ok) {
    if (r.code === 'four_eyes_violation') {
      await recordAudit(c, { action: 'rewards.publish', target_type: 'rule_set_version', target_id: String(version), brand, outcome: 'denied', reason: 'four eyes: the author cannot publish a version with cash-like rewards', before: { version } });
    }
    throw new ApiError(r.code, r.message, r.details);
  }
  await recordAudit(c, { action: 'rewards.publish', target_type: 'rule_set_version', target_id: String(version), brand, reason,
    before: { active_version: r.previous },
    after: { version: r.version.version, hash: r.version.hash, rule_set_id: r.version.rule_set_id, cash_like: r.version.cash_like, author: r.version.created_by } });
  return c.json({ version: r.version, previous: r.previous }, 200);
});

opsRewards.openapi(createRoute({
  method: 'post', path: '/brands/{brand}/rewards/versions/{version}/retire', tags: [TAG], security,
  summary: 'Retire a version: a draft is discarded; the live one stops, and the deployed default (config/rewards.json) is live again',
  middleware: [ensureOperator] as const,
  request: { params: VersionParam, body: body(z.strictObject({ reason: Reason })) },
  responses: { 200: json(RewardsRuleSetRetired, 'Retired'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { brand, version } = c.req.valid('param');
  const { reason } = c.req.valid('json');
  // stopping the live version is a publication's decision; discarding a draft takes the same permission (checked before the lookup: no 404 for the unauthorized)
  await guard(c, 'rewards.publish', brand, 'rewards.retire');
  const current = unwrap(await brandOpsStub(c.env, brand).ruleSetVersion(version));
  const r = unwrap(await brandOpsStub(c.env, brand).retireRuleSet(version, actor(c)));
  await recordAudit(c, { action: 'rewards.retire', target_type: 'rule_set_version', target_id: String(version), brand, reason,
    before: { state: current.version.state }, after: { version: r.version.version, hash: r.version.hash, state: r.version.state } });
  return c.json({ version: r.version }, 200);
});

for (const status of ['paused', 'retired'] as const) {
  const verb = status === 'paused' ? 'pause' : 'retire';
  opsRewards.openapi(createRoute({
    method: 'post', path: `/brands/{brand}/rewards/rules/{rule_id}/${verb}`, tags: [TAG], security,
    summary: `${status === 'paused' ? 'Pause' : 'Retire'} a rule of the live version: a new version, published at once (it only switches off)`,
    middleware: [ensureOperator] as const,
    request: { params: RuleParam, body: body(z.strictObject({ reason: Reason })) },
    responses: { 200: json(RewardsRuleSetPublished, 'The new live version'), ...errors(400, 401, 403, 404, 409) },
  }), async (c) => {
    const { brand, rule_id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    await guard(c, 'rewards.publish', brand, `rewards.rule.${verb}`);
    const r = unwrap(await brandOpsStub(c.env, brand).changeRule(rule_id, status, actor(c), reason));
    await recordAudit(c, { action: `rewards.rule.${verb}`, target_type: 'rule', target_id: rule_id, brand, reason,
      before: { active_version: r.previous }, after: { version: r.version.version, hash: r.version.hash, rule_id, status } });
    return c.json({ version: r.version, previous: r.previous }, 200);
  });
}
