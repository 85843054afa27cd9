/** Money of a hand: outcomes against the dealer, and the rounding rule on odd stakes. */
import { describe, expect, it } from 'vitest';
import { handOutcome, handStakeReturn } from './settlement';
import type { Hand } from './state';

const hand = (cards: string[], extra: Partial<Hand> = {}): Hand => ({ cards, status: 'stood', stake_minor: 10, doubled: false, from_split: false, split_aces: false, ...extra });

describe('rounding: fractions of a minor unit are rounded down', () => {
  it.each([
    // stake, 3:2 return, 6:5 return
    [1, 2, 2], [2, 5, 4], [3, 7, 6], [5, 12, 11], [7, 17, 15], [10, 25, 22], [11, 27, 24], [99, 247, 217], [100, 250, 220],
  ])('a blackjack on %i returns %i at 3:2 and %i at 6:5', (stake, threeTwo, sixFive) => {
    expect(handStakeReturn('main', stake, 'blackjack', '3:2')).toBe(threeTwo);
    expect(handStakeReturn('main', stake, 'blackjack', '6:5')).toBe(sixFive);
    expect(threeTwo).toBe(stake + Math.floor((3 * stake) / 2));
  });

  it('a surrender returns half the stake rounded down; a surrendered hand has no double', () => {
    expect([1, 2, 5, 11, 100].map((s) => handStakeReturn('main', s, 'surrender', '3:2'))).toEqual([0, 1, 2, 5, 50]);
    expect(handStakeReturn('behind', 7, 'surrender', '3:2')).toBe(3);
  });

  it('even money, push and loss are exact; beyond the safe integer range it throws', () => {
    expect(handStakeReturn('double', 7, 'win', '3:2')).toBe(14);
    expect(handStakeReturn('split', 7, 'push', '3:2')).toBe(7);
    expect(handStakeReturn('main', 7, 'lose', '3:2')).toBe(0);
    expect(() => handStakeReturn('main', Number.MAX_SAFE_INTEGER, 'win', '3:2')).toThrow(RangeError);
    expect(() => handStakeReturn('main', 2 ** 52, 'blackjack', '3:2')).toThrow(RangeError);
  });
});

describe('a hand against the dealer', () => {
  it.each([
    [['AS', 'KD'], {}, ['10S', '7D'], 'blackjack'],
    [['AS', 'KD'], {}, ['AC', 'QD'], 'push'],
    [['AS', 'KD'], { from_split: true }, ['10S', '7D'], 'win'],
    [['AS', 'KD'], { from_split: true }, ['AC', 'QD'], 'lose'],
    [['10S', '5D', '9C'], {}, ['10S', '6D', '8C'], 'lose'], // a player bust loses even when the dealer busts
    [['10S', '8D'], {}, ['10H', '6D', '8C'], 'win'],
    [['10S', '8D'], {}, ['10H', '8C'], 'push'],
    [['10S', '8D'], {}, ['10H', '9C'], 'lose'],
    [['7S', '7D', '7C'], {}, ['AH', 'KC'], 'lose'],
    [['10S', '6D'], { status: 'surrendered' as const }, ['10H', '9C'], 'surrender'],
  ])('%j %j v %j: %s', (cards, extra, dealer, outcome) => {
    expect(handOutcome(hand(cards, extra), dealer).outcome).toBe(outcome);
  });
});
