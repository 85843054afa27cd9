/**
 * The deployed dashboards behind the back office's session (worker/routes/dashboards.ts), through
 * real HTTP: the Worker under `wrangler dev` with wrangler.toml as is, except that its static assets
 * come from a fixture laid out as `npm run dashboards:deploy-build` lays them out (one site per
 * brand scope under dashboards/<scope>/). Operators are created through the back office's own API
 * and log in with password + TOTP.
 *
 *   no session                          -> 401 (JSON), or a redirect to the login for a browser
 *   session without dashboard.read      -> 403 forbidden
 *   dashboard.read on another brand     -> 403 forbidden (and for the all-brands build)
 *   dashboard.read on the brand         -> 200, the file of that brand's build
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, totpNow, type Platform } from './harness.mjs';
// @ts-expect-error plain JavaScript test plumbing (test/e2e/worker.mjs), untyped
import { freePort, startWorker } from './worker.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const PASSWORD = 'e2e operator password 1';

type Json = Record<string, any>;

describe('dashboards behind the back-office session', () => {
  let scratch: string;
  let worker: { baseUrl: string; stop(): Promise<void>; logs(): string };
  let baseUrl: string;
  const tokens: Record<string, string> = {};

  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: r.status, body: await r.json() as Json };
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${baseUrl}${path}`, { headers, redirect: 'manual' });
    const text = await r.text();
    let json: Json | null = null;
    try { json = JSON.parse(text); } catch { /* HTML */ }
    return { status: r.status, text, json, headers: r.headers };
  };
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'e2e-dash-access-'));
    // The fixture: two brand builds and the all-brands one, as dashboards/site holds them.
    for (const scope of ['all', 'aurora', 'sakura']) {
      const dir = join(scratch, 'site', 'dashboards', scope);
      mkdirSync(join(dir, '_app', 'immutable', 'chunks'), { recursive: true });
      writeFileSync(join(dir, 'index.html'), `<!doctype html><title>${scope}</title><p data-testid="headline">overview of ${scope}</p>`);
      writeFileSync(join(dir, 'revenue.html'), `<!doctype html><p>revenue of ${scope}</p>`);
      writeFileSync(join(dir, '_app', 'immutable', 'chunks', 'app.js'), `export const scope = '${scope}';`);
    }
    // wrangler.toml as is, with its entry and assets directory made absolute for a config elsewhere.
    const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
      .replace(/^main = ".*"$/m, `main = ${JSON.stringify(join(ROOT, 'worker', 'index.ts'))}`)
      .replace(/^directory = "\.\/dashboards\/site"$/m, `directory = ${JSON.stringify(join(scratch, 'site'))}`);
    expect(toml).toContain(join(scratch, 'site'));
    const config = join(scratch, 'wrangler.toml');
    writeFileSync(config, toml);

    const bootstrapToken = 'e2e-dashboards-bootstrap-token-0123456789';
    worker = await startWorker({
      port: await freePort(), config,
      vars: { ENVIRONMENT: 'development' },
      secrets: { SESSION_SIGNING_KEY: 'e2e-dashboards-signing-key-0123456789abcdefghij', PAYMENT_WEBHOOK_SECRET_SANDBOX: 'e2e-dashboards-webhook-0123456789', OPS_BOOTSTRAP_TOKEN: bootstrapToken },
    });
    baseUrl = worker.baseUrl;
    const admin = await bootstrapAdmin({ baseUrl, bootstrapToken } as Platform);
    tokens.admin = admin.token;
    const operators: Record<string, { roles: string[]; brands: string[] }> = {
      analyst_aurora: { roles: ['analyst'], brands: ['aurora'] },
      support_aurora: { roles: ['support_agent'], brands: ['aurora'] },
      analyst_all: { roles: ['analyst'], brands: ['*'] },
      marketer_two: { roles: ['marketer'], brands: ['aurora', 'sakura'] },
    };
    for (const [key, spec] of Object.entries(operators)) {
      const email = `${key.replace('_', '-')}@dashboards.example`;
      const created = await post('/v1/ops/operators', { email, display_name: key, password: PASSWORD, roles: spec.roles, brands: spec.brands, jurisdictions: ['*'], vip_clearance: false }, admin.token);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const step1 = await post('/v1/ops/sessions', { email, password: PASSWORD });
      expect(step1.status, JSON.stringify(step1.body)).toBe(200);
      const step2 = await post('/v1/ops/sessions/mfa', { challenge_token: step1.body.challenge_token, code: totpNow(step1.body.enrolment.secret) });
      expect(step2.status, JSON.stringify(step2.body)).toBe(201);
      tokens[key] = step2.body.token;
    }
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('401 without a session, in the JSON error shape; a browser is sent to the login and back', async () => {
    const api = await get('/dashboards/aurora/');
    expect(api.status).toBe(401);
    expect(api.json?.error?.code).toBe('unauthenticated');
    expect(api.text).not.toContain('overview of aurora');
    const forged = await get('/dashboards/aurora/', { Authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(401);
    const browser = await get('/dashboards/aurora/revenue', { Accept: 'text/html,application/xhtml+xml' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/ops/login?next=%2Fdashboards%2Faurora%2Frevenue');
    // Assets too: nothing of a build leaves without the check (run_worker_first).
    expect((await get('/dashboards/aurora/_app/immutable/chunks/app.js')).status).toBe(401);
  });

  it('403 for a session without dashboard.read', async () => {
    const r = await get('/dashboards/aurora/', as('support_aurora'));
    expect(r.status).toBe(403);
    expect(r.json?.error).toMatchObject({ code: 'forbidden', details: { permission: 'dashboard.read', rule: 'role' } });
    expect((await get('/dashboards/', as('support_aurora'))).status).toBe(403);
  });

  it('403 for another brand\'s build and for the all-brands build when scoped to brands', async () => {
    const other = await get('/dashboards/sakura/', as('analyst_aurora'));
    expect(other.status).toBe(403);
    expect(other.json?.error).toMatchObject({ code: 'forbidden', details: { rule: 'brand_in_operator_brands' } });
    expect(other.text).not.toContain('sakura');
    expect((await get('/dashboards/sakura/_app/immutable/chunks/app.js', as('analyst_aurora'))).status).toBe(403);
    expect((await get('/dashboards/all/', as('analyst_aurora'))).status).toBe(403);
    expect((await get('/dashboards/all/', as('marketer_two'))).status).toBe(403); // two brands are not every brand
  });

  it('200 with dashboard.read on the brand: the pages and assets of that brand\'s build, private and never framed', async () => {
    const page = await get('/dashboards/aurora/', as('analyst_aurora'));
    expect(page.status).toBe(200);
    expect(page.text).toContain('overview of aurora');
    expect(page.headers.get('cache-control')).toBe('private, no-cache');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const revenue = await get('/dashboards/aurora/revenue', as('analyst_aurora'));
    expect(revenue.status).toBe(200);
    expect(revenue.text).toContain('revenue of aurora');
    const chunk = await get('/dashboards/aurora/_app/immutable/chunks/app.js', as('analyst_aurora'));
    expect(chunk.status).toBe(200);
    expect(chunk.text).toContain("'aurora'");
    expect(chunk.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const missing = await get('/dashboards/aurora/no-such-page', as('analyst_aurora'));
    expect(missing.status).toBe(404);
    expect(missing.json?.error?.code).toBe('not_found');
    // Two brands: each one's build; every brand ('*'): the all-brands build and any brand's.
    expect((await get('/dashboards/sakura/', as('marketer_two'))).text).toContain('overview of sakura');
    expect((await get('/dashboards/all/', as('analyst_all'))).text).toContain('overview of all');
    expect((await get('/dashboards/sakura/', as('analyst_all'))).status).toBe(200);
    expect((await get('/dashboards/all/', as('admin'))).status).toBe(200);
  });

  it('/dashboards/ sends each operator to the build of their scope', async () => {
    expect((await get('/dashboards/', as('analyst_aurora'))).headers.get('location')).toBe('/dashboards/aurora/');
    expect((await get('/dashboards/', as('analyst_all'))).headers.get('location')).toBe('/dashboards/all/');
    const two = await get('/dashboards/', as('marketer_two'));
    expect(two.status).toBe(200);
    expect(two.text).toContain('href="/dashboards/aurora/"');
    expect(two.text).toContain('href="/dashboards/sakura/"');
  });
});
