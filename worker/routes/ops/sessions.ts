/**
 * Operator login (password, then TOTP or a recovery code), logout, the current operator, and the
 * one-time bootstrap of the first admin. Every login attempt is audited on the platform shard.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { PERMISSIONS, hasPermission } from '../../../domain/authz';
import { BRANDS } from '../../../domain/brands';
import { hashPassword, verifyAgainstDummy } from '../../../domain/password';
import { normalizeEmail } from '../../../durable/directory/directory-do';
import type { AppEnv } from '../../http/app-env';
import { clientIp } from '../../http/client-ip';
import { ApiError, fromFailure, settled, unwrap } from '../../http/errors';
import { limitClient, type ClientLimit } from '../../http/rate-limit';
import { validationHook } from '../../http/validation';
import { body, errors, json } from '../../schemas';
import { PLATFORM, recordAudit, requireOperator, SESSION_COOKIE } from '../../ops/guard';
import { challengeBody, provisionOperator, sessionBody } from '../../ops/identity';
import { BootstrapAnswer, ChallengeResponse, NewOperatorInput, OperatorMe, SessionResponse } from '../../ops/schemas';
import { operatorStub, staffStub } from '../../ops/stubs';
import { csrfToken, verifyChallengeToken } from '../../ops/tokens';

export const opsSessions = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Back office: sessions';

/** Operator login attempts per client (IPv4 address, IPv6 /64) per minute (on top of the per-operator lockout). */
const LOGIN_LIMIT: ClientLimit = { name: 'ops-login-ip', max: 20, window_ms: 60_000, message: 'too many login attempts from this address' };

/** Bootstrap attempts per client per hour, whatever the token: guessing it is slow, and it is needed once. */
export const BOOTSTRAP_PER_CLIENT_MAX = 5;
const BOOTSTRAP_LIMIT: ClientLimit = { name: 'ops-bootstrap-ip', max: BOOTSTRAP_PER_CLIENT_MAX, window_ms: 3_600_000, message: 'too many bootstrap attempts from this address' };

const throttleIp = (c: Context<AppEnv>) => limitClient(c, LOGIN_LIMIT);

/**
 * Compares a presented secret with the expected one in constant time: both are hashed to SHA-256
 * first, so the comparison runs over two equal-length digests and takes the same time whatever
 * the inputs' lengths and wherever they first differ.
 */
async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const digest = (s: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

const meta = (c: { req: { raw: Request; header: (n: string) => string | undefined } }) => ({ ip: clientIp(c.req.raw), user_agent: c.req.header('User-Agent')?.slice(0, 256) ?? null });

opsSessions.openapi(createRoute({
  method: 'post', path: '/bootstrap', tags: [TAG], summary: 'Create the first admin (once)',
  description: 'Only while no operator exists, with `Authorization: Bootstrap <OPS_BOOTSTRAP_TOKEN>` (a wrangler secret). Answers with the login challenge, whose enrolment sets up TOTP. '
    + `${BOOTSTRAP_PER_CLIENT_MAX} attempts per client (IPv4 address or IPv6 /64) per hour, then 429 with Retry-After.`,
  request: { body: body(NewOperatorInput.pick({ email: true, display_name: true, password: true })) },
  responses: { 201: json(BootstrapAnswer, 'First admin created'), ...errors(400, 401, 409, 429) },
}), async (c) => {
  await limitClient(c, BOOTSTRAP_LIMIT);
  const expected: string | undefined = c.env.OPS_BOOTSTRAP_TOKEN; // declared, but a deployment may lack it
  const sent = /^Bootstrap (.{16,256})$/.exec(c.req.header('Authorization') ?? '')?.[1];
  if (!expected || expected.length < 16 || sent === undefined || !(await sameSecret(sent, expected))) throw new ApiError('unauthenticated', 'bootstrap needs the OPS_BOOTSTRAP_TOKEN secret');
  // a cheap early answer once set up; the claim below is what enforces "only the first", atomically
  if ((await staffStub(c.env).count()) > 0) throw new ApiError('invalid_state', 'operators exist already; ask an admin');
  const input = c.req.valid('json');
  const email = normalizeEmail(input.email);
  const created = unwrap(await provisionOperator(c.env, {
    email, display_name: input.display_name, password_hash: await hashPassword(input.password), sso: null,
    roles: ['admin'], brands: ['*'], jurisdictions: ['*'], vip_clearance: true,
  }, 'bootstrap', { firstOnly: true }));
  const ch = unwrap(await operatorStub(c.env, created.operator.operator_id).beginPasswordLogin(input.password));
  await recordAudit(c, { action: 'operator.bootstrap', target_type: 'operator', target_id: created.operator.operator_id, brand: PLATFORM, after: created.operator },
    { operator_id: 'bootstrap', email: null, roles: [] });
  return c.json({ operator: created.operator, challenge: await challengeBody(c.env, created.operator.operator_id, ch) }, 201);
});

opsSessions.openapi(createRoute({
  method: 'post', path: '/sessions', tags: [TAG], summary: 'Operator login, step 1: password',
  description: 'Answers with a challenge; complete it with POST /v1/ops/sessions/mfa. 5 failed passwords or codes in 15 minutes lock the operator for the rest of the window (429 with Retry-After).',
  request: { body: body(z.strictObject({ email: z.email().max(254), password: z.string().min(1).max(128) }).openapi('OperatorLogin')) },
  responses: { 200: json(ChallengeResponse, 'Password accepted; second factor required'), ...errors(400, 401, 429) },
}), async (c) => {
  await throttleIp(c);
  const input = c.req.valid('json');
  const email = normalizeEmail(input.email);
  const operatorId = await staffStub(c.env).byEmail(email);
  if (!operatorId) {
    await verifyAgainstDummy(input.password);
    await recordAudit(c, { action: 'operator.login', target_type: 'operator', target_id: null, brand: PLATFORM, outcome: 'denied', reason: 'unknown email' }, { operator_id: 'anonymous', email, roles: [] });
    throw new ApiError('invalid_credentials');
  }
  const r = settled(await operatorStub(c.env, operatorId).beginPasswordLogin(input.password));
  if (!r.ok) {
    await recordAudit(c, { action: 'operator.login', target_type: 'operator', target_id: operatorId, brand: PLATFORM, outcome: 'denied', reason: r.code }, { operator_id: operatorId, email, roles: [] });
    throw fromFailure(r);
  }
  return c.json(await challengeBody(c.env, operatorId, r), 200);
});

opsSessions.openapi(createRoute({
  method: 'post', path: '/sessions/mfa', tags: [TAG], summary: 'Operator login, step 2: TOTP or recovery code',
  description: 'A 6-digit TOTP code (each code works once) or a recovery code (xxxxx-xxxxx, single use). With `cookie: true` the session goes into an HttpOnly SameSite=Strict cookie for the panel and the answer carries the CSRF token instead of the bearer token.',
  request: { body: body(z.strictObject({ challenge_token: z.string().min(1).max(2048), code: z.string().min(6).max(11), cookie: z.boolean().default(false) }).openapi('OperatorMfa')) },
  responses: { 201: json(SessionResponse, 'Logged in'), ...errors(400, 401, 429) },
}), async (c) => {
  await throttleIp(c);
  const input = c.req.valid('json');
  const ch = await verifyChallengeToken(c.env, input.challenge_token);
  if (!ch) throw new ApiError('unauthenticated', 'the login challenge is invalid or expired; log in again');
  const r = settled(await operatorStub(c.env, ch.operatorId).completeMfa(ch.challengeId, input.code.trim().toLowerCase(), meta(c)));
  if (!r.ok) {
    await recordAudit(c, { action: 'operator.login.mfa', target_type: 'operator', target_id: ch.operatorId, brand: PLATFORM, outcome: 'denied', reason: r.code }, { operator_id: ch.operatorId, email: null, roles: [] });
    throw fromFailure(r);
  }
  await recordAudit(c, { action: 'operator.login', target_type: 'operator', target_id: ch.operatorId, brand: PLATFORM, after: { session_id: r.session.session_id, method: r.session.method } }, r.operator);
  return c.json(await sessionBody(c, r.operator, r.session, input.cookie), 201);
});

opsSessions.openapi(createRoute({
  method: 'delete', path: '/sessions/current', tags: [TAG], summary: 'Operator logout',
  middleware: [requireOperator] as const, security: [{ bearer: [] }],
  responses: { 204: { description: 'Logged out' }, ...errors(401, 403) },
}), async (c) => {
  const op = c.get('operator');
  unwrap(await operatorStub(c.env, op.operator_id).logout(op.session_id));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  await recordAudit(c, { action: 'operator.logout', target_type: 'operator', target_id: op.operator_id, brand: PLATFORM });
  return c.body(null, 204);
});

opsSessions.openapi(createRoute({
  method: 'get', path: '/me', tags: [TAG], summary: 'The current operator, their permissions and brands',
  middleware: [requireOperator] as const, security: [{ bearer: [] }],
  responses: {
    200: json(OperatorMe, 'Who am I'),
    ...errors(401),
  },
}), async (c) => {
  const op = c.get('operator');
  const { session_id: _s, via, ...operator } = op;
  return c.json({
    operator,
    permissions: PERMISSIONS.filter((p) => hasPermission(op, p)),
    brands: BRANDS.map((b) => b.id).filter((b) => op.brands.includes('*') || op.brands.includes(b)),
    csrf_token: via === 'cookie' ? await csrfToken(c.env, op.session_id) : null,
  }, 200);
});
