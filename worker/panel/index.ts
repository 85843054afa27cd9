/**
 * The back-office panel: server-rendered HTML shells under /ops plus one browser script that does
 * everything through the same JSON APIs under /v1/ops (cookie session + X-CSRF-Token), so the panel
 * has no powers of its own. Every response carries a strict Content-Security-Policy (scripts and
 * styles from this origin only, no inline code), refuses framing, and is not cached. Pages other
 * than the login redirect there unless the `ops_session` cookie holds a live session.
 */
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../http/app-env';
import { SESSION_COOKIE } from '../ops/guard';
import { operatorStub } from '../ops/stubs';
import { verifyOperatorToken } from '../ops/tokens';
import { PANEL_JS, PANEL_JS_VERSION } from './client.gen';
import {
  adjustmentQueueBody, alertsBody, auditBody, dashboardBody, kycQueueBody, loginPage, notFoundBody, playerBody, playersBody, shell,
  withdrawalQueueBody, type Assets, type PageName,
} from './pages';
import { PANEL_CSS } from './styles';

export const panel = new Hono<AppEnv>();

export const PANEL_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "font-src 'self'",
  "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
].join('; ');

/** FNV-1a, enough to bust caches when the stylesheet changes. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
const CSS_VERSION = fnv(PANEL_CSS);
const ASSETS: Assets = { js: `/ops/assets/panel.js?v=${PANEL_JS_VERSION}`, css: `/ops/assets/panel.css?v=${CSS_VERSION}` };

panel.use('*', async (c, next) => {
  await next();
  c.header('Content-Security-Policy', PANEL_CSP);
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
});

function asset(c: Context<AppEnv>, body: string, type: string, version: string) {
  const fresh = c.req.query('v') === version;
  return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': fresh ? 'private, max-age=31536000, immutable' : 'no-cache' });
}
panel.get('/assets/panel.js', (c) => asset(c, PANEL_JS, 'text/javascript; charset=utf-8', PANEL_JS_VERSION));
panel.get('/assets/panel.css', (c) => asset(c, PANEL_CSS, 'text/css; charset=utf-8', CSS_VERSION));

/** Whether the request's panel cookie holds a live operator session (the operator object decides, as for the API). */
async function signedIn(c: Context<AppEnv>): Promise<boolean> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || !/^[A-Za-z0-9_\-.]{1,4096}$/.test(token)) return false;
  const ref = await verifyOperatorToken(c.env, token);
  if (!ref) return false;
  const r = await operatorStub(c.env, ref.operatorId).authenticate(ref.sessionId);
  return r.ok;
}

function toLogin(c: Context<AppEnv>) {
  const url = new URL(c.req.url);
  return c.redirect(`/ops/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
}

panel.get('/login', async (c) => {
  if (await signedIn(c)) return c.redirect('/ops', 302);
  return c.html(loginPage(ASSETS));
});

const PAGES: { path: string; page: PageName; title: string; body: Parameters<typeof shell>[0]['body'] }[] = [
  { path: '/', page: 'dashboard', title: 'Dashboard', body: dashboardBody },
  { path: '/players', page: 'players', title: 'Players', body: playersBody },
  { path: '/queues/kyc', page: 'queue-kyc', title: 'KYC queue', body: kycQueueBody },
  { path: '/queues/withdrawals', page: 'queue-withdrawals', title: 'Withdrawal queue', body: withdrawalQueueBody },
  { path: '/queues/adjustments', page: 'queue-adjustments', title: 'Adjustments awaiting approval', body: adjustmentQueueBody },
  { path: '/alerts', page: 'alerts', title: 'Alerts', body: alertsBody },
  { path: '/audit', page: 'audit', title: 'Audit log', body: auditBody },
];

for (const p of PAGES) {
  panel.get(p.path, async (c) => {
    if (!(await signedIn(c))) return toLogin(c);
    return c.html(shell({ page: p.page, title: p.title, body: p.body, assets: ASSETS }));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

panel.get('/players/:player_id', async (c) => {
  if (!(await signedIn(c))) return toLogin(c);
  const id = c.req.param('player_id');
  if (!UUID.test(id)) return c.html(shell({ page: 'not-found', title: 'Not found', body: notFoundBody, assets: ASSETS }), 404);
  return c.html(shell({ page: 'player', title: 'Player', body: playerBody, assets: ASSETS, data: { 'player-id': id.toLowerCase() } }));
});

panel.get('*', async (c) => {
  if (!(await signedIn(c))) return toLogin(c);
  return c.html(shell({ page: 'not-found', title: 'Not found', body: notFoundBody, assets: ASSETS }), 404);
});
