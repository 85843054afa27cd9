/**
 * Operator SSO end to end: the real worker under wrangler dev, a real OpenID Connect provider,
 * and (for the main path) a real Chromium. The refusals are driven over HTTP with a cookie jar,
 * which can replay and tamper with any hop.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Admin, bootstrapAdmin, launchBrowser, type Platform, startPlatform, TEST_USERS, totpNow } from './harness.mjs';
import { CookieClient, idpSignIn } from './http';

type ErrorBody = { error: { code: string; message: string; details: Record<string, unknown> } };

async function expectError(res: Response, status: number, code: string, details: Record<string, unknown> = {}): Promise<ErrorBody> {
  const body = await res.json() as ErrorBody;
  expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
  expect(body.error.details).toMatchObject(details);
  return body;
}

describe('operator SSO with a real OpenID Connect provider', () => {
  let platform: Platform;
  let admin: Admin;

  beforeAll(async () => {
    platform = await startPlatform();
    admin = await bootstrapAdmin(platform);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${platform.baseUrl}${path}`, { headers: { Authorization: `Bearer ${admin.token}` } });
    expect(res.status, `${path}: ${platform.logs().slice(-2000)}`).toBe(200);
    return res.json() as Promise<T>;
  };
  const operatorEmails = async () => (await api<{ operators: { email: string }[] }>('/v1/ops/operators')).operators.map((o) => o.email);

  /** In Chromium: starts the sign-in, logs in at the provider's form as `login` and consents. Records the panel's page loads. */
  async function browserSignIn(context: BrowserContext, login: string) {
    const page = await context.newPage();
    const panelLoads: Promise<Record<string, string>>[] = [];
    page.on('request', (req) => {
      if (req.isNavigationRequest() && new URL(req.url()).pathname === '/ops') panelLoads.push(req.allHeaders());
    });
    await page.goto(`${platform.baseUrl}/v1/ops/sso/login`);
    expect(new URL(page.url()).origin).toBe(platform.issuerUrl);
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'whatever the provider wants');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
    await page.click('button[type=submit]');
    return { page, panelLoads };
  }

  async function expectInPanel(context: BrowserContext, page: Page, panelLoads: Promise<Record<string, string>>[]) {
    await page.waitForURL((u) => u.origin === platform.baseUrl && u.pathname === '/ops');
    const cookies = await context.cookies(platform.baseUrl);
    expect(cookies.find((c) => c.name === 'ops_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((c) => c.name === 'ops_sso')).toBeUndefined();
    // The panel's first page load carries the Strict session cookie (a redirect chain from the provider would not).
    expect((await panelLoads[0])?.cookie).toContain('ops_session=');
    // And the panel's scripts, from its own origin, are who the API says.
    return page.evaluate(async () => {
      const res = await fetch('/v1/ops/me');
      return { status: res.status, body: await res.json() as { operator: Record<string, unknown>; permissions: string[] } };
    });
  }

  it('signs a compliance officer in through Chromium: provider login and consent, TOTP enrolment, the panel, roles from the groups', async () => {
    const browser = await launchBrowser();
    try {
      const { page, panelLoads } = await browserSignIn(browser.context, 'clara');
      await page.waitForURL((u) => u.href.startsWith(`${platform.baseUrl}/v1/ops/sso/callback?`));
      const secret = (await page.textContent('#totp-secret'))!.trim();
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.getAttribute('#otpauth-uri', 'href')).toContain(`secret=${secret}`);
      expect(await page.locator('#recovery-codes li').count()).toBe(10);
      const qrRenders = await page.locator('#totp-qr').evaluate((el) => {
        const img = el as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      });
      expect(qrRenders).toBe(true);

      await page.fill('#code', totpNow(secret));
      await page.click('#mfa button[type=submit]');
      const me = await expectInPanel(browser.context, page, panelLoads);
      expect(me.status).toBe(200);
      expect(me.body.operator).toMatchObject({
        email: TEST_USERS.clara.email, display_name: TEST_USERS.clara.name,
        roles: ['compliance_officer'], brands: ['aurora', 'sakura'], jurisdictions: ['MT'], vip_clearance: false,
      });
      expect(me.body.permissions).toEqual(expect.arrayContaining(['kyc.review', 'player.read_pii']));
      expect(me.body.permissions).not.toContain('operator.manage');
    } finally {
      await browser.close();
    }
  });

  it('opens the session at once, without our TOTP, when the provider asserts MFA (amr)', async () => {
    const browser = await launchBrowser();
    try {
      const { page, panelLoads } = await browserSignIn(browser.context, 'sam');
      const me = await expectInPanel(browser.context, page, panelLoads);
      expect(me.status).toBe(200);
      expect(me.body.operator).toMatchObject({ email: TEST_USERS.sam.email, roles: ['support_agent'], brands: ['aurora'], jurisdictions: ['*'] });
      const view = await api<{ operator: { sso: boolean; mfa_enrolled: boolean }; sessions: { method: string }[] }>(`/v1/ops/operators/${String(me.body.operator.operator_id)}`);
      expect(view.operator).toMatchObject({ sso: true, mfa_enrolled: false });
      expect(view.sessions.map((s) => s.method)).toEqual(['sso+idp_mfa']);
    } finally {
      await browser.close();
    }
  });

  it('refuses, and creates no operator for, someone whose groups map to no role; the denial is audited', async () => {
    const client = new CookieClient();
    const res = await client.fetch(await idpSignIn(client, platform.baseUrl, 'uma'));
    await expectError(res, 403, 'forbidden');
    expect(client.cookie('ops_session')).toBeUndefined();
    expect(await operatorEmails()).not.toContain(TEST_USERS.uma.email);

    const day = new Date().toISOString().slice(0, 10);
    const audit = await api<{ entries: { actor_email: string; outcome: string; reason: string }[] }>(`/v1/ops/brands/platform/audit?day=${day}&action=operator.login.sso`);
    expect(audit.entries).toContainEqual(expect.objectContaining({ actor_email: TEST_USERS.uma.email, outcome: 'denied', reason: 'forbidden' }));
  });

  it('refuses an email the provider has not verified', async () => {
    const client = new CookieClient();
    await expectError(await client.fetch(await idpSignIn(client, platform.baseUrl, 'ursula')), 401, 'sso_failed', { reason: 'email_unverified' });
    expect(await operatorEmails()).not.toContain(TEST_USERS.ursula.email);
  });

  it('refuses a state that is not the one this browser started with, and spends the attempt', async () => {
    const client = new CookieClient();
    const callback = await idpSignIn(client, platform.baseUrl, 'ada');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state');
    await expectError(await client.fetch(forged), 401, 'sso_failed', { reason: 'state_mismatch' });
    await expectError(await client.fetch(callback), 401, 'sso_failed', { reason: 'no_sign_in' });
  });

  it('refuses a callback in a browser that did not start the sign-in, or with a tampered state cookie', async () => {
    const victim = new CookieClient();
    const callback = await idpSignIn(victim, platform.baseUrl, 'ada');
    await expectError(await new CookieClient().fetch(callback), 401, 'sso_failed', { reason: 'no_sign_in' });
    const cookie = victim.cookies.find((c) => c.name === 'ops_sso')!;
    cookie.value = `${cookie.value.slice(0, -4)}AAAA`;
    await expectError(await victim.fetch(callback), 401, 'sso_failed', { reason: 'no_sign_in' });
  });

  it('refuses a replayed callback: the state cookie is spent, and the provider refuses a used code', async () => {
    const client = new CookieClient();
    const callback = await idpSignIn(client, platform.baseUrl, 'ada');
    const stateCookie = client.cookies.find((c) => c.name === 'ops_sso')!;
    const thief = new CookieClient();
    thief.cookies.push({ ...stateCookie });

    const first = await client.fetch(callback);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('id="totp-secret"');
    await expectError(await client.fetch(callback), 401, 'sso_failed', { reason: 'no_sign_in' });
    await expectError(await thief.fetch(callback), 401, 'sso_failed', { reason: 'code_rejected', idp_error: 'invalid_grant' });
  });

  it('reports the provider refusing the sign-in (the user aborts at the provider)', async () => {
    const client = new CookieClient();
    const callback = await idpSignIn(client, platform.baseUrl, 'clara', { abort: true });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    await expectError(await client.fetch(callback), 401, 'sso_failed', { reason: 'idp_error', idp_error: 'access_denied' });
  });

  it('documents both routes in the OpenAPI document', async () => {
    const doc = await (await fetch(`${platform.baseUrl}/v1/openapi.json`)).json() as { paths: Record<string, { get?: { tags?: string[] } }> };
    for (const path of ['/v1/ops/sso/login', '/v1/ops/sso/callback']) expect(doc.paths[path]?.get?.tags).toEqual(['Back office: sessions']);
  });
});

describe('operator SSO when no provider is configured', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startPlatform({ sso: false });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('answers 404 on both routes', async () => {
    for (const path of ['/v1/ops/sso/login', '/v1/ops/sso/callback?code=x&state=y']) {
      const body = await expectError(await fetch(`${platform.baseUrl}${path}`, { redirect: 'manual' }), 404, 'not_found');
      expect(body.error.message).toBe('SSO is not configured');
    }
  });
});
