/**
 * The engine's table-driven basic strategy (domain/games/blackjack/strategy.ts, the Wizard of Odds
 * 4-8 deck chart, used by the simulator) against the chart analyseBlackjack derives and prices (used
 * by the fairness check's RTP simulation). Every first decision of a two-card hand and every hit /
 * stand decision of a longer hand, for the engine's three rule sets: the cells where they differ are
 * listed here, so a change to either chart shows up as a changed list.
 *
 * Result: with a peek (US_PEEK) the two agree on every cell. Without a hole card (the classic
 * tables) the engine's chart is a peek chart, and the derived one makes the usual European no-hole-card
 * changes (a dealer ten or ace may still hide a blackjack that takes doubles and splits); with S17
 * and eight decks it also hits A,2 against a 5 (a near tie). The RTP check plays the derived chart,
 * the one analyseBlackjack prices; the simulator's players use the engine's.
 */
import { describe, expect, it } from 'vitest';
import { basicStrategy, CLASSIC_INFINITE, CLASSIC_SEATED, type BlackjackRules as TableRules, US_PEEK } from '../games/blackjack';
import type { Action } from '../games/blackjack';
import { CARD_VALUES, type CardValue } from './blackjack-rtp';
import { fromTableRules } from './blackjack-rules';
import { analyseBlackjack, basicStrategyAction } from './blackjack-strategy';

const CARD: Record<CardValue, string> = { 1: 'AS', 2: '2S', 3: '3S', 4: '4S', 5: '5S', 6: '6S', 7: '7S', 8: '8S', 9: '9S', 10: '10S' };
const SECOND: Record<CardValue, string> = { 1: 'AH', 2: '2H', 3: '3H', 4: '4H', 5: '5H', 6: '6H', 7: '7H', 8: '8H', 9: '9H', 10: 'KH' };
const UP_LABEL = (up: CardValue) => (up === 1 ? 'A' : String(up));

/** The actions the engine allows on the first decision of an unsplit two-card hand. */
function firstDecision(rules: TableRules, a: CardValue, b: CardValue): Action[] {
  const hard = a + b;
  const total = (a === 1 || b === 1) && hard + 10 <= 21 ? hard + 10 : hard;
  const actions: Action[] = ['hit', 'stand'];
  if (rules.double_on === 'any_two' || (total >= 9 && total <= 11 && !(a === 1 || b === 1))) actions.push('double');
  if (a === b && rules.max_hands > 1) actions.push('split');
  if (rules.late_surrender) actions.push('surrender');
  return actions;
}

/** Cells where the two charts choose differently, as `<hand> v <up>: engine <action>, derived <action>`. */
function differences(rules: TableRules): string[] {
  const { chart } = analyseBlackjack(fromTableRules(rules));
  const out: string[] = [];
  for (const up of CARD_VALUES) {
    for (const a of CARD_VALUES) {
      for (const b of CARD_VALUES) {
        if (b < a) continue;
        const total = a + b + ((a === 1 || b === 1) && a + b + 10 <= 21 ? 10 : 0);
        if (total === 21) continue; // a natural: no decision
        const legal = firstDecision(rules, a, b);
        const engine = basicStrategy(rules, [CARD[a], SECOND[b]], CARD[up], legal);
        const derived = basicStrategyAction(chart, [a, b], up, legal);
        if (engine !== derived) out.push(`${UP_LABEL(a)},${UP_LABEL(b)} v ${UP_LABEL(up)}: engine ${engine}, derived ${derived}`);
      }
    }
    // Three-card hands: hard 12..20 (10,2,x) and soft 13..20 (A,2 + x), hit or stand only.
    const longer: CardValue[][] = [
      ...([2, 3, 4, 5, 6, 7, 8] as const).map((x): CardValue[] => [10, 2, x]),
      ...([2, 3, 4, 5, 6, 7] as const).map((x): CardValue[] => [10, 4, x]),
      ...([1, 2, 3, 4, 5, 6] as const).map((x): CardValue[] => [1, 1, x]),
    ];
    for (const cards of longer) {
      const strings = cards.map((v, i) => (i === 1 ? SECOND[v] : CARD[v]));
      const engine = basicStrategy(rules, strings, CARD[up], ['hit', 'stand']);
      const derived = basicStrategyAction(chart, cards, up, ['hit', 'stand']);
      if (engine !== derived) out.push(`${cards.map(UP_LABEL).join(',')} v ${UP_LABEL(up)}: engine ${engine}, derived ${derived}`);
    }
  }
  return [...new Set(out)].sort();
}

/** European no hole card: the derived chart does not double 10 or 11 against a ten (or an ace), nor split 8s or aces against them. */
const NO_HOLE_CARD_COMMON = [
  '2,9 v 10: engine double, derived hit',
  '3,8 v 10: engine double, derived hit',
  '4,7 v 10: engine double, derived hit',
  '5,6 v 10: engine double, derived hit',
  '8,8 v 10: engine split, derived hit',
  '8,8 v A: engine split, derived hit',
  'A,A v A: engine split, derived hit',
];

describe.each([
  ['classic seated (8 decks, S17, no hole card, DAS, split once)', CLASSIC_SEATED, [...NO_HOLE_CARD_COMMON, 'A,2 v 5: engine double, derived hit']],
  ['classic infinite (8 decks, H17, no hole card, DAS, split once)', CLASSIC_INFINITE, [
    ...NO_HOLE_CARD_COMMON,
    '2,9 v A: engine double, derived hit', '3,8 v A: engine double, derived hit', '4,7 v A: engine double, derived hit', '5,6 v A: engine double, derived hit',
  ]],
  ['US peek (6 decks, S17, peek, DAS, resplit to 4 and aces, late surrender)', US_PEEK, []],
] as const)('%s', (_name, rules, expected) => {
  it('the engine chart and the derived chart differ exactly in the listed cells', () => {
    expect(differences(rules)).toEqual([...expected].sort());
  });
});
