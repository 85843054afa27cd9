/**
 * Issue 12's "each segment and alert is non-empty on the simulator's default history", end to end:
 * fast mode writes the default history (FAST_DEFAULTS: 300 players, 120 days, seed `casino`, a
 * fixed end) as batch objects into a temp directory, `wh sync` loads them into a temp warehouse,
 * `wh plan --auto-apply` builds prod, `wh audit` runs every model's audits, and then one assertion
 * per segment value, signal, alert rule, intervention kind and funnel step says which one is empty.
 *
 * Slow: ~3.5M events. Generation is under a minute on an idle core; sync and the full plan take
 * minutes on the shared 2-core machine (measured figures in docs/simulator.md). The history is not
 * cut down because the rare members (reactivated players, structuring, velocity, VIP) need its
 * length and population: a smaller history that still covers everything was not established.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_DEFAULTS } from '../simulator/model';
import { directorySink, writeHistory } from '../simulator/sink';
import type { WhResult } from './testing/wh-cli';
import { scratchWarehouse } from './testing/scratch-warehouse';

/** The end of the history, fixed so every run sees the same data (and the as-of day of the FULL marts is the day before). */
const HISTORY_END = Date.parse('2026-12-01T00:00:00Z');
const SETUP_MS = 40 * 60_000;

const { root, batches, dir, wh, q } = scratchWarehouse('library-coverage');

/** How many rows of `relation` satisfy `where`. */
async function count(relation: string, where: string): Promise<number> {
  return Number((await q<{ n: number }>(`select count(*)::integer as n from ${relation} where ${where}`))[0]!.n);
}

let audit: WhResult;

beforeAll(async () => {
  await writeHistory({ ...FAST_DEFAULTS, tables: 2, seed: 'casino', now: HISTORY_END, sink: directorySink(batches) });
  const sync = await wh('sync', '--source', `dir:${batches}`);
  expect(sync.code, sync.err).toBe(0);
  const plan = await wh('plan', '--auto-apply');
  expect(plan.code, `${plan.out}\n${plan.err}`).toBe(0);
  audit = await wh('audit');
}, SETUP_MS);
// The warehouse and its batches are gigabytes: removing them takes more than the default 10 s on a loaded machine.
afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);

const SEGMENTS = 'marts.player_segments';
const RG = 'marts.rg_risk';
const AML = 'marts.aml_alerts';
const OPS = 'marts.fct_operator_interventions';
const FUNNEL = 'marts.fct_funnel';

/** [what, relation, condition]: each must hold for at least one row. */
const MEMBERS: [string, string, string][] = [
  ...['new', 'active', 'at_risk', 'churned', 'reactivated'].map((v): [string, string, string] => [`player_segments lifecycle ${v}`, SEGMENTS, `lifecycle = '${v}'`]),
  ...['low', 'mid', 'high', 'vip'].map((v): [string, string, string] => [`player_segments value_tier ${v}`, SEGMENTS, `value_tier = '${v}'`]),
  ...['night_owl', 'mobile_player', 'roulette_lover', 'baccarat_banker_bettor'].map((f): [string, string, string] => [`player_segments ${f}`, SEGMENTS, f]),
  ...['rapid_loss', 'loss_chasing', 'long_session', 'night_play', 'limit_hit', 'limit_raise', 'reversed_withdrawal'].map((s): [string, string, string] => [`rg_risk signal ${s}`, RG, s]),
  ...['structuring', 'deposit_withdraw', 'velocity', 'payment_references', 'new_payout_instrument'].map((r): [string, string, string] => [`aml_alerts rule ${r}`, AML, `rule = '${r}'`]),
  ...['adjustments_requested', 'adjustments_approved', 'adjustments_rejected', 'disputes_voided', 'disputes_corrected', 'withdrawals_approved', 'withdrawals_rejected',
    'kyc_verified', 'kyc_rejected', 'locks', 'unlocks', 'vip_changes'].map((k): [string, string, string] => [`fct_operator_interventions ${k}`, OPS, `${k} > 0`]),
  ...['registered', 'kyc_verified', 'first_deposit', 'active', 'redeposit'].map((s): [string, string, string] => [`fct_funnel step ${s}`, FUNNEL, `${s} > 0`]),
  // LTV: a projection above the history somewhere, and a back-test with held-out actuals
  ['player_ltv predicted above historical', 'marts.player_ltv', 'predicted_ltv_eur > historical_ltv_eur'],
  ['player_ltv_backtest a cutoff with held-out actuals', 'marts.player_ltv_backtest', 'actual_ngr_eur is not null'],
  // the regulators' models: every one has rows, and duty is computed where the rate is known
  ['rpt_gaming_revenue_monthly a row with duty', 'marts.rpt_gaming_revenue_monthly', 'duty_owed_minor is not null'],
  ['rpt_gaming_duty_monthly a payable duty', 'marts.rpt_gaming_duty_monthly', 'duty_payable_minor > 0'],
  ['rpt_player_funds_monthly funds held', 'marts.rpt_player_funds_monthly', 'real_minor > 0'],
  ['rpt_player_protection_monthly limits, cool-offs and self-exclusions', 'marts.rpt_player_protection_monthly', 'self_exclusions_started > 0 and cool_offs_started > 0 and limits_set > 0'],
  ['rpt_suspicious_activity an alert', 'marts.rpt_suspicious_activity', 'true'],
  // the management packs: a day with play and deposits compared with a week earlier; retention month on month
  ['rpt_operations_daily play, deposits and a week-ago comparison', 'marts.rpt_operations_daily', 'active_players > 0 and deposits > 0 and ggr_minor_week_ago is not null'],
  ['rpt_management_monthly retention against the previous month', 'marts.rpt_management_monthly', "brand = '(all)' and jurisdiction = '(all)' and retention_rate > 0"],
];

describe('the model library on the simulator\'s default history', () => {
  it('every audit passes', () => {
    expect(audit.code, `${audit.out}\n${audit.err}`).toBe(0);
  });

  it.each(MEMBERS)('%s is non-empty', async (what, relation, where) => {
    expect(await count(relation, where), `${what} is empty (${relation} where ${where})`).toBeGreaterThan(0);
  });

  it('rg_risk: a score with its reasons wherever a signal fired', async () => {
    expect(await count(RG, 'risk_score > 0 and len(reasons) > 0'), 'rg_risk has no scored row').toBeGreaterThan(0);
  });

  // Known gap, asserted so it is not forgotten: the platform has one payment provider (sandbox,
  // worker/payments/providers.ts), so no player can use 3 in a week. When the platform gets more,
  // the simulator should use them and this becomes a MEMBERS line.
  it('aml_alerts payment_providers stays empty while the platform has a single payment provider', async () => {
    expect(await count(AML, "rule = 'payment_providers'"), 'payment_providers fired: move it to MEMBERS').toBe(0);
  });
});
