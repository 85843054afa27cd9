/**
 * Brand-wide back-office views: player search, the KYC / withdrawal / adjustment queues, anomaly
 * alerts, the player export, and the audit log with its verification. Lists are filtered to the
 * operator's jurisdictions and VIP clearance, so a Malta compliance officer sees Malta only.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { hasPermission, maskEmail, type Permission } from '../../../domain/authz';
import { ALERT_DECISIONS } from '../../../domain/aml';
import { isBrand } from '../../../domain/brands';
import { auditShardName } from '../../../durable/audit/types';
import type { PlayerSnapshot } from '../../../durable/brand-ops/types';
import type { AppEnv, OperatorAuth } from '../../http/app-env';
import { ApiError, unwrap } from '../../http/errors';
import { validationHook } from '../../http/validation';
import { body, errors, json } from '../../schemas';
import { auditRefusals } from '../../ops/audit-refusals';
import { toCsv } from '../../ops/csv';
import { guardBrand, PLATFORM, recordAudit, requireOperator } from '../../ops/guard';
import {
  AdjustmentQueue, AlertList, AlertResolved, AuditPage, AuditVerification, BrandCounts, KycQueue, PlayerSearchPage, WithdrawalQueue,
} from '../../ops/brand-views';
import { BrandParam, Reason } from '../../ops/schemas';
import { auditStub, brandOpsStub } from '../../ops/stubs';

export const opsBrands = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Back office: brand views';
const security = [{ bearer: [] }];
opsBrands.use('/brands/*', requireOperator, auditRefusals);

const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date');
const AUDIT_VERIFY_DAYS_MAX = 31;

/** Brand-scoped permission on a configured brand (the audit log also has the platform shard). */
async function guard(c: Context<AppEnv>, permission: Permission, brand: string, action: string, allowPlatform = false): Promise<void> {
  if (!isBrand(brand) && !(allowPlatform && brand === PLATFORM)) throw new ApiError('not_found', `no brand ${brand}`);
  await guardBrand(c, permission, brand, action);
}

/** Rows of players this operator may see: their jurisdictions, and VIPs only with clearance. */
function visible<T extends { jurisdiction: string; vip?: boolean; player?: PlayerSnapshot | null }>(op: OperatorAuth, rows: T[]): T[] {
  return rows.filter((r) => (op.jurisdictions.includes('*') || op.jurisdictions.includes(r.jurisdiction)) && (op.vip_clearance || !(r.vip ?? r.player?.vip)));
}

const masked = <T extends PlayerSnapshot>(p: T): T => ({ ...p, email: maskEmail(p.email) });
const scope = (op: OperatorAuth) => (op.jurisdictions.includes('*') ? undefined : op.jurisdictions);

opsBrands.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/players', tags: [TAG], summary: 'Search players by id, email (prefix or part), status, KYC state',
  security, request: {
    params: BrandParam,
    query: z.strictObject({ q: z.string().trim().max(254).optional(), status: z.enum(['active', 'locked', 'self_excluded', 'closed']).optional(), kyc_status: z.enum(['none', 'pending', 'verified', 'rejected']).optional(), limit: z.coerce.number().int().min(1).max(100).default(25), after: z.string().max(200).optional() }),
  },
  responses: { 200: json(PlayerSearchPage, 'Matches, emails masked'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  const q = c.req.valid('query');
  await guard(c, 'player.search', brand, 'player.search');
  const op = c.get('operator');
  const r = await brandOpsStub(c.env, brand).search({ ...q, jurisdictions: scope(op) });
  return c.json({ players: visible(op, r.players).map(masked), next: r.next }, 200);
});

opsBrands.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/summary', tags: [TAG], summary: 'Queue and alert counts for the dashboard',
  security, request: { params: BrandParam }, responses: { 200: json(BrandCounts, 'Counts'), ...errors(401, 403, 404) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  await guard(c, 'player.search', brand, 'brand.summary');
  return c.json(await brandOpsStub(c.env, brand).counts(), 200);
});

const QueueQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });

function queueRoute<S extends z.ZodType>(queue: 'kyc' | 'withdrawals' | 'adjustments', schema: S) {
  return createRoute({
    method: 'get', path: `/brands/{brand}/queues/${queue}`, tags: [TAG], summary: `The ${queue} queue, oldest first`,
    security, request: { params: BrandParam, query: QueueQuery },
    responses: { 200: json(schema, 'Queue'), ...errors(400, 401, 403, 404) },
  });
}

/** The queue's permission on the brand, and what this operator may see of it. */
async function openQueue(c: Context<AppEnv>, queue: string, permission: Permission, brand: string, limit: number) {
  await guard(c, permission, brand, `queue.${queue}.view`);
  const op = c.get('operator');
  return { op, stub: brandOpsStub(c.env, brand), opts: { jurisdictions: scope(op), limit } };
}

opsBrands.openapi(queueRoute('kyc', KycQueue), async (c) => {
  const q = await openQueue(c, 'kyc', 'kyc.review', c.req.valid('param').brand, c.req.valid('query').limit);
  return c.json({ items: visible(q.op, await q.stub.kycQueue(q.opts)).map(masked) }, 200);
});

opsBrands.openapi(queueRoute('withdrawals', WithdrawalQueue), async (c) => {
  const q = await openQueue(c, 'withdrawals', 'withdrawal.review', c.req.valid('param').brand, c.req.valid('query').limit);
  return c.json({ items: visible(q.op, await q.stub.withdrawalQueue(q.opts)) }, 200);
});

opsBrands.openapi(queueRoute('adjustments', AdjustmentQueue), async (c) => {
  const q = await openQueue(c, 'adjustments', 'adjustment.approve', c.req.valid('param').brand, c.req.valid('query').limit);
  return c.json({ items: visible(q.op, await q.stub.adjustmentQueue(q.opts)) }, 200);
});

opsBrands.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/alerts', tags: [TAG], summary: 'Alerts: large wins, rapid deposit-withdraw, many failed logins, and the warehouse\'s AML alerts (aml.*)',
  security, request: { params: BrandParam, query: z.strictObject({ state: z.enum(['open', 'resolved']).default('open'), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  responses: { 200: json(AlertList, 'Alerts, newest first'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  const q = c.req.valid('query');
  await guard(c, 'alert.read', brand, 'alert.list');
  const op = c.get('operator');
  const alerts = await brandOpsStub(c.env, brand).alerts({ state: q.state, jurisdictions: scope(op), limit: q.limit });
  return c.json({ alerts }, 200);
});

opsBrands.openapi(createRoute({
  method: 'post', path: '/brands/{brand}/alerts/{alert_id}/resolve', tags: [TAG], summary: 'Close an alert with a decision and a note',
  description: `Resolves an open alert once (again: 409 invalid_state, nothing changes) and emits ops.alert.resolved. decision is one of ${ALERT_DECISIONS.join(', ')} (docs/aml.md): required for AML alerts (rule aml.*; without it 422 decision_required), optional for anomaly alerts; another value is 422 invalid_decision and changes nothing. The note goes to the audit log.`,
  security, request: {
    params: BrandParam.extend({ alert_id: z.string().min(1).max(64).openapi({ param: { name: 'alert_id', in: 'path' } }) }),
    // a plain string, checked by the brand's object: an unknown decision is 422 (well-formed, not allowed), not a 400
    body: body(z.strictObject({ note: Reason, decision: z.string().min(1).max(64).optional().openapi({ description: `One of ${ALERT_DECISIONS.join(', ')}`, example: 'no_action' }) })),
  },
  responses: { 200: json(AlertResolved, 'Resolved'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const { brand, alert_id } = c.req.valid('param');
  const { note, decision } = c.req.valid('json');
  await guard(c, 'alert.resolve', brand, 'alert.resolve');
  const r = unwrap(await brandOpsStub(c.env, brand).resolveAlert(alert_id, `operator:${c.get('operator').operator_id}`, note, decision ?? null));
  await recordAudit(c, { action: 'alert.resolve', target_type: 'alert', target_id: alert_id, brand, reason: note, after: r.alert });
  return c.json({ alert: r.alert }, 200);
});

opsBrands.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/exports/players.csv', tags: [TAG], summary: 'Export the brand\'s players as CSV (a sensitive read, audited)',
  description: 'Emails are masked unless the operator has player.read_pii. Limited to the operator\'s jurisdictions and VIP clearance. '
    + 'Text cells a spreadsheet would take for a formula (starting with =, +, -, @, tab or CR) get a leading apostrophe.',
  security, request: { params: BrandParam },
  responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errors(401, 403, 404) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  await guard(c, 'export.players', brand, 'export.players');
  const op = c.get('operator');
  const pii = hasPermission(op, 'player.read_pii');
  const rows = visible(op, await brandOpsStub(c.env, brand).exportPlayers({ jurisdictions: scope(op) }));
  await recordAudit(c, { action: 'export.players', target_type: 'brand', target_id: brand, brand, after: { rows: rows.length, pii } });
  const cols = ['player_id', 'email', 'country', 'jurisdiction', 'currency', 'status', 'kyc_status', 'vip', 'created_at'] as const;
  const csv = toCsv(cols, rows.map((r) => ({ ...r, email: pii ? r.email : maskEmail(r.email), created_at: new Date(r.created_at).toISOString() })));
  return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="players-${brand}.csv"` });
});

opsBrands.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/audit', tags: [TAG], summary: 'Audit log entries of one day (brand, or `platform` for logins and operator management)',
  security, request: { params: BrandParam, query: z.strictObject({ day: DAY, after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(100), action: z.string().max(64).optional() }) },
  responses: { 200: json(AuditPage, 'Entries'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  const q = c.req.valid('query');
  await guard(c, 'audit.read', brand, 'audit.read', true);
  const shard = auditShardName(brand, Date.parse(`${q.day}T00:00:00Z`));
  const r = await auditStub(c.env, shard).list(shard, { afterSeq: q.after, limit: q.limit, action: q.action });
  return c.json({ shard, entries: r.entries, next_after_seq: r.next_after_seq }, 200);
});

opsBrands.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/audit/verify', tags: [TAG], summary: 'Verify the audit hash chains of a range of days (at most 31)',
  description: 'Recomputes every entry\'s hash and link; reports the first edited, removed, reordered or moved entry per day. Verification itself is audited.',
  security, request: { params: BrandParam, query: z.strictObject({ from: DAY, to: DAY }) },
  responses: { 200: json(AuditVerification, 'Verification'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { brand } = c.req.valid('param');
  const { from, to } = c.req.valid('query');
  await guard(c, 'audit.verify', brand, 'audit.verify', true);
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const days = Math.round((end - start) / 86_400_000) + 1;
  if (days < 1 || days > AUDIT_VERIFY_DAYS_MAX) throw new ApiError('validation_failed', `from..to must span 1 to ${AUDIT_VERIFY_DAYS_MAX} days`);
  const results = await Promise.all(Array.from({ length: days }, (_, i) => {
    const shard = auditShardName(brand, start + i * 86_400_000);
    return auditStub(c.env, shard).verify(shard);
  }));
  const ok = results.every((r) => r.ok);
  await recordAudit(c, { action: 'audit.verify', target_type: 'brand', target_id: brand, brand: brand === PLATFORM ? PLATFORM : brand, after: { from, to, ok } });
  return c.json({ ok, days: results }, 200);
});


