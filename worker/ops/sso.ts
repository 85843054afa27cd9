/**
 * Corporate sign-in for operators: the OpenID Connect authorization code flow with PKCE (S256),
 * state and nonce, through openid-client. This module talks to the identity provider (discovery,
 * cached per isolate; the authorization URL; the code exchange, where openid-client validates the
 * ID token's signature, issuer, audience, expiry and nonce) and turns a verified ID token into an
 * SsoIdentity. Whatever the provider or the browser gets wrong is a 401 `sso_failed` with a
 * `details.reason`, logged with its cause; only our own configuration errors are 500s.
 *
 * Configuration: OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_REDIRECT_URI (vars), OIDC_CLIENT_SECRET
 * (secret; the client authenticates with client_secret_basic). Plain-http issuers are allowed in
 * development only.
 */
import type { Context } from 'hono';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { idpAssertedMfa, mapGroups, readGroups, SSO_CONFIG } from '../../domain/sso';
import { normalizeEmail } from '../../durable/directory/directory-do';
import { type AppEnv, isDevelopment } from '../http/app-env';
import { ApiError } from '../http/errors';
import type { SsoIdentity } from './identity';
import { saveSsoState, takeSsoState } from './sso-state';

export type SsoSettings = { issuer: URL; clientId: string; clientSecret: string; callback: URL; insecure: boolean };

const DISCOVERY_TIMEOUT_S = 10;
const Email = z.email().max(254);

/** The provider's settings, or null when SSO is not configured (no OIDC_ISSUER). */
export function ssoSettings(env: Env): SsoSettings | null {
  // Declared in wrangler.toml (the vars empty by default), but a binding may still be unset or empty.
  const read = (v: string | undefined) => (typeof v === 'string' && v !== '' ? v : null);
  const issuer = read(env.OIDC_ISSUER);
  if (!issuer) return null;
  const clientId = read(env.OIDC_CLIENT_ID);
  const clientSecret = read(env.OIDC_CLIENT_SECRET);
  const callback = read(env.OIDC_REDIRECT_URI);
  if (!clientId || !clientSecret || !callback || !URL.canParse(issuer) || !URL.canParse(callback)) {
    throw new ApiError('misconfigured', 'SSO needs OIDC_ISSUER and OIDC_REDIRECT_URI (URLs), OIDC_CLIENT_ID and the OIDC_CLIENT_SECRET secret');
  }
  return { issuer: new URL(issuer), clientId, clientSecret, callback: new URL(callback), insecure: isDevelopment(env) };
}

let discovered: { key: string; config: Promise<oidc.Configuration> } | null = null;

/** The provider's metadata, fetched once per isolate (a failed discovery is retried by the next sign-in). */
function configuration(s: SsoSettings): Promise<oidc.Configuration> {
  const key = JSON.stringify([s.issuer.href, s.clientId, s.clientSecret, s.insecure]);
  if (discovered?.key !== key) {
    const config = oidc.discovery(s.issuer, s.clientId, undefined, oidc.ClientSecretBasic(s.clientSecret), {
      execute: s.insecure ? [oidc.allowInsecureRequests] : [], timeout: DISCOVERY_TIMEOUT_S,
    });
    discovered = { key, config };
    config.catch(() => { if (discovered?.config === config) discovered = null; });
  }
  return discovered.config;
}

function failed(c: Context<AppEnv>, reason: string, message: string, cause?: unknown, details: Record<string, unknown> = {}): ApiError {
  const err = cause as { name?: string; message?: string; code?: string } | undefined;
  console.warn(JSON.stringify({
    level: 'warn', request_id: c.get('requestId'), message: `sso failed: ${reason}`, error: err ? `${err.name}: ${err.message}` : undefined, code: err?.code,
  }));
  return new ApiError('sso_failed', message, { reason, ...details });
}

/** The provider's `error` codes are short ASCII tokens (RFC 6749); anything else is not echoed back. */
const idpErrorCode = (value: unknown) => (typeof value === 'string' && /^[\x20-\x7e]{1,64}$/.test(value) ? value : 'unknown');

async function discover(c: Context<AppEnv>, s: SsoSettings): Promise<oidc.Configuration> {
  try {
    return await configuration(s);
  } catch (err) {
    throw failed(c, 'idp_unavailable', 'the identity provider cannot be reached; try again later', err);
  }
}

/** Step 1: remembers state, nonce and PKCE verifier in the state cookie and answers with the provider's authorization URL. */
export async function authorizationUrl(c: Context<AppEnv>, s: SsoSettings): Promise<URL> {
  const config = await discover(c, s);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  await saveSsoState(c, s.callback, { state, nonce, verifier });
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: s.callback.href, scope: SSO_CONFIG.scopes.join(' '), state, nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
}

export type VerifiedSignIn = { identity: SsoIdentity; /** the configured groups that matched, for the audit log */ groups: string[] };

/** Step 2: checks the callback against the state cookie, exchanges the code and reads the verified ID token. */
export async function verifiedSignIn(c: Context<AppEnv>, s: SsoSettings): Promise<VerifiedSignIn> {
  const saved = await takeSsoState(c, s.callback);
  if (!saved) throw failed(c, 'no_sign_in', 'this sign-in expired or was started in another browser; start again');
  // The callback as registered (behind a proxy the request's own URL may differ), with the provider's parameters.
  const callbackUrl = new URL(s.callback);
  callbackUrl.search = new URL(c.req.url).search;
  if (callbackUrl.searchParams.get('state') !== saved.state) throw failed(c, 'state_mismatch', 'this answer does not belong to your sign-in; start again');

  const config = await discover(c, s);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: saved.verifier, expectedState: saved.state, expectedNonce: saved.nonce, idTokenExpected: true,
    });
  } catch (err) {
    if (err instanceof oidc.AuthorizationResponseError) {
      throw failed(c, 'idp_error', 'the identity provider did not sign you in', err, { idp_error: idpErrorCode(err.error) });
    }
    if (err instanceof oidc.ResponseBodyError || err instanceof oidc.WWWAuthenticateChallengeError) {
      // invalid_grant: the code was used or has expired; invalid_client: our client credentials are wrong.
      const code = err instanceof oidc.ResponseBodyError ? err.error : err.cause[0]?.parameters.error;
      throw failed(c, 'code_rejected', 'the identity provider refused to complete the sign-in; start again', err, { idp_error: idpErrorCode(code) });
    }
    if (err instanceof oidc.ClientError) {
      throw failed(c, 'invalid_response', 'the identity provider answered with something we cannot trust', err);
    }
    if (err instanceof TypeError || (err instanceof DOMException && err.name === 'TimeoutError')) {
      throw failed(c, 'idp_unavailable', 'the identity provider cannot be reached; try again later', err);
    }
    throw err;
  }
  return identityFrom(c, tokens.claims()!);
}

function identityFrom(c: Context<AppEnv>, claims: oidc.IDToken): VerifiedSignIn {
  const email = Email.safeParse(claims.email);
  if (!email.success) throw failed(c, 'no_email', 'the identity provider sent no usable email address');
  if (claims.email_verified !== true) throw failed(c, 'email_unverified', 'the identity provider has not verified your email address');
  const groups = readGroups(claims[SSO_CONFIG.groups_claim]);
  if (!groups) throw failed(c, 'too_many_groups', 'the identity provider sent more groups than we accept');
  const name = typeof claims.name === 'string' ? claims.name.trim().slice(0, 100) : '';
  const mapped = mapGroups(groups);
  return {
    identity: {
      issuer: claims.iss, subject: claims.sub, email: normalizeEmail(email.data), display_name: name || email.data,
      attributes: mapped.attributes, idp_mfa: idpAssertedMfa(claims.amr),
    },
    groups: mapped.matched,
  };
}
