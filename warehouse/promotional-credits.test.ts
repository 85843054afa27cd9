/**
 * Promotional money in the wallet, end to end from raw events (docs/models.md "Wallet movements"):
 * a player deposits, wins a roulette stake (a table return through the wallet), is paid a cashback (wallet.reward.credited, ledger kind reward) and a tournament prize (a
 * wallet.win.credited without a hold under tournament:<id>:rank:<n>, with the tournament's
 * tournament.prize.paid beside it). `wh sync` loads the batch, `wh plan --auto-apply` builds prod
 * with every blocking audit, and the warehouse is read back: the wallet movements know both credits
 * (reward, prize), their running balance meets every balance the wallet reported, player_balances
 * and the month's funds report balance with them as credits of their own, GGR is the game's alone
 * (stake - table return): neither credit is a gaming win, and the management pack shows them as
 * promotion cost beside NGR.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../domain/events';
import { uuidv7 } from '../domain/ids';
import { edgeEvent, scratchWarehouse } from './testing/scratch-warehouse';

const { root, dir, wh, q, loadEvents } = scratchWarehouse('promotional');

const at = (iso: string) => Date.parse(iso);
const PLAYER = uuidv7(at('2026-11-01T08:00:00Z'));
const TABLE = 'roulette-1';
const HOLD = `table:${TABLE}:b1`;
const GRANT = `bet-settled:${HOLD}:cashback-1:0`;
const PRIZE = 'tournament:t-nov:rank:1';

/** An event of this test's player unless the envelope names another (edgeEvent validates it). */
const event = (type: string, occurredAt: number, payload: Record<string, unknown>, envelope: { player?: string | null; table?: string | null; round?: string | null; currency?: string | null } = {}): CasinoEvent =>
  edgeEvent(type, occurredAt, payload, { ...envelope, player: envelope.player === undefined ? PLAYER : envelope.player });

const bet = { bet_id: 'b1', game: 'roulette', game_id: 'live-roulette-1', spot: 'red', bet_type: 'red', amount_minor: 1_000 };
const onTable = { table: TABLE, round: 'r1' };

beforeAll(async () => {
  const events: CasinoEvent[] = [
    event('player.registered', at('2026-11-01T08:00:00Z'), { brand: 'aurora', country: 'MT', birth_year: 1990, acquisition_source: null, config_version: 'test' }, { currency: null }),
    event('wallet.deposit.requested', at('2026-11-02T09:00:00Z'), { deposit_id: 'dep-1', provider: 'sandbox', amount_minor: 10_000, payment_reference: null }),
    event('wallet.deposit.completed', at('2026-11-02T09:00:02Z'), { deposit_id: 'dep-1', provider: 'sandbox', amount_minor: 10_000, balance_after_minor: 10_000, payment_reference: null }),
    // a roulette stake of 10.00 that returns 20.00 (stake included): GGR -10.00
    event('wallet.hold.reserved', at('2026-11-02T10:00:00Z'), { hold_id: HOLD, kind: 'bet', amount_minor: 1_000, real_minor: 1_000, bonus_minor: 0, expires_at: at('2026-11-03T10:00:00Z'), ref: 'b1' }, onTable),
    event('table.bet.placed', at('2026-11-02T10:00:00.001Z'), { ...bet, hold_id: HOLD }, onTable),
    event('wallet.hold.posted', at('2026-11-02T10:01:00Z'), { hold_id: HOLD, kind: 'bet', amount_minor: 1_000, released_minor: 0, balance_after_minor: 9_000 }, onTable),
    event('table.bet.settled', at('2026-11-02T10:01:00.001Z'), { ...bet, returned_minor: 2_000, result: 'win' }, onTable),
    event('wallet.win.credited', at('2026-11-02T10:01:00.002Z'), { win_id: HOLD, hold_id: HOLD, bucket: 'real', amount_minor: 2_000, balance_after_minor: 11_000 }, onTable),
    // a cashback paid as real money (durable/player/reward-offers.ts), with its grant
    event('rewards.granted', at('2026-11-02T10:01:00.003Z'), {
      grant_id: GRANT, rule_id: 'cashback-1', rule_version: 1, variant: null, source_event_id: `bet-settled:${HOLD}`, via: null, kind: 'cashback', amount: null, badge_id: null, mission_id: null,
      step_index: null, progress: null, target: null, wheel_id: null, value_minor: 250, expires_at: null, template: null, cost_minor: 250, cash_like: true, paid: true,
    }),
    event('wallet.reward.credited', at('2026-11-02T10:01:00.003Z'), { grant_id: GRANT, bucket: 'real', amount_minor: 250, balance_after_minor: 11_250 }),
    // the tournament (source tournament/<id>: no player in the envelope but for joins and prizes)
    event('tournament.created', at('2026-11-01T09:00:00Z'), {
      tournament_id: 't-nov', brand: 'aurora', name: 'November sprint', starts_at: at('2026-11-01T10:00:00Z'), ends_at: at('2026-11-02T11:00:00Z'),
      scoring: 'net_win', segments: '', tables: TABLE, prizes: 1, prize_pool_minor: 5_000, actor: 'operator:o1',
    }, { player: null }),
    event('tournament.joined', at('2026-11-01T10:30:00Z'), { tournament_id: 't-nov' }),
    event('tournament.ended', at('2026-11-02T11:01:00Z'), { tournament_id: 't-nov', entrants: 1, scored: 1, awards: 1, awarded_minor: 5_000, unawarded_minor: 0 }, { player: null }),
    // a tournament prize: a win without a stake, and the tournament's own record of it
    event('wallet.win.credited', at('2026-11-02T12:00:00Z'), { win_id: PRIZE, hold_id: null, bucket: 'real', amount_minor: 5_000, balance_after_minor: 16_250 }),
    event('tournament.prize.paid', at('2026-11-02T12:00:00.005Z'), { tournament_id: 't-nov', prize_id: PRIZE, rank: 1, score: 42, amount_minor: 5_000 }),
  ];
  await loadEvents(events, 'promotional-credits-test');
}, 20 * 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a cashback and a tournament prize in the warehouse', () => {
  it('are wallet movements of their own kinds, and the running balance meets every reported one', async () => {
    const moves = await q(`select movement, ref, amount_minor::int as amount, balance_after_minor::int as reported, running_balance_minor::int as running
      from intermediate.int_wallet_movements where player_id = '${PLAYER}' order by movement_seq`);
    expect(moves).toEqual([
      { movement: 'deposit', ref: 'dep-1', amount: 10_000, reported: 10_000, running: 10_000 },
      { movement: 'stake', ref: HOLD, amount: -1_000, reported: null, running: 9_000 },
      { movement: 'win', ref: HOLD, amount: 2_000, reported: 11_000, running: 11_000 },
      { movement: 'reward', ref: GRANT, amount: 250, reported: 11_250, running: 11_250 },
      { movement: 'prize', ref: PRIZE, amount: 5_000, reported: 16_250, running: 16_250 },
    ]);
    expect(await q(`select win_origin from staging.stg_wins where win_id = '${PRIZE}'`)).toEqual([{ win_origin: 'tournament' }]);
  });

  it('balance player_balances and the month\'s funds report, with the credits apart from wins', async () => {
    expect(await q(`select real_minor::int as real, real_last_reported_minor::int as reported, real_sum_at_last_report_minor::int as summed
      from marts.player_balances where player_id = '${PLAYER}'`)).toEqual([{ real: 16_250, reported: 16_250, summed: 16_250 }]);
    expect(await q(`select opening_total_minor::int as opening, deposits_minor::int as deposits, stakes_minor::int as stakes, wins_minor::int as wins,
        rewards_minor::int as rewards, prizes_minor::int as prizes, adjustments_minor::int as adjustments, total_minor::int as closing, unreconciled_accounts::int as unreconciled
      from marts.rpt_player_funds_monthly where report_month = DATE '2026-11-01' and jurisdiction = 'MT' and currency = 'EUR'`)).toEqual([
      { opening: 0, deposits: 10_000, stakes: -1_000, wins: 2_000, rewards: 250, prizes: 5_000, adjustments: 0, closing: 16_250, unreconciled: 0 },
    ]);
  });

  it('leave GGR to the game: stakes - the table\'s return, neither credit subtracted', async () => {
    expect(await q(`select activity_kind, activity_id, stake_minor::int as stake, win_minor::int as win from intermediate.int_gaming_activity`)).toEqual([
      { activity_kind: 'bet', activity_id: 'b1', stake: 1_000, win: 2_000 },
    ]);
    expect(await q(`select sum(stakes_minor)::int as stakes, sum(wins_minor)::int as wins, sum(ggr_minor)::int as ggr from marts.fct_ggr_daily`)).toEqual([
      { stakes: 1_000, wins: 2_000, ggr: -1_000 },
    ]);
    expect(await q(`select sum(wins_minor)::int as wins, sum(ggr_minor)::int as ggr from marts.rpt_gaming_revenue_monthly`)).toEqual([{ wins: 2_000, ggr: -1_000 }]);
    // the management pack shows them as promotion cost, beside the games' NGR and not in it
    expect(await q(`select ggr_eur::double as ggr, ngr_eur::double as ngr, promotion_cost_eur::double as promotion from marts.rpt_management_monthly
      where report_month = DATE '2026-11-01' and brand = '(all)' and jurisdiction = '(all)'`)).toEqual([{ ggr: -10, ngr: -10, promotion: 52.5 }]);
  });

  it('reach fct_tournaments: entrants, the pool awarded, paid and credited by the wallet', async () => {
    expect(await q(`select tournament_id, status, entrants::int as entrants, prize_pool_minor::int as pool, awarded_minor::int as awarded,
        paid_minor::int as paid, wallet_credited_minor::int as credited, unpaid_minor::int as unpaid from marts.fct_tournaments`)).toEqual([
      { tournament_id: 't-nov', status: 'ended', entrants: 1, pool: 5_000, awarded: 5_000, paid: 5_000, credited: 5_000, unpaid: 0 },
    ]);
  });

  it('pass the audits of the wallet models and the reports that read them', async () => {
    const audit = await wh('audit', 'staging.stg_reward_credits', 'staging.stg_wins', 'intermediate.int_wallet_movements', 'marts.player_balances',
      'marts.rpt_player_funds_monthly', 'marts.fct_ggr_daily', 'marts.rpt_management_monthly',
      'staging.stg_tournaments', 'staging.stg_tournament_players', 'marts.fct_tournaments');
    expect(audit.code, `${audit.out}\n${audit.err}`).toBe(0);
  });
});
