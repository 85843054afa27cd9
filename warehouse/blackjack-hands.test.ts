/**
 * Blackjack in the warehouse, from raw events (issue 16): two Seated rounds of one table as TableDO
 * emits them (round, bet and hold events, one bet per stake, and the per-hand `table.hand.*`
 * events), every event validated with `validateEvent` (domain/events.ts) before it is written, so a
 * change of the edge schema that the fixtures no longer follow fails here first. `wh sync` loads
 * them, `wh plan --auto-apply` builds prod with every blocking audit (the hands' stakes add up to
 * the placed bets: int_blackjack_hands' sums_to_control_total), and the marts are read back:
 *   - staging: a settlement repeated under a new event id is one row;
 *   - intermediate.int_blackjack_hands: one row per hand, with its decisions, insurance, side bets;
 *   - marts.fct_blackjack_hands_daily: the day's counts, rates and RTP per stake component;
 *   - marts.fct_ggr_daily / fct_table_performance / fct_game_performance count every stake once
 *     (insurance, side bets, doubles, splits and bets behind are stakes too), and agree with it.
 * The unit tests' fixture rows of `table.hand.*` events (models/tests/*.yaml) are validated the same way.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type CasinoEvent, type EventPayload, type EventType } from '../domain/events';
import { uuidv7 } from '../domain/ids';
import type { WhResult } from './testing/wh-cli';
import { fixtureEvents, scratchWarehouse } from './testing/scratch-warehouse';

const MODELS = fileURLToPath(new URL('../models', import.meta.url));
const { root, dir, wh, q, loadEvents } = scratchWarehouse('blackjack');

/** An event as TableDO emits it, validated against the edge schema: a fixture that drifts fails here. */
function valid(input: unknown): CasinoEvent {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(`fixture event does not follow domain/events.ts: ${result.reason}\n${JSON.stringify(input)}`);
  return result.event;
}

const TABLE = 'blackjack-1';
const GAME_ID = 'live-blackjack-1';
const at = (iso: string) => Date.parse(iso);

type Envelope = { player: string | null; round: string; currency?: 'EUR' | null };
function event<T extends EventType>(type: T, time: number, env: Envelope, payload: EventPayload<T>): CasinoEvent {
  return valid({
    event_id: uuidv7(time), event_type: type, schema_version: 1, occurred_at: time, player_id: env.player, table_id: TABLE,
    round_id: env.round, jurisdiction: env.player ? 'MT' : null, currency: env.currency === undefined ? (env.player ? 'EUR' : null) : env.currency, payload,
  });
}

type Component = 'main' | 'split' | 'double' | 'insurance' | 'behind' | 'perfect_pairs' | 'twenty_one_plus_three' | 'hot_3';
type Stake = { id: string; player: string; component: Component; amount: number; returned: number; placedAt: number };

/** One stake: its hold, its bet placed, and (at the round's settlement) the bet settled. */
function stakeEvents(round: string, s: Stake, settledAt: number): CasinoEvent[] {
  const holdId = `table:${TABLE}:${s.id}`;
  const env = { player: s.player, round };
  const bet = { bet_id: s.id, game: 'blackjack' as const, game_id: GAME_ID, spot: s.component, bet_type: s.component, amount_minor: s.amount };
  return [
    event('wallet.hold.reserved', s.placedAt, env, { hold_id: holdId, kind: 'bet', amount_minor: s.amount, real_minor: s.amount, bonus_minor: 0, expires_at: s.placedAt + 86_400_000, ref: s.id }),
    event('table.bet.placed', s.placedAt + 1, env, { ...bet, hold_id: holdId }),
    event('table.bet.settled', settledAt, env, { ...bet, returned_minor: s.returned, result: s.returned > s.amount ? 'win' : s.returned === s.amount ? 'push' : 'lose' }),
  ];
}

function roundEvents(round: string, no: number, openedAt: number, settledAt: number, dealerCards: string, bets: number): CasinoEvent[] {
  const env = { player: null, round };
  return [
    event('table.round.opened', openedAt, env, { round_no: no, game: 'blackjack', game_id: GAME_ID, mode: 'dealer', commitment: null, closes_at: openedAt + 15_000, actor: 'dealer:d1' }),
    event('table.round.closed', openedAt + 15_000, env, { round_no: no, bets, actor: 'dealer:d1' }),
    event('table.round.result', settledAt - 5, env, { round_no: no, game: 'blackjack', source: 'dealer', actor: 'dealer:d1', outcome: JSON.stringify({ dealer: dealerCards.split(' '), shoe: null }), summary: `dealer ${dealerCards}`, server_seed: null }),
    event('table.round.settled', settledAt + 50, env, { round_no: no, game: 'blackjack', bets, settle_ms: 50 }),
  ];
}

type Hand = { box: string; seat: number; player: string; index: number };
const dealt = (round: string, t: number, h: Hand, cards: string, total: number, soft: boolean, natural: boolean, up: string) =>
  event('table.hand.dealt', t, { player: h.player, round }, { box_id: h.box, seat: h.seat, hand_index: h.index, cards, total, soft, natural, dealer_up_card: up });
const decision = (round: string, t: number, h: Hand, d: EventPayload<'table.hand.decision'>['decision'], cards: string, total: number, up: string, stake = 0) =>
  event('table.hand.decision', t, { player: h.player, round }, { box_id: h.box, seat: h.seat, hand_index: h.index, decision: d, cards, total, dealer_up_card: up, stake_minor: stake });
type Settled = Pick<EventPayload<'table.hand.settled'>, 'cards' | 'total' | 'natural' | 'busted' | 'surrendered' | 'doubled' | 'side_bet_result' | 'staked_minor' | 'returned_minor'>;
const DEALER_R1 = { dealer_up_card: 'AH', dealer_cards: 'AH 5C 9D KS', dealer_total: 25, dealer_natural: false };
const DEALER_R2 = { dealer_up_card: 'KC', dealer_cards: 'KC AD', dealer_total: 21, dealer_natural: true };
const settled = (round: string, t: number, h: Hand, dealer: typeof DEALER_R1, s: Settled) =>
  event('table.hand.settled', t, { player: h.player, round }, { box_id: h.box, seat: h.seat, hand_index: h.index, ...dealer, ...s });

// Round r1, dealt before midnight and settled after it. The dealer shows an ace (insurance offered)
// and busts. bx1 (p1): 8S 8D, times out insurance, splits, doubles hand 0 to 21, stands hand 1 on
// 18; Perfect Pairs hits (mixed pair, 6:1), 21+3 loses. bx2 (p2): a natural, insured (insurance
// lost), paid 3:2; p3 (who plays bx3) bets behind on it. bx3 (p3): declines insurance, surrenders (half back), Hot 3
// loses. bx4 (p4): declines insurance, hits, busts. Round r2 (dealer KC AD): bx21 (p1) loses.
const R1 = 'r1-0192f0aa';
const R2 = 'r2-0192f0aa';
const T = (s: string) => at(`2026-11-02T${s}Z`);
const Y = (s: string) => at(`2026-11-01T${s}Z`);
const bx1: Hand = { box: 'bx1', seat: 2, player: 'p1', index: 0 };
const bx1h1: Hand = { ...bx1, index: 1 };
const bx2: Hand = { box: 'bx2', seat: 5, player: 'p2', index: 0 };
const bx3: Hand = { box: 'bx3', seat: 7, player: 'p3', index: 0 };
const bx4: Hand = { box: 'bx4', seat: 1, player: 'p4', index: 0 };
const bx21: Hand = { box: 'bx21', seat: 2, player: 'p1', index: 0 };

const R1_SETTLED = T('00:01:30');
const R1_STAKES: Stake[] = [
  { id: 'b1', player: 'p1', component: 'main', amount: 1000, returned: 2000, placedAt: Y('23:59:30') },
  { id: 'b2', player: 'p1', component: 'perfect_pairs', amount: 100, returned: 700, placedAt: Y('23:59:31') },
  { id: 'b3', player: 'p1', component: 'twenty_one_plus_three', amount: 100, returned: 0, placedAt: Y('23:59:32') },
  { id: 'b4', player: 'p1', component: 'split', amount: 1000, returned: 2000, placedAt: T('00:00:20') },
  { id: 'b5', player: 'p1', component: 'double', amount: 1000, returned: 2000, placedAt: T('00:00:30') },
  { id: 'b6', player: 'p2', component: 'main', amount: 1000, returned: 2500, placedAt: Y('23:59:33') },
  { id: 'b7', player: 'p2', component: 'insurance', amount: 500, returned: 0, placedAt: Y('23:59:52') },
  { id: 'b8', player: 'p3', component: 'main', amount: 1000, returned: 500, placedAt: Y('23:59:34') },
  { id: 'b9', player: 'p3', component: 'hot_3', amount: 100, returned: 0, placedAt: Y('23:59:35') },
  { id: 'b10', player: 'p4', component: 'main', amount: 1000, returned: 0, placedAt: Y('23:59:36') },
  { id: 'b11', player: 'p3', component: 'behind', amount: 500, returned: 1250, placedAt: Y('23:59:37') },
];
const R2_STAKES: Stake[] = [{ id: 'b12', player: 'p1', component: 'main', amount: 1000, returned: 0, placedAt: T('00:02:30') }];

function history(): CasinoEvent[] {
  const up = 'AH';
  const bx1Settled = settled(R1, R1_SETTLED, bx1, DEALER_R1, { cards: '8S 3C KH', total: 21, natural: false, busted: false, surrendered: false, doubled: true, side_bet_result: 'perfect_pairs=mixed_pair;twenty_one_plus_three=lose', staked_minor: 2200, returned_minor: 4700 });
  return [
    ...roundEvents(R1, 1, Y('23:59:20'), R1_SETTLED, DEALER_R1.dealer_cards, R1_STAKES.length),
    ...R1_STAKES.flatMap((s) => stakeEvents(R1, s, R1_SETTLED + 10)),
    dealt(R1, Y('23:59:50'), bx1, '8S 8D', 16, false, false, up),
    dealt(R1, Y('23:59:50'), bx2, 'AS KD', 21, true, true, up),
    dealt(R1, Y('23:59:50'), bx3, '10H 6S', 16, false, false, up),
    dealt(R1, Y('23:59:50'), bx4, '9C 7D', 16, false, false, up),
    decision(R1, Y('23:59:52'), bx2, 'insurance', 'AS KD', 21, up, 500),
    decision(R1, Y('23:59:53'), bx3, 'no_insurance', '10H 6S', 16, up),
    decision(R1, Y('23:59:54'), bx4, 'no_insurance', '9C 7D', 16, up),
    decision(R1, Y('23:59:55'), bx1, 'timeout', '8S 8D', 16, up),
    decision(R1, T('00:00:05'), bx4, 'hit', '9C 7D', 16, up),
    decision(R1, T('00:00:20'), bx1, 'split', '8S 8D', 16, up, 1000),
    decision(R1, T('00:00:30'), bx1, 'double', '8S 3C', 11, up, 1000),
    decision(R1, T('00:00:40'), bx1h1, 'stand', '8D 10S', 18, up),
    decision(R1, T('00:00:50'), bx3, 'surrender', '10H 6S', 16, up),
    bx1Settled,
    // the same settlement sent again under a new event id: one row in staging
    valid({ ...bx1Settled, event_id: uuidv7(R1_SETTLED + 1), occurred_at: R1_SETTLED + 1 }),
    settled(R1, R1_SETTLED, bx1h1, DEALER_R1, { cards: '8D 10S', total: 18, natural: false, busted: false, surrendered: false, doubled: false, side_bet_result: null, staked_minor: 1000, returned_minor: 2000 }),
    settled(R1, R1_SETTLED, bx2, DEALER_R1, { cards: 'AS KD', total: 21, natural: true, busted: false, surrendered: false, doubled: false, side_bet_result: null, staked_minor: 1500, returned_minor: 2500 }),
    settled(R1, R1_SETTLED, bx3, DEALER_R1, { cards: '10H 6S', total: 16, natural: false, busted: false, surrendered: true, doubled: false, side_bet_result: 'hot_3=lose', staked_minor: 1100, returned_minor: 500 }),
    settled(R1, R1_SETTLED, bx4, DEALER_R1, { cards: '9C 7D QC', total: 26, natural: false, busted: true, surrendered: false, doubled: false, side_bet_result: null, staked_minor: 1000, returned_minor: 0 }),
    ...roundEvents(R2, 2, T('00:02:20'), T('00:03:02'), DEALER_R2.dealer_cards, 1),
    ...R2_STAKES.flatMap((s) => stakeEvents(R2, s, T('00:03:02') + 10)),
    dealt(R2, T('00:03:00'), bx21, '5H 5S', 10, false, false, 'KC'),
    settled(R2, T('00:03:02'), bx21, DEALER_R2, { cards: '5H 5S', total: 10, natural: false, busted: false, surrendered: false, doubled: false, side_bet_result: null, staked_minor: 1000, returned_minor: 0 }),
  ];
}

const ALL_STAKES = [...R1_STAKES, ...R2_STAKES];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

let audit: WhResult;

beforeAll(async () => {
  const events = history().sort((a, b) => a.occurred_at - b.occurred_at);
  await loadEvents(events, 'blackjack-test');
  audit = await wh('audit', 'staging.stg_table_hands', 'staging.stg_table_hand_decisions', 'staging.stg_bets', 'staging.stg_table_rounds', 'intermediate.int_blackjack_hands', 'marts.fct_blackjack_hands_daily', 'marts.fct_ggr_daily', 'marts.fct_table_performance', 'marts.fct_game_performance');
}, 20 * 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('blackjack fixtures follow the edge schema', () => {
  it('every table.hand.* row of the unit tests (models/tests/*.yaml) passes validateEvent', async () => {
    const { checked, failures } = await fixtureEvents(MODELS, 'table.hand.');
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(17);
  });
});

describe('blackjack from raw events to the marts', () => {
  it('every audit of the models read here passes', () => {
    expect(audit.code, audit.out).toBe(0);
    expect(audit.out).toMatch(/intermediate\.int_blackjack_hands\n(?: {2}ok {3}.*\n)*? {2}ok {3}sums_to_control_total/);
  });

  it('staging: one row per hand and step (the repeated settlement dropped), one per decision', async () => {
    expect(await q(`select step, count(*)::integer as n from staging.stg_table_hands group by step order by step`)).toEqual([{ step: 'dealt', n: 5 }, { step: 'settled', n: 6 }]);
    expect(await q(`select count(*)::integer as n from staging.stg_table_hand_decisions`)).toEqual([{ n: 9 }]);
  });

  it('int_blackjack_hands: a split and doubled hand with its decisions, the insured natural, the surrender', async () => {
    const hands = await q(`select round_id, box_id, hand_index, initial_cards, cards, total, is_natural, busted, surrendered, doubled, from_split, outcome,
        decisions, decision_path, timeouts, insurance_offered, insurance_taken, insurance_stake_minor, perfect_pairs_result, twenty_one_plus_three_result,
        hot_3_result, staked_minor, returned_minor, player_round_placed_minor, dealer_cards, dealer_busted, game_id, activity_date::varchar as activity_date
      from intermediate.int_blackjack_hands order by round_id, box_id, hand_index`);
    expect(hands).toHaveLength(6);
    expect(hands[0]).toEqual({
      round_id: R1, box_id: 'bx1', hand_index: 0, initial_cards: '8S 8D', cards: '8S 3C KH', total: 21, is_natural: false, busted: false, surrendered: false,
      doubled: true, from_split: true, outcome: 'win', decisions: 3, decision_path: 'timeout split double', timeouts: 1, insurance_offered: true,
      insurance_taken: false, insurance_stake_minor: 0, perfect_pairs_result: 'mixed_pair', twenty_one_plus_three_result: 'lose', hot_3_result: null,
      staked_minor: 2200, returned_minor: 4700, player_round_placed_minor: 3200, dealer_cards: 'AH 5C 9D KS', dealer_busted: true, game_id: GAME_ID,
      activity_date: '2026-11-02',
    });
    expect(hands.map((h) => [h.box_id, h.hand_index, h.outcome, h.decision_path])).toEqual([
      ['bx1', 0, 'win', 'timeout split double'], ['bx1', 1, 'win', 'stand'], ['bx2', 0, 'blackjack', 'insurance'],
      ['bx3', 0, 'surrender', 'no_insurance surrender'], ['bx4', 0, 'lose', 'no_insurance hit'], ['bx21', 0, 'lose', null],
    ]);
    expect(hands.find((h) => h.box_id === 'bx2')).toMatchObject({ insurance_taken: true, insurance_stake_minor: 500, staked_minor: 1500, player_round_placed_minor: 1500 });
  });

  it('fct_blackjack_hands_daily: the day\'s hands, rates and RTP per stake component', async () => {
    const [day] = await q(`select * exclude (activity_date), activity_date::varchar as activity_date from marts.fct_blackjack_hands_daily`);
    const n = (v: unknown) => Number(v);
    expect(day).toMatchObject({
      activity_date: '2026-11-02', table_id: TABLE, game_id: GAME_ID, table_format: 'seated', rounds: 2, boxes: 5, hands: 6, players: 4,
      naturals: 1, busts: 1, dealer_busts: 1, dealer_naturals: 1, hands_won: 3, hands_pushed: 0, hands_lost: 2, doubles: 1, splits: 1,
      surrenders: 1, decisions: 9, timeouts: 1, insurance_offered: 4, insurance_taken: 1, perfect_pairs_bets: 1, perfect_pairs_hits: 1,
      twenty_one_plus_three_bets: 1, twenty_one_plus_three_hits: 0, hot_3_bets: 1, hot_3_hits: 0, bets: ALL_STAKES.length,
    });
    expect([day!.natural_rate, day!.bust_rate, day!.dealer_bust_rate, day!.insurance_take_rate, day!.timeout_rate].map(n)).toEqual([0.2, 0.166667, 0.5, 0.25, 0.111111]);
    // all EUR: the handle is the stakes / 100, the component RTPs their returns over their stakes
    expect(n(day!.handle_eur)).toBe(sum(ALL_STAKES.map((s) => s.amount)) / 100);
    expect(n(day!.payouts_eur)).toBe(sum(ALL_STAKES.map((s) => s.returned)) / 100);
    const rtp = (c: Component) => {
      const of = ALL_STAKES.filter((s) => s.component === c);
      return Math.round((sum(of.map((s) => s.returned)) / sum(of.map((s) => s.amount))) * 1e6) / 1e6;
    };
    for (const c of ['main', 'split', 'double', 'insurance', 'behind', 'perfect_pairs', 'twenty_one_plus_three', 'hot_3'] as const) {
      expect(n(day![`${c}_rtp`]), c).toBe(rtp(c));
    }
  });

  it('GGR and the performance marts count every stake once: insurance, side bets, doubles, splits and bets behind included', async () => {
    const stakes = sum(ALL_STAKES.map((s) => s.amount));
    const wins = sum(ALL_STAKES.map((s) => s.returned));
    expect(await q(`select sum(stakes_minor)::integer as stakes, sum(wins_minor)::integer as wins, sum(ggr_minor)::integer as ggr, sum(bets)::integer as bets
      from marts.fct_ggr_daily where table_id = '${TABLE}'`)).toEqual([{ stakes, wins, ggr: stakes - wins, bets: ALL_STAKES.length }]);
    const [table] = await q<{ bets: number; rounds: number; rounds_settled: number; game: string; handle_eur: string; payouts_eur: string }>(
      `select bets::integer as bets, rounds::integer as rounds, rounds_settled::integer as rounds_settled, game, handle_eur::varchar as handle_eur, payouts_eur::varchar as payouts_eur
       from marts.fct_table_performance where table_id = '${TABLE}'`);
    expect(table).toEqual({ bets: ALL_STAKES.length, rounds: 2, rounds_settled: 2, game: 'blackjack', handle_eur: (stakes / 100).toFixed(2), payouts_eur: (wins / 100).toFixed(2) });
    expect(await q(`select bets::integer as bets, handle_eur::varchar as handle_eur from marts.fct_game_performance where game_id = '${GAME_ID}'`))
      .toEqual([{ bets: ALL_STAKES.length, handle_eur: (stakes / 100).toFixed(2) }]);
    // the blackjack mart's handle is the table mart's
    expect(await q(`select b.handle_eur = t.handle_eur and b.payouts_eur = t.payouts_eur as same
      from marts.fct_blackjack_hands_daily b join marts.fct_table_performance t using (activity_date, table_id)`)).toEqual([{ same: true }]);
  });
});
