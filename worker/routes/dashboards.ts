/**
 * The executive dashboards in production: static Evidence builds (dashboards/README.md
 * "Deployment"), one per brand scope, served from Workers static assets (the DASHBOARDS binding,
 * wrangler.toml [assets] with run_worker_first, so no file leaves without this check) behind the
 * back office's own session:
 *
 *   /dashboards/<brand>/...  the build of one brand's data: an operator session with dashboard.read
 *                            on that brand (domain/authz.ts: role, then brand_in_operator_brands);
 *   /dashboards/all/...      the all-brands build: dashboard.read and every brand (brands ['*']);
 *   /dashboards/             sends the operator to the build of their scope.
 *
 * A static build has every number baked in, so the data an operator may not see must not be in the
 * build they are served: the brand builds are made from a snapshot filtered to the brand
 * (`wh snapshot --brand`), and this route picks the build, never a filter inside a page.
 *
 * No session: 401 in the API's JSON error shape, or for a browser (Accept: text/html) a redirect
 * to the back office's login, which comes back here. A session without the permission or for
 * another brand: 403 `forbidden`, audited like every back-office denial.
 */
import { Hono, type Context } from 'hono';
import { authorize, brandsFor } from '../../domain/authz';
import type { AppEnv } from '../http/app-env';
import { ApiError, errorResponse } from '../http/errors';
import { PLATFORM, recordAudit, requireOperator } from '../ops/guard';

/** The path segment of the all-brands build. */
export const ALL_BRANDS = 'all';
const SCOPE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Ctx = Context<AppEnv>;

const wantsHtml = (c: Ctx) => (c.req.header('Accept') ?? '').includes('text/html');

export const dashboards = new Hono<AppEnv>();

/** Money and player data: never in a shared cache, never framed. */
function privately(res: Response, pathname: string): Response {
  const headers = new Headers(res.headers);
  const immutable = /\/_app\/immutable\//.test(pathname) && res.status === 200;
  headers.set('Cache-Control', immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache');
  headers.set('X-Frame-Options', 'DENY');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** The operator of the request's session; a browser without one goes to the login page and back. */
async function signIn(c: Ctx): Promise<Response | null> {
  try {
    await requireOperator(c, async () => {});
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'unauthenticated' && wantsHtml(c)) {
      const url = new URL(c.req.url);
      return c.redirect(`/ops/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
    }
    throw err;
  }
}

/** The builds this operator may open: the all-brands one for an operator of every brand ('*'), else their brands'. */
function scopesOf(c: Ctx): string[] {
  const op = c.get('operator');
  if (authorize(op, 'dashboard.read', { brand: '*' }).allow) return [ALL_BRANDS];
  return brandsFor(op, 'dashboard.read', op.brands.filter((b) => b !== '*'));
}

function index(c: Ctx): Response {
  const scopes = scopesOf(c);
  if (scopes.length === 0) throw new ApiError('forbidden', 'not allowed: dashboard.read', { permission: 'dashboard.read', rule: 'role' });
  if (scopes.length === 1 || scopes[0] === ALL_BRANDS) return c.redirect(`/dashboards/${scopes[0]}/`, 302);
  const links = scopes.map((s) => `<li><a href="/dashboards/${s}/">${s}</a></li>`).join('');
  return c.html(`<!doctype html><meta charset="utf-8"><title>Dashboards</title><h1>Dashboards</h1><ul>${links}</ul>`);
}

/** Allows the scope or throws 403, auditing the denial (as every back-office denial: probing leaves a trail). */
async function authorizeScope(c: Ctx, scope: string): Promise<void> {
  const op = c.get('operator');
  // The all-brands build holds every brand's data: only an operator of every brand ('*') may open it.
  const decision = authorize(op, 'dashboard.read', { brand: scope === ALL_BRANDS ? '*' : scope });
  if (decision.allow) return;
  await recordAudit(c, {
    action: 'dashboard.read', target_type: 'dashboard', target_id: scope, brand: scope === ALL_BRANDS ? PLATFORM : scope,
    outcome: 'denied', reason: `dashboard.read: ${decision.reason}`,
  });
  throw new ApiError('forbidden', 'not allowed: dashboard.read', { permission: 'dashboard.read', rule: decision.reason });
}

/** The immutable files too large for static assets (over 25 MiB: duckdb-wasm), from R2 under immutable/<name>. */
export const LARGE_FILE = /\/_app\/immutable\/(?:[a-z0-9_-]+\/)*([A-Za-z0-9_.-]+\.wasm)$/;
async function largeFile(env: Env, pathname: string): Promise<Response | null> {
  const name = LARGE_FILE.exec(pathname)?.[1];
  if (!name) return null;
  const object = await env.DASHBOARDS_LARGE.get(`immutable/${name}`);
  if (!object) return null;
  return new Response(object.body, { headers: { 'Content-Type': 'application/wasm', 'Content-Length': String(object.size), ETag: object.httpEtag } });
}

// One handler for the whole tree (GET, and HEAD through it): /dashboards[/], /dashboards/<scope>, /dashboards/<scope>/...
dashboards.get('*', async (c) => {
  const pathname = new URL(c.req.url).pathname;
  const toLogin = await signIn(c);
  if (toLogin) return toLogin;
  const [, scope, rest] = /^\/dashboards(?:\/([^/]*))?(\/.*)?$/.exec(pathname) ?? [];
  if (!scope) return privately(index(c), pathname);
  if (!SCOPE.test(scope)) throw new ApiError('not_found', `no dashboards ${JSON.stringify(scope)}`);
  await authorizeScope(c, scope);
  if (rest === undefined) return c.redirect(`/dashboards/${scope}/`, 301);
  // The same path inside the assets: dashboards/site/dashboards/<scope>/... (each build's base path).
  const res = await c.env.DASHBOARDS.fetch(new Request(c.req.url, { method: c.req.method, headers: { Accept: c.req.header('Accept') ?? '*/*' } }));
  if (res.status === 404) {
    const large = await largeFile(c.env, pathname);
    if (large) return privately(c.req.method === 'HEAD' ? new Response(null, { headers: large.headers }) : large, pathname);
    return errorResponse(c, new ApiError('not_found', `no dashboards file ${pathname} (is the ${scope} build deployed? dashboards/README.md)`));
  }
  return privately(res, pathname);
});
