/**
 * The simulated player: played through real rounds of the engine (provably-fair shoes, Seated with
 * three seats and Infinite with three players), every proposed action checked against legalActions
 * and accepted by decide; the mistake, insurance and side-bet rates observed against the profile.
 */
import { describe, expect, it } from 'vitest';
import { type BetRequest, closeBetting, placeBet } from './betting';
import { currentTurn, decide, insure, legalActions } from './decisions';
import { dealFromShoe } from './autoplay';
import {
  BASIC_STRATEGY_PLAYER, handDecision, type Mistake, MISTAKES, playerDecision, playerInsurance, type PlayerProfile, playerSideBets, type Random,
  randomPlayerProfile, TYPICAL_PLAYER,
} from './player-policy';
import { type BlackjackRules, CLASSIC_INFINITE, CLASSIC_SEATED, US_PEEK } from './rules';
import { openShoe } from './shoe';
import { activeHandIndex, type Format, newRound, type RoundState } from './state';
import { basicStrategy } from './strategy';
import { ok } from './test-helpers';

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every mistake at once: asked with a roll of 0, it reveals which mistake a hand is open to. */
const ALWAYS_WRONG: PlayerProfile = { ...BASIC_STRATEGY_PLAYER, mistakes: { stand_on_stiff: 1, skip_soft_double: 1, hit_hard_17: 1, slip: 1 } };

type Tally = {
  decisions: number;
  deviations: number;
  open: Record<Mistake, number>;
  taken: Record<Mistake, number>;
  insuranceOffers: number;
  insuranceTaken: number;
  sideBetsOffered: number;
  sideBetsPlaced: number;
  log: string[];
};

const MAIN = 100;

/** Plays `rounds` rounds, three players, every decision by the policy; fails on any refusal or illegal proposal. */
function play(rules: BlackjackRules, format: Format, rounds: number, seed: number, profile: PlayerProfile): Tally {
  const random = seeded(seed);
  const zero: Random = () => 0;
  const tally: Tally = {
    decisions: 0, deviations: 0, open: { stand_on_stiff: 0, skip_soft_double: 0, hit_hard_17: 0, slip: 0 },
    taken: { stand_on_stiff: 0, skip_soft_double: 0, hit_hard_17: 0, slip: 0 },
    insuranceOffers: 0, insuranceTaken: 0, sideBetsOffered: 0, sideBetsPlaced: 0, log: [],
  };
  const decideOne = (state: RoundState, boxId: string, index: number): RoundState => {
    const box = state.boxes.find((b) => b.box_id === boxId);
    if (!box) throw new Error(`no box ${boxId}`);
    const legal = legalActions(state, box.player_id, boxId, index);
    const decision = playerDecision(state, boxId, index, random, profile);
    if (!decision) throw new Error(`no decision proposed for ${boxId}/${index} with ${legal.join(',')} legal`);
    expect(legal).toContain(decision.action);
    expect(decision.basic).toBe(basicStrategy(state.rules, box.hands[index]?.cards ?? [], state.dealer[0] ?? '', legal));
    const open = playerDecision(state, boxId, index, zero, ALWAYS_WRONG)?.mistake ?? null;
    // the same decision from what the API shows a player (rules, cards, up card, legal actions), for the same roll
    for (const [roll, p] of [[0, ALWAYS_WRONG], [0.03, TYPICAL_PLAYER], [0.5, profile]] as const) {
      const cards = box.hands[index]?.cards ?? [];
      expect(handDecision(state.rules, cards, state.dealer[0] ?? '', legal, () => roll, p)).toEqual(playerDecision(state, boxId, index, () => roll, p));
    }
    tally.decisions++;
    if (open) tally.open[open]++;
    if (decision.mistake) {
      expect(decision.mistake).toBe(open);
      expect(decision.action).not.toBe(decision.basic);
      tally.deviations++;
      tally.taken[decision.mistake]++;
    } else {
      expect(decision.action).toBe(decision.basic);
    }
    tally.log.push(`${boxId}/${index}:${decision.action}`);
    return ok(decide(state, { player_id: box.player_id, box_id: boxId, hand_index: index, action: decision.action }));
  };

  for (let r = 0; r < rounds; r++) {
    let state = newRound(format, rules);
    for (let p = 1; p <= 3; p++) {
      const side_bets = playerSideBets(rules, MAIN, random, profile);
      tally.sideBetsOffered += rules.side_bets.length;
      tally.sideBetsPlaced += Object.keys(side_bets).length;
      for (const amount of Object.values(side_bets)) {
        expect(Number.isInteger(amount) && amount >= 1 && amount <= MAIN).toBe(true);
      }
      const bet: BetRequest = { player_id: `p${p}`, main_minor: MAIN, side_bets, ...(format === 'seated' ? { seat: p * 2 } : {}) };
      state = ok(placeBet(state, bet));
    }
    state = ok(closeBetting(state));
    const shoe = openShoe('ab'.repeat(32), `policy-${seed}`, r, rules.decks);
    for (let pass = 0; state.phase !== 'complete'; pass++) {
      if (pass > 200) throw new Error('a round did not end');
      state = ok(dealFromShoe(state, shoe));
      if (state.phase === 'insurance') {
        for (const box of state.boxes) {
          const take = playerInsurance(state, box.box_id, random, profile);
          if (take === null) continue;
          tally.insuranceOffers++;
          if (take) tally.insuranceTaken++;
          state = ok(insure(state, { player_id: box.player_id, box_id: box.box_id, take }));
        }
        continue;
      }
      if (state.phase !== 'decisions') continue;
      if (format === 'seated') {
        const turn = currentTurn(state);
        const hand = turn ? state.boxes.find((b) => b.box_id === turn.box_id)?.hands[turn.hand_index] : undefined;
        if (turn && hand?.status === 'playing') state = decideOne(state, turn.box_id, turn.hand_index);
        continue;
      }
      // Infinite: every box decides its own hands; one decision per box per pass.
      for (const { box_id } of state.boxes) {
        const box = state.boxes.find((b) => b.box_id === box_id);
        const index = box ? activeHandIndex(box) : null;
        if (state.phase === 'decisions' && box && index !== null && box.hands[index]?.status === 'playing') state = decideOne(state, box_id, index);
      }
    }
  }
  return tally;
}

/** |observed - expected| within k binomial standard errors. */
function withinBinomial(successes: number, trials: number, p: number, k = 4.5): void {
  const sd = Math.sqrt((p * (1 - p)) / trials);
  expect(trials).toBeGreaterThan(0);
  expect(Math.abs(successes / trials - p)).toBeLessThanOrEqual(k * sd + 1e-12);
}

describe.each([
  ['classic seated', CLASSIC_SEATED, 'seated'],
  ['classic infinite', CLASSIC_INFINITE, 'infinite'],
  ['US peek (surrender, resplits)', US_PEEK, 'seated'],
] as const)('%s', (_name, rules, format) => {
  it('a typical player: only legal actions, about 4 % of decisions off the chart, each mistake at its rate', () => {
    const t = play(rules, format, 4_000, 7, TYPICAL_PLAYER);
    const rate = t.deviations / t.decisions;
    console.log(JSON.stringify({ rules: _name, decisions: t.decisions, deviation_rate: rate, open: t.open, taken: t.taken, insurance: [t.insuranceTaken, t.insuranceOffers] }));
    expect(t.decisions).toBeGreaterThan(12_000);
    expect(rate).toBeGreaterThan(0.03);
    expect(rate).toBeLessThan(0.05);
    for (const kind of MISTAKES) withinBinomial(t.taken[kind], t.open[kind], TYPICAL_PLAYER.mistakes[kind]);
    withinBinomial(t.insuranceTaken, t.insuranceOffers, TYPICAL_PLAYER.insurance);
    withinBinomial(t.sideBetsPlaced, t.sideBetsOffered, TYPICAL_PLAYER.side_bets.chance);
  }, 120_000);

  it('a careless player (every mistake one time in two, insurance one in two) still proposes only legal actions', () => {
    const careless: PlayerProfile = { mistakes: { stand_on_stiff: 0.5, skip_soft_double: 0.5, hit_hard_17: 0.5, slip: 0.5 }, insurance: 0.5, side_bets: { chance: 1, fractions: [0.01, 1, 3] } };
    const t = play(rules, format, 1_500, 11, careless);
    expect(t.deviations / t.decisions).toBeGreaterThan(0.3);
    expect(t.sideBetsPlaced).toBe(t.sideBetsOffered);
  }, 120_000);
});

it('the basic-strategy player never deviates, takes no insurance, bets no side bet', () => {
  const t = play(CLASSIC_SEATED, 'seated', 1_000, 3, BASIC_STRATEGY_PLAYER);
  expect(t.deviations).toBe(0);
  expect(t.insuranceTaken).toBe(0);
  expect(t.insuranceOffers).toBeGreaterThan(0);
  expect(t.sideBetsPlaced).toBe(0);
});

it('is deterministic: the same seed plays the same decisions, another seed others', () => {
  const a = play(CLASSIC_INFINITE, 'infinite', 300, 42, TYPICAL_PLAYER);
  const b = play(CLASSIC_INFINITE, 'infinite', 300, 42, TYPICAL_PLAYER);
  const c = play(CLASSIC_INFINITE, 'infinite', 300, 43, TYPICAL_PLAYER);
  expect(b.log).toEqual(a.log);
  expect(c.log).not.toEqual(a.log);
});

it('proposes nothing for a hand with nothing to decide, and no insurance where none is offered', () => {
  let state = ok(placeBet(newRound('seated', CLASSIC_SEATED), { player_id: 'p', seat: 1, main_minor: 10 }));
  expect(playerDecision(state, 'seat-1', 0, seeded(1))).toBeNull();
  expect(playerInsurance(state, 'seat-1', seeded(1))).toBeNull();
  state = ok(closeBetting(state));
  state = ok(dealFromShoe(state, ['10S', '9H', '6D']));
  expect(state.phase).toBe('decisions');
  expect(playerDecision(state, 'seat-1', 1, seeded(1))).toBeNull(); // no such hand
  expect(playerDecision(state, 'seat-9', 0, seeded(1))).toBeNull(); // no such box
  expect(playerDecision(state, 'seat-1', 0, seeded(1), BASIC_STRATEGY_PLAYER)).toEqual({ action: 'hit', basic: 'hit', mistake: null }); // 16 v 9
  // A roll under the rate stands on the 16 against the 9: the stiff mistake.
  expect(playerDecision(state, 'seat-1', 0, () => 0.01)).toEqual({ action: 'stand', basic: 'hit', mistake: 'stand_on_stiff' });
});

it('side bets: only those the table offers, whole minor units within 1 .. the main bet', () => {
  const random = seeded(5);
  const fan: PlayerProfile = { ...TYPICAL_PLAYER, side_bets: { chance: 1, fractions: [0.1, 0.5] } };
  const bets = playerSideBets(CLASSIC_SEATED, 1_000, random, fan);
  expect(Object.keys(bets).sort()).toEqual(['perfect_pairs', 'twenty_one_plus_three']);
  for (const amount of Object.values(bets)) expect([100, 500]).toContain(amount);
  expect(playerSideBets({ ...CLASSIC_SEATED, side_bets: [] }, 1_000, random, fan)).toEqual({});
  expect(playerSideBets(CLASSIC_SEATED, 1, random, fan)).toEqual({ perfect_pairs: 1, twenty_one_plus_three: 1 });
});

it('random profiles vary the rates around the typical player and stay probabilities', () => {
  const random = seeded(9);
  const profiles = Array.from({ length: 200 }, () => randomPlayerProfile(random));
  for (const p of profiles) {
    for (const kind of MISTAKES) expect(p.mistakes[kind]).toBeGreaterThanOrEqual(0);
    for (const kind of MISTAKES) expect(p.mistakes[kind]).toBeLessThanOrEqual(1);
    expect(p.insurance).toBeLessThanOrEqual(1);
  }
  const neverSoftDouble = profiles.filter((p) => p.mistakes.skip_soft_double === 1).length;
  expect(neverSoftDouble).toBeGreaterThan(25);
  expect(neverSoftDouble).toBeLessThan(80);
});
