/**
 * Property tests over whole random rounds: random rules, formats, players, stakes, side bets, bets
 * behind and shoes, played by random decisions (legal and illegal) and timeouts. Checked: the state
 * machine accepts exactly what it offers and never offers an illegal action; the dealt cards are the
 * shoe's prefix; every stake is settled exactly once, never negative, to one of the amounts its rule allows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dealFromShoe } from './autoplay';
import { betBehind, closeBetting, placeBet } from './betting';
import { handValue, rankOf } from './cards';
import { type Action, ACTIONS, closeInsurance, currentTurn, decide, insure, legalActions, timeout } from './decisions';
import { BLACKJACK_RATIOS, type BlackjackRules } from './rules';
import { settleRound } from './settlement';
import { verifyShoe } from './shoe';
import { SIDE_BET_KINDS, SIDE_BET_TABLES } from './side-bets';
import { activeHandIndex, type Format, newRound, type RoundState, type Step } from './state';

const rulesArb: fc.Arbitrary<BlackjackRules> = fc.record({
  decks: fc.integer({ min: 1, max: 8 }),
  dealer_soft_17: fc.constantFrom('hit' as const, 'stand' as const),
  dealer_peek: fc.boolean(),
  blackjack_pays: fc.constantFrom('3:2' as const, '6:5' as const),
  double_on: fc.constantFrom('any_two' as const, '9_11' as const),
  double_after_split: fc.boolean(),
  max_hands: fc.integer({ min: 1, max: 4 }),
  split_unequal_tens: fc.boolean(),
  split_aces_one_card: fc.boolean(),
  resplit_aces: fc.boolean(),
  late_surrender: fc.boolean(),
  insurance: fc.boolean(),
  seats: fc.constant(7),
  side_bets: fc.subarray([...SIDE_BET_KINDS]),
});

const stakeArb = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 1_000_000_000 }));

type Scenario = {
  format: Format;
  rules: BlackjackRules;
  players: { stake: number; side: number[] }[];
  behind: { seat: number; stake: number; follow: boolean }[];
  nonce: number;
  /** Drives every random choice of the round. */
  choices: number[];
};

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  format: fc.constantFrom('seated' as const, 'infinite' as const),
  rules: rulesArb,
  players: fc.array(fc.record({ stake: stakeArb, side: fc.array(stakeArb, { minLength: 3, maxLength: 3 }) }), { minLength: 1, maxLength: 7 }),
  behind: fc.array(fc.record({ seat: fc.integer({ min: 1, max: 2 }), stake: stakeArb, follow: fc.boolean() }), { maxLength: 4 }),
  nonce: fc.nat({ max: 1_000_000 }),
  choices: fc.array(fc.nat({ max: 1_000 }), { minLength: 200, maxLength: 200 }),
});

function must(step: Step, what: string): RoundState {
  if (!step.ok) throw new Error(`${what} refused: ${step.code} ${step.message}`);
  return step.state;
}

/** Checks what is offered for one hand against the rules, read directly off the hand. */
function checkOffer(state: RoundState, playerId: string, boxId: string, index: number): Action[] {
  const legal = legalActions(state, playerId, boxId, index);
  const box = state.boxes.find((b) => b.box_id === boxId);
  const hand = box?.hands[index];
  if (!box || !hand || legal.length === 0) return legal;
  expect(state.phase).toBe('decisions');
  expect(hand.status).toBe('playing');
  expect(activeHandIndex(box)).toBe(index);
  if (state.format === 'seated') expect(currentTurn(state)).toMatchObject({ box_id: boxId, hand_index: index });
  expect(handValue(hand.cards).total).toBeLessThan(21);
  const [a = '', b = ''] = hand.cards;
  if (legal.includes('double')) {
    expect(hand.cards).toHaveLength(2);
    if (state.rules.double_on === '9_11') expect([9, 10, 11]).toContain(handValue(hand.cards).total);
    if (hand.from_split) expect(state.rules.double_after_split).toBe(true);
  }
  if (legal.includes('split')) {
    expect(hand.cards).toHaveLength(2);
    expect(rankOf(a) === rankOf(b) || state.rules.split_unequal_tens).toBe(true);
    expect(box.hands.length).toBeLessThan(state.rules.max_hands);
  }
  if (legal.includes('surrender')) {
    expect(state.rules.late_surrender).toBe(true);
    expect(hand.cards).toHaveLength(2);
    expect(hand.from_split).toBe(false);
  }
  return legal;
}

/** What the random rounds reached, so a generator that stopped exploring fails the test. */
const seen = { components: new Set<string>(), refusals: new Set<string>(), reasons: new Set<string>() };

function play(sc: Scenario): RoundState {
  const shoe = verifyShoe('5a'.repeat(32), 'props', sc.nonce, sc.rules.decks);
  let state = newRound(sc.format, sc.rules);
  sc.players.forEach((p, i) => {
    const side_bets = Object.fromEntries(sc.rules.side_bets.map((k, j) => [k, p.side[j] ?? 1]));
    state = must(placeBet(state, { player_id: `p${i}`, ...(sc.format === 'seated' ? { seat: i + 1 } : {}), main_minor: p.stake, side_bets }), 'bet');
  });
  for (const [i, b] of sc.behind.entries()) {
    const step = betBehind(state, { player_id: `b${i}`, seat: b.seat, amount_minor: b.stake, follow: b.follow });
    if (sc.format === 'seated' && b.seat <= sc.players.length) expect(step.ok).toBe(true);
    else expect(step.ok).toBe(false);
    if (step.ok) state = step.state;
  }
  state = must(closeBetting(state), 'close');
  let c = 0;
  const pick = (n: number) => (sc.choices[c++ % sc.choices.length] ?? 0) % n;
  for (let guard = 0; state.phase !== 'complete'; guard++) {
    expect(guard).toBeLessThan(2_000);
    state = must(dealFromShoe(state, shoe), 'deal');
    if (state.phase === 'insurance') {
      const pending = state.boxes.find((b) => b.insurance === 'pending');
      state = pending && pick(4) > 0 ? must(insure(state, { player_id: pending.player_id, box_id: pending.box_id, take: pick(2) === 0 }), 'insure') : must(closeInsurance(state), 'close insurance');
      continue;
    }
    if (state.phase !== 'decisions') continue;
    // The choices repeat, so a driver could cycle through refused attempts: past 500 steps the timer decides.
    if (pick(10) === 0 || guard > 500) {
      state = must(timeout(state), 'timeout');
      continue;
    }
    const open = state.boxes.filter((b) => activeHandIndex(b) !== null);
    const box = open[pick(open.length)];
    if (!box) continue;
    const index = pick(5) === 0 ? pick(box.hands.length + 1) : (activeHandIndex(box) ?? 0);
    const legal = checkOffer(state, box.player_id, box.box_id, index);
    // Half the time an offered action (so rounds go deep: splits, resplits, doubles), half any action.
    // Splits are offered rarely (a pair); take one often when it is, so resplits and followers get exercised.
    const pool = pick(2) === 0 && legal.length > 0 ? legal : ACTIONS;
    const action = legal.includes('split') && pick(2) === 0 ? 'split' : pool[pick(pool.length)] ?? 'stand';
    const before = JSON.stringify(state);
    const step = decide(state, { player_id: pick(20) === 0 ? 'intruder' : box.player_id, box_id: box.box_id, hand_index: index, action });
    expect(JSON.stringify(state)).toBe(before);
    if (!step.ok) seen.refusals.add(step.code);
    if (step.ok) {
      expect(legal).toContain(action);
      state = step.state;
    } else if (legal.includes(action)) {
      expect(step.code).toBe('not_your_box');
    }
  }
  expect(shoe.slice(0, state.dealt.length)).toEqual(state.dealt);
  // Every card dealt is somewhere, once: on a seat's hands or the dealer's (Seated); the shared initial
  // cards, the shared hit sequence or the dealer's (Infinite), each box holding the initial two plus
  // the first `cursor` cards of the sequence.
  const sorted = (cards: readonly string[]) => [...cards].sort();
  if (state.format === 'seated') {
    expect(sorted(state.dealt)).toEqual(sorted([...state.boxes.flatMap((b) => b.hands.flatMap((h) => h.cards)), ...state.dealer]));
  } else {
    expect(sorted(state.dealt)).toEqual(sorted([...state.initial, ...state.common, ...state.dealer]));
    for (const box of state.boxes) {
      expect(box.initial_cards).toEqual(state.initial);
      expect(sorted(box.hands.flatMap((h) => h.cards))).toEqual(sorted([...state.initial, ...state.common.slice(0, box.cursor)]));
    }
  }
  return state;
}

describe('random rounds', () => {
  it('offer only legal actions, accept exactly those, and settle every stake exactly once', () => {
    fc.assert(fc.property(scenarioArb, (sc) => {
      const state = play(sc);
      const result = settleRound(state);
      if ('ok' in result) throw new Error(result.code);
      // One result per stake, in order, nothing added or lost.
      expect(result.stakes.map((r) => r.stake_id)).toEqual(state.stakes.map((s) => s.stake_id));
      expect(new Set(result.stakes.map((r) => r.stake_id)).size).toBe(state.stakes.length);
      const fromHands = result.hands.flatMap((h) => h.stakes.map((r) => r.stake_id)).sort();
      expect(fromHands).toEqual(state.stakes.map((s) => s.stake_id).sort());
      expect(result.hands.reduce((a, h) => a + h.staked_minor, 0)).toBe(result.staked_minor);
      expect(result.staked_minor).toBe(state.stakes.reduce((a, s) => a + s.amount_minor, 0));
      for (const [i, r] of result.stakes.entries()) {
        const stake = state.stakes[i];
        expect(stake).toBeDefined();
        if (!stake) continue;
        expect(r.stake_minor).toBe(stake.amount_minor);
        expect(r.returned_minor).toBeGreaterThanOrEqual(0);
        expect(Number.isSafeInteger(r.returned_minor)).toBe(true);
        const s = stake.amount_minor;
        const { num, den } = BLACKJACK_RATIOS[state.rules.blackjack_pays];
        const allowed = new Set([0, s, 2 * s]);
        if (stake.component === 'main' || stake.component === 'behind') [Math.floor(s / 2), s + Math.floor((s * num) / den)].forEach((x) => allowed.add(x));
        if (stake.component === 'split' || stake.component === 'behind_split') allowed.add(Math.floor(s / 2)); // a split hand cannot surrender, but keep the rule's set
        if (stake.component === 'insurance') { allowed.clear(); allowed.add(0); allowed.add(3 * s); }
        const table = (SIDE_BET_TABLES as Record<string, { rows: readonly { pays: number }[] } | undefined>)[stake.component];
        if (table) { allowed.clear(); allowed.add(0); for (const row of table.rows) allowed.add(s * (1 + row.pays)); }
        expect(allowed.has(r.returned_minor), `${stake.component} ${s} returned ${r.returned_minor}`).toBe(true);
        seen.components.add(stake.component);
        seen.reasons.add(r.reason);
        expect(r.result).toBe(r.returned_minor > s ? 'win' : r.returned_minor === s ? 'push' : 'lose');
      }
      for (const box of state.boxes) {
        expect(box.hands.length).toBeLessThanOrEqual(Math.max(1, state.rules.max_hands));
        for (const hand of box.hands) expect(['stood', 'busted', 'surrendered', 'blackjack', 'playing']).toContain(hand.status);
      }
    }), { numRuns: 500 });
    expect([...seen.components].sort()).toEqual(['behind', 'behind_double', 'behind_split', 'double', 'hot_3', 'insurance', 'main', 'perfect_pairs', 'split', 'twenty_one_plus_three']);
    for (const code of ['not_your_turn', 'not_your_box', 'double_needs_two_cards', 'split_unequal_cards', 'hand_not_found', 'surrender_not_offered']) expect([...seen.refusals]).toContain(code);
    for (const reason of ['blackjack', 'surrender', 'dealer_bust', 'dealer_blackjack', 'bust', 'equal']) expect([...seen.reasons]).toContain(reason);
  });
});
