/**
 * The blackjack models against the engine (domain/games/blackjack/), the oracle: 200 rounds at a
 * Seated table and 200 at an Infinite one, played by the engine itself (basic strategy, some
 * timeouts, insurance taken by one player and declined or timed out by the others, side bets on
 * every box, bets behind that follow at the Seated table),
 * dealt from provably-fair shoes, their events flattened to the edge schema as the schema's comments
 * say (cards space-separated, `side_bet_result` as `kind=outcome;...` with `lose`, the box player's
 * own stakes on each hand) and checked with `validateEvent`, one bet per stake with `bet_type` the
 * stake's component. Loaded with `wh sync`, built with `wh plan --auto-apply` (every blocking audit,
 * the placed-bets control included); then each hand's outcome, flags, decisions and money in
 * intermediate.int_blackjack_hands equal the engine's, and the mart's counts and per-component RTP
 * equal the engine's settlement summed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BATCH_FORMAT, batchObjectKey, encodeBatchObject } from '../domain/event-batch';
import { validateEvent, type CasinoEvent } from '../domain/events';
import {
  activeHandIndex, basicStrategy, type BlackjackEvent, type BlackjackRules, betBehind, CLASSIC_INFINITE, closeBetting, closeInsurance, currentTurn,
  dealFromShoe, decide, type Format, handEventPayload, handOutcome, insure, legalActions, newRound, openShoe, placeBet, type RoundState, settleRound, type Stake, type Step,
  timeout, US_PEEK,
} from '../domain/games/blackjack';
import { uuidv7 } from '../domain/ids';
import { directorySink } from '../simulator/sink';
import { warehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { runWh, type WhResult } from './testing/wh-cli';

/** Rounds per table: a Seated table (US rules: peek, late surrender, resplit to four) and an Infinite one. */
const ROUNDS = 200;
const TABLES: { table: string; format: Format; rules: BlackjackRules }[] = [
  { table: 'blackjack-seated-1', format: 'seated', rules: { ...US_PEEK, side_bets: ['perfect_pairs', 'twenty_one_plus_three', 'hot_3'] } },
  { table: 'blackjack-infinite-1', format: 'infinite', rules: CLASSIC_INFINITE },
];
const GAME_ID = 'live-blackjack-engine';
const SERVER_SEED = 'a'.repeat(64);
const DAY_START = Date.parse('2026-11-02T08:00:00Z');

const root = mkdtempSync(join(tmpdir(), 'wh-blackjack-engine-'));
const batches = join(root, 'batches');
const dir = join(root, 'warehouse');
const wh = (...args: string[]): Promise<WhResult> => runWh(dir, args);

async function q<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const w = await openWarehouse(warehousePaths(dir).db, { readOnly: true });
  try {
    return await rows<T>(w.con, sql);
  } finally {
    w.close();
  }
}

function must(step: Step): { state: RoundState; events: BlackjackEvent[] } {
  if (!step.ok) throw new Error(`the engine refused: ${step.code} (${step.message})`);
  return step;
}

function valid(input: unknown): CasinoEvent {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(`not the edge schema: ${result.reason}\n${JSON.stringify(input)}`);
  return result.event;
}

/** A deterministic coin (no Math.random: the same history every run). */
function coin(n: number, percent: number): boolean {
  return ((n * 2654435761) >>> 0) % 100 < percent;
}

/** What the test expects per hand, from the engine. */
type ExpectedHand = {
  table_id: string; round_id: string; box_id: string; hand_index: number; outcome: string; is_natural: boolean; busted: boolean; surrendered: boolean; doubled: boolean;
  decisions: number; insurance_taken: boolean; staked_minor: number; returned_minor: number; side_bet_result: string | null;
};

type Played = { events: CasinoEvent[]; hands: ExpectedHand[]; stakes: { table_id: string; component: string; amount: number; returned: number }[]; dealerBusts: Map<string, number> };

/** The next hand waiting for a decision: the seat whose turn it is, or (Infinite) any box's open hand. */
function nextDecision(state: RoundState): { player_id: string; box_id: string; hand_index: number } | null {
  if (state.format === 'seated') return currentTurn(state);
  for (const box of state.boxes) {
    const index = activeHandIndex(box);
    if (index !== null && box.hands[index]?.status === 'playing') return { player_id: box.player_id, box_id: box.box_id, hand_index: index };
  }
  return null;
}

/** Plays ROUNDS rounds at each table and flattens what they emit into edge events. */
function play(): Played {
  const events: CasinoEvent[] = [];
  const hands: ExpectedHand[] = [];
  const stakes: Played['stakes'] = [];
  const dealerBusts = new Map<string, number>();
  let clock = DAY_START;
  let coinFlips = 0;
  const tick = () => (clock += 1_000);
  for (const { table, format, rules } of TABLES) {
    for (let r = 0; r < ROUNDS; r++) {
      const roundId = `${table}-r${r}`;
      const envelope = (type: string, playerId: string | null, payload: Record<string, unknown>) =>
        valid({ event_id: uuidv7(clock), event_type: type, schema_version: 1, occurred_at: clock, player_id: playerId, table_id: table, round_id: roundId,
          jurisdiction: playerId ? 'MT' : null, currency: playerId ? 'EUR' : null, payload });
      const decisionCount = new Map<string, number>();
      const insured = new Set<string>();
      /** Every stake the step added: its hold and its bet placed, now. */
      const newStakes = (before: RoundState, after: RoundState): Stake[] => {
        const added = after.stakes.filter((s) => !before.stakes.some((b) => b.stake_id === s.stake_id));
        for (const s of added) {
          const holdId = `table:${table}:${roundId}:${s.stake_id}`;
          events.push(envelope('wallet.hold.reserved', s.player_id, { hold_id: holdId, kind: 'bet', amount_minor: s.amount_minor, real_minor: s.amount_minor, bonus_minor: 0, expires_at: clock + 86_400_000, ref: s.stake_id }));
          events.push(envelope('table.bet.placed', s.player_id, { bet_id: `${roundId}:${s.stake_id}`, game: 'blackjack', game_id: GAME_ID, spot: s.component, bet_type: s.component, amount_minor: s.amount_minor, hold_id: holdId }));
        }
        return added;
      };
      /** The step's hand events, flattened; a decision carries the further stake it reserved. */
      const emit = (before: RoundState, step: { state: RoundState; events: BlackjackEvent[] }) => {
        tick();
        const added = newStakes(before, step.state);
        for (const e of step.events) {
          if (e.type === 'table.hand.dealt') {
            events.push(envelope(e.type, e.player_id, handEventPayload(e).payload));
          } else if (e.type === 'table.hand.decision') {
            const component = e.decision === 'double' || e.decision === 'split' || e.decision === 'insurance' ? e.decision : null;
            const stake = added.filter((s) => s.box_id === e.box_id && s.player_id === e.player_id && s.component === component).reduce((a, s) => a + s.amount_minor, 0);
            const key = `${e.box_id}/${e.hand_index}`;
            decisionCount.set(key, (decisionCount.get(key) ?? 0) + 1);
            if (e.decision === 'insurance') insured.add(e.box_id);
            events.push(envelope(e.type, e.player_id, handEventPayload(e, stake).payload));
          }
        }
        return step.state;
      };

      events.push(envelope('table.round.opened', null, { round_no: r + 1, game: 'blackjack', game_id: GAME_ID, mode: 'auto', commitment: 'c0ffee', closes_at: clock + 15_000, actor: 'rng' }));
      let state = newRound(format, rules);
      for (const [i, player] of ['p1', 'p2', 'p3'].entries()) {
        const sideBets = { perfect_pairs: 100, twenty_one_plus_three: 100, ...(i === 2 ? { hot_3: 100 } : {}) };
        state = emit(state, must(placeBet(state, { player_id: player, ...(format === 'seated' ? { seat: i + 1 } : {}), main_minor: 1_000 + 500 * i, side_bets: sideBets })));
      }
      if (format === 'seated') state = emit(state, must(betBehind(state, { player_id: 'p4', seat: 2, amount_minor: 400, follow: true })));
      events.push(envelope('table.round.closed', null, { round_no: r + 1, bets: state.stakes.length, actor: 'rng' }));
      state = emit(state, must(closeBetting(state)));
      const shoe = openShoe(SERVER_SEED, 'wh', r, rules.decks);
      for (let pass = 0; state.phase !== 'complete'; pass++) {
        if (pass > 200) throw new Error('a round did not end');
        state = emit(state, must(dealFromShoe(state, shoe)));
        if (state.phase === 'insurance') {
          // p2 always insures, p3 declines, p1 lets the window time out
          for (const [player, take] of [['p2', true], ['p3', false]] as const) {
            const box = state.boxes.find((b) => b.player_id === player);
            if (state.phase === 'insurance' && box?.insurance === 'pending') state = emit(state, must(insure(state, { player_id: player, box_id: box.box_id, take })));
          }
          if (state.phase === 'insurance') state = emit(state, must(closeInsurance(state)));
          continue;
        }
        const turn = nextDecision(state);
        const box = turn ? state.boxes.find((b) => b.box_id === turn.box_id) : undefined;
        const hand = turn && box ? box.hands[turn.hand_index] : undefined;
        if (!turn || !hand || hand.status !== 'playing') continue;
        if (coin(++coinFlips, 4)) {
          state = emit(state, must(timeout(state)));
          continue;
        }
        const legal = legalActions(state, turn.player_id, turn.box_id, turn.hand_index);
        const action = basicStrategy(rules, hand.cards, state.dealer[0] ?? '', legal);
        state = emit(state, must(decide(state, { player_id: turn.player_id, box_id: turn.box_id, hand_index: turn.hand_index, action })));
      }
      const settlement = settleRound(state);
      if ('ok' in settlement) throw new Error(`settlement refused: ${settlement.code}`);
      tick();
      events.push(envelope('table.round.result', null, { round_no: r + 1, game: 'blackjack', source: 'rng', actor: 'rng', outcome: JSON.stringify({ dealer: state.dealer, shoe: state.dealt }), summary: `dealer ${state.dealer.join(' ')}`, server_seed: SERVER_SEED }));
      if (settlement.hands[0]!.dealer_total > 21) dealerBusts.set(table, (dealerBusts.get(table) ?? 0) + 1);
      for (const h of settlement.hands) {
        const own = h.stakes.filter((s) => s.player_id === h.player_id);
        const staked = own.reduce((a, s) => a + s.stake_minor, 0);
        const returned = own.reduce((a, s) => a + s.returned_minor, 0);
        // the table's own flattening (domain/games/blackjack/edge-events.ts): what the warehouse reads is what TableDO emits
        const flat = handEventPayload(h);
        if (flat.type !== 'table.hand.settled') throw new Error('invariant');
        expect([flat.payload.staked_minor, flat.payload.returned_minor]).toEqual([staked, returned]);
        events.push(envelope(flat.type, h.player_id, flat.payload));
        const box = state.boxes.find((b) => b.box_id === h.box_id)!;
        hands.push({
          table_id: table, round_id: roundId, box_id: h.box_id, hand_index: h.hand_index, outcome: handOutcome(box.hands[h.hand_index]!, state.dealer).outcome,
          is_natural: h.natural, busted: h.busted, surrendered: h.surrendered, doubled: h.doubled, decisions: decisionCount.get(`${h.box_id}/${h.hand_index}`) ?? 0,
          insurance_taken: h.hand_index === 0 && insured.has(h.box_id), staked_minor: staked, returned_minor: returned, side_bet_result: flat.payload.side_bet_result,
        });
      }
      tick();
      for (const s of settlement.stakes) {
        const result = s.returned_minor > s.stake_minor ? 'win' : s.returned_minor === s.stake_minor ? 'push' : 'lose';
        events.push(envelope('table.bet.settled', s.player_id, { bet_id: `${roundId}:${s.stake_id}`, game: 'blackjack', game_id: GAME_ID, spot: s.component, bet_type: s.component, amount_minor: s.stake_minor, returned_minor: s.returned_minor, result }));
        stakes.push({ table_id: table, component: s.component, amount: s.stake_minor, returned: s.returned_minor });
      }
      events.push(envelope('table.round.settled', null, { round_no: r + 1, game: 'blackjack', bets: settlement.stakes.length, settle_ms: 40 }));
      tick();
    }
  }
  return { events, hands, stakes, dealerBusts };
}

let played: Played;

beforeAll(async () => {
  played = play();
  const events = [...played.events].sort((a, b) => a.occurred_at - b.occurred_at);
  await directorySink(batches).put(batchObjectKey(events.at(-1)!.occurred_at + 1_000, 'blackjack-engine-test'), await encodeBatchObject(events.map((e) => JSON.stringify(e))), { customMetadata: { format: BATCH_FORMAT, events: String(events.length) } });
  const sync = await wh('sync', '--source', `dir:${batches}`);
  expect(sync.code, sync.err).toBe(0);
  const plan = await wh('plan', '--auto-apply');
  expect(plan.code, `${plan.out}\n${plan.err}`).toBe(0);
}, 20 * 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('the rounds played cover what the models distinguish', () => {
  const count = (f: (h: ExpectedHand) => boolean) => played.hands.filter(f).length;
  const components = new Set(played.stakes.map((s) => s.component));
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
