/**
 * A real OpenID Connect provider for end-to-end tests: oidc-provider in this Node process, with one
 * confidential client (client_secret_basic, PKCE required, the worker's callback as redirect URI),
 * the test users below, and oidc-provider's built-in development interactions (a login form that
 * takes any password, then a consent page).
 *
 * One change to the built-in login: its submission is finished here, so an account can carry an
 * `amr` (the development form never sets one, and oidc-provider takes `amr` only from the login
 * result, never from account claims). That is how a test gets an ID token asserting MFA.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { Provider } from 'oidc-provider';

/** Test users; the key is what to type as "login" on the provider's form (any password works). */
export const TEST_USERS = {
  ada: { email: 'ada.admin@corp.example', name: 'Ada Admin', groups: ['casino-admins', 'everyone'] },
  clara: { email: 'clara.compliance@corp.example', name: 'Clara Compliance', groups: ['casino-compliance-mt', 'everyone'] },
  sam: { email: 'sam.support@corp.example', name: 'Sam Support', groups: ['casino-support-aurora', 'everyone'], amr: ['pwd', 'otp'] },
  uma: { email: 'uma.finance@corp.example', name: 'Uma Unmapped', groups: ['everyone', 'corp-finance'] },
  ursula: { email: 'ursula.unverified@corp.example', name: 'Ursula Unverified', groups: ['casino-analysts'], email_verified: false },
};

export const CLIENT_ID = 'edge-casino-ops';

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 16_384) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Starts the provider on 127.0.0.1 (a free port); `callbackUrl` is the worker's registered redirect URI. */
export async function startIdp({ callbackUrl, users = TEST_USERS }) {
  const server = createServer();
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const issuerUrl = `http://127.0.0.1:${server.address().port}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });

  const provider = new Provider(issuerUrl, {
    clients: [{
      client_id: CLIENT_ID, client_secret: clientSecret, redirect_uris: [callbackUrl],
      response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { required: () => true },
    findAccount: (_ctx, id) => {
      const user = Object.hasOwn(users, id) ? users[id] : undefined;
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: user.email, email_verified: user.email_verified ?? true, name: user.name, groups: user.groups }),
      };
    },
    // amr comes with the openid scope, as corporate providers send it in every ID token (oidc-provider
    // would otherwise include it only when the client asks for it in a `claims` request parameter).
    claims: {
      acr: null, auth_time: null, iss: null, sid: null,
      openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'],
    },
    // Claims in the ID token itself, as corporate providers are usually configured to send them.
    conformIdTokenClaims: false,
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'e2e' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 3600, Session: 3600 },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('server_error', (_ctx, err) => console.error('[idp] server error', err));

  provider.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
    const { prompt } = await provider.interactionDetails(ctx.req, ctx.res);
    if (prompt.name !== 'login') return next();
    const accountId = new URLSearchParams(await readBody(ctx.req)).get('login') ?? '';
    const amr = Object.hasOwn(users, accountId) ? users[accountId].amr : undefined;
    const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId, ...(amr ? { amr } : {}) } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  });

  server.on('request', provider.callback());
  return {
    issuerUrl,
    clientId: CLIENT_ID,
    clientSecret,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}
