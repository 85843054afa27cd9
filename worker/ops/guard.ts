/**
 * The back office's gate: who is asking (requireOperator), may they (authorize, through
 * domain/authz.ts only), and the record of it (recordAudit). Every denial is audited, so probing
 * for other brands' players leaves a trail.
 *
 * Operators authenticate with a bearer token (API clients) or the panel's HttpOnly cookie; cookie
 * requests that change anything must also carry the session's CSRF token in X-CSRF-Token, and
 * the cookie is SameSite=Strict besides.
 */
import { getCookie } from 'hono/cookie';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { authorize, type Permission, type Target } from '../../domain/authz';
import { auditShardName, type AuditEntryInput } from '../../durable/audit/types';
import type { AppEnv, OperatorAuth } from '../http/app-env';
import { ApiError, unwrap } from '../http/errors';
import { playerStub } from '../http/stubs';
import { clientIp } from '../http/client-ip';
import { auditStub, operatorStub } from './stubs';
import { csrfToken, verifyOperatorToken } from './tokens';

export const SESSION_COOKIE = 'ops_session';
export const CSRF_HEADER = 'X-CSRF-Token';
/** Audit shard of actions that belong to no brand: logins, operator management. */
export const PLATFORM = 'platform';

type Ctx = Context<AppEnv>;

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  const bearer = /^Bearer ([A-Za-z0-9_\-.]{1,4096})$/.exec(c.req.header('Authorization') ?? '')?.[1];
  const cookie = bearer ? undefined : getCookie(c, SESSION_COOKIE);
  const token = bearer ?? (cookie && /^[A-Za-z0-9_\-.]{1,4096}$/.test(cookie) ? cookie : undefined);
  const ref = token ? await verifyOperatorToken(c.env, token) : null;
  if (!ref) throw new ApiError('unauthenticated', 'a valid operator session is required');
  if (!bearer && !['GET', 'HEAD'].includes(c.req.method)) {
    const sent = c.req.header(CSRF_HEADER) ?? '';
    if (!constantTimeEqual(sent, await csrfToken(c.env, ref.sessionId))) throw new ApiError('csrf_failed', 'missing or wrong X-CSRF-Token');
  }
  const r = unwrap(await operatorStub(c.env, ref.operatorId).authenticate(ref.sessionId));
  const op = r.operator;
  c.set('operator', {
    operator_id: op.operator_id, email: op.email, display_name: op.display_name, roles: op.roles, brands: op.brands,
    jurisdictions: op.jurisdictions, vip_clearance: op.vip_clearance, session_id: ref.sessionId, via: bearer ? 'bearer' : 'cookie',
  } satisfies OperatorAuth);
  await next();
});

export type AuditFields = Pick<AuditEntryInput, 'action' | 'target_type' | 'target_id' | 'brand'> & Partial<Pick<AuditEntryInput, 'jurisdiction' | 'outcome' | 'reason' | 'before' | 'after'>>;

/** Appends to the audit log of the entry's brand and day. Awaited: an action is not done until it is recorded. */
export type Actor = { operator_id: string; email: string | null; roles: string[] };

export async function recordAudit(c: Ctx, f: AuditFields, actor?: Actor): Promise<void> {
  c.set('unrecordedAction', null);
  const who = actor ?? c.get('operator');
  const at = Date.now();
  await auditStub(c.env, auditShardName(f.brand, at)).append(auditShardName(f.brand, at), {
    actor_id: who?.operator_id ?? 'anonymous', actor_email: who?.email ?? null, actor_roles: who?.roles ?? [],
    action: f.action, target_type: f.target_type, target_id: f.target_id, brand: f.brand, jurisdiction: f.jurisdiction ?? null,
    outcome: f.outcome ?? 'allowed', reason: f.reason ?? null, before: f.before ?? null, after: f.after ?? null,
    ip: clientIp(c.req.raw), request_id: c.get('requestId') ?? null,
  });
}

/** Allows or throws 403, auditing the denial with the rule that refused it. */
export async function authorizeOrDeny(c: Ctx, permission: Permission, target: Target, audit: Omit<AuditFields, 'brand' | 'outcome'>): Promise<void> {
  const decision = authorize(c.get('operator'), permission, target);
  if (decision.allow) {
    // what worker/ops/audit-refusals.ts records as 'failed' if the action is refused after all
    c.set('unrecordedAction', { ...audit, brand: target.brand, jurisdiction: target.jurisdiction ?? null });
    return;
  }
  await recordAudit(c, { ...audit, brand: target.brand, jurisdiction: target.jurisdiction ?? null, outcome: 'denied', reason: `${permission}: ${decision.reason}` });
  throw new ApiError('forbidden', `not allowed: ${permission}`, { permission, rule: decision.reason });
}

/** Loads a player (for their brand, jurisdiction and VIP flag) and authorizes the permission on them. */
export async function guardPlayer(c: Ctx, permission: Permission, playerId: string, action: string) {
  const found = unwrap(await playerStub(c.env, playerId).inspect());
  const p = found.player;
  await authorizeOrDeny(c, permission, { brand: p.brand, jurisdiction: p.jurisdiction, vip: p.vip }, { action, target_type: 'player', target_id: playerId });
  return found;
}

/** For brand-wide reads and actions (queues, alerts, audit, exports). */
export async function guardBrand(c: Ctx, permission: Permission, brand: string, action: string): Promise<void> {
  await authorizeOrDeny(c, permission, { brand }, { action, target_type: 'brand', target_id: brand });
}

/** For platform-wide reads and actions (the game catalog): roles only, audited in the platform shard. */
export async function guardPlatform(c: Ctx, permission: Permission, action: string, targetType = 'platform', targetId: string | null = null): Promise<void> {
  await authorizeOrDeny(c, permission, { brand: PLATFORM }, { action, target_type: targetType, target_id: targetId });
}
