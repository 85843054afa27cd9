/**
 * Basic strategy: the chart derived for the table's rules (domain/fairness/blackjack-strategy.ts)
 * agrees with the published multi-deck charts at peek tables, makes the no-hole-card changes at the
 * classic tables, and falls back when a rule forbids the move. Every cell against the derived chart:
 * domain/fairness/blackjack-charts.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type Action, ACTIONS } from './decisions';
import { CLASSIC_INFINITE, CLASSIC_SEATED, US_PEEK } from './rules';
import { basicStrategyChart } from '../../fairness/blackjack-strategy';
import { basicStrategy, strategyChart } from './strategy';

const ALL = ACTIONS;
const NO_SURRENDER: readonly Action[] = ['hit', 'stand', 'double', 'split'];
const s17 = { ...US_PEEK };
const h17 = { ...US_PEEK, dealer_soft_17: 'hit' as const };

describe('basic strategy (Wizard of Odds, 4-8 decks)', () => {
  it.each([
    [s17, ['10S', '6D'], '10H', ALL, 'surrender'],
    [s17, ['10S', '6D'], '10H', NO_SURRENDER, 'hit'],
    [s17, ['10S', '6D'], '6H', ALL, 'stand'],
    [s17, ['10S', '2D'], '3H', ALL, 'hit'],
    [s17, ['10S', '2D'], '4H', ALL, 'stand'],
    [s17, ['6S', '5D'], 'AH', ALL, 'hit'],
    [h17, ['6S', '5D'], 'AH', ALL, 'double'],
    [s17, ['5S', '4D'], '3H', ALL, 'double'],
    [s17, ['5S', '4D'], '3H', ['hit', 'stand'], 'hit'],
    [s17, ['AS', '7D'], '2H', ALL, 'stand'],
    [h17, ['AS', '7D'], '2H', ALL, 'double'],
    [s17, ['AS', '7D'], '6H', ['hit', 'stand'], 'stand'], // Ds without a double: stand
    [s17, ['AS', '7D'], '9H', ALL, 'hit'],
    [s17, ['AS', '6D'], '3H', ALL, 'double'],
    [s17, ['8S', '8D'], 'AH', ALL, 'split'],
    [h17, ['8S', '8D'], 'AH', ALL, 'surrender'],
    [s17, ['9S', '9D'], '7H', ALL, 'stand'],
    [s17, ['9S', '9D'], '8H', ALL, 'split'],
    [s17, ['KS', 'QD'], '6H', ALL, 'stand'],
    [s17, ['5S', '5D'], '9H', ALL, 'double'],
    [s17, ['2S', '2D'], '2H', ALL, 'split'],
    [{ ...s17, double_after_split: false }, ['2S', '2D'], '2H', ALL, 'hit'],
    [s17, ['AS', 'AD'], 'AH', ALL, 'split'],
    [s17, ['AS', 'AD'], 'AH', ['hit', 'stand'], 'hit'],
    [h17, ['10S', '7D'], 'AH', ALL, 'surrender'],
    [h17, ['10S', '7D'], 'AH', NO_SURRENDER, 'stand'],
    [CLASSIC_SEATED, ['2S', '3D', '4C', '3H'], '6H', ['hit', 'stand'], 'stand'],
    [CLASSIC_INFINITE, ['AS', '2D', '2C'], '5H', ['hit', 'stand'], 'hit'],
  ] as const)('%# %j v %s', (rules, cards, up, legal, expected) => {
    expect(basicStrategy(rules, cards, up, legal)).toBe(expected);
  });

  it('always answers with a legal action', () => {
    const ranks = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'];
    const subsets: Action[][] = [[...ALL], ['hit', 'stand'], ['stand'], ['hit', 'stand', 'double'], ['hit', 'stand', 'split']];
    for (const a of ranks) for (const b of ranks) for (const up of ranks) for (const legal of subsets) {
      expect(legal).toContain(basicStrategy(h17, [`${a}S`, `${b}D`], `${up}C`, legal));
    }
  });
});

describe('no hole card (the classic tables): the derived chart, not a peek chart', () => {
  const peek = { ...CLASSIC_SEATED, dealer_peek: true };
  it.each([
    [['6S', '5D'], '10H', 'double', 'hit'], // 11 v 10: a hidden blackjack would take the double
    [['2S', '9D'], 'KH', 'double', 'hit'],
    [['8S', '8D'], '10H', 'split', 'hit'],
    [['8S', '8D'], 'AH', 'split', 'hit'],
    [['AS', 'AD'], 'AH', 'split', 'hit'],
    [['8S', '8D'], '9H', 'split', 'split'], // no blackjack can hide under a 9
    [['10S', '6D'], '10H', 'hit', 'hit'],
  ] as const)('%j v %s: %s with a peek, %s without', (cards, up, withPeek, withoutPeek) => {
    expect(basicStrategy(peek, cards, up, ALL)).toBe(withPeek);
    expect(basicStrategy(CLASSIC_SEATED, cards, up, ALL)).toBe(withoutPeek);
  });
});

describe('the chart cache', () => {
  it("is the fairness module's chart for the rules, once per rule set", () => {
    expect(strategyChart(CLASSIC_SEATED)).toBe(basicStrategyChart(CLASSIC_SEATED));
    // A parsed copy of the same rules (what a table reading its config gets) shares the chart.
    expect(strategyChart(JSON.parse(JSON.stringify(CLASSIC_SEATED)))).toBe(strategyChart(CLASSIC_SEATED));
    // Seats and side bets do not change the strategy.
    expect(strategyChart({ ...CLASSIC_INFINITE, side_bets: [] })).toBe(strategyChart(CLASSIC_INFINITE));
    expect(strategyChart(CLASSIC_INFINITE)).not.toBe(strategyChart(CLASSIC_SEATED));
  });

  it('answers without a decision to make', () => {
    expect(basicStrategy(CLASSIC_SEATED, ['10S', '5D', '6C'], '10H', ['hit', 'stand'])).toBe('stand'); // 21
    expect(basicStrategy(CLASSIC_SEATED, ['8S'], '10H', [])).toBe('stand'); // awaiting a card: nothing legal
  });
});
