/** The panel's one script: picks the page's code by <body data-page>. */
import { loginPage } from './pages/login.js';
import { dashboardPage } from './pages/dashboard.js';
import { playersPage } from './pages/players.js';
import { playerPage } from './pages/player.js';
import { adjustmentQueuePage, kycQueuePage, withdrawalQueuePage } from './pages/queues.js';
import { alertsPage } from './pages/alerts.js';
import { auditPage } from './pages/audit.js';
import { startSession } from './session.js';

const PAGES = {
  dashboard: dashboardPage, players: playersPage, player: playerPage, 'queue-kyc': kycQueuePage,
  'queue-withdrawals': withdrawalQueuePage, 'queue-adjustments': adjustmentQueuePage, alerts: alertsPage, audit: auditPage,
};

async function main() {
  const page = document.body.dataset.page;
  if (page === 'login') return loginPage();
  const ctx = await startSession();
  if (!ctx) return;
  await PAGES[page]?.(ctx);
  document.body.dataset.ready = 'true';
}

/** Whatever escapes a page's own handling still reaches the operator, never only the console. */
function showUnexpected(e) {
  const el = document.getElementById('page-msg') ?? document.getElementById('login-msg');
  if (el) { el.className = 'msg error'; el.textContent = `Unexpected error: ${e?.message ?? e}`; }
}

window.addEventListener('unhandledrejection', (ev) => showUnexpected(ev.reason));
window.addEventListener('error', (ev) => showUnexpected(ev.error ?? ev.message));
main().catch(showUnexpected);
