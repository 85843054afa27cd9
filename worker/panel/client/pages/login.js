/**
 * /ops/login: password (POST /v1/ops/sessions), then, for a first login, the TOTP enrolment (QR,
 * secret, otpauth URI, recovery codes shown once), then the code (POST /v1/ops/sessions/mfa with
 * cookie: true, which sets the HttpOnly session cookie), then on to the page asked for.
 */
import { api, busy, describe, say } from '../api.js';
import { $, h, replace } from '../dom.js';

/** Only paths inside the panel or the dashboards (which send browsers here to sign in): never an open redirect. */
function safeNext(raw) {
  return raw && /^\/(ops|dashboards)(\/[A-Za-z0-9\-._~/%]*)?(\?[^#\\]*)?$/.test(raw) && !raw.startsWith('//') ? raw : '/ops';
}

function svgDataUrl(svg) {
  const bytes = new TextEncoder().encode(svg);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `data:image/svg+xml;base64,${btoa(bin)}`;
}

export function loginPage() {
  const msg = $('#login-msg');
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const steps = { password: $('#step-password'), enrol: $('#step-enrol'), code: $('#step-code') };
  let challenge = null;

  function show(which) {
    steps.password.hidden = which !== 'password';
    steps.code.hidden = which !== 'code';
    if (which === 'password') steps.enrol.hidden = true;
  }

  function restart(text) {
    challenge = null;
    $('#mfa-code').value = '';
    $('#login-password').value = '';
    show('password');
    if (text) say(msg, 'error', text); else say(msg, 'ok', '');
    $('#login-email').focus();
  }

  $('#login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const form = ev.currentTarget;
    busy(form, async () => {
      say(msg, 'ok', '');
      try {
        const r = await api('POST', '/v1/ops/sessions', { body: { email: $('#login-email').value.trim(), password: $('#login-password').value }, noRedirect: true });
        challenge = r.challenge_token;
        if (r.enrolment) {
          const e = r.enrolment;
          $('#enrol-qr').src = svgDataUrl(e.qr_svg);
          $('#enrol-secret').textContent = e.secret;
          $('#enrol-uri').textContent = e.otpauth_uri;
          replace($('#enrol-codes'), e.recovery_codes.map((c) => h('li', {}, c)));
          steps.enrol.hidden = false;
        }
        show('code');
        $('#mfa-code').focus();
      } catch (e) {
        say(msg, 'error', describe(e));
      }
    });
  });

  $('#mfa-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const form = ev.currentTarget;
    busy(form, async () => {
      say(msg, 'ok', '');
      try {
        await api('POST', '/v1/ops/sessions/mfa', { body: { challenge_token: challenge, code: $('#mfa-code').value.trim(), cookie: true }, noRedirect: true });
        say(msg, 'ok', 'Signed in.');
        location.assign(next);
      } catch (e) {
        if (e.code === 'unauthenticated') restart(`${describe(e)} — please start again.`);
        else { say(msg, 'error', describe(e)); $('#mfa-code').select(); }
      }
    });
  });

  $('#restart').addEventListener('click', () => restart());
  show('password');
  document.body.dataset.ready = 'true';
}
