/**
 * Free bets in the warehouse, end to end from raw events (docs/rewards.md "Cash-like rewards",
 * docs/models.md "Definitions"): a player deposits, stakes 10.00 of their own on roulette (returned
 * 20.00), and plays three free bets of the operator's money: one won (5.00 on a straight, 180.00
 * returned: the wallet pays 175.00, the return without the stake, on a hold of 0), one lost (3.00)
 * and one voided (not played: the token given back). The events are shaped as the edge emits them
 * (durable/player/wallet.ts, durable/table/bets.ts) and validated against domain/events.ts.
 * `wh plan --auto-apply` builds prod with every blocking audit, and the marts are read back:
 *   - GGR, turnover, bets and active players are the player's own money (player stakes minus
 *     player wins, as regulators define GGR): 10.00 staked, GGR -10.00;
 *   - what the free bets paid (175.00) is bonus cost, so NGR (-185.00) is what the operator
 *     really lost, and the player's LTV value carries it;
 *   - the wallet, the funds report and the balances see the one real-money credit of 175.00, a
 *     free-bet win (the operator's promotional cost) apart from the game wins on own stakes;
 *   - the marketing bet mix is the player's own (a baccarat player given roulette free bets is not
 *     a roulette lover).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../domain/events';
import { uuidv7 } from '../domain/ids';
import { edgeEvent, scratchWarehouse } from './testing/scratch-warehouse';

const { root, wh, q, loadEvents } = scratchWarehouse('free-bets');

const at = (iso: string) => Date.parse(iso);
const PLAYER = uuidv7(at('2026-11-01T08:00:00Z'));
const ROULETTE = 'roulette-1';
const BACCARAT = 'baccarat-1';

/** An event of this test's player unless the envelope names another (edgeEvent validates it). */
const event = (type: string, occurredAt: number, payload: Record<string, unknown>, envelope: { player?: string | null; table?: string | null; round?: string | null; currency?: string | null } = {}): CasinoEvent =>
  edgeEvent(type, occurredAt, payload, { ...envelope, player: envelope.player === undefined ? PLAYER : envelope.player });

/** A free-bet token granted (reward-offers.ts: a grant row, paid = 0, and a token). */
function grant(grantId: string, t: number, value: number): CasinoEvent {
  return event('rewards.granted', t, {
    grant_id: grantId, rule_id: 'welcome-free-bet', rule_version: 1, variant: null, source_event_id: 'dep-1', via: null, kind: 'free_bet', amount: null, badge_id: null,
    mission_id: null, step_index: null, progress: null, target: null, wheel_id: null, value_minor: value, expires_at: t + 86_400_000, template: null, cost_minor: value,
    cash_like: true, paid: false,
  });
}

/**
 * One table bet from placement to settlement as the edge emits it: the hold (0 of the player's money
 * for a free bet), the bet placed, the hold posted (or voided), the bet settled, the win credited.
 */
function tableBet(o: { table: string; game: 'roulette' | 'baccarat'; round: string; bet: string; t: number; amount: number; spot: string; freeBet?: string; returned: number; result: 'win' | 'lose' | 'void'; balanceAfter: number }): CasinoEvent[] {
  const hold = `table:${o.table}:${o.bet}`;
  const onTable = { table: o.table, round: o.round };
  const held = o.freeBet ? 0 : o.amount;
  const fb = o.freeBet ? { free_bet_id: o.freeBet } : {};
  const bet = { bet_id: o.bet, game: o.game, game_id: `live-${o.table}`, spot: o.spot, bet_type: o.spot, amount_minor: o.amount };
  const out = [
    event('wallet.hold.reserved', o.t, { hold_id: hold, kind: 'bet', amount_minor: held, real_minor: held, bonus_minor: 0, expires_at: o.t + 86_400_000, ref: o.bet, ...fb }, onTable),
    event('table.bet.placed', o.t + 1, { ...bet, hold_id: hold, ...fb }, onTable),
  ];
  if (o.result === 'void') {
    out.push(event('wallet.hold.voided', o.t + 60_000, { hold_id: hold, kind: 'bet', amount_minor: held }, onTable));
    out.push(event('table.bet.settled', o.t + 60_001, { ...bet, returned_minor: o.amount, result: 'void', ...fb }, onTable));
    return out;
  }
  const paid = o.freeBet ? Math.max(o.returned - o.amount, 0) : o.returned;
  out.push(event('wallet.hold.posted', o.t + 60_000, { hold_id: hold, kind: 'bet', amount_minor: held, released_minor: 0, balance_after_minor: o.balanceAfter - paid }, onTable));
  out.push(event('table.bet.settled', o.t + 60_001, { ...bet, returned_minor: o.returned, result: o.result, ...fb }, onTable));
  if (paid > 0) out.push(event('wallet.win.credited', o.t + 60_002, { win_id: hold, hold_id: hold, bucket: 'real', amount_minor: paid, balance_after_minor: o.balanceAfter, ...fb }, onTable));
  return out;
}

beforeAll(async () => {
  const events: CasinoEvent[] = [
    event('player.registered', at('2026-11-01T08:00:00Z'), { brand: 'aurora', country: 'MT', birth_year: 1990, acquisition_source: null, config_version: 'test' }, { currency: null }),
    event('wallet.deposit.requested', at('2026-11-02T09:00:00Z'), { deposit_id: 'dep-1', provider: 'sandbox', amount_minor: 10_000, payment_reference: null }),
    event('wallet.deposit.completed', at('2026-11-02T09:00:02Z'), { deposit_id: 'dep-1', provider: 'sandbox', amount_minor: 10_000, balance_after_minor: 10_000, payment_reference: null }),
    grant('fb-won', at('2026-11-02T09:00:03Z'), 500),
    grant('fb-lost', at('2026-11-02T09:00:04Z'), 300),
    grant('fb-void', at('2026-11-02T09:00:05Z'), 400),
    // the player's own money: 10.00 on baccarat player, returned 20.00
    ...tableBet({ table: BACCARAT, game: 'baccarat', round: 'r1', bet: 'b1', t: at('2026-11-02T10:00:00Z'), amount: 1_000, spot: 'player', returned: 2_000, result: 'win', balanceAfter: 11_000 }),
    // free bets on roulette: won (5.00 straight up, 180.00 returned: 175.00 paid), lost, voided
    ...tableBet({ table: ROULETTE, game: 'roulette', round: 'r2', bet: 'fb1', t: at('2026-11-02T11:00:00Z'), amount: 500, spot: 'straight', freeBet: 'fb-won', returned: 18_000, result: 'win', balanceAfter: 28_500 }),
    ...tableBet({ table: ROULETTE, game: 'roulette', round: 'r3', bet: 'fb2', t: at('2026-11-02T12:00:00Z'), amount: 300, spot: 'red', freeBet: 'fb-lost', returned: 0, result: 'lose', balanceAfter: 28_500 }),
    ...tableBet({ table: ROULETTE, game: 'roulette', round: 'r4', bet: 'fb3', t: at('2026-11-02T13:00:00Z'), amount: 400, spot: 'red', freeBet: 'fb-void', returned: 400, result: 'void', balanceAfter: 28_500 }),
  ];
  await loadEvents(events, 'free-bets-test');
}, 20 * 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('free bets in the warehouse', () => {
  it('are counted once each, as free bets: no stake or win of the player\'s, the token\'s value and what the wallet paid', async () => {
    expect(await q(`select activity_kind, activity_id, is_bet::int as is_bet, stake_minor::int as stake, win_minor::int as win,
        free_bet_stake_minor::int as fb_stake, free_bet_win_minor::int as fb_win
      from intermediate.int_gaming_activity order by occurred_at`)).toEqual([
      { activity_kind: 'bet', activity_id: 'b1', is_bet: 1, stake: 1_000, win: 2_000, fb_stake: 0, fb_win: 0 },
      { activity_kind: 'free_bet', activity_id: 'fb1', is_bet: 0, stake: 0, win: 0, fb_stake: 500, fb_win: 17_500 },
      { activity_kind: 'free_bet', activity_id: 'fb2', is_bet: 0, stake: 0, win: 0, fb_stake: 300, fb_win: 0 },
    ]);
  });

  it('leave GGR to the player\'s money and put what they paid in bonus cost: NGR is what the operator lost', async () => {
    expect(await q(`select sum(stakes_minor)::int as stakes, sum(wins_minor)::int as wins, sum(ggr_minor)::int as ggr, sum(bonus_cost_minor)::int as bonus,
        sum(ngr_minor)::int as ngr, sum(bets)::int as bets, sum(free_bets)::int as free_bets, sum(free_bet_stakes_minor)::int as fb_stakes,
        sum(free_bet_wins_minor)::int as fb_wins from marts.fct_ggr_daily`)).toEqual([
      { stakes: 1_000, wins: 2_000, ggr: -1_000, bonus: 17_500, ngr: -18_500, bets: 1, free_bets: 2, fb_stakes: 800, fb_wins: 17_500 },
    ]);
    expect(await q(`select sum(stakes_minor)::int as stakes, sum(ggr_minor)::int as ggr, sum(bonus_cost_minor)::int as bonus, sum(free_bet_wins_minor)::int as fb_wins,
        sum(ngr_minor)::int as ngr from marts.rpt_gaming_revenue_monthly`)).toEqual([{ stakes: 1_000, ggr: -1_000, bonus: 17_500, fb_wins: 17_500, ngr: -18_500 }]);
    expect(await q(`select bets::int as bets, stakes_minor::int as stakes, bonus_cost_minor::int as bonus, free_bet_wins_minor::int as fb_wins,
        ngr_minor::int as ngr, active_players::int as active from marts.rpt_operations_daily where report_date = DATE '2026-11-02'`)).toEqual([
      { bets: 1, stakes: 1_000, bonus: 17_500, fb_wins: 17_500, ngr: -18_500, active: 1 },
    ]);
    expect(await q(`select ggr_eur::double as ggr, bonus_cost_eur::double as bonus, ngr_eur::double as ngr from marts.rpt_management_monthly
      where report_month = DATE '2026-11-01' and brand = '(all)' and jurisdiction = '(all)'`)).toEqual([{ ggr: -10, bonus: 175, ngr: -185 }]);
  });

  it('keep the player\'s turnover their own and their value net of what the free bets paid', async () => {
    expect(await q(`select bets::int as bets, stakes_minor::int as stakes, ggr_minor::int as ggr, free_bets::int as free_bets,
        free_bet_wins_minor::int as fb_wins from marts.fct_player_daily where player_id = '${PLAYER}' and activity_date = DATE '2026-11-02'`)).toEqual([
      { bets: 1, stakes: 1_000, ggr: -1_000, free_bets: 2, fb_wins: 17_500 },
    ]);
    expect(await q(`select ngr_minor::int as ngr, ggr_minor::int as ggr, bonus_cost_minor::int as bonus from marts.player_ltv where player_id = '${PLAYER}'`))
      .toEqual([{ ngr: -18_500, ggr: -1_000, bonus: 17_500 }]);
    // responsible gambling reads the player's own money too (docs/models.md "marts.rg_risk"): 10.00
    // staked, and the net loss counts what the wallet paid, the free bet's 175.00 included
    expect(await q(`select stakes_minor::int as stakes, net_loss_minor::int as net_loss from marts.rg_risk
      where player_id = '${PLAYER}' and activity_date = DATE '2026-11-02'`)).toEqual([{ stakes: 1_000, net_loss: -18_500 }]);
    // a baccarat player given roulette free bets: neither a roulette lover nor a banker bettor
    expect(await q(`select roulette_share::double as roulette, banker_share::double as banker, roulette_lover from marts.player_segments
      where player_id = '${PLAYER}'`)).toEqual([{ roulette: 0, banker: 0, roulette_lover: false }]);
  });

  it('measure the tables on the players\' own stakes: the free bets\' roulette table has no handle', async () => {
    expect(await q(`select table_id, bets::int as bets, free_bets::int as free_bets, handle_eur::double as handle, payouts_eur::double as payouts
      from marts.fct_table_performance order by table_id`)).toEqual([
      { table_id: BACCARAT, bets: 1, free_bets: 0, handle: 10, payouts: 20 },
      { table_id: ROULETTE, bets: 0, free_bets: 2, handle: 0, payouts: 0 },
    ]);
  });

  it('reach the wallet as one real-money credit of 175.00 on a hold of 0, a free-bet win apart from game wins; the balances and the funds report reconcile', async () => {
    expect(await q(`select movement, ref, amount_minor::int as amount, running_balance_minor::int as running
      from intermediate.int_wallet_movements where player_id = '${PLAYER}' and amount_minor <> 0 order by movement_seq`)).toEqual([
      { movement: 'deposit', ref: 'dep-1', amount: 10_000, running: 10_000 },
      { movement: 'stake', ref: `table:${BACCARAT}:b1`, amount: -1_000, running: 9_000 },
      { movement: 'win', ref: `table:${BACCARAT}:b1`, amount: 2_000, running: 11_000 },
      { movement: 'free_bet_win', ref: `table:${ROULETTE}:fb1`, amount: 17_500, running: 28_500 },
    ]);
    expect(await q(`select real_minor::int as real, real_last_reported_minor::int as reported from marts.player_balances where player_id = '${PLAYER}'`))
      .toEqual([{ real: 28_500, reported: 28_500 }]);
    expect(await q(`select deposits_minor::int as deposits, stakes_minor::int as stakes, wins_minor::int as wins, free_bet_wins_minor::int as fb_wins,
        rewards_minor::int as rewards, total_minor::int as closing, unreconciled_accounts::int as unreconciled
      from marts.rpt_player_funds_monthly where report_month = DATE '2026-11-01' and jurisdiction = 'MT' and currency = 'EUR'`)).toEqual([
      { deposits: 10_000, stakes: -1_000, wins: 2_000, fb_wins: 17_500, rewards: 0, closing: 28_500, unreconciled: 0 },
    ]);
  });

  it('pass the audits of every model that reads them', async () => {
    const audit = await wh('audit', 'intermediate.int_gaming_activity', 'marts.fct_ggr_daily', 'marts.fct_player_daily', 'marts.rpt_operations_daily',
      'marts.rpt_gaming_revenue_monthly', 'marts.rpt_gaming_duty_monthly', 'marts.rpt_management_monthly', 'intermediate.int_ltv_player_periods', 'marts.player_ltv',
      'marts.player_segments', 'intermediate.int_game_rtp', 'marts.fct_table_performance', 'marts.fct_game_performance', 'staging.stg_wins', 'intermediate.int_wallet_movements',
      'marts.player_balances', 'marts.rpt_player_funds_monthly', 'marts.rg_risk', 'marts.aml_alerts', 'marts.fct_funnel');
    expect(audit.code, `${audit.out}\n${audit.err}`).toBe(0);
  });
});
