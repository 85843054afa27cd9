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
import { purposeKey } from '../http/keys';

export const SSO_STATE_COOKIE = 'ops_sso';
export const SSO_STATE_TTL_S = 600;
const ISSUER = 'edge-casino';
const AUDIENCE = 'operator-sso';

export type SsoState = { state: string; nonce: string; verifier: string };

/** A key of its own (HKDF, keys.ts), so a state cookie can never pass for any other token signed with the secret. */
const stateKey = (env: Env) => purposeKey(env, 'sso_state');

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
