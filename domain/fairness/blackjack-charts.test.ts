/**
 * One basic strategy: the engine's basicStrategy (domain/games/blackjack/strategy.ts, what autoplay,
 * the simulator's players and the fairness run use) plays the chart analyseBlackjack derives and
 * prices for the table's rules. Checked on every first decision of a two-card hand and every hit /
 * stand decision of a longer hand, for the engine's three rule sets.
 *
 * The engine used to read a copy of the Wizard of Odds 4-8 deck chart, a peek chart. At the
 * no-hole-card tables (the classic ones) that chart doubled 10 and 11 and split 8s and aces against
 * a ten (or an ace); the derived chart does not, because a dealer blackjack found after the players
 * also takes the doubles and splits. The second test pins exactly those cells: the engine's play at
 * a no-hole-card table against its play at the same table with a peek.
 */
import { describe, expect, it } from 'vitest';
import { basicStrategy, CLASSIC_INFINITE, CLASSIC_SEATED, type BlackjackRules, US_PEEK } from '../games/blackjack';
import type { Action } from '../games/blackjack';
import { CARD_VALUES, type CardValue } from './blackjack-rtp';
import { analyseBlackjack, basicStrategyAction } from './blackjack-strategy';

const CARD: Record<CardValue, string> = { 1: 'AS', 2: '2S', 3: '3S', 4: '4S', 5: '5S', 6: '6S', 7: '7S', 8: '8S', 9: '9S', 10: '10S' };
const SECOND: Record<CardValue, string> = { 1: 'AH', 2: '2H', 3: '3H', 4: '4H', 5: '5H', 6: '6H', 7: '7H', 8: '8H', 9: '9H', 10: 'KH' };
const UP_LABEL = (up: CardValue) => (up === 1 ? 'A' : String(up));

/** The actions the engine allows on the first decision of an unsplit two-card hand. */
function firstDecision(rules: BlackjackRules, a: CardValue, b: CardValue): Action[] {
  const hard = a + b;
  const total = (a === 1 || b === 1) && hard + 10 <= 21 ? hard + 10 : hard;
  const actions: Action[] = ['hit', 'stand'];
  if (rules.double_on === 'any_two' || (total >= 9 && total <= 11 && !(a === 1 || b === 1))) actions.push('double');
  if (a === b && rules.max_hands > 1) actions.push('split');
  if (rules.late_surrender) actions.push('surrender');
  return actions;
}

type Player = (cards: CardValue[], up: CardValue, legal: readonly Action[]) => Action;

/** The engine's play at a table. */
const engine = (rules: BlackjackRules): Player => (cards, up, legal) => basicStrategy(rules, cards.map((v, i) => (i === 1 ? SECOND[v] : CARD[v])), CARD[up], legal);

/** Cells where two players choose differently, as `<hand> v <up>: <first action>, <second action>`. */
function differences(rules: BlackjackRules, first: Player, second: Player): string[] {
  const out: string[] = [];
  for (const up of CARD_VALUES) {
    for (const a of CARD_VALUES) {
      for (const b of CARD_VALUES) {
        if (b < a) continue;
        const total = a + b + ((a === 1 || b === 1) && a + b + 10 <= 21 ? 10 : 0);
        if (total === 21) continue; // a natural: no decision
        const legal = firstDecision(rules, a, b);
        const x = first([a, b], up, legal);
        const y = second([a, b], up, legal);
        if (x !== y) out.push(`${UP_LABEL(a)},${UP_LABEL(b)} v ${UP_LABEL(up)}: ${x}, ${y}`);
      }
    }
    // Three-card hands: hard 12..20 (10,2,x and 10,4,x) and soft 13..18 (A,A + x), hit or stand only.
    const longer: CardValue[][] = [
      ...([2, 3, 4, 5, 6, 7, 8] as const).map((x): CardValue[] => [10, 2, x]),
      ...([2, 3, 4, 5, 6, 7] as const).map((x): CardValue[] => [10, 4, x]),
      ...([1, 2, 3, 4, 5, 6] as const).map((x): CardValue[] => [1, 1, x]),
    ];
    for (const cards of longer) {
      const x = first(cards, up, ['hit', 'stand']);
      const y = second(cards, up, ['hit', 'stand']);
      if (x !== y) out.push(`${cards.map(UP_LABEL).join(',')} v ${UP_LABEL(up)}: ${x}, ${y}`);
    }
  }
  return [...new Set(out)].sort();
}

describe.each([
  ['classic seated (8 decks, S17, no hole card, DAS, split once)', CLASSIC_SEATED],
  ['classic infinite (8 decks, H17, no hole card, DAS, split once)', CLASSIC_INFINITE],
  ['US peek (6 decks, S17, peek, DAS, resplit to 4 and aces, late surrender)', US_PEEK],
] as const)('%s', (_name, rules) => {
  it("the engine plays the derived chart in every cell", () => {
    const { chart } = analyseBlackjack(rules);
    expect(differences(rules, engine(rules), (cards, up, legal) => basicStrategyAction(chart, cards, up, legal))).toEqual([]);
  });
});

/** European no hole card: no double of 10 or 11 against a ten (or an ace), no split of 8s or aces against them. */
const NO_HOLE_CARD_COMMON = [
  '2,9 v 10: hit, double',
  '3,8 v 10: hit, double',
  '4,7 v 10: hit, double',
  '5,6 v 10: hit, double',
  '8,8 v 10: hit, split',
  '8,8 v A: hit, split',
  'A,A v A: hit, split',
];

describe.each([
  ['classic seated (8 decks, S17, DAS, split once)', CLASSIC_SEATED, NO_HOLE_CARD_COMMON],
  ['classic infinite (8 decks, H17, DAS, split once)', CLASSIC_INFINITE, [
    ...NO_HOLE_CARD_COMMON,
    '2,9 v A: hit, double', '3,8 v A: hit, double', '4,7 v A: hit, double', '5,6 v A: hit, double',
  ]],
] as const)('%s', (_name, rules, expected) => {
  it('the engine plays the no-hole-card chart: it differs from the same table with a peek exactly in the listed cells', () => {
    const peek = { ...rules, dealer_peek: true };
    expect(differences(rules, engine(rules), engine(peek))).toEqual([...expected].sort());
  });
});
