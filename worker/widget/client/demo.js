/**
 * The widget's demo page (/widget/demo): a player logs in (POST /v1/sessions) or pastes a session
 * token, and the page hands the token to <casino-rewards>. Everything an operator's page would do,
 * and nothing more; the token lives in this page's memory only.
 */
import './rewards.js';

const widget = document.querySelector('casino-rewards');
const note = document.getElementById('demo-note');

function use(token) {
  widget.token = token;
  note.textContent = token ? 'Signed in: the widget is connecting to your player channel.' : 'Signed out.';
}

document.getElementById('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.currentTarget);
  note.textContent = 'Logging in…';
  try {
    const res = await fetch('/v1/sessions', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) { note.textContent = `Login refused: ${body.error?.code ?? res.status} ${body.error?.message ?? ''}`; return; }
    use(body.token);
  } catch (err) {
    note.textContent = `Login failed: ${err instanceof Error ? err.message : String(err)}`;
  }
});

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  use(String(new FormData(e.currentTarget).get('token') ?? '').trim());
});

document.getElementById('sign-out').addEventListener('click', () => use(null));
