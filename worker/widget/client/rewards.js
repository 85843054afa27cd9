/**
 * <casino-rewards>: the player's rewards widget (docs/rewards.md "Widget"). Plain JavaScript, no
 * framework, no imports: an operator's page loads it as a module from the worker
 * (`<script type="module" src="https://<api>/widget/rewards.js">`), puts `<casino-rewards>` where it
 * wants it and hands it the player's token (`element.token = token`).
 *
 * It opens the player channel (GET /v1/players/me/ws, the token as the subprotocol), draws the first
 * `rewards.snapshot`, then applies each message: XP and points, level, mission steps, badges, toasts
 * for new rewards and for a wheel spin's prize, and the "take a break" message for a player at risk.
 * A dropped socket reconnects with backoff and takes the fresh snapshot (messages are not numbered:
 * the snapshot is the truth).
 *
 * Styling: a shadow root with one constructed stylesheet (adoptedStyleSheets: allowed under a strict
 * CSP without 'unsafe-inline'), every colour and size a CSS custom property, every block a ::part().
 * Player data is only ever written with textContent, never parsed as HTML.
 */
const PROTOCOL = 'casino.v1';
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const PING_MS = 25_000;
const DEFAULT_TOAST_MS = 6_000;
/** Toasts shown at once: a burst (a bet placed and settled makes four) must not cover the widget. */
const MAX_TOASTS = 4;
/** Close codes the channel uses for "do not come back": the session ended (4001), a newer socket took this one's place (4000). */
const FINAL_CLOSES = new Map([[4001, 'ended'], [4000, 'replaced']]);

const CSS = `
:host { display: block; color: var(--casino-rewards-fg, #f4f1ea); font: var(--casino-rewards-font, 14px/1.4 system-ui, sans-serif); }
:host([hidden]) { display: none; }
.root { position: relative; background: var(--casino-rewards-bg, #1b1d24); border-radius: var(--casino-rewards-radius, 10px);
  padding: var(--casino-rewards-padding, 12px 14px); box-shadow: var(--casino-rewards-shadow, 0 2px 10px rgb(0 0 0 / 0.25)); }
.header { display: flex; justify-content: space-between; gap: 8px; align-items: baseline; }
.level { font-weight: 700; color: var(--casino-rewards-accent, #e8b34b); }
.points, .xp-label, .status, .mission-step, .empty { color: var(--casino-rewards-muted, #a9abb3); font-size: 0.85em; }
.bar { height: var(--casino-rewards-bar-height, 8px); background: var(--casino-rewards-track, #33363f);
  border-radius: var(--casino-rewards-bar-height, 8px); overflow: hidden; margin: 6px 0 2px; }
.fill { height: 100%; width: 0; background: var(--casino-rewards-accent, #e8b34b); transition: width 0.4s ease; }
.section { margin: 10px 0 0; font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.05em; color: var(--casino-rewards-muted, #a9abb3); }
ul { list-style: none; margin: 4px 0 0; padding: 0; }
.mission { margin: 4px 0; }
.mission-name { font-weight: 600; }
.mission .bar { height: calc(var(--casino-rewards-bar-height, 8px) * 0.75); }
.badges { display: flex; flex-wrap: wrap; gap: 6px; }
.badge { background: var(--casino-rewards-badge-bg, #2c2f38); color: var(--casino-rewards-badge-fg, inherit);
  border: 1px solid var(--casino-rewards-accent, #e8b34b); border-radius: 999px; padding: 1px 8px; font-size: 0.85em; }
.break { margin: 8px 0 0; padding: 8px 10px; border-radius: calc(var(--casino-rewards-radius, 10px) * 0.6);
  background: var(--casino-rewards-break-bg, #24405a); color: var(--casino-rewards-break-fg, #eef6ff); display: flex; gap: 8px; align-items: start; }
.break[hidden] { display: none; }
.break-text { flex: 1; }
.break-dismiss { background: none; border: 0; color: inherit; font: inherit; cursor: pointer; padding: 0 2px; }
.toasts { position: var(--casino-rewards-toast-position, absolute); inset: auto 8px 8px auto; display: flex; flex-direction: column; gap: 6px; align-items: end; pointer-events: none; }
.toast { background: var(--casino-rewards-toast-bg, #e8b34b); color: var(--casino-rewards-toast-fg, #1b1d24); border-radius: 6px;
  padding: 4px 10px; font-weight: 600; box-shadow: 0 2px 6px rgb(0 0 0 / 0.3); animation: casino-rewards-in 0.25s ease-out; }
@keyframes casino-rewards-in { from { opacity: 0; transform: translateY(6px); } to { opacity: 1; transform: none; } }
@media (prefers-reduced-motion: reduce) { .fill { transition: none; } .toast { animation: none; } }
`;

/** One stylesheet shared by every instance on the page. */
let sheet = null;
function styles() {
  if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
  return sheet;
}

function el(tag, part, className, text) {
  const e = document.createElement(tag);
  if (part) e.setAttribute('part', part);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** What a grant says in a toast; null for grants with nothing to show the player. */
function grantText(m) {
  switch (m.kind) {
    case 'xp': return `+${m.amount} XP`;
    case 'points': return `+${m.amount} points`;
    case 'wheel_spin': return 'A free wheel spin!';
    case 'free_bet': return m.value_minor != null ? `Free bet: ${money(m.value_minor, m.currency)}` : 'A free bet!';
    case 'cashback': return m.value_minor != null ? `Cashback: ${money(m.value_minor, m.currency)}` : 'Cashback!';
    case 'message': return m.template || null;
    case 'shout_out': return 'The table cheers for you!';
    default: return null;
  }
}

/**
 * What a wheel spin's result says in a toast: the prize in the grant's words, or that the spin won
 * nothing (`delivered` false: an empty prize, or one the rules held back).
 */
function wheelText(m) {
  if (!m.delivered) return 'Wheel: no prize this time';
  switch (m.kind) {
    case 'xp': return `Wheel: +${m.amount} XP`;
    case 'points': return `Wheel: +${m.amount} points`;
    case 'free_bet': return m.value_minor != null ? `Wheel: Free bet ${money(m.value_minor, m.currency)}` : 'Wheel: a free bet!';
    case 'cashback': return m.value_minor != null ? `Wheel: Cashback ${money(m.value_minor, m.currency)}` : 'Wheel: cashback!';
    default: return 'Wheel: you won a prize!';
  }
}

/** Minor units to a display amount, with the currency's own number of decimals (ISO 4217, as Intl knows it). */
function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    return format.format(minor / 10 ** format.resolvedOptions().maximumFractionDigits);
  } catch { return `${minor} ${currency ?? ''} (minor units)`.trim(); }
}

export class CasinoRewards extends HTMLElement {
  static observedAttributes = ['server'];

  #token = null;
  #ws = null;
  #attempt = 0;
  #retryTimer = 0;
  #pingTimer = 0;
  #rewards = null;
  #ui;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styles()];
    const ui = {
      root: el('div', 'root', 'root'),
      header: el('div', 'header', 'header'),
      level: el('span', 'level', 'level', ''),
      points: el('span', 'points', 'points', ''),
      bar: el('div', 'xp-bar', 'bar'),
      fill: el('div', 'xp-fill', 'fill'),
      xpLabel: el('div', 'xp-label', 'xp-label', ''),
      brk: el('div', 'break', 'break'),
      brkText: el('span', 'break-text', 'break-text', ''),
      brkDismiss: el('button', 'break-dismiss', 'break-dismiss', '×'),
      missionsTitle: el('div', 'section', 'section', 'Missions'),
      missions: el('ul', 'missions', 'missions'),
      badgesTitle: el('div', 'section', 'section', 'Badges'),
      badges: el('ul', 'badges', 'badges'),
      toasts: el('div', 'toasts', 'toasts'),
      status: el('div', 'status', 'status', ''),
    };
    ui.bar.setAttribute('role', 'progressbar');
    ui.bar.setAttribute('aria-valuemin', '0');
    ui.bar.append(ui.fill);
    ui.header.append(ui.level, ui.points);
    ui.brk.setAttribute('role', 'alert');
    ui.brk.hidden = true;
    ui.brkDismiss.type = 'button';
    ui.brkDismiss.setAttribute('aria-label', 'Dismiss');
    ui.brkDismiss.addEventListener('click', () => { ui.brk.hidden = true; this.removeAttribute('at-risk'); });
    ui.brk.append(ui.brkText, ui.brkDismiss);
    ui.toasts.setAttribute('aria-live', 'polite');
    ui.root.append(ui.header, ui.bar, ui.xpLabel, ui.brk, ui.missionsTitle, ui.missions, ui.badgesTitle, ui.badges, ui.status, ui.toasts);
    root.append(ui.root);
    this.#ui = ui;
    this.#setStatus('idle');
  }

  /** The player's session token (never an attribute: attributes show in the DOM). Setting it (re)connects; null disconnects. */
  get token() { return this.#token; }
  set token(value) {
    this.#token = typeof value === 'string' && value ? value : null;
    this.#disconnect();
    this.#attempt = 0;
    if (this.#token && this.isConnected) this.#connect();
    else if (!this.#token) this.#setStatus('idle');
  }

  /** The last state drawn (the snapshot with the messages since applied), or null before the first snapshot. */
  get rewards() { return this.#rewards ? structuredClone(this.#rewards) : null; }

  connectedCallback() {
    // A page may set `token` before this module has loaded: that made a plain own property, which
    // hides the accessor. Take it over (the usual upgrade pattern for custom elements).
    if (Object.prototype.hasOwnProperty.call(this, 'token')) {
      const early = this.token;
      delete this.token;
      this.token = early;
      return;
    }
    if (this.#token && !this.#ws) this.#connect();
  }
  disconnectedCallback() { this.#disconnect(); }
  attributeChangedCallback() { if (this.#ws) { this.#disconnect(); this.#connect(); } }

  /** The channel's URL: the `server` attribute (the API's origin), else the origin this script came from. */
  #url() {
    const base = new URL(this.getAttribute('server') || import.meta.url, document.baseURI);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.pathname = '/v1/players/me/ws';
    base.search = '';
    base.hash = '';
    return base.href;
  }

  #connect() {
    clearTimeout(this.#retryTimer);
    this.#setStatus(this.#attempt ? 'reconnecting' : 'connecting');
    let ws;
    try { ws = new WebSocket(this.#url(), [PROTOCOL, `bearer.${this.#token}`]); } catch { this.#retry(); return; }
    this.#ws = ws;
    ws.addEventListener('message', (e) => { if (this.#ws === ws) this.#onMessage(e.data); });
    ws.addEventListener('close', (e) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      clearInterval(this.#pingTimer);
      const final = FINAL_CLOSES.get(e.code);
      if (final) { this.#setStatus(final); this.#emit('casino-rewards-closed', { code: e.code, reason: final }); return; }
      this.#retry();
    });
    // Keeps idle connections alive through proxies; the runtime answers 'pong' without waking the player's object.
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => { if (ws.readyState === WebSocket.OPEN) ws.send('ping'); }, PING_MS);
  }

  #retry() {
    if (!this.#token || !this.isConnected) return;
    // Exponential backoff with jitter, so a restart of the platform is not met by every player at once.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.#attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.#attempt++;
    this.#setStatus('reconnecting');
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #disconnect() {
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    const ws = this.#ws;
    this.#ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'widget closed');
  }

  #send(message) { if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message)); }

  #onMessage(data) {
    if (typeof data !== 'string' || data === 'pong') return;
    let m;
    try { m = JSON.parse(data); } catch { return; }
    if (!m || typeof m.type !== 'string') return;
    switch (m.type) {
      case 'rewards.snapshot':
        this.#attempt = 0;
        this.#rewards = m.rewards;
        this.#setStatus('live');
        this.#draw();
        break;
      case 'rewards.grant': this.#onGrant(m); break;
      case 'rewards.badge':
        if (this.#rewards && !this.#rewards.badges.includes(m.badge_id)) this.#rewards.badges.push(m.badge_id);
        this.#toast(`New badge: ${m.badge_id}`, 'badge');
        this.#draw();
        break;
      case 'rewards.mission': this.#onMission(m); break;
      case 'rewards.level':
        if (this.#rewards) this.#rewards.level = { level: m.to_level, name: m.name, tier: m.tier };
        this.#toast(`Level up: ${m.name}!`, 'level');
        this.#draw();
        this.#send({ type: 'snapshot' }); // the next level's threshold comes with the snapshot
        break;
      case 'rewards.wheel_spun':
        this.#toast(wheelText(m), 'wheel');
        // The prize went through the engine's own paths (XP, points, a level, badges): the snapshot has them all.
        this.#send({ type: 'snapshot' });
        break;
      case 'rewards.break':
        this.#ui.brkText.textContent = m.template;
        this.#ui.brk.hidden = false;
        this.setAttribute('at-risk', '');
        break;
      default: break;
    }
    this.#emit('casino-rewards-message', m);
  }

  #onGrant(m) {
    const r = this.#rewards;
    if (r && m.kind === 'xp' && typeof m.amount === 'number') r.xp += m.amount;
    if (r && m.kind === 'points' && typeof m.amount === 'number') r.points_balance += m.amount;
    const text = grantText(m);
    if (text) this.#toast(text, m.kind);
    this.#draw();
  }

  #onMission(m) {
    const mission = this.#rewards?.missions.find((x) => x.mission_id === m.mission_id);
    if (m.status === 'progress' && mission && mission.step_index === m.step_index) {
      mission.progress = m.progress;
      mission.target = m.target;
      this.#toast(`${mission.name}: ${m.progress}/${m.target}`, 'mission');
      this.#draw();
      return;
    }
    if (m.status === 'completed') this.#toast(`Mission complete: ${mission?.name ?? m.mission_id}`, 'mission');
    // A new step or a new round of the mission: its name and target come with the snapshot.
    this.#send({ type: 'snapshot' });
  }

  #draw() {
    const r = this.#rewards;
    const ui = this.#ui;
    if (!r) return;
    ui.level.textContent = r.level ? `Level ${r.level.level} · ${r.level.name}` : 'No level yet';
    ui.points.textContent = `${r.points_balance} points`;
    const next = r.next_level;
    const share = next && next.min_xp > 0 ? Math.min(1, r.xp / next.min_xp) : 1;
    ui.fill.style.width = `${Math.round(share * 100)}%`;
    ui.bar.setAttribute('aria-valuemax', String(next ? next.min_xp : r.xp));
    ui.bar.setAttribute('aria-valuenow', String(r.xp));
    ui.xpLabel.textContent = next ? `${r.xp} / ${next.min_xp} XP to ${next.name}` : `${r.xp} XP · top level`;
    this.dataset.xp = String(r.xp);

    ui.missions.replaceChildren(...r.missions.map((m) => {
      const li = el('li', 'mission', 'mission');
      li.dataset.mission = m.mission_id;
      li.append(el('div', 'mission-name', 'mission-name', m.name));
      if (m.step_name !== null && m.target !== null) {
        li.append(el('div', 'mission-step', 'mission-step', `${m.step_name}: ${m.progress}/${m.target}`));
        const bar = el('div', 'mission-bar', 'bar');
        const fill = el('div', 'mission-fill', 'fill');
        fill.style.width = `${Math.round(Math.min(1, m.progress / m.target) * 100)}%`;
        bar.append(fill);
        li.append(bar);
      } else {
        li.append(el('div', 'mission-step', 'mission-step', m.completions ? `Completed ×${m.completions}` : ''));
      }
      return li;
    }));
    ui.missionsTitle.hidden = r.missions.length === 0;
    ui.badges.replaceChildren(...(r.badges.length ? r.badges.map((b) => {
      const li = el('li', 'badge', 'badge', b);
      li.dataset.badge = b;
      return li;
    }) : [el('li', 'badges-empty', 'empty', 'None yet')]));
  }

  #toast(text, kind) {
    const t = el('div', 'toast', 'toast', text);
    t.dataset.kind = kind;
    this.#ui.toasts.append(t);
    while (this.#ui.toasts.childElementCount > MAX_TOASTS) this.#ui.toasts.firstElementChild.remove();
    const ms = Number(this.getAttribute('toast-ms')) || DEFAULT_TOAST_MS;
    setTimeout(() => t.remove(), ms);
  }

  #setStatus(status) {
    this.setAttribute('status', status);
    const words = { idle: 'Not signed in', connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', ended: 'Session ended', replaced: 'Open in another window' };
    this.#ui.status.textContent = words[status] ?? status;
  }

  #emit(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true })); }
}

if (!customElements.get('casino-rewards')) customElements.define('casino-rewards', CasinoRewards);
