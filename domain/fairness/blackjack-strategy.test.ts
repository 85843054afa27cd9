import { describe, expect, it } from 'vitest';
import { SIX_DECK_S17, type BlackjackRules } from './blackjack-rules';
import { gameValue, type BlackjackAction, type CardValue } from './blackjack-rtp';
import { analyseBlackjack, basicStrategyAction, chartChooser, printChart } from './blackjack-strategy';

const rules = (changes: Partial<BlackjackRules>): BlackjackRules => ({ ...SIX_DECK_S17, ...changes });
const FIRST_TWO: readonly BlackjackAction[] = ['stand', 'hit', 'double', 'split', 'surrender'];
const HIT_STAND: readonly BlackjackAction[] = ['stand', 'hit'];

describe('derived basic strategy, 6 decks S17 DAS', () => {
  const { chart } = analyseBlackjack(SIX_DECK_S17);
  const play = (cards: CardValue[], up: CardValue, allowed = FIRST_TWO) => basicStrategyAction(chart, cards, up, allowed);

  it('is the published multi-deck S17 chart in its well-known cells', () => {
    expect(play([10, 2], 2)).toBe('hit');
    expect(play([10, 2], 4)).toBe('stand');
    expect(play([10, 6], 6)).toBe('stand');
    expect(play([10, 6], 7)).toBe('hit');
    expect(play([9, 7], 10)).toBe('hit');
    expect(play([6, 5], 10)).toBe('double');
    expect(play([6, 5], 1)).toBe('hit'); // S17: hit 11 against an ace
    expect(play([5, 4], 2)).toBe('hit');
    expect(play([5, 4], 3)).toBe('double');
    expect(play([1, 7], 2)).toBe('stand');
    expect(play([1, 7], 6)).toBe('double');
    expect(play([1, 7], 9)).toBe('hit');
    expect(play([1, 2], 5)).toBe('double');
    expect(play([1, 2], 4)).toBe('hit');
    expect(play([8, 8], 1)).toBe('split');
    expect(play([1, 1], 10)).toBe('split');
    expect(play([9, 9], 7)).toBe('stand');
    expect(play([9, 9], 8)).toBe('split');
    expect(play([4, 4], 5)).toBe('split'); // with DAS
    expect(play([5, 5], 9)).toBe('double');
    expect(play([10, 10], 6)).toBe('stand');
  });

  it('falls back to the next best allowed action', () => {
    expect(play([1, 7], 6, HIT_STAND)).toBe('stand'); // Ds
    expect(play([1, 2], 5, HIT_STAND)).toBe('hit'); // D
    expect(play([8, 8], 10, ['stand', 'hit', 'double'])).toBe('hit'); // split not allowed any more
    expect(play([2, 3, 6], 10, HIT_STAND)).toBe('hit'); // three-card 11: the double is gone
    expect(play([4, 4, 4, 4], 10, HIT_STAND)).toBe('hit');
    expect(play([10, 5, 6], 10, HIT_STAND)).toBe('stand'); // 21
    expect(() => play([10, 10, 5], 10, HIT_STAND)).toThrow(/no decision/);
  });

  it('never plays worse than the optimal composition-dependent play, and costs it under 0.01 %', () => {
    const a = analyseBlackjack(SIX_DECK_S17);
    expect(a.rtp).toBeLessThanOrEqual(a.rtpOptimal);
    expect(a.rtpOptimal - a.rtp).toBeLessThan(0.0001);
  });

  it('prints as a chart (docs/fairness.md)', () => {
    const printed = printChart(chart);
    expect(printed).toContain('| hard 16 | S | S | S | S | S | H | H | H | H | H |');
    expect(printed).toContain('| soft 18 (A,7) | S | Ds | Ds | Ds | Ds | S | S | H | H | H |');
    expect(printed).toContain('| pair 9 | P | P | P | P | P | S | P | P | S | S |');
  });
});

describe('derived basic strategy, 6 decks H17 DAS late surrender', () => {
  const { chart } = analyseBlackjack(rules({ dealer_soft_17: 'hit', late_surrender: true }));
  const play = (cards: CardValue[], up: CardValue, allowed = FIRST_TWO) => basicStrategyAction(chart, cards, up, allowed);

  it('has the published H17 and surrender changes', () => {
    expect(play([6, 5], 1)).toBe('double');
    expect(play([1, 7], 2)).toBe('double');
    expect(play([1, 8], 6)).toBe('double');
    expect(play([10, 6], 9)).toBe('surrender');
    expect(play([10, 6], 10)).toBe('surrender');
    expect(play([10, 5], 10)).toBe('surrender');
    expect(play([10, 5], 1)).toBe('surrender');
    expect(play([10, 7], 1)).toBe('surrender');
    expect(play([8, 8], 1)).toBe('surrender');
    expect(play([8, 8], 1, ['stand', 'hit', 'double', 'split'])).toBe('split');
    expect(play([10, 6], 10, HIT_STAND)).toBe('hit');
    expect(play([10, 7], 1, HIT_STAND)).toBe('stand');
  });
});

/**
 * House-edge effects of single rules, 6 decks, against the published rule-variation tables
 * (Wizard of Odds house-edge calculator and "rule variations" table; The Color of Blackjack):
 * H17 +0.20..0.22 %, 6:5 +1.36..1.39 %, DAS -0.13..0.14 %, late surrender -0.07..0.08 %,
 * double on 9-11 only +0.09 %, no resplitting +0.03..0.04 %. Asserted within the stated tolerances.
 */
describe('rule effects on the 6-deck RTP with basic strategy', () => {
  const base = analyseBlackjack(SIX_DECK_S17);
  const effect = (changes: Partial<BlackjackRules>) => base.rtp - analyseBlackjack(rules(changes)).rtp; // + = costs the player

  it('6 decks S17 DAS 3:2 peek, no surrender: RTP 99.60 % (house edge 0.40 %)', () => {
    expect(base.houseEdge).toBeGreaterThan(0.0037);
    expect(base.houseEdge).toBeLessThan(0.0043);
    expect(base.rtp_bp).toBe(9960);
  });

  it.each([
    ['dealer hits soft 17', 0.0021, 0.0004, { dealer_soft_17: 'hit' }],
    ['blackjack pays 6:5', 0.0138, 0.0005, { blackjack_pays: '6:5' }],
    ['no double after split', 0.0014, 0.0004, { double_after_split: false }],
    ['late surrender', -0.0008, 0.0003, { late_surrender: true }],
    ['double on 9-11 only', 0.0009, 0.0005, { double_on: '9_11' }],
    ['split once (no resplit)', 0.0004, 0.0003, { max_hands: 2 }],
    ['resplit aces allowed', -0.0007, 0.0003, { resplit_aces: true }],
  ] as const)('%s changes the house edge by %f (within %f)', (_name, published, tolerance, changes) => {
    expect(Math.abs(effect(changes) - published)).toBeLessThan(tolerance);
  });

  it('infinite deck: the chart is the optimal play (the composition cannot matter)', () => {
    const a = analyseBlackjack(SIX_DECK_S17, 'infinite');
    expect(a.rtp).toBeCloseTo(a.rtpOptimal, 12);
    expect(a.rtp).toBeCloseTo(1 - 0.00511734, 6);
  });
});

describe('the cache', () => {
  it('keys on the fields that change the RTP: seats and side bets do not make a second analysis', () => {
    const a = analyseBlackjack(SIX_DECK_S17);
    expect(analyseBlackjack({ ...SIX_DECK_S17, seats: 3, side_bets: ['hot_3'], insurance: false })).toBe(a);
    expect(analyseBlackjack(rules({ max_hands: 3 }))).not.toBe(a);
  });
});

describe('strategies with mistakes', () => {
  it("prices a player's deviations: never hitting a hard 12+ costs ~3.9 % (Wizard of Odds, 'bad strategies': 3.91 %)", () => {
    // 8 decks, S17, DAS, resplit to four, no surrender; basic strategy except standing on every hard 12-16.
    const r = rules({ decks: 8 });
    const basic = chartChooser(analyseBlackjack(r).chart);
    if (basic === 'optimal') throw new Error('a chart chooser is a function');
    const neverBust = gameValue(r, 'finite', (shape, up, allowed) => {
      const action = basic(shape, up, allowed);
      return action === 'hit' && !shape.soft && shape.total >= 12 ? 'stand' : action;
    });
    expect(Math.abs(-neverBust.ev - 0.0391)).toBeLessThan(0.0015);
    expect(neverBust.ev).toBeLessThan(analyseBlackjack(r).rtp - 1);
  });
});
