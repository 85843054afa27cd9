/**
 * The back office on one player: profile (PII masked unless revealed, which is audited), ledger,
 * timeline, lock/unlock, VIP flag, KYC decision, withdrawal decisions, manual adjustments with
 * four eyes, and dispute resolution by compensating entries. Each route loads the player, asks
 * domain/authz.ts (role + brand + jurisdiction + VIP clearance), acts through the player's object,
 * and writes the audit log with the state before and after.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { maskDateOfBirth, maskEmail } from '../../../domain/authz';
import type { Currency } from '../../../domain/money';
import type { AppEnv } from '../../http/app-env';
import { ApiError, settled, unwrap } from '../../http/errors';
import { playerStub } from '../../http/stubs';
import { validationHook } from '../../http/validation';
import { body, CurrencyCode, errors, IdempotencyHeaders, json } from '../../schemas';
import { auditRefusals } from '../../ops/audit-refusals';
import { guardPlayer, recordAudit, requireOperator } from '../../ops/guard';
import { AdjustmentAnswer, DisputeAnswer, LedgerPage, PlayerChanged, PlayerProfile, TimelinePage, VipChanged, WithdrawalDecided } from '../../ops/player-views';
import { PlayerParam, Reason } from '../../ops/schemas';
import { namesFor, valuesOf } from '../../ops/names';
import { presentTimeline } from '../../ops/timeline-view';

export const opsPlayers = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Back office: players';
const security = [{ bearer: [] }];
opsPlayers.use('/players/*', requireOperator, auditRefusals);

type Inspected = Awaited<ReturnType<typeof guardPlayer>>;

/** The profile as this operator may see it: PII only with player.read_pii and an explicit reveal. */
function present(found: Inspected, reveal: boolean) {
  const { ok: _ok, player: p, ...rest } = found;
  return { ...rest, player: { ...p, email: reveal ? p.email : maskEmail(p.email), date_of_birth: reveal ? p.date_of_birth : maskDateOfBirth(p.date_of_birth), pii_masked: !reveal } };
}

/** A stable id per operator and Idempotency-Key, so a retried POST finds the first attempt. */
async function idFromKey(prefix: string, operatorId: string, key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${operatorId}|${key}`)));
  return `${prefix}-${Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function audit(c: Context<AppEnv>, found: Inspected, action: string, fields: { reason?: string | null; before?: unknown; after?: unknown; outcome?: 'allowed' | 'denied' }) {
  return recordAudit(c, { action, target_type: 'player', target_id: found.player.player_id, brand: found.player.brand, jurisdiction: found.player.jurisdiction, ...fields });
}

opsPlayers.openapi(createRoute({
  method: 'get', path: '/players/{player_id}', tags: [TAG], summary: 'Player profile: KYC, limits, sessions, balances, withdrawals, adjustments',
  description: 'Email and date of birth are masked. `?reveal=pii` shows them to operators with player.read_pii, and writes the audit log (a sensitive read). `names` maps the `operator:<id>` / `player:<id>` references of the KYC history, adjustments and withdrawals to display names (the player masked unless revealed).',
  security, request: { params: PlayerParam, query: z.strictObject({ reveal: z.enum(['pii']).optional() }) },
  responses: { 200: json(PlayerProfile, 'The player, PII masked unless revealed'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { player_id } = c.req.valid('param');
  const reveal = c.req.valid('query').reveal === 'pii';
  const found = await guardPlayer(c, reveal ? 'player.read_pii' : 'player.read', player_id, reveal ? 'player.pii.view' : 'player.view');
  if (reveal) await audit(c, found, 'player.pii.view', {});
  const names = await namesFor(c.env, valuesOf([...found.kyc_history, ...found.adjustments, ...found.withdrawals]), found.player, reveal);
  return c.json({ ...present(found, reveal), names: Object.fromEntries(names) }, 200);
});

opsPlayers.openapi(createRoute({
  method: 'get', path: '/players/{player_id}/ledger', tags: [TAG], summary: "The player's wallet ledger, newest first",
  security, request: { params: PlayerParam, query: z.strictObject({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(200).default(50), currency: CurrencyCode.optional() }) },
  responses: { 200: json(LedgerPage, 'Ledger page'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { player_id } = c.req.valid('param');
  const q = c.req.valid('query');
  await guardPlayer(c, 'player.ledger.read', player_id, 'player.ledger.view');
  const r = unwrap(await playerStub(c.env, player_id).ledgerForOperator({ before: q.before ?? null, limit: q.limit, currency: (q.currency ?? null) as Currency | null }));
  return c.json({ entries: r.entries, next_before: r.next_before }, 200);
});

opsPlayers.openapi(createRoute({
  method: 'get', path: '/players/{player_id}/timeline', tags: [TAG], summary: 'Every event of the player, newest first',
  description: '`shown` is each event as the panel prints it (worker/ops/timeline-view.ts): amounts in major units, UTC times, operators by display name, the player by masked email; `title` holds the raw value or id.',
  security, request: { params: PlayerParam, query: z.strictObject({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  responses: { 200: json(TimelinePage, 'Timeline page: each event as stored, and as people read it'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { player_id } = c.req.valid('param');
  const q = c.req.valid('query');
  const found = await guardPlayer(c, 'player.timeline.read', player_id, 'player.timeline.view');
  const r = unwrap(await playerStub(c.env, player_id).timeline({ before: q.before, limit: q.limit }));
  return c.json(await presentTimeline(c.env, found.player, r), 200);
});

for (const [path, to, action] of [['/players/{player_id}/lock', 'locked', 'player.lock'], ['/players/{player_id}/unlock', 'active', 'player.unlock']] as const) {
  opsPlayers.openapi(createRoute({
    method: 'post', path, tags: [TAG], summary: to === 'locked' ? 'Lock the account (ends its sessions)' : 'Unlock the account',
    description: 'A self-exclusion is never lifted this way: unlocking a self-excluded player is 409.',
    security, request: { params: PlayerParam, body: body(z.strictObject({ reason: Reason })) },
    responses: { 200: json(PlayerChanged, 'Status changed'), ...errors(400, 401, 403, 404, 409) },
  }), async (c) => {
    const { player_id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const found = await guardPlayer(c, 'player.lock', player_id, action);
    const r = unwrap(await playerStub(c.env, player_id).setStatus(to, reason, `operator:${c.get('operator').operator_id}`));
    await audit(c, found, action, { reason, before: { status: found.player.status }, after: { status: to } });
    return c.json({ player: r.player }, 200);
  });
}

opsPlayers.openapi(createRoute({
  method: 'put', path: '/players/{player_id}/vip', tags: [TAG], summary: 'Flag or unflag a VIP (only operators with VIP clearance see VIPs)',
  security, request: { params: PlayerParam, body: body(z.strictObject({ vip: z.boolean(), reason: Reason })) },
  responses: { 200: json(VipChanged, 'VIP flag set'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { player_id } = c.req.valid('param');
  const { vip, reason } = c.req.valid('json');
  const found = await guardPlayer(c, 'player.vip.set', player_id, 'player.vip.set');
  const r = unwrap(await playerStub(c.env, player_id).setVip(vip, `operator:${c.get('operator').operator_id}`));
  await audit(c, found, 'player.vip.set', { reason, before: { vip: found.player.vip }, after: { vip } });
  return c.json({ player: r.player, changed: r.changed }, 200);
});

opsPlayers.openapi(createRoute({
  method: 'post', path: '/players/{player_id}/kyc-decision', tags: [TAG], summary: 'Approve or reject pending KYC, with a reason',
  security, request: { params: PlayerParam, body: body(z.strictObject({ decision: z.enum(['approve', 'reject']), reason: Reason })) },
  responses: { 200: json(PlayerChanged, 'Decided'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { player_id } = c.req.valid('param');
  const { decision, reason } = c.req.valid('json');
  const found = await guardPlayer(c, 'kyc.review', player_id, `kyc.${decision}`);
  if (found.player.kyc_status !== 'pending') throw new ApiError('invalid_state', `KYC is ${found.player.kyc_status}, not pending`);
  const to = decision === 'approve' ? 'verified' : 'rejected';
  const r = unwrap(await playerStub(c.env, player_id).setKycStatus(to, reason, `operator:${c.get('operator').operator_id}`));
  await audit(c, found, `kyc.${decision}`, { reason, before: { kyc_status: found.player.kyc_status }, after: { kyc_status: to } });
  return c.json({ player: r.player }, 200);
});

const WithdrawalParam = PlayerParam.extend({ withdrawal_id: z.string().min(1).max(64).openapi({ param: { name: 'withdrawal_id', in: 'path' } }) });

opsPlayers.openapi(createRoute({
  method: 'post', path: '/players/{player_id}/withdrawals/{withdrawal_id}/decision', tags: [TAG], summary: 'Approve or reject a requested withdrawal',
  description: 'Rejecting releases the reserved funds back to the player.',
  security, request: { params: WithdrawalParam, body: body(z.strictObject({ decision: z.enum(['approve', 'reject']), reason: Reason })) },
  responses: { 200: json(WithdrawalDecided, 'Decided'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { player_id, withdrawal_id } = c.req.valid('param');
  const { decision, reason } = c.req.valid('json');
  const found = await guardPlayer(c, 'withdrawal.review', player_id, `withdrawal.${decision}`);
  const r = unwrap(await playerStub(c.env, player_id).decideWithdrawal(withdrawal_id, decision, `operator:${c.get('operator').operator_id}`, reason));
  await audit(c, found, `withdrawal.${decision}`, { reason, before: { withdrawal_id, state: 'requested' }, after: r });
  return c.json({ withdrawal: r.withdrawal, replayed: r.replayed }, 200);
});

opsPlayers.openapi(createRoute({
  method: 'post', path: '/players/{player_id}/withdrawals/{withdrawal_id}/paid', tags: [TAG], summary: 'Mark an approved withdrawal as paid out',
  security, request: { params: WithdrawalParam, body: body(z.strictObject({ reason: Reason })) },
  responses: { 200: json(WithdrawalDecided, 'Paid'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { player_id, withdrawal_id } = c.req.valid('param');
  const { reason } = c.req.valid('json');
  const found = await guardPlayer(c, 'withdrawal.review', player_id, 'withdrawal.paid');
  const r = unwrap(await playerStub(c.env, player_id).markWithdrawalPaid(withdrawal_id));
  await audit(c, found, 'withdrawal.paid', { reason, before: { withdrawal_id, state: 'approved' }, after: r });
  return c.json({ withdrawal: r.withdrawal, replayed: r.replayed }, 200);
});

opsPlayers.openapi(createRoute({
  method: 'post', path: '/players/{player_id}/adjustments', tags: [TAG], summary: 'Manual balance adjustment (four eyes above the threshold)',
  description: 'Signed amount in minor units. At or below the currency\'s four-eyes threshold (config/backoffice.json) it is applied at once; above it waits as pending for another operator with adjustment.approve. Idempotent on the Idempotency-Key.',
  security, request: {
    params: PlayerParam, headers: IdempotencyHeaders,
    body: body(z.strictObject({ currency: CurrencyCode, bucket: z.enum(['real', 'bonus']).default('real'), amount_minor: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).refine((n) => n !== 0, 'must not be 0'), reason: Reason }).openapi('AdjustmentRequest')),
  },
  responses: { 201: json(AdjustmentAnswer, 'Applied or pending approval'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const { player_id } = c.req.valid('param');
  const input = c.req.valid('json');
  const op = c.get('operator');
  const found = await guardPlayer(c, 'adjustment.request', player_id, 'adjustment.request');
  const adjustmentId = await idFromKey('adj', op.operator_id, c.req.valid('header')['idempotency-key']);
  const r = unwrap(await playerStub(c.env, player_id).requestAdjustment({ adjustment_id: adjustmentId, currency: input.currency, bucket: input.bucket, amount_minor: input.amount_minor, reason: input.reason, actor: `operator:${op.operator_id}` }));
  // Audited on replays too: if the audit append failed after the money moved, the client's retry
  // replays the adjustment and this is the entry that records it (at least once, never zero times).
  await audit(c, found, 'adjustment.request', { reason: input.reason, before: { balances: found.balances }, after: r });
  return c.json({ adjustment: r.adjustment, replayed: r.replayed }, 201);
});

opsPlayers.openapi(createRoute({
  method: 'post', path: '/players/{player_id}/adjustments/{adjustment_id}/decision', tags: [TAG], summary: 'Approve or reject a pending adjustment (not your own)',
  security, request: { params: PlayerParam.extend({ adjustment_id: z.string().min(1).max(64).openapi({ param: { name: 'adjustment_id', in: 'path' } }) }), body: body(z.strictObject({ decision: z.enum(['approve', 'reject']), reason: Reason })) },
  responses: { 200: json(AdjustmentAnswer, 'Decided'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const { player_id, adjustment_id } = c.req.valid('param');
  const { decision, reason } = c.req.valid('json');
  const found = await guardPlayer(c, 'adjustment.approve', player_id, `adjustment.${decision}`);
  const r = settled(await playerStub(c.env, player_id).decideAdjustment(adjustment_id, decision, `operator:${c.get('operator').operator_id}`, reason));
  if (!r.ok && r.code === 'four_eyes_violation') await audit(c, found, `adjustment.${decision}`, { outcome: 'denied', reason: 'four eyes: requester cannot approve', before: { adjustment_id } });
  const done = unwrap(r);
  await audit(c, found, `adjustment.${decision}`, { reason, before: { balances: found.balances, adjustment_id }, after: done });
  return c.json({ adjustment: done.adjustment, replayed: done.replayed }, 200);
});

opsPlayers.openapi(createRoute({
  method: 'post', path: '/players/{player_id}/disputes', tags: [TAG], summary: 'Resolve a bet dispute with compensating entries',
  description: '`void` refunds the stake of a settled bet minus what it paid out; `correct` books a signed delta. Entries are never edited. Idempotent on the Idempotency-Key.',
  security, request: {
    params: PlayerParam, headers: IdempotencyHeaders,
    body: body(z.strictObject({ hold_id: z.string().min(1).max(128), resolution: z.enum(['void', 'correct']), amount_minor: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).optional(), reason: Reason }).openapi('DisputeResolution')),
  },
  responses: { 201: json(DisputeAnswer, 'Resolved (or, a correction above the four-eyes thresholds, pending approval)'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const { player_id } = c.req.valid('param');
  const input = c.req.valid('json');
  if (input.resolution === 'correct' && !input.amount_minor) throw new ApiError('validation_failed', 'amount_minor (non-zero) is required to correct a bet');
  const op = c.get('operator');
  const found = await guardPlayer(c, 'dispute.resolve', player_id, 'dispute.resolve');
  const disputeId = await idFromKey('dsp', op.operator_id, c.req.valid('header')['idempotency-key']);
  const r = unwrap(await playerStub(c.env, player_id).resolveDispute({ dispute_id: disputeId, hold_id: input.hold_id, resolution: input.resolution, amount_minor: input.amount_minor, reason: input.reason, actor: `operator:${op.operator_id}` }));
  await audit(c, found, 'dispute.resolve', { reason: input.reason, before: { balances: found.balances, hold_id: input.hold_id }, after: r });
  return c.json({ dispute: r.dispute, replayed: r.replayed }, 201);
});

