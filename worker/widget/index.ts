/**
 * The player widget, served by the worker (docs/rewards.md "Widget"):
 *
 * - GET /widget/rewards.js: the <casino-rewards> custom element, for operators' pages to load as a
 *   module from their own site (so: CORS-readable and cross-origin embeddable, unlike the panel).
 * - GET /widget/demo (+ demo.js, demo.css): a page where a player logs in or pastes a token and
 *   sees the widget, restyled through its custom properties and parts as an operator would.
 *
 * The demo page carries the panel's strict Content-Security-Policy: scripts and styles from this
 * origin only, no inline code (the widget's own styles are a constructed stylesheet, which a CSP
 * without 'unsafe-inline' allows).
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { html } from 'hono/html';
import type { AppEnv } from '../http/app-env';
import { PANEL_CSP } from '../panel';
import { WIDGET_DEMO_JS, WIDGET_JS, WIDGET_JS_VERSION } from './client.gen';

export const widget = new Hono<AppEnv>();

/** The demo's stylesheet: an operator's restyle, through custom properties and ::part() only. */
export const DEMO_CSS = `
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f3f1ec; color: #22242a; }
main { max-width: 760px; margin: 0 auto; padding: 24px; display: grid; grid-template-columns: 1fr 320px; gap: 24px; }
h1 { grid-column: 1 / -1; margin: 0; font-size: 1.4rem; }
form { display: grid; gap: 6px; margin: 0 0 16px; }
input, textarea, button { font: inherit; padding: 6px 8px; }
#demo-note { color: #555; min-height: 1.5em; }
/* An operator's brand, applied to the widget from outside its shadow root. */
casino-rewards {
  --casino-rewards-bg: #10233d;
  --casino-rewards-accent: #3ccf91;
  --casino-rewards-toast-bg: #3ccf91;
  --casino-rewards-radius: 14px;
}
casino-rewards::part(level) { letter-spacing: 0.02em; }
casino-rewards::part(break) { border-left: 4px solid #8fc3ff; }
@media (max-width: 640px) { main { grid-template-columns: 1fr; } }
`;

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
const DEMO_CSS_VERSION = fnv(DEMO_CSS);

const demoPage = () => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Rewards widget · demo</title>
<link rel="stylesheet" href="/widget/demo.css?v=${DEMO_CSS_VERSION}">
<script type="module" src="/widget/demo.js?v=${WIDGET_JS_VERSION}"></script>
</head>
<body>
<main>
<h1>Rewards widget demo</h1>
<section>
<form id="login-form" autocomplete="on">
<label>Email <input id="login-email" name="email" type="email" required autocomplete="username"></label>
<label>Password <input id="login-password" name="password" type="password" required autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>
<form id="token-form">
<label>…or paste a player session token <textarea id="token" name="token" rows="3" required></textarea></label>
<button type="submit">Use this token</button>
</form>
<button id="sign-out" type="button">Sign out</button>
<p id="demo-note" role="status"></p>
</section>
<casino-rewards toast-ms="15000"></casino-rewards>
</main>
</body>
</html>`;

function asset(c: Context<AppEnv>, body: string, type: string, version: string) {
  const fresh = c.req.query('v') === version;
  return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': fresh ? 'public, max-age=31536000, immutable' : 'no-cache' });
}

/** The element itself: any site may load it (module scripts are fetched with CORS). */
widget.get('/rewards.js', (c) => {
  c.header('Access-Control-Allow-Origin', '*');
  c.header('Cross-Origin-Resource-Policy', 'cross-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  return asset(c, WIDGET_JS, 'text/javascript; charset=utf-8', WIDGET_JS_VERSION);
});

/**
 * The demo's page and assets: same-origin only, the panel's headers. (Middleware on the paths, not
 * a sub-router's '*': that would reach /widget/rewards.js too and take its cross-origin headers away.)
 */
const demoHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.header('Content-Security-Policy', PANEL_CSP);
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
});
widget.get('/demo', demoHeaders, async (c) => c.html(await demoPage()));
widget.get('/demo.js', demoHeaders, (c) => asset(c, WIDGET_DEMO_JS, 'text/javascript; charset=utf-8', WIDGET_JS_VERSION));
widget.get('/demo.css', demoHeaders, (c) => asset(c, DEMO_CSS, 'text/css; charset=utf-8', DEMO_CSS_VERSION));
