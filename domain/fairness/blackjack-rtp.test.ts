import { describe, expect, it } from 'vitest';
import { SIX_DECK_S17, type BlackjackRules } from './blackjack-rules';
import { dealerOutcomes, gameValue, handValues, type CardValue, type InitialHand } from './blackjack-rtp';

const rules = (changes: Partial<BlackjackRules>): BlackjackRules => ({ ...SIX_DECK_S17, ...changes });

function hand(hands: readonly InitialHand[], up: CardValue, a: CardValue, b: CardValue): InitialHand {
  const [low, high] = a <= b ? [a, b] : [b, a];
  const found = hands.find((h) => h.up === up && h.cards[0] === low && h.cards[1] === high);
  if (!found) throw new Error(`no hand ${a},${b} vs ${up}`);
  return found;
}

describe('dealer final-hand distribution', () => {
  it('is a probability distribution for every up card, conditioned or not', () => {
    for (const kind of ['infinite', 'finite'] as const) {
      for (const { up, unconditioned, noBlackjack } of dealerOutcomes(SIX_DECK_S17, kind)) {
        const sum = (d: typeof unconditioned) => d[17] + d[18] + d[19] + d[20] + d[21] + d.bust + d.blackjack;
        expect(sum(unconditioned), `${kind} ${up}`).toBeCloseTo(1, 12);
        expect(sum(noBlackjack), `${kind} ${up}`).toBeCloseTo(1, 12);
        expect(noBlackjack.blackjack).toBe(0);
      }
    }
  });

  it('gives the published infinite-deck S17 bust rates (Griffin; Wizard of Odds appendix 1)', () => {
    const d = dealerOutcomes(SIX_DECK_S17, 'infinite');
    const bust = (up: CardValue) => d.find((o) => o.up === up)?.noBlackjack.bust;
    expect(bust(2)).toBeCloseTo(0.35361, 4);
    expect(bust(6)).toBeCloseTo(0.42315, 4);
    expect(bust(7)).toBeCloseTo(0.26231, 4);
    expect(bust(10)).toBeCloseTo(0.22979, 4);
    expect(bust(1)).toBeCloseTo(0.16653, 4);
    // Ace up, unconditioned: the hole card is a ten with probability 4/13.
    expect(d.find((o) => o.up === 1)?.unconditioned.blackjack).toBeCloseTo(4 / 13, 14);
  });

  it('hits soft 17 under H17 only', () => {
    const s17 = dealerOutcomes(SIX_DECK_S17, 'infinite').find((o) => o.up === 6)?.noBlackjack;
    const h17 = dealerOutcomes(rules({ dealer_soft_17: 'hit' }), 'infinite').find((o) => o.up === 6)?.noBlackjack;
    expect(h17?.[17]).toBeLessThan((s17?.[17] ?? 0) - 0.05);
    expect(h17?.bust).toBeGreaterThan(s17?.bust ?? 1);
  });
});

describe('infinite deck: Wizard of Odds appendix 1 (S17, DAS, resplit to four except aces, one card to split aces)', () => {
  const game = gameValue(SIX_DECK_S17, 'infinite', 'optimal');

  it('has the published action values (4 decimals)', () => {
    const eights = hand(game.hands, 10, 8, 8).values;
    expect(eights.stand).toBeCloseTo(-0.5404, 4);
    expect(eights.hit).toBeCloseTo(-0.5398, 4);
    expect(eights.double).toBeCloseTo(-1.0797, 4);
    expect(eights.split).toBeCloseTo(-0.4807, 4);
    expect(hand(game.hands, 2, 10, 6).values.stand).toBeCloseTo(-0.2928, 4);
    expect(hand(game.hands, 7, 10, 7).values.stand).toBeCloseTo(-0.1068, 4);
    expect(hand(game.hands, 1, 10, 9).values.stand).toBeCloseTo(0.2776, 4);
  });

  it('has the published game return, -0.511734 %', () => {
    expect(game.ev).toBeCloseTo(-0.00511734, 6);
    expect(game.hands.reduce((s, h) => s + h.p, 0)).toBeCloseTo(1, 12);
  });
});

/**
 * Wizard of Odds, blackjack appendix 9: exact composition-dependent returns for resplit to four
 * hands except aces, one card to split aces, double any two, no surrender, 3:2. Our `initial`
 * removal plays by total after two cards: within 0.01 % of RTP (measured differences 0.0000-0.0045 %).
 */
describe('finite shoes against Wizard of Odds appendix 9', () => {
  const cases: Array<[string, Partial<BlackjackRules>, number, number]> = [
    ['6 decks, H17, no hole card, DAS', { dealer_soft_17: 'hit', dealer_peek: false }, -0.0072705, 0.0001],
    ['6 decks, H17, no hole card, no DAS', { dealer_soft_17: 'hit', dealer_peek: false, double_after_split: false }, -0.0086975, 0.0001],
    ['8 decks, H17, no hole card, DAS', { decks: 8, dealer_soft_17: 'hit', dealer_peek: false }, -0.007562, 0.0001],
    ['2 decks, H17, DAS', { decks: 2, dealer_soft_17: 'hit' }, -0.003797, 0.0001],
    ['1 deck, S17, DAS', { decks: 1 }, 0.001839, 0.0001],
    ['1 deck, H17, DAS', { decks: 1, dealer_soft_17: 'hit' }, -0.000072, 0.0001],
  ];
  for (const [name, changes, published, tolerance] of cases) {
    it(`${name}: ${(published * 100).toFixed(4)} % within ${tolerance * 100} %`, () => {
      const { ev } = gameValue(rules(changes), 'finite', 'optimal');
      expect(Math.abs(ev - published)).toBeLessThan(tolerance);
    });
  }

  it('stands exactly as published (the dealer is dealt from the shoe less the three known cards)', () => {
    // 1 deck, S17, ace up, no dealer blackjack: A,2 -0.661732; A,3 -0.661047 (appendix 9, 1ds17r4).
    const { hands } = gameValue(rules({ decks: 1 }), 'finite', 'optimal');
    expect(hand(hands, 1, 1, 2).values.stand).toBeCloseTo(-0.661732, 6);
    expect(hand(hands, 1, 1, 3).values.stand).toBeCloseTo(-0.661047, 6);
  });

  it('with exact removal, hits and doubles to six decimals as published (1 deck, ace up, A,2)', () => {
    const s17 = handValues(rules({ decks: 1 }), 'finite', 1, [1, 2], 'exact');
    expect(s17.stand).toBeCloseTo(-0.661732, 6);
    expect(s17.hit).toBeCloseTo(-0.067808, 6);
    expect(s17.double).toBeCloseTo(-0.593281, 6);
    const h17 = handValues(rules({ decks: 1, dealer_soft_17: 'hit' }), 'finite', 1, [2, 1], 'exact');
    expect(h17.stand).toBeCloseTo(-0.589084, 6);
    expect(h17.hit).toBeCloseTo(-0.107929, 6);
    expect(h17.double).toBeCloseTo(-0.55204, 6);
    expect(() => handValues(SIX_DECK_S17, 'finite', 10, [10, 1])).toThrow(/natural/);
  });

  it('hits and doubles within 0.002 of the published composition-dependent values in 8 decks', () => {
    // 8 decks, H17, no hole card, ace up: A,2 hit -0.378980 double -1.024082; 6,5 hit -0.235977 double -0.537869.
    const { hands } = gameValue(rules({ decks: 8, dealer_soft_17: 'hit', dealer_peek: false }), 'finite', 'optimal');
    expect(hand(hands, 1, 1, 2).values.stand).toBeCloseTo(-0.722307, 6);
    expect(Math.abs((hand(hands, 1, 1, 2).values.hit ?? 0) - -0.37898)).toBeLessThan(0.002);
    expect(Math.abs((hand(hands, 1, 1, 2).values.double ?? 0) - -1.024082)).toBeLessThan(0.002);
    expect(Math.abs((hand(hands, 1, 5, 6).values.hit ?? 0) - -0.235977)).toBeLessThan(0.002);
    expect(Math.abs((hand(hands, 1, 5, 6).values.double ?? 0) - -0.537869)).toBeLessThan(0.002);
  });
});

describe('player blackjack and peek', () => {
  it('pays a natural 3:2 unless the dealer also has one', () => {
    const { hands } = gameValue(SIX_DECK_S17, 'finite', 'optimal');
    const natural = hand(hands, 10, 1, 10);
    expect(natural.values).toEqual({});
    // Up 10, player A,10: 24 aces left in 309 cards.
    expect(natural.pDealerBlackjack).toBeCloseTo(23 / 309, 14);
  });

  it('without a peek, a dealer blackjack also takes doubles and splits (the no-hole-card game costs ~0.11 %)', () => {
    const peek = gameValue(rules({ dealer_soft_17: 'hit' }), 'finite', 'optimal').ev;
    const noHoleCard = gameValue(rules({ dealer_soft_17: 'hit', dealer_peek: false }), 'finite', 'optimal').ev;
    expect(peek - noHoleCard).toBeGreaterThan(0.0008);
    expect(peek - noHoleCard).toBeLessThan(0.0014);
  });
});
