/**
 * The pages between the identity provider and the panel. When our own second factor is still due:
 * the TOTP enrolment (QR code, key, otpauth link, recovery codes) if the operator has none yet,
 * and a form whose script sends `{challenge_token, code, cookie: true}` to POST
 * /v1/ops/sessions/mfa and moves on to the panel on 201. When the provider did MFA: a page that
 * moves on to the panel at once. Why a page and not a redirect: the browser arrives here through a
 * cross-site redirect chain from the provider, and a redirect would continue that chain, so the
 * panel's SameSite=Strict session cookie would not be sent with the panel's first page (Chromium
 * keeps it off even on reload). A navigation started by this page is same-site.
 *
 * Server-rendered with every value escaped; the QR code is an <img> data URL, so no markup is ever
 * inlined. The CSP admits only the page's own nonce'd script and style, no form submission (the
 * script sends the code; a form that submitted itself would put the code in a URL), no framing.
 */
import type { ChallengeBody } from './identity';

const MFA_ENDPOINT = '/v1/ops/sessions/mfa';
const PANEL_PATH = '/ops';
const SSO_LOGIN_PATH = '/v1/ops/sso/login';

export type MfaPageInput = { challenge: ChallengeBody; operator: { email: string; display_name: string } };

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;color:#1d2330;background:#f5f6f8;margin:0}
main{max-width:34rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin-top:0}h2{font-size:1.1rem}
img{display:block;width:12rem;height:12rem;margin:1rem 0}
code{font:0.95rem ui-monospace,monospace;background:#eef0f4;padding:0.1rem 0.3rem;border-radius:3px;word-break:break-all}
ol{columns:2}label{display:block;font-weight:600;margin:1rem 0 0.3rem}
input{font:1.2rem ui-monospace,monospace;padding:0.4rem;width:12rem;letter-spacing:0.1em}
button{font-size:1rem;padding:0.5rem 1.2rem;margin-left:0.5rem}
#error{color:#a4161a}small{color:#5c6370}`;

const SCRIPT = `
const form = document.getElementById('mfa');
const error = document.getElementById('error');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = form.querySelector('button');
  button.disabled = true;
  error.hidden = true;
  try {
    const res = await fetch(${JSON.stringify(MFA_ENDPOINT)}, {
      method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ challenge_token: form.dataset.challengeToken, code: form.elements.code.value.trim(), cookie: true }),
    });
    if (res.status === 201) { location.assign(${JSON.stringify(PANEL_PATH)}); return; }
    const body = await res.json().catch(() => null);
    error.textContent = (body && body.error && body.error.message) || 'That did not work (HTTP ' + res.status + ').';
  } catch {
    error.textContent = 'The server cannot be reached; try again.';
  }
  error.hidden = false;
  button.disabled = false;
});`;

function enrolmentSection(e: NonNullable<ChallengeBody['enrolment']>): string {
  const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(e.qr_svg)}`;
  return `<section id="enrolment">
<h2>Set up your authenticator app</h2>
<p>Scan the code with an authenticator app, or enter the key by hand, then type the 6-digit code the app shows.</p>
<img id="totp-qr" alt="QR code for your authenticator app" src="${escapeHtml(qr)}">
<p>Key: <code id="totp-secret">${escapeHtml(e.secret)}</code><br><a id="otpauth-uri" href="${escapeHtml(e.otpauth_uri)}">Open in an authenticator app on this device</a></p>
<h2>Recovery codes</h2>
<p>Keep these somewhere safe: each one works once instead of a code, and they are not shown again.</p>
<ol id="recovery-codes">${e.recovery_codes.map((code) => `<li><code>${escapeHtml(code)}</code></li>`).join('')}</ol>
</section>`;
}

type Page = { html: string; headers: Record<string, string> };

function pageHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': `default-src 'none'; ${csp}; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  };
}

/** Signed in: on to the panel, by a navigation of this page's own (see the header comment). */
export function onwardPage(): Page {
  return {
    html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${PANEL_PATH}"><title>Back office: signed in</title></head>
<body><p>Signed in. <a href="${PANEL_PATH}">Continue to the back office</a>.</p></body></html>`,
    headers: pageHeaders("style-src 'none'"),
  };
}

/** The second-factor page and the headers it must be served with (its CSP carries the nonce). */
export function mfaPage({ challenge, operator }: MfaPageInput): Page {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const enrolling = challenge.enrolment !== null;
  const expires = new Date(challenge.expires_at).toISOString();
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back office: second factor</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>
<h1>${enrolling ? 'Set up your second factor' : 'Second factor'}</h1>
<p>Signed in as <strong>${escapeHtml(operator.display_name)}</strong> (${escapeHtml(operator.email)}).</p>
${enrolling ? enrolmentSection(challenge.enrolment!) : ''}
<form id="mfa" data-challenge-token="${escapeHtml(challenge.challenge_token)}">
<label for="code">${enrolling ? 'Code from the app' : 'Code from your authenticator app, or a recovery code'}</label>
<input id="code" name="code" required autofocus autocomplete="one-time-code" minlength="6" maxlength="11" spellcheck="false"><button type="submit">Continue</button>
<p id="error" role="alert" hidden></p>
</form>
<noscript><p>This page needs JavaScript.</p></noscript>
<p><small>This page works until <time datetime="${expires}">${expires.slice(11, 16)} UTC</time>. After that, <a href="${SSO_LOGIN_PATH}">sign in again</a>.</small></p>
</main><script nonce="${nonce}">${SCRIPT}</script></body></html>`;
  return { html, headers: pageHeaders(`script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src data:; connect-src 'self'`) };
}
