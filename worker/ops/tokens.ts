/**
 * Operator tokens (jose, HS256; each kind with its own key derived from SESSION_SIGNING_KEY, see
 * http/keys.ts, and its own audience, which keep them apart from player tokens and each other): a session token (sub = operator id, sid = session id), and a five-minute
 * challenge token between the first and the second factor. The CSRF token of a cookie session is
 * an HMAC of its session id under the CSRF key, so the server can check it without storing it.
 */
import { jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../../domain/ids';
import { purposeKey, type KeyPurpose } from '../http/keys';

const ISSUER = 'edge-casino';
const SESSION_AUDIENCE = 'operator';
const CHALLENGE_AUDIENCE = 'operator-mfa';
/** Each kind of token has its own key (keys.ts) as well as its own audience. */
const PURPOSE: Record<string, KeyPurpose> = { [SESSION_AUDIENCE]: 'operator_session', [CHALLENGE_AUDIENCE]: 'operator_challenge' };

async function sign(env: Env, audience: string, sub: string, claims: Record<string, string>, expiresAtMs: number): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuer(ISSUER)
    .setAudience(audience).setIssuedAt().setExpirationTime(Math.floor(expiresAtMs / 1000)).sign(await purposeKey(env, PURPOSE[audience]!));
}

async function verify(env: Env, token: string, audience: string, claim: string): Promise<{ sub: string; value: string } | null> {
  const key = await purposeKey(env, PURPOSE[audience]!);
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience, algorithms: ['HS256'] });
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
  const k = await crypto.subtle.importKey('raw', await purposeKey(env, 'csrf') as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(`csrf:${sessionId}`)));
  return btoa(String.fromCharCode(...mac)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
