/** Login, logout and the player's session list. Login is throttled per client (IPv4 address, IPv6 /64) here and per player in the player's object. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deviceOf } from '../../domain/device';
import { verifyAgainstDummy } from '../../domain/password';
import { normalizeEmail } from '../../durable/directory/directory-do';
import { SESSION_MAX_MS } from '../../durable/player/sessions';
import type { AppEnv } from '../http/app-env';
import { issueSessionToken, requirePlayer } from '../http/auth';
import { clientIp } from '../http/client-ip';
import { ApiError, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { limitClient, type ClientLimit } from '../http/rate-limit';
import { directoryStub, playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { body, errors, json, Player, Session } from '../schemas';

export const sessions = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

/** Login attempts allowed per client (IPv4 address or IPv6 /64) per minute, whatever the account. */
export const LOGIN_PER_IP_MAX = 20;
export const LOGIN_PER_IP_WINDOW_MS = 60_000;
const LOGIN_LIMIT: ClientLimit = { name: 'login-ip', max: LOGIN_PER_IP_MAX, window_ms: LOGIN_PER_IP_WINDOW_MS, message: 'too many login attempts from this address' };

const Login = z.strictObject({ email: z.email().max(254), password: z.string().min(1).max(128) }).openapi('Login');

sessions.openapi(createRoute({
  method: 'post', path: '/sessions', tags: ['Sessions'], summary: 'Log in',
  description: 'Returns a session token. The device of the login (mobile, desktop, tablet, app, unknown) is read from the User-Agent, or from `X-Client: app/<platform>/<version>` sent by our apps. 429 with Retry-After after too many attempts from one IP or too many failures on one account. Self-excluded, cooling-off and locked accounts get 403.',
  middleware: [geoGate] as const,
  request: { body: body(Login) },
  responses: { 201: json(z.object({ token: z.string(), player: Player, session: Session }), 'Logged in'), ...errors(400, 401, 403, 429, 451) },
}), async (c) => {
  const input = c.req.valid('json');
  const ip = clientIp(c.req.raw);
  await limitClient(c, LOGIN_LIMIT);
  const email = normalizeEmail(input.email);
  const playerId = await (await directoryStub(c.env, email)).lookup(email);
  if (!playerId) {
    await verifyAgainstDummy(input.password); // same cost as a wrong password: no account enumeration by timing
    throw new ApiError('invalid_credentials');
  }
  const r = unwrap(await playerStub(c.env, playerId).login({
    password: input.password, country: c.get('country'), ip, user_agent: c.req.header('User-Agent')?.slice(0, 256) ?? null,
    device: deviceOf(c.req.header('User-Agent'), c.req.header('X-Client')),
  }));
  const token = await issueSessionToken(c.env, { playerId, sessionId: r.session.session_id }, r.session.created_at + SESSION_MAX_MS);
  return c.json({ token, player: r.player, session: r.session }, 201);
});

sessions.openapi(createRoute({
  method: 'delete', path: '/sessions/current', tags: ['Sessions'], summary: 'Log out',
  description: 'Ends the session of the token. Allowed from any country.',
  middleware: [requirePlayer] as const, security: [{ bearer: [] }],
  responses: { 204: { description: 'Logged out' }, ...errors(401) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  unwrap(await playerStub(c.env, playerId).logout(sessionId));
  return c.body(null, 204);
});

sessions.openapi(createRoute({
  method: 'get', path: '/sessions', tags: ['Sessions'], summary: "The player's sessions, newest first",
  middleware: [geoGate, requirePlayer] as const, security: [{ bearer: [] }],
  responses: { 200: json(z.object({ sessions: z.array(Session) }), 'Sessions'), ...errors(401, 451) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).sessions(sessionId));
  return c.json({ sessions: r.sessions }, 200);
});
