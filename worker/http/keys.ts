/**
 * One key per purpose, derived with HKDF-SHA-256 from the SESSION_SIGNING_KEY secret, so a value
 * made for one purpose never verifies for another, whatever its claims say: a player session token
 * cannot pass for an operator token, nor a CSRF token for anything else, even if one day two
 * purposes' claims line up. The `info` strings are the purposes' names: changing one changes its
 * key (every outstanding token of that purpose stops verifying).
 */
import { ApiError } from './errors';

const PURPOSES = {
  player_session: 'player session v1',
  operator_session: 'operator session v1',
  operator_challenge: 'operator challenge v1',
  csrf: 'ops csrf v1',
  sso_state: 'ops sso state v1',
  provider_launch: 'provider launch v1',
} as const;

export type KeyPurpose = keyof typeof PURPOSES;

const MIN_SECRET_LENGTH = 32;
const cache = new Map<string, Promise<Uint8Array>>();

async function derive(secret: string, info: string): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(info) }, base, 256);
  return new Uint8Array(bits);
}

/** The 256-bit key of `purpose` (500 `misconfigured` when the secret is missing or shorter than 32 characters). */
export function purposeKey(env: Env, purpose: KeyPurpose): Promise<Uint8Array> {
  const secret: string | undefined = env.SESSION_SIGNING_KEY; // declared, but a deployment may lack it
  if (!secret || secret.length < MIN_SECRET_LENGTH) return Promise.reject(new ApiError('misconfigured', 'session signing key is not configured'));
  const id = `${purpose}\n${secret}`;
  let key = cache.get(id);
  if (!key) {
    key = derive(secret, PURPOSES[purpose]);
    cache.set(id, key);
  }
  return key;
}
