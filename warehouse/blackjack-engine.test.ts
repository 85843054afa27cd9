/**
 * The blackjack models against the engine (domain/games/blackjack/), the oracle: 200 rounds at a
 * Seated table (US rules: peek, late surrender, resplit to four, three side bets) and 200 at an
 * Infinite one, played by the simulator's round player (simulator/blackjack-round.ts, the one fast
 * mode plays with) through simulator/blackjack-history.ts: three box players on the simulated
 * player's policy (basic strategy with mistakes, timeouts, insurance half the time, every side bet),
 * a fourth betting behind at the Seated table, provably-fair shoes; the hand events flattened by the
 * table's own handEventPayload, one bet per stake with `bet_type` the stake's component, every event
 * checked with `validateEvent`. Loaded with `wh sync`, built with `wh plan --auto-apply` (every
 * blocking audit, the placed-bets control included); then each hand's outcome, flags, decisions and
 * money in intermediate.int_blackjack_hands equal the engine's, and the mart's counts and
 * per-component RTP equal the engine's settlement summed.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLASSIC_INFINITE, US_PEEK } from '../domain/games/blackjack';
import { blackjackHistory, type BlackjackHistory, type HistoryTable } from '../simulator/blackjack-history';
import type { HandExpectation } from '../simulator/blackjack-round';
import { scratchWarehouse } from './testing/scratch-warehouse';

/** Rounds per table: a Seated table (US rules: peek, late surrender, resplit to four) and an Infinite one. */
const ROUNDS = 200;
const GAME_ID = 'live-blackjack-engine';
const TABLES: HistoryTable[] = [
  { table_id: 'blackjack-seated-1', game_id: GAME_ID, format: 'seated', rules: { ...US_PEEK, side_bets: ['perfect_pairs', 'twenty_one_plus_three', 'hot_3'] } },
  { table_id: 'blackjack-infinite-1', game_id: GAME_ID, format: 'infinite', rules: CLASSIC_INFINITE },
];
const DAY_START = Date.parse('2026-11-02T08:00:00Z');
const PLAYERS = ['p1', 'p2', 'p3', 'p4'].map((player_id) => ({ player_id, jurisdiction: 'MT', currency: 'EUR' }));

const { root, dir, wh, q, loadEvents } = scratchWarehouse('blackjack-engine');

/** What the test expects per hand, from the engine (the columns of int_blackjack_hands it compares). */
type ExpectedHand = Omit<HandExpectation, 'player_id'> & { table_id: string; round_id: string };

let played: Omit<BlackjackHistory, 'hands'> & { hands: ExpectedHand[] };

beforeAll(async () => {
  const history = blackjackHistory({ tables: TABLES, starts: [DAY_START], rounds: ROUNDS, players: PLAYERS, seed: 'wh-blackjack-engine' });
  // the columns the model has (the player is the envelope's)
  played = { ...history, hands: history.hands.map(({ player_id: _, ...h }) => h) };
  const events = played.events;
  await loadEvents(events, 'blackjack-engine-test');
}, 20 * 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('the rounds played cover what the models distinguish', () => {
  const count = (f: (h: ExpectedHand) => boolean) => played.hands.filter(f).length;
  const components = new Set<string>(played.stakes.map((s) => s.component));
  expect(new Set(played.hands.map((h) => h.table_id)).size).toBe(TABLES.length);
  expect({
    naturals: count((h) => h.is_natural) > 0, busts: count((h) => h.busted) > 0, doubles: count((h) => h.doubled) > 0, surrenders: count((h) => h.surrendered) > 0,
    splits: count((h) => h.hand_index > 0) > 0, insured: count((h) => h.insurance_taken) > 0, pushes: count((h) => h.outcome === 'push') > 0,
    components: ['main', 'split', 'double', 'insurance', 'behind', 'perfect_pairs', 'twenty_one_plus_three', 'hot_3'].every((c) => components.has(c)),
  }).toEqual({ naturals: true, busts: true, doubles: true, surrenders: true, splits: true, insured: true, pushes: true, components: true });
});

it('int_blackjack_hands: each hand as the engine played and settled it', async () => {
  const got = await q<ExpectedHand>(`select table_id, round_id, box_id, hand_index, outcome, is_natural, busted, surrendered, doubled, decisions, insurance_taken,
      staked_minor, returned_minor, side_bet_result
    from intermediate.int_blackjack_hands order by table_id, round_id, box_id, hand_index`);
  const key = (h: ExpectedHand) => `${h.table_id}/${h.round_id}/${h.box_id}/${h.hand_index}`;
  const want = [...played.hands].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  expect(got.length).toBe(want.length);
  expect(got).toEqual(want);
});

it('fct_blackjack_hands_daily: counts and RTP per stake component as the engine settled them, per table', async () => {
  const days = await q(`select * from marts.fct_blackjack_hands_daily order by table_id`);
  expect(days.map((d) => [d.table_id, d.table_format])).toEqual([['blackjack-infinite-1', 'infinite'], ['blackjack-seated-1', 'seated']]);
  for (const day of days) {
    const table = String(day.table_id);
    const of = played.hands.filter((h) => h.table_id === table);
    const count = (f: (h: ExpectedHand) => boolean) => of.filter(f).length;
    expect(day, table).toMatchObject({
      rounds: ROUNDS, hands: of.length, boxes: count((h) => h.hand_index === 0), naturals: count((h) => h.is_natural),
      busts: count((h) => h.busted), doubles: count((h) => h.doubled), surrenders: count((h) => h.surrendered), dealer_busts: played.dealerBusts.get(table),
      hands_won: count((h) => h.outcome === 'win' || h.outcome === 'blackjack'), hands_pushed: count((h) => h.outcome === 'push'),
      hands_lost: count((h) => h.outcome === 'lose'), decisions: of.reduce((a, h) => a + h.decisions, 0),
      bets: played.stakes.filter((s) => s.table_id === table).length,
    });
    const component = (c: string) => (c.startsWith('behind') ? 'behind' : c);
    for (const c of ['main', 'split', 'double', 'insurance', 'behind', 'perfect_pairs', 'twenty_one_plus_three', 'hot_3']) {
      const stakes = played.stakes.filter((s) => s.table_id === table && component(s.component) === c);
      const staked = stakes.reduce((a, s) => a + s.amount, 0);
      const returned = stakes.reduce((a, s) => a + s.returned, 0);
      expect(Number(day[`${c}_handle_eur`]), `${table} ${c}`).toBe(staked / 100);
      if (staked === 0) expect(day[`${c}_rtp`], `${table} ${c}`).toBeNull();
      else expect(Number(day[`${c}_rtp`]), `${table} ${c}`).toBeCloseTo(returned / staked, 6);
    }
    const staked = played.stakes.filter((s) => s.table_id === table).reduce((a, s) => a + s.amount, 0);
    expect(await q(`select sum(stakes_minor)::bigint as stakes from marts.fct_ggr_daily where table_id = '${table}'`)).toEqual([{ stakes: staked }]);
  }
});
