/**
 * Tournaments in the back office (docs/tournaments.md): create, list, read with the awards, cancel.
 * Permissions: the marketers' (config/policies.json): creating and cancelling use `rewards.write`,
 * reading `rewards.read`, both brand-scoped (the tournament's brand must be one of the operator's);
 * a large pool waits for a second operator with `adjustment.approve` (four eyes). Every action is
 * audited in the brand's log.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Permission } from '../../../domain/authz';
import { BrandId, BRANDS } from '../../../domain/brands';
import { pastDailyCumulative, type CreatedAlone } from '../../../domain/tournaments/four-eyes';
import { prizePool, TournamentInput } from '../../../domain/tournaments/schema';
import { ApiError, settled, unwrap } from '../../http/errors';
import type { AppEnv } from '../../http/app-env';
import { validationHook } from '../../http/validation';
import { auditRefusals } from '../../ops/audit-refusals';
import { authorizeOrDeny, recordAudit, requireOperator } from '../../ops/guard';
import { Reason } from '../../ops/schemas';
import { body, errors, json } from '../../schemas';
import { NewTournament, TournamentAnswer, TournamentDetail, TournamentIdParam, TournamentList } from '../../tournaments/schemas';
import { brandTournaments, tournamentIndexStub, tournamentStub } from '../../tournaments/stubs';

export const opsTournaments = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
opsTournaments.use('/tournaments', requireOperator, auditRefusals);
opsTournaments.use('/tournaments/*', requireOperator, auditRefusals);

const TAG = 'Back office: tournaments';
const DAY_MS = 86_400_000;
const security = [{ bearer: [] }];
type Ctx = Context<AppEnv>;
const actor = (c: Ctx) => `operator:${c.get('operator').operator_id}`;

/** The permission, and the tournament's brand among the operator's (the permissions are platform-scoped). */
async function guard(c: Ctx, permission: Permission, brand: string, action: string, tournamentId: string | null): Promise<void> {
  await authorizeOrDeny(c, permission, { brand }, { action, target_type: 'tournament', target_id: tournamentId });
  const brands = c.get('operator').brands;
  if (!brands.includes('*') && !brands.includes(brand)) {
    await recordAudit(c, { action, target_type: 'tournament', target_id: tournamentId, brand, outcome: 'denied', reason: `${permission}: brand_in_operator_brands` });
    throw new ApiError('forbidden', `not allowed: ${permission}`, { permission, rule: 'brand_in_operator_brands' });
  }
}

/** What the operator created alone in the last day in every brand they work in (and this one), per currency. */
async function createdAloneToday(c: Ctx, brand: string): Promise<CreatedAlone[]> {
  const mine = c.get('operator').brands;
  const brands = new Set([...(mine.includes('*') ? BRANDS.map((b) => b.id) : mine), brand]);
  const each = await Promise.all([...brands].map((b) => tournamentIndexStub(c.env, b).createdAlone(actor(c), DAY_MS)));
  return each.flat();
}

opsTournaments.openapi(createRoute({
  method: 'post', path: '/tournaments', tags: [TAG], summary: 'Create a tournament', security,
  description: 'Time-boxed, scored by a formula over settled table bets, open to players of the listed segments, paid to the top ranks through the wallet when it ends (docs/tournaments.md). '
    + 'The same definition again answers the tournament (200); another one under the same id is 409 already_exists.',
  request: { body: body(NewTournament) },
  responses: { 201: json(TournamentAnswer, 'Created'), 200: json(TournamentAnswer, 'Already created with this definition'), ...errors(400, 401, 403, 409) },
}), async (c) => {
  const { reason, ...input } = c.req.valid('json');
  await guard(c, 'rewards.write', input.brand, 'tournament.create', input.tournament_id);
  const parsed = TournamentInput.safeParse(input);
  if (!parsed.success) {
    throw new ApiError('validation_failed', 'the tournament is not valid', { issues: parsed.error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  // four eyes on the day's total too: pools split under the single threshold add up (docs/tournaments.md "Four eyes"),
  // across currencies (each currency's pools count as their share of its own threshold, as adjustments)
  // and across the operator's brands (each brand's index keeps its own tournaments: one allowance per operator)
  const index = tournamentIndexStub(c.env, parsed.data.brand);
  const fourEyes = pastDailyCumulative(await createdAloneToday(c, parsed.data.brand), parsed.data.currency, prizePool(parsed.data));
  const r = unwrap(await tournamentStub(c.env, parsed.data.tournament_id).create(parsed.data, actor(c), { fourEyes }));
  // audited on every answer, a replay too (`before`: it existed): the retry of a creation whose first
  // answer was lost (after the object committed, before the log) is what leaves the log its entry
  await recordAudit(c, { action: 'tournament.create', target_type: 'tournament', target_id: parsed.data.tournament_id, brand: parsed.data.brand, reason,
    before: r.replayed ? { replayed: true, status: r.tournament.status } : null, after: parsed.data });
  await index.list(parsed.data.tournament_id, { created_by: actor(c), currency: parsed.data.currency, prize_pool_minor: r.tournament.prize_pool_minor, approval_required: r.tournament.approval_required });
  return r.replayed ? c.json({ tournament: r.tournament }, 200) : c.json({ tournament: r.tournament }, 201);
});

opsTournaments.openapi(createRoute({
  method: 'get', path: '/tournaments', tags: [TAG], summary: "A brand's tournaments, newest first", security,
  request: { query: z.strictObject({ brand: BrandId.openapi({ example: 'aurora' }) }) },
  responses: { 200: json(TournamentList, 'Tournaments'), ...errors(400, 401, 403) },
}), async (c) => {
  const { brand } = c.req.valid('query');
  await guard(c, 'rewards.read', brand, 'tournament.list', null);
  return c.json({ tournaments: await brandTournaments(c.env, brand) }, 200);
});

opsTournaments.openapi(createRoute({
  method: 'get', path: '/tournaments/{tournament_id}', tags: [TAG], summary: 'A tournament and its awards', security,
  request: { params: TournamentIdParam },
  responses: { 200: json(TournamentDetail, 'The tournament'), ...errors(401, 403, 404) },
}), async (c) => {
  const { tournament_id } = c.req.valid('param');
  const stub = tournamentStub(c.env, tournament_id);
  const t = unwrap(await stub.get()).tournament;
  await guard(c, 'rewards.read', t.brand, 'tournament.read', tournament_id);
  return c.json({ tournament: t, awards: await stub.awards() }, 200);
});

opsTournaments.openapi(createRoute({
  method: 'post', path: '/tournaments/{tournament_id}/cancel', tags: [TAG], summary: 'Cancel a tournament before it ends', security,
  description: 'Only before its end (ends_at): no prizes are paid. Refused (409 invalid_state) once past its end (finalizing or ended) or cancelled.',
  request: { params: TournamentIdParam, body: body(z.strictObject({ reason: Reason })) },
  responses: { 200: json(TournamentAnswer, 'Cancelled'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { tournament_id } = c.req.valid('param');
  const { reason } = c.req.valid('json');
  const stub = tournamentStub(c.env, tournament_id);
  const t = unwrap(await stub.get()).tournament;
  await guard(c, 'rewards.write', t.brand, 'tournament.cancel', tournament_id);
  const r = unwrap(await stub.cancel(actor(c), reason));
  await recordAudit(c, { action: 'tournament.cancel', target_type: 'tournament', target_id: tournament_id, brand: t.brand, reason, before: { status: t.status }, after: { status: r.tournament.status } });
  return c.json({ tournament: r.tournament }, 200);
});

opsTournaments.openapi(createRoute({
  method: 'post', path: '/tournaments/{tournament_id}/approve', tags: [TAG], summary: 'Approve a large prize pool (four eyes; not your own)', security,
  description: 'A tournament whose prize pool is above its currency\'s four-eyes threshold (config/backoffice.json) takes no entries until an operator with adjustment.approve, '
    + 'other than its creator, approves it. 403 four_eyes_violation for the creator; 409 invalid_state when it needs no approval, is approved, cancelled or past its end.',
  request: { params: TournamentIdParam, body: body(z.strictObject({ reason: Reason })) },
  responses: { 200: json(TournamentAnswer, 'Approved'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { tournament_id } = c.req.valid('param');
  const { reason } = c.req.valid('json');
  const stub = tournamentStub(c.env, tournament_id);
  const t = unwrap(await stub.get()).tournament;
  await guard(c, 'adjustment.approve', t.brand, 'tournament.approve', tournament_id);
  const r = settled(await stub.approve(actor(c)));
  if (!r.ok && r.code === 'four_eyes_violation') {
    await recordAudit(c, { action: 'tournament.approve', target_type: 'tournament', target_id: tournament_id, brand: t.brand, outcome: 'denied', reason: 'four eyes: the creator cannot approve' });
  }
  const done = unwrap(r);
  await recordAudit(c, { action: 'tournament.approve', target_type: 'tournament', target_id: tournament_id, brand: t.brand, reason,
    before: { status: t.status, prize_pool_minor: t.prize_pool_minor, currency: t.currency }, after: { status: done.tournament.status, approved_by: done.tournament.approved_by } });
  return c.json({ tournament: done.tournament }, 200);
});
