/** Focused cases of the baccarat tableau, commission and summary (the conformance suite covers the rest). */
import { describe, expect, it } from 'vitest';
import { baccarat, bankerDraws, drawBaccarat, handTotal, playerDraws, shoeCard, SHOE_SIZE } from './baccarat';

const ok = (player: string[], banker: string[]) => baccarat.parseOutcome({ player, banker }).ok;

describe('hand totals', () => {
  it('counts A as 1, 10 and faces as 0, modulo 10', () => {
    expect(handTotal(['AS', 'KD'])).toBe(1);
    expect(handTotal(['10H', 'JC', 'QS'])).toBe(0);
    expect(handTotal(['7S', '8D'])).toBe(5);
    expect(handTotal(['9S', '9D', '9C'])).toBe(7);
  });
});

describe('the tableau', () => {
  it('a natural 8 or 9 on either side stops both hands', () => {
    for (const [p, b] of [[8, 0], [9, 5], [0, 8], [3, 9], [8, 9]] as const) {
      expect(playerDraws(p, b)).toBe(false);
      expect(bankerDraws(p, b, null)).toBe(false);
    }
    expect(ok(['4S', '4D'], ['2S', '3S'])).toBe(true); // player natural 8: banker 5 stands
    expect(ok(['4S', '4D'], ['2S', '3S', 'KD'])).toBe(false);
    expect(ok(['2S', '3D', 'KC'], ['9S', 'KS'])).toBe(false); // banker natural 9: player 5 stands
  });

  it('the player draws on 0-5 and stands on 6-7', () => {
    for (let p = 0; p <= 7; p++) expect(playerDraws(p, 3)).toBe(p <= 5);
    expect(ok(['3S', '2D'], ['KS', '7S'])).toBe(false); // 5 must draw
    expect(ok(['3S', '3D'], ['KS', '7S'])).toBe(true); // 6 stands, banker 7 stands
  });

  it('when the player stands the banker draws on 0-5 and stands on 6-7', () => {
    for (let b = 0; b <= 7; b++) expect(bankerDraws(6, b, null)).toBe(b <= 5);
    expect(ok(['3S', '4D'], ['KS', '5S', '2C'])).toBe(true);
    expect(ok(['3S', '4D'], ['KS', '5S'])).toBe(false);
    expect(ok(['3S', '4D'], ['KS', '6S'])).toBe(true);
  });

  it.each([
    // banker total, player third-card values on which the banker draws
    [0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [2, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    [3, [0, 1, 2, 3, 4, 5, 6, 7, 9]],
    [4, [2, 3, 4, 5, 6, 7]],
    [5, [4, 5, 6, 7]],
    [6, [6, 7]],
    [7, []],
  ] as const)('after the player drew, banker %i draws on %j', (banker, drawsOn) => {
    for (let third = 0; third <= 9; third++) expect(bankerDraws(2, banker, third)).toBe((drawsOn as readonly number[]).includes(third));
  });

  it('applies the chart to entered cards: banker 3 stands on a player 8, draws on a 9', () => {
    expect(ok(['AS', 'AD', '8C'], ['KS', '3S'])).toBe(true);
    expect(ok(['AS', 'AD', '8C'], ['KS', '3S', '2D'])).toBe(false);
    expect(ok(['AS', 'AD', '9C'], ['KS', '3S', '2D'])).toBe(true);
    expect(ok(['AS', 'AD', '9C'], ['KS', '3S'])).toBe(false);
    expect(ok(['AS', 'AD', 'QC'], ['KS', '6S'])).toBe(true); // 6 stands on a 0
  });
});

describe('settlement', () => {
  const bankerWins = { player: ['2S', 'KH', 'KC'], banker: ['AS', '2S', '4S'] }; // 2 v 7
  const tie = { player: ['4S', '3H'], banker: ['5D', '2C'] }; // 7 v 7
  const pairs = { player: ['QS', 'QH', '5C'], banker: ['7S', '7D'] }; // 5 v 4: player wins, both pairs

  it('takes 5% commission on banker winnings, rounding the winnings down', () => {
    expect(baccarat.settle('banker', 100, bankerWins)).toEqual({ returned_minor: 195, result: 'win' });
    expect(baccarat.settle('banker', 1, bankerWins)).toEqual({ returned_minor: 1, result: 'win' });
    expect(baccarat.settle('banker', 19, bankerWins)).toEqual({ returned_minor: 37, result: 'win' }); // 18.05 -> 18
    expect(baccarat.settle('banker', 20, bankerWins)).toEqual({ returned_minor: 39, result: 'win' });
    expect(baccarat.maxReturn('banker', 1_000)).toBe(1_950);
  });

  it('pushes player and banker on a tie and pays the tie 8:1', () => {
    expect(baccarat.settle('player', 100, tie)).toEqual({ returned_minor: 100, result: 'push' });
    expect(baccarat.settle('banker', 100, tie)).toEqual({ returned_minor: 100, result: 'push' });
    expect(baccarat.settle('tie', 100, tie)).toEqual({ returned_minor: 900, result: 'win' });
    expect(baccarat.settle('tie', 100, bankerWins)).toEqual({ returned_minor: 0, result: 'lose' });
  });

  it('pays pairs 11:1 on the first two cards of a hand, by rank', () => {
    expect(baccarat.settle('player_pair', 10, pairs)).toEqual({ returned_minor: 120, result: 'win' });
    expect(baccarat.settle('banker_pair', 10, pairs)).toEqual({ returned_minor: 120, result: 'win' });
    expect(baccarat.settle('player', 10, pairs)).toEqual({ returned_minor: 20, result: 'win' });
    const sameValueOtherRank = { player: ['QS', 'KS', '5C'], banker: ['7S', '7D'] };
    expect(baccarat.settle('player_pair', 10, sameValueOtherRank).result).toBe('lose');
  });

  it('summarises a round for events', () => {
    expect(baccarat.summarize(pairs)).toEqual({
      winner: 'player', player_total: 5, banker_total: 4, player_pair: true, banker_pair: true, natural: false,
      cards: 'P:QS,QH,5C B:7S,7D',
    });
    expect(baccarat.summarize({ player: ['4S', '4D'], banker: ['2S', '3S'] })).toMatchObject({ natural: true, winner: 'player' });
  });
});

describe('the shoe', () => {
  it('is 8 decks in a documented order', () => {
    expect(SHOE_SIZE).toBe(416);
    expect([shoeCard(0), shoeCard(9), shoeCard(12), shoeCard(13), shoeCard(51), shoeCard(52), shoeCard(415)]).toEqual(['AS', '10S', 'KS', 'AH', 'KC', 'AS', 'KC']);
  });

  it('deals the first cards of a Fisher-Yates shuffle in order P B P B', () => {
    // rng.int always 0: the shuffle leaves the shoe as it is, so cards come off in shoe order.
    // Player A+3 = 4 draws the 5S (9); banker 2+4 = 6 stands on a player third card of 5.
    expect(drawBaccarat({ int: () => 0 })).toEqual({ player: ['AS', '3S', '5S'], banker: ['2S', '4S'] });
    // rng.int = 1: card k comes from position k + 1, and the AS is carried forward each time.
    expect(drawBaccarat({ int: () => 1 })).toEqual({ player: ['2S', '4S'], banker: ['3S', '5S'] });
    // rng.int(n) = n - 1: every card comes from position 415, which holds what was swapped out of k - 1.
    expect(drawBaccarat({ int: (n) => n - 1 })).toEqual({ player: ['KC', '2S', '4S'], banker: ['AS', '3S', '5S'] });
  });
});
