/**
 * Operator management (permission operator.manage): create, list, change roles and attributes,
 * disable, revoke sessions, reset the second factor. An admin acts only on operators whose brands
 * are all within the admin's own brands, so a brand admin cannot create a platform-wide admin.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { authorize, hasPermission } from '../../../domain/authz';
import { createMiddleware } from 'hono/factory';
import { hashPassword } from '../../../domain/password';
import { normalizeEmail } from '../../../durable/directory/directory-do';
import type { AppEnv } from '../../http/app-env';
import { ApiError, unwrap } from '../../http/errors';
import { validationHook } from '../../http/validation';
import { body, errors, json } from '../../schemas';
import { PLATFORM, recordAudit, requireOperator } from '../../ops/guard';
import { provisionOperator } from '../../ops/identity';
import { NewOperatorInput, OperatorActionDone, OperatorAnswer, OperatorDetail, OperatorList, OperatorPatch, Reason } from '../../ops/schemas';
import { operatorStub, staffStub } from '../../ops/stubs';

export const opsOperators = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Back office: operators';
const security = [{ bearer: [] }];
const IdParam = z.object({ operator_id: z.uuid().openapi({ param: { name: 'operator_id', in: 'path' } }) });

/** The role check comes before any lookup, so non-admins cannot probe which operator ids exist. */
const requireManager = createMiddleware<AppEnv>(async (c, next) => {
  if (!hasPermission(c.get('operator'), 'operator.manage')) {
    await recordAudit(c, { action: 'operator.manage', target_type: 'operator', target_id: c.req.param('operator_id') ?? null, brand: PLATFORM, outcome: 'denied', reason: 'operator.manage: role' });
    throw new ApiError('forbidden', 'not allowed: operator.manage', { permission: 'operator.manage', rule: 'role' });
  }
  await next();
});
for (const path of ['/operators', '/operators/*']) opsOperators.use(path, requireOperator, requireManager);

/** operator.manage over every brand the target operator has (or would have). */
async function guardManage(c: Context<AppEnv>, brands: string[], action: string, targetId: string | null): Promise<void> {
  const me = c.get('operator');
  for (const brand of brands.includes('*') ? ['*'] : brands) {
    const decision = brand === '*'
      ? (me.brands.includes('*') ? authorize(me, 'operator.manage', { brand: PLATFORM }) : { allow: false as const, reason: 'brand_in_operator_brands' as const })
      : authorize(me, 'operator.manage', { brand });
    if (!decision.allow) {
      await recordAudit(c, { action, target_type: 'operator', target_id: targetId, brand: PLATFORM, outcome: 'denied', reason: `operator.manage on ${brand}: ${decision.reason}` });
      throw new ApiError('forbidden', 'not allowed: operator.manage', { permission: 'operator.manage', brand, rule: decision.reason });
    }
  }
}

async function existing(c: Context<AppEnv>, operatorId: string) {
  return unwrap(await operatorStub(c.env, operatorId).view()).operator;
}

opsOperators.openapi(createRoute({
  method: 'get', path: '/operators', tags: [TAG], summary: 'Operators sharing a brand with me', security,
  responses: { 200: json(OperatorList, 'Operators'), ...errors(401, 403) },
}), async (c) => {
  const me = c.get('operator');
  await guardManage(c, me.brands, 'operator.list', null);
  const all = await staffStub(c.env).list();
  const mine = all.filter((o) => me.brands.includes('*') || (o.brands.length > 0 && !o.brands.includes('*') && o.brands.every((b) => me.brands.includes(b))));
  return c.json({ operators: mine }, 200);
});

opsOperators.openapi(createRoute({
  method: 'post', path: '/operators', tags: [TAG], summary: 'Create an operator',
  description: 'The password is the first factor; the new operator enrols TOTP at their first login.',
  security, request: { body: body(NewOperatorInput) },
  responses: { 201: json(OperatorAnswer, 'Created'), ...errors(400, 401, 403, 409) },
}), async (c) => {
  const input = c.req.valid('json');
  await guardManage(c, input.brands, 'operator.create', null);
  const created = unwrap(await provisionOperator(c.env, {
    email: normalizeEmail(input.email), display_name: input.display_name, password_hash: await hashPassword(input.password), sso: null,
    roles: input.roles, brands: input.brands, jurisdictions: input.jurisdictions, vip_clearance: input.vip_clearance,
  }, c.get('operator').operator_id));
  await recordAudit(c, { action: 'operator.create', target_type: 'operator', target_id: created.operator.operator_id, brand: PLATFORM, after: created.operator });
  return c.json({ operator: created.operator }, 201);
});

opsOperators.openapi(createRoute({
  method: 'get', path: '/operators/{operator_id}', tags: [TAG], summary: 'One operator and their sessions', security,
  request: { params: IdParam },
  responses: { 200: json(OperatorDetail, 'Operator'), ...errors(401, 403, 404) },
}), async (c) => {
  const { operator_id } = c.req.valid('param');
  const r = unwrap(await operatorStub(c.env, operator_id).view());
  await guardManage(c, r.operator.brands, 'operator.read', operator_id);
  return c.json({ operator: r.operator, sessions: r.sessions }, 200);
});

opsOperators.openapi(createRoute({
  method: 'patch', path: '/operators/{operator_id}', tags: [TAG], summary: 'Change roles, attributes or status',
  description: 'Takes effect on the operator\'s next request. Disabling ends their sessions.',
  security, request: { params: IdParam, body: body(OperatorPatch.extend({ reason: Reason })) },
  responses: { 200: json(OperatorAnswer, 'Updated'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { operator_id } = c.req.valid('param');
  const { reason, ...patch } = c.req.valid('json');
  const before = await existing(c, operator_id);
  await guardManage(c, [...new Set([...before.brands, ...(patch.brands ?? [])])], 'operator.update', operator_id);
  if (operator_id === c.get('operator').operator_id && (patch.roles || patch.status === 'disabled')) throw new ApiError('forbidden', 'operators cannot change their own roles or disable themselves');
  const r = unwrap(await operatorStub(c.env, operator_id).update(patch));
  await staffStub(c.env).sync(r.operator);
  await recordAudit(c, { action: 'operator.update', target_type: 'operator', target_id: operator_id, brand: PLATFORM, reason, before: r.before, after: r.operator });
  return c.json({ operator: r.operator }, 200);
});

for (const [path, action, summary] of [
  ['/operators/{operator_id}/revoke-sessions', 'operator.revoke_sessions', 'End all of an operator\'s sessions'],
  ['/operators/{operator_id}/reset-mfa', 'operator.reset_mfa', 'Forget the operator\'s TOTP: they enrol again at next login'],
] as const) {
  opsOperators.openapi(createRoute({
    method: 'post', path, tags: [TAG], summary, security,
    request: { params: IdParam, body: body(z.strictObject({ reason: Reason })) },
    responses: { 200: json(OperatorActionDone, 'Done'), ...errors(400, 401, 403, 404) },
  }), async (c) => {
    const { operator_id } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const before = await existing(c, operator_id);
    await guardManage(c, before.brands, action, operator_id);
    const stub = operatorStub(c.env, operator_id);
    const revoked = action === 'operator.revoke_sessions' ? unwrap(await stub.revokeSessions('revoked')).revoked : undefined;
    const operator = action === 'operator.reset_mfa' ? unwrap(await stub.resetMfa()).operator : before;
    await recordAudit(c, { action, target_type: 'operator', target_id: operator_id, brand: PLATFORM, reason, before, after: { ...operator, revoked } });
    return c.json({ operator, ...(revoked === undefined ? {} : { revoked }) }, 200);
  });
}
