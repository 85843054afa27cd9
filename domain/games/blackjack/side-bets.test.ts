/** Side bets: each outcome of each pay table on hand-picked cards (the conformance suite covers the whole space). */
import { describe, expect, it } from 'vitest';
import { hot3Outcome, perfectPairsOutcome, SIDE_BET_TABLES, sideBetPays, twentyOnePlusThreeOutcome } from './side-bets';

describe('Perfect Pairs (25 / 12 / 6)', () => {
  it.each([
    [['QH', 'QH'], 'perfect_pair', 25], [['QH', 'QD'], 'coloured_pair', 12], [['QS', 'QC'], 'coloured_pair', 12],
    [['QH', 'QS'], 'mixed_pair', 6], [['QH', 'KH'], null, 0], [['10H', 'JH'], null, 0],
  ] as const)('%j is %s', (cards, outcome, pays) => {
    expect(perfectPairsOutcome(cards)).toBe(outcome);
    expect(sideBetPays('perfect_pairs', outcome)).toBe(pays);
  });
});

describe('21+3 (100 / 40 / 30 / 10 / 5)', () => {
  it.each([
    [['7H', '7H', '7H'], 'suited_trips'], [['7H', '7S', '7H'], 'three_of_a_kind'], [['9C', '10C', 'JC'], 'straight_flush'],
    [['AD', '2D', '3D'], 'straight_flush'], [['QS', 'KS', 'AS'], 'straight_flush'], [['QS', 'KD', 'AS'], 'straight'],
    [['3S', '2D', 'AS'], 'straight'], [['KS', 'AD', '2S'], null], [['2H', '9H', 'KH'], 'flush'], [['2H', '9H', 'KS'], null],
    [['2H', '2S', '3H'], null],
  ] as const)('%j is %s', (cards, outcome) => {
    expect(twentyOnePlusThreeOutcome(cards)).toBe(outcome);
  });

  it('pays from the table', () => {
    expect(SIDE_BET_TABLES.twenty_one_plus_three.rows.map((r) => r.pays)).toEqual([100, 40, 30, 10, 5]);
  });
});

describe('Hot 3 (100 / 20 / 4 / 2 / 1)', () => {
  it.each([
    [['7H', '7S', '7D'], 'seven_seven_seven', 100], [['AH', 'KH', 'QH'], 'suited_21', 20], [['AH', 'KH', 'QS'], 'twenty_one', 4],
    [['5H', '6H', 'KH'], 'suited_21', 20], [['AS', 'AD', '8C'], 'twenty', 2], [['AS', '8D', 'KC'], 'nineteen', 1],
    [['AS', 'AD', 'AC'], null, 0], [['KS', 'QD', '2C'], null, 0], [['9S', 'KD', '8C'], null, 0],
  ] as const)('%j is %s', (cards, outcome, pays) => {
    expect(hot3Outcome(cards)).toBe(outcome);
    expect(sideBetPays('hot_3', outcome)).toBe(pays);
  });
});
