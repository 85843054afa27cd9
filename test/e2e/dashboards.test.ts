/**
 * The executive dashboards in a real Chromium, end to end on simulated data: the simulator's events
 * -> `wh sync` -> prod's models -> `npm run dashboards:build` (wh snapshot, evidence sources,
 * evidence build, all offline) -> the static site served on loopback -> every page opened.
 *
 * Each page must: load with no console error, no failed request and no Evidence error box (the red
 * boxes a failed query or a bad component prop renders); draw its charts; show data (an empty
 * table's "No Results" fails it); and show a headline number equal to the mart it reads, computed
 * here with DuckDB from the same snapshot. The overview's brand filter is changed too, so the
 * queries that run in the page itself (duckdb-wasm over the patched Parquet loading) are checked,
 * not only the prerendered HTML. Screenshots go to test/e2e/artifacts/dashboards/.
 *
 * Its 2-table fast history has no blackjack (fast mode plays it at tables 5-7), so the test adds
 * known blackjack rounds (./blackjack-rounds.ts, the simulator's round player) for the blackjack pages.
 * It runs the rewards engine (simulator/fast-rewards.ts), which the rewards page reads.
 *
 * DASHBOARDS_E2E_WAREHOUSE=<dir> builds from an existing warehouse (skips simulate/sync/plan; the
 * blackjack pages' test then needs blackjack in it);
 * DASHBOARDS_E2E_SKIP_BUILD=1 also reuses dashboards/build and WAREHOUSE_DIR's snapshot as they are
 * (for working on the test itself). Otherwise the build replaces dashboards/build.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBlackjackBatch } from './blackjack-rounds';
import { launchBrowser } from './harness.mjs';
// @ts-expect-error plain JavaScript (scripts/dashboards-serve.mjs), untyped
import { startDashboardsServer } from '../../scripts/dashboards-serve.mjs';

const repo = resolve(import.meta.dirname, '..', '..');
const artifacts = join(repo, 'test', 'e2e', 'artifacts', 'dashboards');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => { tail = (tail + b.toString()).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${tail}`))));
  });
}

const eur = (v: number) => `${v < 0 ? '-' : ''}€${Math.abs(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const count = (v: number) => v.toLocaleString('en-US');

describe('executive dashboards in Chromium', () => {
  let temp: string;
  let whDir: string;
  let server: { url: string; stop(): Promise<void> };
  let browser: { context: BrowserContext; close(): Promise<void> };
  let snapshot: { instance: DuckDBInstance; con: DuckDBConnection };
  const one = async (sql: string) => {
    const r = await snapshot.con.runAndReadAll(sql);
    return r.getRowObjectsJson()[0] as Record<string, string | number | null>;
  };

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'e2e-dashboards-'));
    whDir = process.env.DASHBOARDS_E2E_WAREHOUSE ?? process.env.WAREHOUSE_DIR ?? join(temp, 'wh');
    if (!process.env.DASHBOARDS_E2E_SKIP_BUILD) {
      if (!process.env.DASHBOARDS_E2E_WAREHOUSE) {
        whDir = join(temp, 'wh');
        const events = join(temp, 'events');
        await run(tsx, ['simulator/cli.ts', '--fast', '--players', '150', '--days', '60', '--now', '2026-12-01T00:00:00Z', '--out-dir', events]);
        // A 2-table history has no blackjack (fast mode plays it at tables 5-7): 40 known rounds a day at the
        // catalog's two blackjack tables on three days of the last week, played by the simulator's round player
        // for four of the simulated players, so the pages have a week with blackjack and periods without.
        await writeBlackjackBatch({ eventsDir: events, days: ['2026-11-27', '2026-11-28', '2026-11-29'], rounds: 40 });
        await run(tsx, ['warehouse/cli.ts', 'sync', '--source', `dir:${events}`], { WAREHOUSE_DIR: whDir });
        await run(tsx, ['warehouse/cli.ts', 'plan', '--auto-apply'], { WAREHOUSE_DIR: whDir });
      }
      await run(process.execPath, ['scripts/dashboards-build.mjs'], { WAREHOUSE_DIR: whDir });
    }
    const file = join(whDir, 'dashboards.duckdb');
    expect(existsSync(file), `the snapshot ${file}`).toBe(true);
    const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
    snapshot = { instance, con: await instance.connect() };
    server = await startDashboardsServer({ dir: join(repo, 'dashboards', 'build') });
    browser = await launchBrowser();
    mkdirSync(artifacts, { recursive: true });
  }, 1_800_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    snapshot?.con.closeSync();
    snapshot?.instance.closeSync();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  /** The last 30 days of the snapshot, as the pages' default period ("Last 30 days") counts them. */
  const last30 = "activity_date between (select max(activity_date) - 29 from marts.fct_ggr_daily) and (select max(activity_date) from marts.fct_ggr_daily)";

  /**
   * Opens a page and fails on anything an executive would see go wrong; returns the page and the
   * headline's text once the page's own queries have answered.
   */
  async function open(path: string, opts: { charts: number; name: string }): Promise<{ page: Page; headline: string; problems: string[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Evidence's layout reads each prerendered query result with apache-arrow's tableFromIPC(response),
    // which stops reading the body once it has the table: Chromium reports that request as
    // net::ERR_ABORTED although the server answered 200 and the data arrived. Only that case is
    // let through; any other failure, and an abort without a 200 response, is a problem.
    const failed: Promise<void>[] = [];
    page.on('requestfailed', (r) => failed.push((async () => {
      const status = (await r.response().catch(() => null))?.status();
      if (r.failure()?.errorText === 'net::ERR_ABORTED' && status === 200 && /\/api\/prerendered_queries\/[0-9a-f]+\.arrow$/.test(r.url())) return;
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText} (status ${status ?? 'none'})`);
    })()));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
    // Charts are ECharts instances; each draws into a canvas once it has data.
    // (runs in the page: `document` is the page's)
    await page.waitForFunction((n) => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[_echarts_instance_] canvas, [_echarts_instance_] svg').length >= n, opts.charts, { timeout: 60_000 });
    const headline = page.getByTestId('headline');
    let text = '';
    if (await headline.count()) {
      // Values show a placeholder while their query runs in the page.
      await expect.poll(async () => (text = (await headline.innerText()).trim()), { timeout: 60_000 }).toMatch(/\d/);
    }
    await page.waitForTimeout(500);
    await Promise.all(failed);
    const errorBoxes = await page.locator('[class*="bg-negative/10"]').allInnerTexts();
    for (const box of errorBoxes) problems.push(`Evidence error box: ${box.replace(/\s+/g, ' ').slice(0, 300)}`);
    if (await page.locator('.noresults.shownoresults').count()) problems.push('a table shows "No Results"');
    await page.screenshot({ path: join(artifacts, `${opts.name}.png`), fullPage: true });
    return { page, headline: text, problems };
  }

  it('overview: GGR, NGR, deposits, withdrawals, active players, FTDs against the previous period; the brand filter re-queries in the page', async () => {
    const { page, headline, problems } = await open('/', { charts: 1, name: 'overview' });
    expect(problems).toEqual([]);
    const { ggr } = await one(`select sum(ggr_eur)::double as ggr from marts.fct_ggr_daily where ${last30}`);
    expect(Number(ggr)).toBeGreaterThan(0);
    expect(headline).toContain(`GGR ${eur(Number(ggr))}`);
    const { active } = await one(`select count(distinct player_id)::int as active from marts.fct_player_daily where bets > 0 and ${last30}`);
    expect(headline).toContain(`${count(Number(active))} active players`);
    for (const title of ['GGR', 'NGR', 'Deposits', 'Withdrawals paid', 'Active players', 'First-time depositors']) {
      await page.getByText(title, { exact: true }).first().waitFor({ state: 'visible' });
    }
    // One brand: the numbers now come from duckdb-wasm in the page, over the patched Parquet loading.
    const { brand, brand_ggr } = await one(`select brand, sum(ggr_eur)::double as brand_ggr from marts.fct_ggr_daily where ${last30} group by 1 order by 2 desc limit 1`);
    await page.getByRole('combobox', { name: 'Brand' }).click();
    await page.getByRole('option', { name: String(brand), exact: true }).click();
    await expect.poll(async () => (await page.getByTestId('headline').innerText()), { timeout: 60_000 }).toContain(`GGR ${eur(Number(brand_ggr))}`);
    await page.keyboard.press('Escape');
    await page.screenshot({ path: join(artifacts, 'overview-brand.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('revenue: GGR by game, provider, table and jurisdiction; duty owed', async () => {
    const { page, headline, problems } = await open('/revenue', { charts: 2, name: 'revenue' });
    expect(problems).toEqual([]);
    const { ggr } = await one(`select sum(ggr_eur)::double as ggr from marts.fct_ggr_daily where ${last30}`);
    expect(headline).toContain(eur(Number(ggr)));
    await page.close();
  });

  it('players: lifecycle, cohorts and retention, LTV, the funnel', async () => {
    const { page, headline, problems } = await open('/players', { charts: 4, name: 'players' });
    expect(problems).toEqual([]);
    const { players, depositors } = await one('select count(*)::int as players, count(first_deposit_at)::int as depositors from marts.dim_players');
    expect(headline).toContain(`${count(Number(players))} registered players, ${count(Number(depositors))} of them depositors`);
    await page.close();
  });

  it('live tables: rounds, handle, observed RTP against its band', async () => {
    const { page, headline, problems } = await open('/live-tables', { charts: 2, name: 'live-tables' });
    expect(problems).toEqual([]);
    const { handle } = await one(`select sum(handle_eur)::double as handle from marts.fct_table_performance where ${last30}`);
    expect(Number(handle)).toBeGreaterThan(0);
    expect(headline).toContain(eur(Number(handle)));
    await page.close();
  });

  it('blackjack: hands, rates, RTP per stake component against the theoretical one; each table\'s page from the list', async () => {
    const { hands, rounds, handle } = await one(`select sum(hands)::int as hands, sum(rounds)::int as rounds, sum(handle_eur)::double as handle
      from marts.fct_blackjack_hands_daily where ${last30}`);
    expect(Number(hands), 'blackjack hands in the warehouse (DASHBOARDS_E2E_WAREHOUSE needs blackjack: ./blackjack-rounds.ts)').toBeGreaterThan(0);
    const { page, headline, problems } = await open('/blackjack', { charts: 2, name: 'blackjack' });
    expect(problems).toEqual([]);
    expect(headline).toContain(`${count(Number(hands))} blackjack hands in the period over ${count(Number(rounds))} rounds; handle ${eur(Number(handle))}`);
    // the main game against the catalog's RTP of the rules (seeds.games: 99.4 % at blackjack-1), the
    // side bets against their pay tables' at 8 decks (innerText: what is shown, not hidden copies)
    const shown = await page.locator('body').innerText();
    for (const text of ['main game (per initial bet)', 'perfect_pairs', 'twenty_one_plus_three', 'hot_3', '99.4%', '95.9%', '96.3%', '94.6%']) expect(shown).toContain(text);
    // One table: re-queried in the page (duckdb-wasm)
    const { table_hands } = await one(`select sum(hands)::int as table_hands from marts.fct_blackjack_hands_daily where table_id = 'infinite-blackjack-1' and ${last30}`);
    await page.getByRole('combobox', { name: 'Table' }).click();
    await page.getByRole('option', { name: 'infinite-blackjack-1', exact: true }).click();
    await expect.poll(async () => (await page.getByTestId('headline').innerText()), { timeout: 60_000 }).toContain(`${count(Number(table_hands))} blackjack hands in the period`);
    await page.keyboard.press('Escape');
    // A period without blackjack: the tables and charts say so (no error box, no "No Results")
    const { previous_month } = await one(`select count(*)::int as previous_month from marts.fct_blackjack_hands_daily, (select max(activity_date) as as_of from marts.fct_ggr_daily) a
      where activity_date between (date_trunc('month', as_of) - interval 1 month)::date and (date_trunc('month', as_of) - interval 1 day)::date`);
    if (Number(previous_month) === 0) {
      await page.getByRole('combobox', { name: 'Period' }).click();
      await page.getByRole('option', { name: 'Previous month', exact: true }).click();
      await page.keyboard.press('Escape');
      await expect.poll(async () => page.getByText('No blackjack hands in the period').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(4);
      expect(await page.locator('[class*="bg-negative/10"]').count()).toBe(0);
      expect(await page.locator('.noresults.shownoresults').count()).toBe(0);
      await page.screenshot({ path: join(artifacts, 'blackjack-empty-period.png'), fullPage: true });
    }
    expect(problems).toEqual([]);
    await page.close();
    const { table_id, hands: tableHands, rounds: tableRounds } = await one('select table_id, sum(hands)::int as hands, sum(rounds)::int as rounds from marts.fct_blackjack_hands_daily group by 1 order by 2 desc, 1 limit 1');
    const t = await open(`/blackjack/${table_id}`, { charts: 1, name: 'blackjack-table' });
    expect(t.problems).toEqual([]);
    expect(t.headline).toContain(`All-time blackjack hands at ${table_id}: ${count(Number(tableHands))} over ${count(Number(tableRounds))} rounds`);
    await t.page.close();
  });

  it('responsible gaming and AML: risk distribution, signals, alerts and decisions', async () => {
    const { page, headline, problems } = await open('/compliance', { charts: 4, name: 'compliance' });
    expect(problems).toEqual([]);
    const { scored } = await one(`select count(distinct player_id)::int as scored from marts.rg_risk where ${last30}`);
    const { alerts } = await one(`select count(*)::int as alerts from marts.aml_alerts where alert_date between (select max(activity_date) - 29 from marts.fct_ggr_daily) and (select max(activity_date) from marts.fct_ggr_daily)`);
    expect(Number(alerts)).toBeGreaterThan(0);
    expect(headline).toContain(`${count(Number(scored))} players scored, ${count(Number(alerts))} AML alerts`);
    await page.close();
  });

  it('rewards: missions and dead ones, the funnel, A/B variants against the holdout, rewards withheld, break messages', async () => {
    const { page, headline, problems } = await open('/rewards', { charts: 2, name: 'rewards' });
    expect(problems).toEqual([]);
    const { missions, dead } = await one(`select count(*)::int as missions, (count(*) filter (where is_dead))::int as dead from marts.fct_reward_missions where currency = '(all)'`);
    const { suppressions } = await one(`select coalesce(sum(suppressions), 0)::int as suppressions from marts.fct_reward_suppressions_daily where ${last30}`);
    const { breaks } = await one(`select coalesce(sum(break_messages), 0)::int as breaks from marts.fct_reward_rg_breaks_daily where ${last30}`);
    // fast mode runs the rewards engine (simulator/fast-rewards.ts): the simulated players earned and were refused rewards
    expect(Number(missions)).toBeGreaterThan(0);
    expect(Number(suppressions)).toBeGreaterThan(0);
    expect(headline).toContain(`Missions live: ${count(Number(missions))} (${count(Number(dead))} dead); ${count(Number(suppressions))} rewards withheld in the period, ${count(Number(breaks))} break messages`);
    // every A/B arm of the mart is on the page, and every step of the funnel
    const arms = (await snapshot.con.runAndReadAll("select rule_id || ' / ' || variant as arm from marts.fct_reward_ab_uplift")).getRowObjectsJson() as { arm: string }[];
    expect(arms.length).toBeGreaterThan(0);
    for (const { arm } of arms) await expect.poll(() => page.getByText(arm, { exact: true }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const steps = (await snapshot.con.runAndReadAll('select step_name from marts.fct_reward_mission_funnel')).getRowObjectsJson() as { step_name: string }[];
    for (const { step_name } of steps) await expect.poll(() => page.getByText(step_name).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.close();
  });

  it('operations: operator decisions and time to decide', async () => {
    const { page, headline, problems } = await open('/operations', { charts: 2, name: 'operations' });
    expect(problems).toEqual([]);
    const { actions } = await one(`select sum(actions)::int as actions from marts.fct_operator_interventions where ${last30}`);
    expect(Number(actions)).toBeGreaterThan(0);
    expect(headline).toContain(`${count(Number(actions))} operator actions`);
    await page.close();
  });

  it('drill-downs: the top game, the top jurisdiction, the largest segment, each from its list page', async () => {
    const { game_id, ggr: gameGgr } = await one('select game_id, sum(ggr_eur)::double as ggr from marts.fct_ggr_daily group by 1 order by 2 desc limit 1');
    const { jurisdiction, ggr: jGgr } = await one('select jurisdiction, sum(ggr_eur)::double as ggr from marts.fct_ggr_daily group by 1 order by 2 desc limit 1');
    const { lifecycle, players } = await one('select lifecycle, count(*)::int as players from marts.player_segments group by 1 order by 2 desc, 1 limit 1');
    for (const [list, name] of [['/games', 'games'], ['/jurisdictions', 'jurisdictions'], ['/segments', 'segments']] as const) {
      const { page, problems } = await open(list, { charts: 0, name });
      expect(problems).toEqual([]);
      await page.close();
    }
    const game = await open(`/games/${game_id}`, { charts: 1, name: 'game' });
    expect(game.problems).toEqual([]);
    expect(game.headline).toContain(eur(Number(gameGgr)));
    await game.page.close();
    const j = await open(`/jurisdictions/${jurisdiction}`, { charts: 1, name: 'jurisdiction' });
    expect(j.problems).toEqual([]);
    expect(j.headline).toContain(eur(Number(jGgr)));
    await j.page.close();
    const s = await open(`/segments/${lifecycle}`, { charts: 1, name: 'segment' });
    expect(s.problems).toEqual([]);
    expect(s.headline).toContain(`${count(Number(players))} players in ${lifecycle}`);
    await s.page.close();
  });

  it('about: when the snapshot was taken', async () => {
    const { page, problems } = await open('/about', { charts: 0, name: 'about' });
    expect(problems).toEqual([]);
    const { relations } = await one('select count(*)::int as relations from snapshot.info');
    await page.getByText(`${relations} tables`).first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.close();
  });
});
