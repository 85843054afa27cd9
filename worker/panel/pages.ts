/**
 * The panel's HTML shells. Each page is static markup (hono/html escapes every interpolated value)
 * that the browser script fills from the /v1/ops APIs; nothing here reads player data. Controls
 * carry `data-perm`: the script hides those the operator lacks (the API enforces regardless).
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { CURRENCIES } from '../../domain/money';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export type PageName = 'login' | 'dashboard' | 'players' | 'player' | 'queue-kyc' | 'queue-withdrawals' | 'queue-adjustments' | 'alerts' | 'audit' | 'not-found';

const NAV: { href: string; label: string; pages: PageName[]; perm?: string }[] = [
  { href: '/ops', label: 'Dashboard', pages: ['dashboard'] },
  { href: '/ops/players', label: 'Players', pages: ['players', 'player'], perm: 'player.search' },
  { href: '/ops/queues/kyc', label: 'KYC queue', pages: ['queue-kyc'], perm: 'kyc.review' },
  { href: '/ops/queues/withdrawals', label: 'Withdrawals', pages: ['queue-withdrawals'], perm: 'withdrawal.review' },
  { href: '/ops/queues/adjustments', label: 'Adjustments', pages: ['queue-adjustments'], perm: 'adjustment.approve' },
  { href: '/ops/alerts', label: 'Alerts', pages: ['alerts'], perm: 'alert.read' },
  { href: '/ops/audit', label: 'Audit log', pages: ['audit'], perm: 'audit.read' },
];

export type Assets = { js: string; css: string };

function head(title: string, assets: Assets): Html {
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title} · Back office</title>
<link rel="stylesheet" href="${assets.css}">
<script type="module" src="${assets.js}"></script>
</head>`;
}

/** A signed-in page: navigation, brand selector, who am I, logout; the body fills `main`. */
export function shell(opts: { page: PageName; title: string; body: Html; assets: Assets; data?: Record<string, string> }): Html {
  const data = Object.entries(opts.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  return html`<!doctype html>
<html lang="en">
${head(opts.title, opts.assets)}
<body data-page="${opts.page}"${data}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand-name" href="/ops">Back office</a>
  <nav aria-label="Main"><ul>${NAV.map((n) => html`<li${n.perm ? html` data-perm="${n.perm}"` : ''}><a href="${n.href}"${n.pages.includes(opts.page) ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}</ul></nav>
  <div class="who">
    <label class="brand-pick" for="brand-select">Brand <select id="brand-select"></select></label>
    <span id="who" aria-live="polite"></span>
    <button type="button" id="logout">Log out</button>
  </div>
</header>
<main id="main" tabindex="-1">
  <h1>${opts.title}</h1>
  <p id="page-msg" class="msg" role="alert"></p>
  ${opts.body}
</main>
</body>
</html>`;
}

export function loginPage(assets: Assets): Html {
  return html`<!doctype html>
<html lang="en">
${head('Sign in', assets)}
<body data-page="login">
<main id="main" class="login">
  <h1>Back office sign-in</h1>
  <section class="card" id="step-password">
    <h2>Email and password</h2>
    <form id="login-form" class="stack">
      <label for="login-email">Email <input id="login-email" name="email" type="email" autocomplete="username" required maxlength="254"></label>
      <label for="login-password">Password <input id="login-password" name="password" type="password" autocomplete="current-password" required maxlength="128"></label>
      <div><button type="submit">Continue</button></div>
    </form>
    <p><a id="sso-link" href="/v1/ops/sso/login">Sign in with SSO</a></p>
  </section>
  <section class="card" id="step-enrol" hidden>
    <h2>Set up your authenticator app</h2>
    <p>Scan this code with your authenticator app, or type the secret in by hand.</p>
    <img id="enrol-qr" class="qr" alt="QR code holding your new authenticator secret">
    <p>Secret: <span id="enrol-secret" class="secret"></span></p>
    <details><summary>otpauth URI</summary><p><code id="enrol-uri"></code></p></details>
    <h3>Recovery codes</h3>
    <p class="msg info">These are shown once. Store them somewhere safe: each one signs you in once instead of a code.</p>
    <ol id="enrol-codes" class="codes"></ol>
  </section>
  <section class="card" id="step-code" hidden>
    <h2>Second factor</h2>
    <form id="mfa-form" class="stack">
      <label for="mfa-code">6-digit code from your authenticator app, or a recovery code
        <input id="mfa-code" name="code" autocomplete="one-time-code" required minlength="6" maxlength="11" spellcheck="false"></label>
      <div><button type="submit">Sign in</button> <button type="button" class="secondary" id="restart">Start over</button></div>
    </form>
  </section>
  <p id="login-msg" class="msg" role="alert"></p>
</main>
</body>
</html>`;
}

const statusOptions = html`<option value="">any</option><option>active</option><option>locked</option><option>self_excluded</option><option>closed</option>`;
const kycOptions = html`<option value="">any</option><option>none</option><option>pending</option><option>verified</option><option>rejected</option>`;
const currencyOptions = CURRENCIES.map((c) => html`<option>${c}</option>`);

function table(id: string, caption: string, columns: (string | [string, 'num'])[]): Html {
  return html`<table id="${id}"><caption>${caption}</caption><thead><tr>${columns.map((c) => (Array.isArray(c) ? html`<th scope="col" class="num">${c[0]}</th>` : html`<th scope="col">${c}</th>`))}</tr></thead><tbody></tbody></table>`;
}

export const dashboardBody: Html = html`
<section class="card" aria-labelledby="counts-h"><h2 id="counts-h">At a glance <span class="muted" id="counts-brand"></span></h2>
  <dl id="counts" class="counts"></dl></section>
<div class="grid">
  <section class="card" data-perm="alert.read" aria-labelledby="dash-alerts-h"><h2 id="dash-alerts-h">Open alerts</h2>
    ${table('dash-alerts', 'Newest first', ['Severity', 'Rule', 'Summary', 'Player', 'When'])}
    <p><a href="/ops/alerts">All alerts</a></p></section>
  <section class="card" aria-labelledby="queues-h"><h2 id="queues-h">Work queues</h2>
    <ul id="queue-links">
      <li data-perm="kyc.review"><a href="/ops/queues/kyc">KYC reviews</a> <span data-count="kyc_pending"></span></li>
      <li data-perm="withdrawal.review"><a href="/ops/queues/withdrawals">Withdrawals</a> <span data-count="withdrawals_pending"></span></li>
      <li data-perm="adjustment.approve"><a href="/ops/queues/adjustments">Adjustments awaiting approval</a> <span data-count="adjustments_pending"></span></li>
      <li data-perm="player.search"><a href="/ops/players">Find a player</a></li>
      <li data-perm="audit.read"><a href="/ops/audit">Audit log</a></li>
    </ul></section>
</div>`;

export const playersBody: Html = html`
<section class="card">
  <form id="search-form" class="inline" role="search">
    <label for="search-q">Email (or part of it) or player id <input id="search-q" name="q" type="search" maxlength="254" size="34"></label>
    <label for="search-status">Status <select id="search-status" name="status">${statusOptions}</select></label>
    <label for="search-kyc">KYC <select id="search-kyc" name="kyc_status">${kycOptions}</select></label>
    <button type="submit">Search</button>
  </form>
</section>
<section class="card" aria-live="polite">
  ${table('results', 'Players (emails masked)', ['Player', 'Email', 'Jurisdiction', 'Currency', 'Status', 'KYC', 'VIP', 'Registered'])}
  <p class="pager"><button type="button" class="secondary" id="more" hidden>More results</button></p>
</section>`;

const reasonInput = (id: string, label = 'Reason') =>
  html`<label for="${id}">${label} <input id="${id}" name="reason" required minlength="3" maxlength="500" size="30"></label>`;

export const playerBody: Html = html`
<div class="grid">
  <section class="card" aria-labelledby="profile-h"><h2 id="profile-h">Profile</h2>
    <dl class="facts" id="profile"></dl>
    <p data-perm="player.read_pii"><button type="button" class="secondary" id="reveal-pii">Reveal PII</button> <span class="muted">(audited)</span></p>
  </section>
  <section class="card" data-perm="player.lock" aria-labelledby="status-h"><h2 id="status-h">Account status</h2>
    <form id="status-form" class="inline">
      ${reasonInput('status-reason')}
      <button type="submit" class="danger" id="lock-btn" data-action="lock">Lock account</button>
      <button type="submit" id="unlock-btn" data-action="unlock">Unlock account</button>
    </form>
    <p id="status-msg" class="msg" role="status"></p>
  </section>
</div>
<section class="card" aria-labelledby="kyc-h"><h2 id="kyc-h">KYC <span id="kyc-state"></span></h2>
  <form id="kyc-form" class="inline" data-perm="kyc.review" hidden>
    ${reasonInput('kyc-reason')}
    <button type="submit" data-decision="approve">Approve KYC</button>
    <button type="submit" class="danger" data-decision="reject">Reject KYC</button>
  </form>
  <p id="kyc-msg" class="msg" role="status"></p>
  ${table('kyc-history', 'History', ['When', 'From', 'To', 'Reason', 'By'])}
</section>
<div class="grid">
  <section class="card" aria-labelledby="balances-h"><h2 id="balances-h">Balances</h2>
    ${table('balances', 'Per currency', ['Currency', ['Real', 'num'], ['Bonus', 'num'], ['Held', 'num'], ['Available', 'num']])}
  </section>
  <section class="card" data-perm="adjustment.request" aria-labelledby="adjust-h"><h2 id="adjust-h">Manual adjustment</h2>
    <form id="adjust-form" class="stack">
      <div class="row">
        <label for="adjust-currency">Currency <select id="adjust-currency" name="currency">${currencyOptions}</select></label>
        <label for="adjust-bucket">Bucket <select id="adjust-bucket" name="bucket"><option>real</option><option>bonus</option></select></label>
        <label for="adjust-amount">Amount (major units, negative to debit) <input id="adjust-amount" name="amount" inputmode="decimal" required placeholder="e.g. 25.00 or -10.50"></label>
      </div>
      <p id="adjust-preview" class="muted" aria-live="polite"></p>
      ${reasonInput('adjust-reason')}
      <div><button type="submit">Submit adjustment</button></div>
    </form>
    <p id="adjust-msg" class="msg" role="status"></p>
  </section>
</div>
<section class="card" aria-labelledby="adjustments-h"><h2 id="adjustments-h">Adjustments</h2>
  ${table('adjustments', 'Newest first', ['Requested', 'Amount', 'Bucket', 'State', 'Reason', 'Requested by', 'Decided by', 'Balance after'])}
</section>
<section class="card" aria-labelledby="withdrawals-h"><h2 id="withdrawals-h">Withdrawals</h2>
  ${table('withdrawals', 'Newest first', ['Requested', 'Withdrawal', ['Amount', 'num'], 'State', 'Decided by', 'Reason', 'Action'])}
  <p id="withdrawal-msg" class="msg" role="status"></p>
</section>
<section class="card" data-perm="dispute.resolve" aria-labelledby="dispute-h"><h2 id="dispute-h">Resolve a bet dispute</h2>
  <form id="dispute-form" class="stack">
    <label for="dispute-hold">Bet (hold id) <input id="dispute-hold" name="hold_id" data-label="bet (hold id)" required maxlength="128" list="hold-ids"></label>
    <datalist id="hold-ids"></datalist>
    <div class="row">
      <label for="dispute-resolution">Resolution <select id="dispute-resolution" name="resolution"><option value="void">void (refund the stake minus what it paid)</option><option value="correct">correct (book a signed amount)</option></select></label>
      <label for="dispute-currency">Currency <select id="dispute-currency" name="currency">${currencyOptions}</select></label>
      <label for="dispute-amount">Amount (major units, for correct) <input id="dispute-amount" name="amount" inputmode="decimal" placeholder="e.g. -5.00"></label>
    </div>
    ${reasonInput('dispute-reason')}
    <div><button type="submit">Resolve dispute</button></div>
  </form>
  <p id="dispute-msg" class="msg" role="status"></p>
</section>
<div class="grid">
  <section class="card" aria-labelledby="limits-h"><h2 id="limits-h">Responsible-gaming limits</h2>
    ${table('limits', 'In force and pending', ['Kind', 'Period', 'Value', 'Pending'])}
  </section>
  <section class="card" aria-labelledby="sessions-h"><h2 id="sessions-h">Sessions</h2>
    ${table('sessions', 'Newest first', ['Started', 'Country', 'Ended', 'Why'])}
  </section>
</div>
<section class="card" aria-labelledby="holds-h"><h2 id="holds-h">Open holds</h2>
  ${table('holds', 'Bets in play and withdrawals awaiting payout', ['Created', 'Hold', 'Kind', ['Real', 'num'], ['Bonus', 'num'], 'Expires'])}
</section>
<section class="card" data-perm="player.ledger.read" aria-labelledby="ledger-h"><h2 id="ledger-h">Ledger</h2>
  <form id="ledger-form" class="inline"><label for="ledger-currency">Currency <select id="ledger-currency"><option value="">all</option>${currencyOptions}</select></label><button type="submit" class="secondary">Show</button></form>
  ${table('ledger', 'Newest first', ['#', 'When', 'Kind', 'Bucket', ['Amount', 'num'], ['Balance after', 'num'], 'Reference'])}
  <p class="pager"><button type="button" class="secondary" id="ledger-more" hidden>Older entries</button></p>
</section>
<section class="card" data-perm="player.timeline.read" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
  ${table('timeline', 'Every event, newest first', ['#', 'When', 'Event', 'Currency', 'Details'])}
  <p class="pager"><button type="button" class="secondary" id="timeline-more" hidden>Older events</button></p>
</section>`;

export const kycQueueBody: Html = html`
<section class="card" aria-live="polite">
  ${table('queue', 'Pending KYC reviews, oldest first', ['Player', 'Email', 'Jurisdiction', 'Pending since', 'Decision'])}
</section>`;

export const withdrawalQueueBody: Html = html`
<section class="card" aria-live="polite">
  ${table('queue', 'Withdrawals to decide or pay out, oldest first', ['Player', 'Withdrawal', ['Amount', 'num'], 'State', 'Requested', 'Decision'])}
</section>`;

export const adjustmentQueueBody: Html = html`
<section class="card" aria-live="polite">
  <p class="muted">Adjustments above the four-eyes threshold wait here for a second operator. Nobody can approve their own.</p>
  ${table('queue', 'Pending adjustments, oldest first', ['Player', 'Amount', 'Bucket', 'Reason', 'Requested by', 'Requested', 'Decision'])}
</section>`;

export const alertsBody: Html = html`
<section class="card">
  <form id="alerts-form" class="inline"><label for="alerts-state">Show <select id="alerts-state"><option value="open">open</option><option value="resolved">resolved</option></select></label><button type="submit" class="secondary">Show</button></form>
</section>
<section class="card" aria-live="polite">
  ${table('alerts', 'Alerts (anomaly rules, and aml.* from the warehouse), newest first', ['Severity', 'Rule', 'Summary', 'Player', 'When', 'Resolution'])}
</section>`;

export const auditBody: Html = html`
<section class="card">
  <form id="audit-form" class="inline">
    <label for="audit-brand">Log <select id="audit-brand"></select></label>
    <label for="audit-day">Day (UTC) <input id="audit-day" type="date" required></label>
    <label for="audit-action">Action (optional) <input id="audit-action" maxlength="64" placeholder="e.g. player.lock"></label>
    <button type="submit">Show entries</button>
  </form>
</section>
<section class="card" data-perm="audit.verify" aria-labelledby="verify-h"><h2 id="verify-h">Verify the hash chain</h2>
  <form id="verify-form" class="inline">
    <label for="verify-from">From <input id="verify-from" type="date" required></label>
    <label for="verify-to">To <input id="verify-to" type="date" required></label>
    <button type="submit">Verify chain</button>
  </form>
  <p id="verify-msg" class="msg" role="status"></p>
</section>
<section class="card" aria-live="polite">
  ${table('audit', 'Entries in order', ['#', 'When', 'Actor', 'Action', 'Target', 'Outcome', 'Reason'])}
  <p class="pager"><button type="button" class="secondary" id="audit-more" hidden>More entries</button></p>
</section>`;

export const notFoundBody: Html = html`<p>There is no such page. <a href="/ops">Back to the dashboard</a>.</p>`;
