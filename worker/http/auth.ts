/**
 * Player session tokens: HS256 JWTs (jose) signed with the player-session key (derived from
 * SESSION_SIGNING_KEY, see keys.ts), carrying
 * the player id (sub) and the session id (sid). A valid signature is necessary but not enough:
 * the player's object checks on every call that the session is still open (logout, idle timeout,
 * time limits and exclusions end sessions before the token's exp).
 */
import { createMiddleware } from 'hono/factory';
import { jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../../domain/ids';
import type { AppEnv, PlayerAuth } from './app-env';
import { ApiError } from './errors';
import { purposeKey } from './keys';

const ISSUER = 'edge-casino';
const AUDIENCE = 'player';

const signingKey = (env: Env) => purposeKey(env, 'player_session');

export async function issueSessionToken(env: Env, auth: PlayerAuth, expiresAtMs: number): Promise<string> {
  return new SignJWT({ sid: auth.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(auth.playerId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAtMs / 1000))
    .sign(await signingKey(env));
}

export async function verifySessionToken(env: Env, token: string): Promise<PlayerAuth | null> {
  const key = await signingKey(env);
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || !isUuid(payload.sub) || typeof payload.sid !== 'string' || !isUuid(payload.sid)) return null;
    return { playerId: payload.sub, sessionId: payload.sid };
  } catch {
    return null;
  }
}

/** Requires `Authorization: Bearer <token>`; sets c.var.player. */
export const requirePlayer = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9_\-.]{1,4096})$/.exec(header);
  const auth = match ? await verifySessionToken(c.env, match[1]!) : null;
  if (!auth) throw new ApiError('unauthenticated');
  c.set('player', auth);
  await next();
});
