/**
 * Operator tokens (jose, HS256 with the SESSION_SIGNING_KEY secret; the audience keeps them apart
 * from player tokens): a session token (sub = operator id, sid = session id), and a five-minute
 * challenge token between the first and the second factor. The CSRF token of a cookie session is
 * an HMAC of its session id, so the server can check it without storing it.
 */
import { jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../../domain/ids';
import { ApiError } from '../http/errors';

const ISSUER = 'edge-casino';
const SESSION_AUDIENCE = 'operator';
const CHALLENGE_AUDIENCE = 'operator-mfa';
const MIN_KEY_BYTES = 32;

function key(env: Env): Uint8Array {
  const secret: string | undefined = env.SESSION_SIGNING_KEY; // declared, but a deployment may lack it
  if (!secret || secret.length < MIN_KEY_BYTES) throw new ApiError('misconfigured', 'session signing key is not configured');
  return new TextEncoder().encode(secret);
}

async function sign(env: Env, audience: string, sub: string, claims: Record<string, string>, expiresAtMs: number): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuer(ISSUER)
    .setAudience(audience).setIssuedAt().setExpirationTime(Math.floor(expiresAtMs / 1000)).sign(key(env));
}

async function verify(env: Env, token: string, audience: string, claim: string): Promise<{ sub: string; value: string } | null> {
  try {
    const { payload } = await jwtVerify(token, key(env), { issuer: ISSUER, audience, algorithms: ['HS256'] });
    const value = payload[claim];
    if (typeof payload.sub !== 'string' || !isUuid(payload.sub) || typeof value !== 'string' || value.length > 64) return null;
    return { sub: payload.sub, value };
  } catch {
    return null;
  }
}

export type OperatorSessionRef = { operatorId: string; sessionId: string };

export const issueOperatorToken = (env: Env, ref: OperatorSessionRef, expiresAtMs: number) =>
  sign(env, SESSION_AUDIENCE, ref.operatorId, { sid: ref.sessionId }, expiresAtMs);

export async function verifyOperatorToken(env: Env, token: string): Promise<OperatorSessionRef | null> {
  const v = await verify(env, token, SESSION_AUDIENCE, 'sid');
  return v && isUuid(v.value) ? { operatorId: v.sub, sessionId: v.value } : null;
}

export const issueChallengeToken = (env: Env, operatorId: string, challengeId: string, expiresAtMs: number) =>
  sign(env, CHALLENGE_AUDIENCE, operatorId, { cid: challengeId }, expiresAtMs);

export async function verifyChallengeToken(env: Env, token: string): Promise<{ operatorId: string; challengeId: string } | null> {
  const v = await verify(env, token, CHALLENGE_AUDIENCE, 'cid');
  return v ? { operatorId: v.sub, challengeId: v.value } : null;
}

export async function csrfToken(env: Env, sessionId: string): Promise<string> {
  const k = await crypto.subtle.importKey('raw', key(env) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(`csrf:${sessionId}`)));
  return btoa(String.fromCharCode(...mac)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
