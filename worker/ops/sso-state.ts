/**
 * What a sign-in must remember between leaving for the identity provider and coming back (state,
 * nonce, PKCE verifier), kept in the browser rather than in storage: a ten-minute cookie holding
 * a JWT encrypted (A256GCM) with a key derived from SESSION_SIGNING_KEY, HttpOnly, SameSite=Lax
 * (the provider's redirect back is a cross-site top-level GET) and sent to the callback path only.
 * Encrypted, not just signed, so the PKCE verifier never travels readable.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { AppEnv } from '../http/app-env';
import { ApiError } from '../http/errors';

export const SSO_STATE_COOKIE = 'ops_sso';
export const SSO_STATE_TTL_S = 600;
const ISSUER = 'edge-casino';
const AUDIENCE = 'operator-sso';
const MIN_SECRET_LENGTH = 32;

export type SsoState = { state: string; nonce: string; verifier: string };

/** A key of its own (HKDF), so a state cookie can never pass for any other token signed with the secret. */
async function stateKey(env: Env): Promise<Uint8Array> {
  const secret: string | undefined = env.SESSION_SIGNING_KEY; // declared, but a deployment may lack it
  if (!secret || secret.length < MIN_SECRET_LENGTH) throw new ApiError('misconfigured', 'session signing key is not configured');
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode('ops sso state v1') }, base, 256);
  return new Uint8Array(bits);
}

function cookieOptions(callback: URL) {
  return { path: callback.pathname, secure: callback.protocol === 'https:', httpOnly: true, sameSite: 'Lax' as const };
}

export async function saveSsoState(c: Context<AppEnv>, callback: URL, s: SsoState): Promise<void> {
  const jwt = await new EncryptJWT(s).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuer(ISSUER).setAudience(AUDIENCE)
    .setIssuedAt().setExpirationTime(`${SSO_STATE_TTL_S}s`).encrypt(await stateKey(c.env));
  setCookie(c, SSO_STATE_COOKIE, jwt, { ...cookieOptions(callback), maxAge: SSO_STATE_TTL_S });
}

/** Reads the sign-in's state and clears the cookie, so each sign-in gets one callback. Null when missing, tampered with or expired. */
export async function takeSsoState(c: Context<AppEnv>, callback: URL): Promise<SsoState | null> {
  const jwt = getCookie(c, SSO_STATE_COOKIE);
  deleteCookie(c, SSO_STATE_COOKIE, cookieOptions(callback));
  if (!jwt || jwt.length > 4096) return null;
  const key = await stateKey(c.env);
  try {
    const { payload } = await jwtDecrypt(jwt, key, {
      issuer: ISSUER, audience: AUDIENCE, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'],
    });
    const { state, nonce, verifier } = payload;
    return typeof state === 'string' && typeof nonce === 'string' && typeof verifier === 'string' ? { state, nonce, verifier } : null;
  } catch {
    return null;
  }
}
