/**
 * The player widget (<casino-rewards>, served at /widget/rewards.js) in real Chromium against the
 * real worker (wrangler dev): a player logs in on the demo page, bets at the dealer table roulette-1
 * and sees the XP arrive (10 XP per settled bet, 5 for a first hand at a new game) with a toast;
 * a banker bet at baccarat-1 shows the explorer mission's first step progress; and a player at risk
 * (a deposit limit just hit) sees the "take a break" message instead of any grant; the day's first
 * login's wheel spin, spun over HTTP, shows its prize in a toast and the snapshot it delivered. Also: the demo
 * page's strict CSP holds (no violation, the operator's restyle through custom properties applies),
 * the script is embeddable cross-origin, and a dropped socket reconnects and takes the snapshot.
 */
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin, launchBrowser, startPlatform, type Platform } from './harness.mjs';
import { artifactPath } from './panel-support.mjs';
import { widgetBundleIsFresh } from './widget-support.mjs';

type Json = Record<string, any>;
type Browser = { context: BrowserContext; close(): Promise<void> };

const STEP_MS = 20_000;
const PASSWORD = 'widget player password 1';

let platform: Platform;
let browser: Browser;
let opsToken = '';

async function api(method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'X-Dev-Country': 'MT', ...(opts.headers ?? {}) };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${platform.baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: Json = {};
  try { body = text ? JSON.parse(text) : {}; } catch { body = { raw: text }; }
  return { status: res.status, body, headers: res.headers };
}

async function ok(r: ReturnType<typeof api>, status: number, what: string): Promise<Json> {
  const res = await r;
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A registered player with `deposit` EUR minor units in the wallet. */
async function fundedPlayer(deposit: number): Promise<{ email: string; token: string }> {
  const email = `widget-${randomUUID()}@players.example`;
  const reg = await ok(api('POST', '/v1/players', { body: { email, password: PASSWORD, date_of_birth: '1990-01-15', country: 'MT' } }), 201, 'register');
  await ok(api('POST', '/v1/wallet/deposits', { token: reg.token, body: { amount_minor: deposit, currency: 'EUR' }, headers: { 'Idempotency-Key': randomUUID() } }), 201, 'deposit');
  return { email, token: reg.token };
}

async function openRound(table: string): Promise<string> {
  const opened = await ok(api('POST', `/v1/dev/tables/${table}/rounds`, { token: opsToken, body: { betting_seconds: 900 } }), 201, `open a round at ${table}`);
  return opened.round.round_id;
}

async function bet(table: string, roundId: string, token: string, spot: string) {
  await ok(api('POST', `/v1/tables/${table}/bets`, { token, body: { bet_id: randomUUID(), round_id: roundId, spot, amount_minor: 100, currency: 'EUR' } }), 201, `bet ${spot} at ${table}`);
}

/** One roulette-1 round with one bet of the player's, settled by the dealer's result (17: black, odd). */
async function rouletteRound(token: string, spot = 'red') {
  const roundId = await openRound('roulette-1');
  await bet('roulette-1', roundId, token, spot);
  const result = await ok(api('POST', `/v1/ops/tables/roulette-1/rounds/${roundId}/result`, { token: opsToken, body: { outcome: { number: 17 } } }), 200, 'result');
  expect(result.round.state).toBe('settled');
  return roundId;
}

async function rewardsOf(token: string): Promise<Json> {
  return ok(api('GET', '/v1/players/me/rewards', { token }), 200, 'rewards');
}

/** The demo page; the browser's requests come from Malta (wrangler dev has no geolocation: X-Dev-Country on HTTP requests, DEV_COUNTRY for the socket). */
async function demoPage(): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const violations: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text()); });
  page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
  await page.goto(`${platform.baseUrl}/widget/demo`);
  return { page, violations };
}

/** The demo page with `player` signed in through its own login form, the widget's channel live. */
async function signedInDemoPage(player: { email: string }): Promise<{ page: Page; violations: string[] }> {
  const demo = await demoPage();
  await demo.page.fill('#login-email', player.email);
  await demo.page.fill('#login-password', PASSWORD);
  await demo.page.click('#login-form button[type=submit]');
  await demo.page.waitForSelector('casino-rewards[status="live"]');
  return demo;
}

const widgetXp = async (page: Page) => Number(await page.getAttribute('casino-rewards', 'data-xp'));

beforeAll(async () => {
  // Malta for every request, the widget's WebSocket handshake included (it can carry no X-Dev-Country).
  platform = await startPlatform({ sso: false, devCountry: 'MT' });
  opsToken = (await bootstrapAdmin(platform)).token;
  browser = await launchBrowser();
  await browser.context.setExtraHTTPHeaders({ 'X-Dev-Country': 'MT' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('the rewards widget in Chromium', () => {
  it('serves the element to any site and the demo page under the strict CSP', async () => {
    expect(widgetBundleIsFresh(), 'worker/widget/client.gen.ts is stale: run node worker/widget/build-client.mjs').toBe(true);
    const js = await fetch(`${platform.baseUrl}/widget/rewards.js`, { headers: { Origin: 'https://operator.example' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('access-control-allow-origin')).toBe('*');
    expect(js.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await js.text()).toContain("customElements.define('casino-rewards'");
    const page = await fetch(`${platform.baseUrl}/widget/demo`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.text()).not.toMatch(/<script>|<style>| style="/);
  });

  it('shows the XP of a settled table bet and the explorer mission step as they happen', async () => {
    const player = await fundedPlayer(100_000);
    const { page, violations } = await signedInDemoPage(player);

    // The snapshot is drawn: what GET /v1/players/me/rewards says, level and the next one.
    const before = await rewardsOf(player.token);
    expect(await widgetXp(page)).toBe(before.xp);
    await expect.poll(() => page.locator('casino-rewards .xp-label').textContent()).toBe(`${before.xp} / ${before.next_level.min_xp} XP to ${before.next_level.name}`);
    await expect.poll(() => page.locator('casino-rewards .mission-step').first().textContent()).toBe('Bet on the banker 3 times: 0/3');

    // The operator's restyle reaches inside the shadow root (custom property), and no CSP violation happened.
    const bg = await page.evaluate<string>("getComputedStyle(document.querySelector('casino-rewards').shadowRoot.querySelector('.root')).backgroundColor");
    expect(bg).toBe('rgb(16, 35, 61)');
    expect(await page.locator('casino-rewards .break').isHidden()).toBe(true);

    // A bet at roulette-1: +5 XP (first hand at a new game) when placed, +10 XP when settled.
    await rouletteRound(player.token);
    await page.locator('casino-rewards .toast', { hasText: '+10 XP' }).waitFor();
    await expect.poll(() => widgetXp(page), { timeout: STEP_MS }).toBe(before.xp + 15);
    await expect.poll(() => page.locator('casino-rewards .xp-label').textContent()).toBe(`${before.xp + 15} / ${before.next_level.min_xp} XP to ${before.next_level.name}`);
    expect((await rewardsOf(player.token)).xp).toBe(before.xp + 15);

    // A banker bet at baccarat-1: the explorer mission's first step moves on the screen.
    await bet('baccarat-1', await openRound('baccarat-1'), player.token, 'banker');
    await page.locator('casino-rewards .toast', { hasText: 'Table explorer: 1/3' }).waitFor();
    await expect.poll(() => page.locator('casino-rewards .mission-step').first().textContent()).toBe('Bet on the banker 3 times: 1/3');
    expect((await rewardsOf(player.token)).missions[0]).toMatchObject({ mission_id: 'baccarat-explorer', progress: 1, target: 3 });
    await page.screenshot({ path: artifactPath('widget-player.png'), fullPage: true });
    expect(violations).toEqual([]);
    await page.close();
  });

  it("shows a wheel spin's prize and takes the snapshot with what it delivered", async () => {
    const player = await fundedPlayer(100_000);
    // The login is the day's first: the deployed rule set (config/rewards.json daily-login-spin) grants a spin of the daily wheel.
    const { page, violations } = await signedInDemoPage(player);
    const before = await rewardsOf(player.token);
    const shown = before.spins.find((s: Json) => s.wheel_id === 'daily');
    expect(shown, JSON.stringify(before.spins)).toBeTruthy();
    expect(await widgetXp(page)).toBe(before.xp);

    const spun = await ok(api('POST', `/v1/players/me/rewards/spins/${encodeURIComponent(shown.spin_id)}`, { token: player.token }), 201, 'spin');
    const reward: Json | null = shown.wheel.prizes.find((p: Json) => p.id === spun.spin.prize_id).reward;
    const expected = !spun.spin.delivered ? /^Wheel: no prize this time$/
      : reward?.type === 'xp' ? new RegExp(`^Wheel: \\+${reward.amount} XP$`)
      : reward?.type === 'points' ? new RegExp(`^Wheel: \\+${reward.amount} points$`)
      : reward?.type === 'free_bet' ? /^Wheel: Free bet €1\.00$/
      : /^Wheel: Cashback /;
    const toast = page.locator('casino-rewards .toast[data-kind="wheel"]');
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(expected);

    // The fresh snapshot the widget asked for carries what the prize delivered (XP, points).
    const after = await rewardsOf(player.token);
    expect(after.xp - before.xp).toBe(spun.spin.delivered && reward?.type === 'xp' ? reward.amount : 0);
    expect(after.points_balance - before.points_balance).toBe(spun.spin.delivered && reward?.type === 'points' ? reward.amount : 0);
    expect(after.spins).toEqual([]);
    await expect.poll(() => widgetXp(page), { timeout: STEP_MS }).toBe(after.xp);
    await expect.poll(() => page.locator('casino-rewards .points').textContent(), { timeout: STEP_MS }).toBe(`${after.points_balance} points`);
    await page.screenshot({ path: artifactPath('widget-wheel.png'), fullPage: true });
    expect(violations).toEqual([]);
    await page.close();
  });

  it('shows a player at risk (a deposit limit just hit) the break message and no grant', async () => {
    const player = await fundedPlayer(100_000);
    await ok(api('PUT', '/v1/limits/deposit', { token: player.token, body: { period: 'day', currency: 'EUR', amount_minor: 10_000 } }), 200, 'deposit limit');
    const refused = await api('POST', '/v1/wallet/deposits', { token: player.token, body: { amount_minor: 5_000, currency: 'EUR' }, headers: { 'Idempotency-Key': randomUUID() } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('limit_exceeded');

    // This time the token is pasted (an operator's page hands it over the same way).
    const { page, violations } = await demoPage();
    await page.fill('#token', player.token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('casino-rewards[status="live"]');
    const before = await rewardsOf(player.token);
    expect(await widgetXp(page)).toBe(before.xp);

    await rouletteRound(player.token);
    const brk = page.locator('casino-rewards .break');
    await brk.waitFor({ state: 'visible' });
    expect(await page.locator('casino-rewards .break-text').textContent()).toContain('break');
    expect(await page.getAttribute('casino-rewards', 'at-risk')).toBe('');
    // Nothing promotional: the grants were suppressed, so no toast and the XP did not move.
    await page.waitForTimeout(1_000);
    expect(await page.locator('casino-rewards .toast').count()).toBe(0);
    expect(await widgetXp(page)).toBe(before.xp);
    expect((await rewardsOf(player.token)).xp).toBe(before.xp);
    await page.screenshot({ path: artifactPath('widget-at-risk.png'), fullPage: true });

    // Dismissing hides it until the next one.
    await page.click('casino-rewards .break-dismiss');
    expect(await brk.isHidden()).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('reconnects after the socket drops and takes the fresh snapshot with what was granted meanwhile', async () => {
    const player = await fundedPlayer(100_000);
    const page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_MS);
    // The network, as the page sees it: every socket the widget opens is kept (to drop it), and while
    // "offline" a new one goes to a path with no socket (refused, as with no network). Chromium's
    // offline emulation does not touch open sockets, hence this.
    await page.addInitScript({ content: `
      const Real = WebSocket;
      window.__sockets = [];
      window.__offline = false;
      window.WebSocket = class extends Real {
        constructor(url, protocols) {
          super(window.__offline ? String(url).replace('/ws', '/ws-offline') : url, protocols);
          window.__sockets.push(this);
        }
      };
    ` });
    await page.goto(`${platform.baseUrl}/widget/demo`);
    await page.fill('#token', player.token);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('casino-rewards[status="live"]');
    const before = await widgetXp(page);

    // The connection drops (not a close the channel asks for: those are 4000 and 4001).
    await page.evaluate("window.__offline = true; window.__sockets[0].close(4999, 'network gone')");
    await page.waitForSelector('casino-rewards[status="reconnecting"]');
    await rouletteRound(player.token); // granted while the widget is away: no message can reach it
    expect(await widgetXp(page)).toBe(before);
    // at least one attempt refused, and retried with backoff
    await expect.poll(() => page.evaluate<number>('window.__sockets.length'), { timeout: STEP_MS }).toBeGreaterThanOrEqual(3);
    expect(await page.getAttribute('casino-rewards', 'status')).toBe('reconnecting');
    await page.evaluate('window.__offline = false');
    await page.waitForSelector('casino-rewards[status="live"]', { timeout: 45_000 });
    // The fresh snapshot has it: XP placed + settled, and no toast (the widget learnt it from the snapshot, not a grant).
    await expect.poll(() => widgetXp(page), { timeout: STEP_MS }).toBe(before + 15);
    expect((await rewardsOf(player.token)).xp).toBe(before + 15);
    const attempts = await page.evaluate<number>('window.__sockets.length');
    expect(attempts).toBeGreaterThanOrEqual(3); // the first, at least one refused while away, the one that got back
    await page.close();
  });
});
