/**
 * End-to-end harness: the real platform (the worker under `wrangler dev`, local state, development
 * mode) next to a real OpenID Connect provider (oidc-provider, in this process), plus what tests
 * need around them: the first admin, TOTP codes, and a Chromium. Types and usage: harness.d.mts.
 *
 * Plain JavaScript because it is Node plumbing (processes, sockets, files) and the project's
 * TypeScript setup has workerd types, not Node's; harness.d.mts types what tests import.
 */
import { randomBytes } from 'node:crypto';
import { currentTotp } from '../../durable/operator/mfa';
import { startIdp, TEST_USERS } from './idp.mjs';
import { freePort, startWorker } from './worker.mjs';

export { launchBrowser } from './browser.mjs';
export { TEST_USERS };

const secret = () => randomBytes(32).toString('base64url');

/**
 * `devCountry`: the country assumed for requests without X-Dev-Country (DEV_COUNTRY, as `npm start`
 * sets it). A browser's WebSocket handshake carries no custom header (Playwright's extra headers
 * reach it in some Chromium builds and not in others), so pages that open sockets need it.
 */
export async function startPlatform({ sso = true, devCountry = undefined } = {}) {
  const port = await freePort();
  // Browsers reach the worker as localhost and the provider as 127.0.0.1: two sites, as in production.
  const baseUrl = `http://localhost:${port}`;
  const idp = sso ? await startIdp({ callbackUrl: `${baseUrl}/v1/ops/sso/callback` }) : null;
  const bootstrapToken = secret();
  let worker;
  try {
    worker = await startWorker({
      port,
      vars: {
        ENVIRONMENT: 'development',
        ...(devCountry ? { DEV_COUNTRY: devCountry } : {}),
        ...(idp ? { OIDC_ISSUER: idp.issuerUrl, OIDC_CLIENT_ID: idp.clientId, OIDC_REDIRECT_URI: `${baseUrl}/v1/ops/sso/callback` } : {}),
      },
      secrets: {
        SESSION_SIGNING_KEY: secret(),
        PAYMENT_WEBHOOK_SECRET_SANDBOX: secret(),
        OPS_BOOTSTRAP_TOKEN: bootstrapToken,
        ...(idp ? { OIDC_CLIENT_SECRET: idp.clientSecret } : {}),
      },
    });
  } catch (err) {
    await idp?.close();
    throw err;
  }
  return {
    baseUrl,
    issuerUrl: idp?.issuerUrl ?? null,
    bootstrapToken,
    logs: worker.logs,
    stop: async () => {
      await worker.stop();
      await idp?.close();
    },
  };
}

/** The TOTP code an authenticator app would show at `atMs`. */
export function totpNow(secretBase32, atMs = Date.now()) {
  return currentTotp(secretBase32, atMs);
}

async function expectStatus(res, status, what) {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Creates the first admin (password + TOTP) through POST /v1/ops/bootstrap and logs them in with a bearer token. */
export async function bootstrapAdmin(platform, { email = 'root@casino.example', display_name = 'Root Admin', password = 'e2e root password 1' } = {}) {
  const created = await expectStatus(await fetch(`${platform.baseUrl}/v1/ops/bootstrap`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bootstrap ${platform.bootstrapToken}` },
    body: JSON.stringify({ email, display_name, password }),
  }), 201, 'bootstrap');
  const { challenge_token, enrolment } = created.challenge;
  const session = await expectStatus(await fetch(`${platform.baseUrl}/v1/ops/sessions/mfa`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ challenge_token, code: totpNow(enrolment.secret) }),
  }), 201, 'bootstrap MFA');
  return { token: session.token, operator: session.operator, email, password, totpSecret: enrolment.secret, recoveryCodes: enrolment.recovery_codes };
}
